from random import Random

import numpy


def episode_indices(labels, n_way, k_shot, n_query, seed):
    random = Random(seed)
    by_class = {}
    for i, c in enumerate(labels):
        by_class.setdefault(c, []).append(i)
    classes = random.sample(sorted(by_class), n_way)
    support, query = [], []
    for c in classes:
        idx = list(by_class[c])
        random.shuffle(idx)
        support += idx[:k_shot]
        query += idx[k_shot : k_shot + n_query]
    return classes, support, query


def init_prototypes(n_way, dim, seed):
    np = numpy.random.RandomState(seed)
    return np.randn(n_way, dim) * 0.01


class EpisodeSampler:
    def __init__(self, labels, n_way=5, k_shot=1, seed=0):
        self.labels = labels
        self.n_way = n_way
        self.k_shot = k_shot
        self.random = Random(seed)

    def __iter__(self):
        while True:
            yield episode_indices(self.labels, self.n_way, self.k_shot, 15, self.random.getrandbits(32))
