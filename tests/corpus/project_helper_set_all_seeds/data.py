import random

import numpy as np
import torch


def load_split(path, val_frac=0.1):
    x, y = torch.load(path)
    idx = list(range(len(x)))
    random.shuffle(idx)
    n_val = int(val_frac * len(idx))
    return (x[idx[n_val:]], y[idx[n_val:]]), (x[idx[:n_val]], y[idx[:n_val]])


def cutmix(x, y, alpha=1.0):
    lam = np.random.beta(alpha, alpha)
    perm = torch.randperm(x.shape[0])
    h, w = x.shape[-2:]
    cy, cx = np.random.randint(h), np.random.randint(w)
    x = x.clone()
    x[..., max(cy - h // 4, 0) : cy + h // 4, max(cx - w // 4, 0) : cx + w // 4] = x[perm][
        ..., max(cy - h // 4, 0) : cy + h // 4, max(cx - w // 4, 0) : cx + w // 4
    ]
    return x, y, y[perm], lam
