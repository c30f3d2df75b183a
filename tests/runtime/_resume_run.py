"""A training loop that checkpoints its RNG state; prints what each epoch drew.

    python -m tests.runtime._resume_run full   --epochs 4
    python -m tests.runtime._resume_run stop   --epochs 4 --ckpt DIR   (checkpoints after epoch 1)
    python -m tests.runtime._resume_run resume --epochs 4 --ckpt DIR --load torch|pickle

Each epoch draws from Python's ``random``, NumPy's and torch's global RNGs, from private
generators (an augmentation's NumPy Generator, a sampler's ``random.Random``) and from a
shuffling DataLoader (``generator=seeded_generator()``, 2 fork workers with ``seed_worker``, a
dataset holding generators of its own). ``stop`` saves ``capture_rng_state`` after epoch 1 with
``torch.save`` and with pickle, then goes on drawing (work lost in the crash) and exits;
``resume`` starts a new process the way the program starts, draws some numbers (anything a
program does before it loads the checkpoint), restores, and runs the remaining epochs.
"""

from __future__ import annotations

import argparse
import pickle
import random
from pathlib import Path
from typing import Any

import numpy as np
import torch
from seedlint_runtime import (
    capture_rng_state,
    derive_seed,
    restore_rng_state,
    seed_everything,
    seed_worker,
    seeded_generator,
)

from tests.runtime._datasets import NoisyDataset, draw_epochs
from tests.runtime._proc import emit

CHECKPOINT_AFTER = 1


def epoch(e: int, gens: dict[str, Any]) -> dict[str, Any]:
    return {
        "epoch": e,
        "python": [random.random() for _ in range(3)],
        "numpy": np.random.random(3).tolist(),
        "torch": torch.rand(3).tolist(),
        "augment": gens["augment"].random(3).tolist(),
        "sampler": [gens["sampler"].random() for _ in range(3)],
        "loader": draw_epochs(
            NoisyDataset(),
            epochs=1,
            init=seed_worker,
            generator=gens["loader"],
            shuffle=True,
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("full", "stop", "resume"))
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--ckpt", type=Path)
    parser.add_argument("--load", choices=("torch", "pickle"))
    opts = parser.parse_args()

    seed_everything(0)
    gens = {
        "augment": np.random.default_rng(derive_seed("augment")),
        "sampler": random.Random(derive_seed("sampler")),
        "loader": seeded_generator(),
    }
    start, out = 0, []
    if opts.mode == "resume":
        # whatever the program draws before it loads the checkpoint
        random.random(), np.random.random(), torch.rand(5), gens["augment"].random()
        torch.randperm(10, generator=gens["loader"])
        if opts.load == "torch":
            state = torch.load(opts.ckpt / "rng.pt")  # the default: weights_only=True
        else:
            state = pickle.loads((opts.ckpt / "rng.pkl").read_bytes())
        restore_rng_state(state, gens)
        start = CHECKPOINT_AFTER + 1
    for e in range(start, opts.epochs):
        out.append(epoch(e, gens))
        if opts.mode == "stop" and e == CHECKPOINT_AFTER:
            state = capture_rng_state(gens)
            torch.save(state, opts.ckpt / "rng.pt")
            (opts.ckpt / "rng.pkl").write_bytes(pickle.dumps(state))
            epoch(e + 1, gens)  # drawn after the checkpoint, lost when the process dies
            break
    emit(out)


if __name__ == "__main__":
    main()
