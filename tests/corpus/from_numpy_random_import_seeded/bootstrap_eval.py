import sys

import numpy as np
import torch
from numpy.random import choice, randn, seed


def bootstrap_ci(scores, n_boot=1000, alpha=0.05):
    stats = []
    for _ in range(n_boot):
        sample = choice(scores, size=len(scores), replace=True)
        stats.append(sample.mean())
    lo, hi = np.percentile(stats, [100 * alpha / 2, 100 * (1 - alpha / 2)])
    return lo, hi


def perturbation_check(model, x, eps=1e-3):
    delta = torch.from_numpy(randn(*x.shape).astype(np.float32)) * eps
    jitter = torch.rand_like(x) * eps
    with torch.no_grad():
        return (model(x + delta + jitter) - model(x)).abs().max().item()


def main(path):
    seed(2024)
    torch.random.manual_seed(2024)
    ckpt = torch.load(path)
    model, x, y = ckpt["model"], ckpt["x"], ckpt["y"]
    with torch.no_grad():
        correct = (model(x).argmax(1) == y).float().numpy()
    print("acc", correct.mean(), "95% CI", bootstrap_ci(correct))
    print("max change under noise", perturbation_check(model, x))


if __name__ == "__main__":
    main(sys.argv[1])
