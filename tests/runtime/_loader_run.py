"""Run DataLoaders over NoisyDataset in a fresh process; prints the records of each run.

    python -m tests.runtime._loader_run --seed 0 --rank 3 --runs fork,spawn,spawn+persistent

Each run starts like a program does: ``seed_everything(seed)`` (with ``RANK`` set when --rank is
given), then a fresh dataset and a DataLoader with 2 workers over 2 epochs, ``worker_init_fn``
probing the rank ``seed_worker`` used. ``RANK`` is removed again before the loader starts, so
spawn and forkserver workers can learn the rank only from what seed_everything recorded.
"""

from __future__ import annotations

import argparse
import os

import torch
from seedlint_runtime import seed_everything

from tests.runtime._datasets import NoisyDataset, draw_epochs
from tests.runtime._proc import emit


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rank", type=int, default=None)
    parser.add_argument("--runs", default="fork")
    opts = parser.parse_args()
    runs = opts.runs.split(",")
    if any(not r.startswith("fork") or r.startswith("forkserver") for r in runs):
        # pytorch/pytorch#146828: a Dataset holding a torch.Generator cannot be sent to spawn
        # workers with the default sharing strategy.
        torch.multiprocessing.set_sharing_strategy("file_system")
    out = {}
    for spec in runs:
        context, _, flag = spec.partition("+")
        if opts.rank is not None:
            os.environ["RANK"] = str(opts.rank)
        seed_everything(opts.seed)
        os.environ.pop("RANK", None)
        out[spec] = draw_epochs(NoisyDataset(), context=context, persistent=flag == "persistent")
    emit(out)


if __name__ == "__main__":
    main()
