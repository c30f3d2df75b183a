import random

import numpy as np
import torch
from torch.utils.data import Dataset

NUM_CLASSES = 10
# Fixed class prototypes for the synthetic digits.
PROTOTYPES = np.random.randn(NUM_CLASSES, 64).astype("float32")


class SyntheticDigits(Dataset):
    def __init__(self, size, train=True):
        self.size = size
        self.train = train
        self.rng = np.random.default_rng()
        self.labels = self.rng.integers(0, NUM_CLASSES, size=size)

    def __len__(self):
        return self.size

    def __getitem__(self, index):
        label = int(self.labels[index])
        x = PROTOTYPES[label] + 0.5 * np.random.standard_normal(64).astype("float32")
        if self.train and random.random() < 0.5:
            x = x[::-1].copy()
        return torch.from_numpy(x), label
