import random

import torch
from torch.utils.data import Dataset


class RandomErasing(Dataset):
    def __init__(self, base, p=0.5, max_frac=0.3):
        self.base = base
        self.p = p
        self.max_frac = max_frac
        self.gen = torch.Generator()
        self.py_rng = random.Random()

    def __len__(self):
        return len(self.base)

    def __getitem__(self, i):
        img, y = self.base[i]
        if torch.rand(1, generator=self.gen).item() < self.p:
            h, w = img.shape[-2:]
            eh = self.py_rng.randint(1, int(h * self.max_frac))
            ew = self.py_rng.randint(1, int(w * self.max_frac))
            top = int(torch.randint(0, h - eh + 1, (1,), generator=self.gen))
            left = int(torch.randint(0, w - ew + 1, (1,), generator=self.gen))
            img = img.clone()
            img[..., top : top + eh, left : left + ew] = 0
        return img, y


def span_masks(shape, device, p=0.15):
    g = torch.Generator(device=device)
    return torch.rand(shape, generator=g, device=device) < p


def eval_masks(shape, seed, p=0.15):
    g = torch.Generator()
    g.manual_seed(seed)
    return torch.rand(shape, generator=g) < p
