import random
import sys

import numpy as np
import torch


def augment(wave, g, rng, prng):
    gain = torch.empty(1).uniform_(0.8, 1.2, generator=g)
    noise = torch.randn(wave.shape, generator=g) * 0.005
    shift = int(torch.randint(-1600, 1600, (1,), generator=g))
    wave = torch.roll(wave * gain + noise, shift)
    if torch.bernoulli(torch.tensor(0.3), generator=g):
        wave = wave.flip(-1)
    n_masks = int(rng.integers(0, 3))
    for _ in range(n_masks):
        start = int(rng.uniform(0, wave.shape[-1] - 800))
        wave[..., start : start + 800] = 0
    if prng.random() < 0.1:
        wave = torch.zeros_like(wave)
    return wave


def main(src, dst, seed):
    g = torch.Generator().manual_seed(seed)
    rng = np.random.default_rng(seed)
    prng = random.Random(seed)
    waves = torch.load(src)
    order = torch.randperm(len(waves), generator=g)
    picks = torch.multinomial(torch.ones(len(waves)), 10, generator=g)
    speeds = torch.normal(1.0, 0.05, size=(len(waves),), generator=g)
    out = [augment(waves[i], g, rng, prng) for i in order.tolist()]
    torch.save({"waves": out, "picks": picks, "speeds": speeds, "idx": rng.permutation(len(out))}, dst)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
