"""Two ranks of a gloo job on CPU, launched like torchrun and with an explicit tcp:// init.

Each rank (tests/runtime/_dist_run.py) seeds with seed_everything(0) (not per_rank), so the
DataLoader base seeds are the same on both ranks and only the rank separates their workers.
"""

from __future__ import annotations

import pytest

from tests.runtime import _proc
from tests.runtime._datasets import STREAMS, duplicates, shared

pytest.importorskip("torch.distributed")


def _torchrun(port: int):
    return [
        _proc.start(
            module="tests.runtime._dist_run",
            args=["torchrun"],
            env=_proc.child_env(
                {
                    "RANK": str(rank),
                    "LOCAL_RANK": str(rank),
                    "WORLD_SIZE": "2",
                    "LOCAL_WORLD_SIZE": "2",
                    "MASTER_ADDR": "127.0.0.1",
                    "MASTER_PORT": str(port),
                }
            ),
        )
        for rank in range(2)
    ]


def _tcp(port: int):
    return [
        _proc.start(
            module="tests.runtime._dist_run", args=["tcp", "--rank", str(r), "--port", str(port)]
        )
        for r in range(2)
    ]


def test_two_ranks_torchrun_and_explicit_tcp_init():
    procs = _torchrun(_proc.free_port()) + _tcp(_proc.free_port())
    try:
        torchrun, tcp = [_proc.finish(p) for p in procs[:2]], [_proc.finish(p) for p in procs[2:]]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()

    for launch, ranks in (("torchrun", torchrun), ("tcp", tcp)):
        zero, one = ranks
        assert [zero["rank"], one["rank"]] == [0, 1], launch
        assert zero["seed"] == one["seed"] == 0, launch
        # the run's seed is shared: the main processes draw alike, and seeded_generator (for
        # random_split) gives every rank the same split
        assert zero["main_torch"] == one["main_torch"], launch
        assert zero["split"] == one["split"], launch
        # each rank's workers know their rank ...
        for rank, result in enumerate(ranks):
            assert {tuple(r["rank_seen"]) for r in result["records"]} == {(rank,)}, launch
            assert duplicates(result["records"]) == {}, (launch, rank)
        # ... so their streams differ across ranks, for every global and private generator
        assert shared(zero["records"], one["records"], STREAMS) == {}, launch
        # per_rank=True: each rank its own seed and main-process stream
        assert zero["per_rank_seed"] != one["per_rank_seed"], launch
        assert not set(zero["per_rank_torch"]) & set(one["per_rank_torch"]), launch

    # The run repeats: four separate processes, two launch styles, the same numbers per rank.
    assert tcp == torchrun
