import numpy as np
from numpy.random import MT19937, SFC64, Generator, Philox, SeedSequence


def worker_streams(n_workers, seed):
    ss = SeedSequence(seed)
    return [Generator(Philox(child)) for child in ss.spawn(n_workers)]


def fresh_streams(n):
    root = SeedSequence()
    return [np.random.default_rng(child) for child in root.spawn(n)]


def default_stream():
    return np.random.Generator(np.random.PCG64())


def legacy_mt_stream():
    return Generator(MT19937())


def fast_stream():
    return Generator(SFC64(None))


def dxsm_stream():
    return Generator(np.random.PCG64DXSM())
