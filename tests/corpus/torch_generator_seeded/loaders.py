import random

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, random_split


def seed_worker(worker_id):
    worker_seed = torch.initial_seed() % 2**32
    np.random.seed(worker_seed)
    random.seed(worker_seed)


class MaskedTokens(Dataset):
    def __init__(self, tokens, mask_prob=0.15, seed=0):
        self.tokens = tokens
        self.mask_prob = mask_prob
        self.g = torch.Generator()
        self.g.manual_seed(seed)

    def __len__(self):
        return len(self.tokens)

    def __getitem__(self, i):
        x = self.tokens[i].clone()
        mask = torch.rand(x.shape, generator=self.g) < self.mask_prob
        x[mask] = 0
        return x, mask


def build_loaders(tokens, seed, rank, batch_size=32):
    ds = MaskedTokens(tokens, seed=seed)
    train, val = random_split(ds, [0.95, 0.05], generator=torch.Generator().manual_seed(seed))
    g = torch.Generator()
    g.manual_seed(seed)
    device_gen = torch.Generator(device="cpu")
    device_gen.manual_seed(seed + rank)
    order = torch.randperm(len(val), generator=device_gen)
    train_loader = DataLoader(
        train, batch_size=batch_size, shuffle=True, num_workers=4, worker_init_fn=seed_worker, generator=g
    )
    return train_loader, [val[i] for i in order.tolist()]
