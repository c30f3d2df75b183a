import random
import time
from datetime import datetime

import numpy as np
import torch


class SpecAugment:
    def __init__(self, freq_mask=27, time_mask=100):
        self.freq_mask = freq_mask
        self.time_mask = time_mask
        self.np_rng = np.random.default_rng(time.time_ns())
        self.py_rng = random.Random(datetime.now().timestamp())
        self.gen = torch.Generator().manual_seed(int(time.time() * 1000) % 2**31)

    def __call__(self, spec):
        spec = spec.clone()
        f = int(self.np_rng.integers(0, self.freq_mask))
        f0 = int(self.np_rng.integers(0, spec.shape[0] - f))
        spec[f0 : f0 + f] = 0
        t = self.py_rng.randint(0, self.time_mask)
        t0 = int(torch.randint(0, spec.shape[1] - t, (1,), generator=self.gen))
        spec[:, t0 : t0 + t] = 0
        return spec
