"""Random Fourier features for approximating an RBF kernel."""
import numpy as np
import torch

N_FEATURES = 2048
GAMMA = 0.5
OMEGA = np.random.normal(0.0, np.sqrt(2 * GAMMA), size=(64, N_FEATURES))
PHASE = torch.rand(N_FEATURES) * 2 * np.pi


def featurize(x):
    proj = torch.as_tensor(x @ OMEGA, dtype=torch.float32) + PHASE
    return torch.cos(proj) * np.sqrt(2.0 / N_FEATURES)


def random_subset(x, k):
    return x[np.random.choice(len(x), k, replace=False)]
