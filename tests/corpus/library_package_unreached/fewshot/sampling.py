import random

import numpy as np


def make_episode(labels, n_way=5, k_shot=1, n_query=15):
    classes = random.sample(sorted(set(labels)), n_way)
    support, query = [], []
    for c in classes:
        idx = np.flatnonzero(np.asarray(labels) == c)
        picked = np.random.choice(idx, k_shot + n_query, replace=False)
        support += picked[:k_shot].tolist()
        query += picked[k_shot:].tolist()
    return classes, support, query


class EpisodeSampler:
    def __init__(self, labels, n_episodes, **kw):
        self.labels = labels
        self.n_episodes = n_episodes
        self.kw = kw
        self.rng = np.random.default_rng()

    def __iter__(self):
        for _ in range(self.n_episodes):
            yield make_episode(self.labels, **self.kw)

    def __len__(self):
        return self.n_episodes
