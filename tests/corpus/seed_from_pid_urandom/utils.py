import os
import random

import numpy as np
import torch


def worker_init_fn(worker_id):
    np.random.seed(os.getpid())


def init_process(rank):
    torch.manual_seed(os.getpid() % 2**31)
    random.seed(int.from_bytes(os.urandom(4), "little"))
    torch.cuda.set_device(rank)
