import numpy as np
import torch
from torch.utils.data import Dataset

NOISE_BANK = np.random.randn(1024, 16).astype(np.float32)


class NoisySignals(Dataset):
    def __init__(self, signals):
        self.signals = signals

    def __len__(self):
        return len(self.signals)

    def __getitem__(self, i):
        noise = NOISE_BANK[i % len(NOISE_BANK)]
        return torch.from_numpy(self.signals[i] + noise)
