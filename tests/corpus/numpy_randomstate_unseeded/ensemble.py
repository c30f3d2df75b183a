import numbers

import numpy as np


def check_random_state(seed):
    if seed is None or seed is np.random:
        return np.random.mtrand._rand
    if isinstance(seed, numbers.Integral):
        return np.random.RandomState(seed)
    if isinstance(seed, np.random.RandomState):
        return seed
    raise ValueError(f"{seed!r} cannot be used to seed a RandomState")


class GaussianRandomProjection:
    def __init__(self, n_components, random_state=None):
        self.n_components = n_components
        self.random_state = random_state

    def fit(self, X):
        rs = check_random_state(self.random_state)
        self.components_ = rs.normal(size=(self.n_components, X.shape[1])) / np.sqrt(self.n_components)
        return self

    def transform(self, X):
        return X @ self.components_.T


class BaggedTrees:
    def __init__(self, base_factory, n_estimators=10):
        self.base_factory = base_factory
        self.n_estimators = n_estimators

    def fit(self, X, y):
        rs = np.random.RandomState()
        self.estimators_ = []
        for _ in range(self.n_estimators):
            idx = rs.randint(0, len(X), len(X))
            self.estimators_.append(self.base_factory().fit(X[idx], y[idx]))
        return self


def make_blobs(n_samples, centers, std=1.0):
    rs = np.random.RandomState(None)
    labels = rs.randint(0, len(centers), n_samples)
    return np.asarray(centers)[labels] + rs.normal(scale=std, size=(n_samples, len(centers[0]))), labels


def stratified_subsample(y, frac):
    rs = np.random.RandomState(seed=None)
    keep = []
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        keep.extend(rs.choice(idx, max(1, int(frac * len(idx))), replace=False))
    return np.sort(keep)
