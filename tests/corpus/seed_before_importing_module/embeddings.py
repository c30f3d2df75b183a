import numpy as np
import torch

RANDOM_PROJECTION = torch.from_numpy(np.random.randn(768, 64).astype(np.float32)) / 8.0
HASH_SALTS = np.random.randint(0, 2**31 - 1, size=4)


def project(x):
    return x @ RANDOM_PROJECTION


def bucket(ids, n_buckets=1 << 18):
    return [(ids * int(s)) % n_buckets for s in HASH_SALTS]
