import numpy as np
import torch
from torch.utils.data import Dataset


class JitteredPoints(Dataset):
    def __init__(self, points, sigma=0.01, seed=None):
        self.points = points
        self.sigma = sigma
        self.rng = np.random.default_rng(seed)

    def __len__(self):
        return len(self.points)

    def __getitem__(self, i):
        p = self.points[i] + self.rng.normal(0.0, self.sigma, size=self.points[i].shape)
        return torch.from_numpy(p.astype(np.float32))


def rank_stream(seed, rank):
    ss = np.random.SeedSequence(entropy=seed, spawn_key=(rank,))
    return np.random.Generator(np.random.PCG64DXSM(ss))


def legacy_stream(seed):
    return np.random.RandomState(seed)
