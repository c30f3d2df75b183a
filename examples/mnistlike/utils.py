import time

import torch


def set_seed(seed=None):
    """Seed torch for the run (a fresh seed when none is given)."""
    if seed is None:
        seed = int(time.time())
    torch.manual_seed(seed)
    return seed


def accuracy(logits, labels):
    return (logits.argmax(dim=1) == labels).float().mean().item()
