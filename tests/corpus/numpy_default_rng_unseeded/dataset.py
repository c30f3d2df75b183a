import numpy as np
import torch
from torch.utils.data import Dataset


class RandomCropVolumes(Dataset):
    def __init__(self, volumes, crop=64):
        self.volumes = volumes
        self.crop = crop
        self.rng = np.random.default_rng()

    def __len__(self):
        return len(self.volumes)

    def __getitem__(self, i):
        vol, c = self.volumes[i], self.crop
        z, y, x = (int(self.rng.integers(0, s - c + 1)) for s in vol.shape)
        return torch.from_numpy(vol[z : z + c, y : y + c, x : x + c].copy())


def add_noise(vol, sigma, rng=None):
    if rng is None:
        rng = np.random.default_rng(None)
    return vol + rng.normal(0.0, sigma, size=vol.shape)
