import random
from collections import deque
from random import Random


class ReplayBuffer:
    def __init__(self, capacity, seed=None):
        self.buf = deque(maxlen=capacity)
        self.rng = random.Random(seed)

    def push(self, transition):
        self.buf.append(transition)

    def sample(self, k):
        return self.rng.sample(list(self.buf), k)


class EpisodeSampler:
    def __init__(self, episodes):
        self.episodes = episodes
        self.rng = random.Random()

    def __iter__(self):
        order = list(range(len(self.episodes)))
        self.rng.shuffle(order)
        return (self.episodes[i] for i in order)


def reservoir(stream, k):
    r = Random(None)
    out = []
    for i, item in enumerate(stream):
        if i < k:
            out.append(item)
        else:
            j = r.randint(0, i)
            if j < k:
                out[j] = item
    return out


def shuffled_copy(items):
    items = list(items)
    random.Random().shuffle(items)
    return items


def worker_rng(base_seed, worker_id):
    return random.Random(f"{base_seed}-{worker_id}")
