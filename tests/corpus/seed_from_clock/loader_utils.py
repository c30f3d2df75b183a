import random
import time

import numpy as np


def worker_init(worker_id):
    random.seed(time.time() + worker_id)
    np.random.seed((int(time.time() * 1000) + worker_id) % 2**32)


def batch_iter(x, bs):
    for i in range(0, len(x), bs):
        yield x[i : i + bs]
