"""Datasets, worker_init_fns and loops shared by the runtime tests and their subprocesses.

Spawn and forkserver DataLoader workers unpickle the dataset and the ``worker_init_fn`` by
module path, so they live here, in an importable module.

Every private generator below starts from fresh OS entropy (or, for ``torch.Generator``, from
``.seed()``), and DataLoader workers receive copies of it. Without reseeding, the workers of one
loader draw the same numbers from it, and two runs draw different numbers. When a test finds the
streams both distinct across workers and reproducible across runs, seed_worker reseeded them.
"""

from __future__ import annotations

import gc
import random
from typing import Any, Callable, Optional

import numpy as np
import torch
from seedlint_runtime import seed_worker
from torch.utils.data import DataLoader, Dataset, get_worker_info

#: Streams that every record of NoisyDataset holds.
GLOBAL_STREAMS = ("python", "numpy", "torch")
PRIVATE_STREAMS = ("np_gen", "np_legacy", "py_rng", "torch_gen", "transform")
STREAMS = GLOBAL_STREAMS + PRIVATE_STREAMS

#: The explicit ranks probe_init compares the implicit rank against.
PROBE_RANKS = range(8)

_rank_seen: Optional[list[int]] = None


def fresh_torch_generator() -> torch.Generator:
    g = torch.Generator()
    g.seed()  # non-deterministic, like an unseeded numpy generator
    return g


class Jitter:
    """A random augmentation that holds its own NumPy generator."""

    def __init__(self) -> None:
        self.rng = np.random.default_rng()

    def __call__(self, x: Any) -> float:
        return float(self.rng.random())


class Compose:
    """torchvision.transforms.Compose's layout: the transforms in a list attribute."""

    def __init__(self, transforms: list[Callable[[Any], Any]]) -> None:
        self.transforms = list(transforms)

    def __call__(self, x: Any) -> Any:
        for t in self.transforms:
            x = t(x)
        return x


class NoisyDataset(Dataset):  # type: ignore[type-arg]
    """Each item draws from the worker's global RNGs and from every kind of private generator."""

    def __init__(self, n: int = 8, transform: Optional[Callable[[Any], Any]] = None) -> None:
        self.n = n
        self.np_gen = np.random.default_rng()
        self.np_legacy = np.random.RandomState()
        self.py_rng = random.Random()
        self.torch_gen = fresh_torch_generator()
        self.transform = transform if transform is not None else Jitter()

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, index: int) -> dict[str, Any]:
        info = get_worker_info()
        return {
            "index": int(index),
            "worker": info.id if info is not None else None,
            "rank_seen": _rank_seen,
            "python": random.random(),
            "numpy": float(np.random.random()),
            "torch": float(torch.rand(())),
            "np_gen": float(self.np_gen.random()),
            "np_legacy": float(self.np_legacy.random_sample()),
            "py_rng": self.py_rng.random(),
            "torch_gen": float(torch.rand((), generator=self.torch_gen)),
            "transform": float(self.transform(index)),
        }


def _fingerprint() -> tuple[Any, ...]:
    return (random.getstate(), np.random.get_state()[1].tolist(), torch.initial_seed())


def probe_init(worker_id: int) -> None:
    """A ``worker_init_fn`` that seeds like ``seed_worker`` and records which explicit rank
    (``seed_worker(worker_id, rank=r)``) seeds this worker exactly as the implicit one does.

    The worker ends in the state plain ``seed_worker`` leaves (seeding is a function of the
    loader's base seed, the rank and the worker id, so the last call fixes everything)."""
    global _rank_seen
    seed_worker(worker_id)
    implicit = _fingerprint()
    matches = []
    for r in PROBE_RANKS:
        seed_worker(worker_id, rank=r)
        if _fingerprint() == implicit:
            matches.append(r)
    seed_worker(worker_id)
    _rank_seen = matches


def draw_epochs(
    dataset: Any,
    *,
    epochs: int = 2,
    num_workers: int = 2,
    init: Optional[Callable[[int], None]] = probe_init,
    context: Optional[str] = "fork",
    persistent: bool = False,
    generator: Optional[torch.Generator] = None,
    shuffle: bool = False,
) -> list[dict[str, Any]]:
    """Every item of ``epochs`` passes over ``dataset``, each record tagged with its epoch."""
    loader = DataLoader(
        dataset,
        batch_size=None,
        shuffle=shuffle,
        num_workers=num_workers,
        worker_init_fn=init,
        multiprocessing_context=context if num_workers else None,
        persistent_workers=persistent,
        generator=generator,
    )
    out = []
    failure = None
    for epoch in range(epochs):
        iterator = iter(loader)
        try:
            for record in iterator:
                out.append({**record, "epoch": epoch})
        except Exception as e:
            failure = f"{type(e).__name__}: {e}"
            break
    if failure is not None:
        # A worker failed. Free the iterator now, which shuts its other workers down; a
        # traceback holding it would keep them until the interpreter exits (pytest keeps the
        # tracebacks of failed and xfailed tests), and that shutdown waits seconds per worker.
        del iterator, loader
        gc.collect()
        raise RuntimeError(failure)
    return out


def values(records: list[dict[str, Any]], stream: str) -> list[Any]:
    return [r[stream] for r in records]


def duplicates(records: list[dict[str, Any]], streams: tuple[str, ...] = STREAMS) -> dict:
    """Per stream, the values drawn more than once (empty when every draw is distinct)."""
    found = {}
    for s in streams:
        seen = values(records, s)
        dup = sorted({v for v in seen if seen.count(v) > 1})
        if dup:
            found[s] = dup
    return found


def shared(a: list[dict[str, Any]], b: list[dict[str, Any]], streams=STREAMS) -> dict:
    """Per stream, the values that both ``a`` and ``b`` drew (empty when disjoint)."""
    found = {}
    for s in streams:
        common = set(values(a, s)) & set(values(b, s))
        if common:
            found[s] = sorted(common)
    return found


def without(records: list[dict[str, Any]], *keys: str) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if k not in keys} for r in records]
