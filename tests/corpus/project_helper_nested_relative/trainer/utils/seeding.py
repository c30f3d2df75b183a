import os
import random


def _seed_python(seed):
    random.seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)


def _seed_numpy(seed):
    try:
        import numpy as np
    except ImportError:
        return
    np.random.seed(seed)


def _seed_torch(seed):
    try:
        import torch
    except ImportError:
        return
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)


def seed_all(seed):
    _seed_python(seed)
    _seed_numpy(seed)
    _seed_torch(seed)
    return seed
