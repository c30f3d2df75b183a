"""One rank of a 2-rank gloo job on CPU; prints what the rank drew.

    RANK=r WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=p python -m tests.runtime._dist_run torchrun
    python -m tests.runtime._dist_run tcp --rank r --port p

``torchrun``: launched the way torchrun launches a rank (the rendezvous in the environment):
``seed_everything(0)`` first, as training scripts do, then ``init_process_group("gloo")`` with
``env://``. ``tcp``: no rank in the environment; ``init_process_group(rank=r, world_size=2,
init_method="tcp://127.0.0.1:p")`` first, then ``seed_everything(0)``, which reads the rank
from torch.distributed.
"""

from __future__ import annotations

import argparse
import datetime
import os

import torch
import torch.distributed as dist
from seedlint_runtime import seed_everything, seeded_generator
from torch.utils.data import random_split

from tests.runtime._datasets import NoisyDataset, draw_epochs
from tests.runtime._proc import emit

TIMEOUT = datetime.timedelta(seconds=60)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("torchrun", "tcp"))
    parser.add_argument("--rank", type=int)
    parser.add_argument("--port", type=int)
    opts = parser.parse_args()
    out: dict[str, object] = {}
    if opts.mode == "torchrun":
        out["seed"] = seed_everything(0)
        dist.init_process_group("gloo", init_method="env://", timeout=TIMEOUT)
    else:
        assert "RANK" not in os.environ
        dist.init_process_group(
            "gloo",
            rank=opts.rank,
            world_size=2,
            init_method=f"tcp://127.0.0.1:{opts.port}",
            timeout=TIMEOUT,
        )
        out["seed"] = seed_everything(0)
    out["rank"] = dist.get_rank()
    out["main_torch"] = torch.rand(4).tolist()
    split = random_split(range(10), [5, 5], generator=seeded_generator())
    out["split"] = [list(s.indices) for s in split]
    # DataLoader workers (fork) over two epochs: the base seed is the same on both ranks (same
    # run seed, not per_rank), so only the rank tells the ranks' workers apart.
    out["records"] = draw_epochs(NoisyDataset(), context="fork")
    out["per_rank_seed"] = seed_everything(0, per_rank=True)
    out["per_rank_torch"] = torch.rand(4).tolist()
    dist.barrier()
    dist.destroy_process_group()
    emit(out)


if __name__ == "__main__":
    main()
