import random

import torch

from random_features import featurize, random_subset

DEFAULT_LANDMARKS = 256
JITTER = random.uniform(1e-6, 1e-5)


def nystrom(x, m=DEFAULT_LANDMARKS):
    landmarks = random_subset(x, m)
    k_mm = torch.cdist(landmarks, landmarks).pow(2).neg().exp() + JITTER * torch.eye(m)
    k_nm = torch.cdist(x, landmarks).pow(2).neg().exp()
    return k_nm @ torch.linalg.pinv(k_mm) @ k_nm.T


def rff_kernel(x, y):
    return featurize(x) @ featurize(y).T


class KernelRidge:
    def __init__(self, lam=1e-3):
        self.lam = lam

    def fit(self, x, y):
        k = rff_kernel(x, x) + self.lam * torch.eye(len(x))
        self.alpha = torch.linalg.solve(k, y)
        self.x = x
        return self
