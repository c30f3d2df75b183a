"""The facts about torch that the RNG1xx/RNG3xx/RNG4xx/RNG5xx rules rest on, shown on the installed torch.

Each test proves one premise from DESIGN.md ("Facts the rules rest on") with real DataLoader worker
processes and real subprocesses; nothing is mocked. Tests marked ``cuda`` skip without a CUDA GPU.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import subprocess
import sys
import textwrap
from contextlib import contextmanager

import numpy as np
import pytest
import torch
import torch.multiprocessing
from torch.utils.data import DataLoader, Dataset, RandomSampler, get_worker_info, random_split

HAS_CUDA = torch.cuda.is_available()
needs_cuda = pytest.mark.skipif(not HAS_CUDA, reason="needs a CUDA GPU")

# Start methods the workers are run under: "fork" copies the parent's memory, "spawn" pickles the
# Dataset into a fresh interpreter (so the Dataset classes below live at module level).
START_METHODS = [m for m in ("fork", "spawn") if m in multiprocessing.get_all_start_methods()]
needs_fork = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="needs the fork start method"
)

NUM_WORKERS = 2
ITEMS = 8  # batch_size=None hands indices out round-robin: each worker gets 4


@pytest.fixture(autouse=True)
def _restore_torch_rng(request: pytest.FixtureRequest):
    """These tests reseed torch's global generators; give the rest of the suite its state back.

    Only ``cuda`` tests save the CUDA generators, so CUDA is never initialised before a fork.
    """
    cuda = HAS_CUDA and request.node.get_closest_marker("cuda") is not None
    devices = list(range(torch.cuda.device_count())) if cuda else []
    with torch.random.fork_rng(devices=devices):
        yield


# --- datasets (module level so that spawn workers can unpickle them) -------------------------


class PrivateGeneratorDataset(Dataset):
    """The RNG104 pattern: a seeded private generator made in ``__init__``, drawn in ``__getitem__``."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        if kind == "numpy":
            self.rng = np.random.default_rng(0)
        elif kind == "random":
            self.rng = random.Random(0)
        elif kind == "torch":
            self.rng = torch.Generator().manual_seed(0)
        else:
            raise ValueError(kind)

    def draw(self) -> float:
        if self.kind == "numpy":
            return float(self.rng.random())
        if self.kind == "random":
            return self.rng.random()
        return torch.rand((), generator=self.rng).item()

    def __len__(self) -> int:
        return ITEMS

    def __getitem__(self, index: int):
        info = get_worker_info()
        return info.id, index, self.draw()


class GlobalGeneratorDataset(Dataset):
    """Draws from a process-global generator, which DataLoader reseeds in every worker (torch >= 1.9)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __len__(self) -> int:
        return ITEMS

    def __getitem__(self, index: int):
        info = get_worker_info()
        if self.kind == "numpy":
            value = float(np.random.rand())
        elif self.kind == "random":
            value = random.random()
        else:
            value = torch.rand(()).item()
        return info.id, index, value


@contextmanager
def generator_transport(kind: str, context: str):
    """Let a spawned worker receive a ``torch.Generator``.

    Under spawn/forkserver the Dataset is pickled into the worker process's arguments; with torch's
    default "file_descriptor" sharing strategy a ``torch.Generator`` passed that way crashes the
    child while unpickling ("unable to resize file ... Invalid argument", pytorch/pytorch#146828,
    still so on torch 2.13). That is a transport bug, not the premise, so those cases switch to the
    "file_system" strategy for the duration; fork copies memory and needs nothing.
    """
    if kind != "torch" or context == "fork":
        yield
        return
    before = torch.multiprocessing.get_sharing_strategy()
    torch.multiprocessing.set_sharing_strategy("file_system")
    try:
        yield
    finally:
        torch.multiprocessing.set_sharing_strategy(before)


def worker_streams(dataset: Dataset, context: str) -> dict[int, list[float]]:
    """One epoch over ``dataset`` with real workers: the values each worker drew, in its order."""
    loader = DataLoader(
        dataset, batch_size=None, num_workers=NUM_WORKERS, multiprocessing_context=context
    )
    streams: dict[int, list[float]] = {}
    for worker_id, _index, value in loader:
        streams.setdefault(int(worker_id), []).append(value)
    assert sorted(streams) == list(range(NUM_WORKERS))
    assert all(len(s) == ITEMS // NUM_WORKERS for s in streams.values())
    return streams


# --- RNG104 -----------------------------------------------------------------------------------


@pytest.mark.parametrize("context", START_METHODS)
@pytest.mark.parametrize("kind", ["numpy", "random", "torch"])
def test_rng104_private_generator_is_copied_into_every_worker(kind: str, context: str) -> None:
    """RNG104 premise: a seeded generator made in ``Dataset.__init__`` is copied into each worker.

    Every worker draws the same stream (the one the parent would draw), and the next epoch repeats it.
    """
    torch.manual_seed(0)  # seeding torch does not help: the private generator is not reseeded
    dataset = PrivateGeneratorDataset(kind)
    with generator_transport(kind, context):
        epoch1 = worker_streams(dataset, context)
        epoch2 = worker_streams(dataset, context)

    fresh = PrivateGeneratorDataset(kind)
    parent_stream = [fresh.draw() for _ in range(ITEMS // NUM_WORKERS)]
    assert len(set(parent_stream)) == len(parent_stream)  # the generator does advance

    assert epoch1[0] == epoch1[1] == parent_stream
    assert epoch2 == epoch1


# every global generator under fork; numpy (the one RNG104's fix relies on) under spawn as well
CONTRAST_CASES = [(k, "fork") for k in ("numpy", "random", "torch")] + [("numpy", "spawn")]


@pytest.mark.parametrize(
    ("kind", "context"), [case for case in CONTRAST_CASES if case[1] in START_METHODS]
)
def test_rng104_contrast_global_generators_differ_per_worker(kind: str, context: str) -> None:
    """RNG104 contrast: the global numpy/random/torch generators are reseeded per worker (torch >= 1.9).

    Workers draw different streams, each epoch gets new ones, and the whole run repeats once torch is
    seeded: the identical streams above come from the private generator, not from DataLoader itself.
    """
    torch.manual_seed(0)
    epoch1 = worker_streams(GlobalGeneratorDataset(kind), context)
    epoch2 = worker_streams(GlobalGeneratorDataset(kind), context)
    assert epoch1[0] != epoch1[1]
    assert epoch2 != epoch1

    torch.manual_seed(0)
    assert worker_streams(GlobalGeneratorDataset(kind), context) == epoch1


# --- RNG301 -----------------------------------------------------------------------------------

RANK_SCRIPT = textwrap.dedent(
    """
    import json, os, random
    import numpy as np
    import torch
    from torch.utils.data import DataLoader, Dataset, get_worker_info

    class Draws(Dataset):
        def __len__(self):
            return 8

        def __getitem__(self, index):
            return (get_worker_info().id, os.environ["RANK"], random.random(),
                    float(np.random.rand()), torch.rand(()).item())

    torch.manual_seed(0)  # every rank runs the same seeding code
    loader = DataLoader(Draws(), batch_size=None, num_workers=2, multiprocessing_context="fork")
    streams = {}
    for worker_id, rank, *values in loader:
        streams.setdefault(str(worker_id), []).append([rank, *values])
    print(json.dumps(streams))
    """
)


def run_scripts(script: str, envs: list[dict[str, str]]) -> list[str]:
    """Run ``python -c script`` once per environment, concurrently; return each stdout."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script],
            env={**os.environ, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for env in envs
    ]
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        outputs.append(out)
    return outputs


@needs_fork
def test_rng301_ranks_seeded_alike_give_worker_k_the_same_streams() -> None:
    """RNG301 premise: without ``worker_init_fn``, worker k draws the same numbers on every rank.

    Two real processes with RANK=0 and RANK=1 seed torch alike; the workers see their RANK, but their
    ``random``, numpy-global and torch streams are derived only from the torch seed, so they match.
    """
    envs = [{"RANK": str(r), "LOCAL_RANK": str(r), "WORLD_SIZE": "2"} for r in (0, 1)]
    rank0, rank1 = (json.loads(out) for out in run_scripts(RANK_SCRIPT, envs))

    for worker in ("0", "1"):
        # the rank does reach the worker's environment...
        assert [row[0] for row in rank0[worker]] == ["0"] * 4
        assert [row[0] for row in rank1[worker]] == ["1"] * 4
        draws0 = [row[1:] for row in rank0[worker]]
        draws1 = [row[1:] for row in rank1[worker]]
        assert draws0 == draws1  # ...but not its seeds: random, numpy and torch all repeat
    # within one rank the two workers do differ (DataLoader seeds each worker differently)
    assert [row[1:] for row in rank0["0"]] != [row[1:] for row in rank0["1"]]


# --- RNG302 / RNG303 --------------------------------------------------------------------------

N = 20


def loader_order(generator: torch.Generator | None) -> list[int]:
    loader = DataLoader(range(N), batch_size=None, shuffle=True, generator=generator)
    return [int(i) for i in loader]


def sampler_order(generator: torch.Generator | None) -> list[int]:
    return list(RandomSampler(range(N), generator=generator))


def split_order(generator: torch.Generator | None) -> list[int]:
    kwargs = {} if generator is None else {"generator": generator}
    first, second = random_split(range(N), [N // 2, N // 2], **kwargs)
    return list(first.indices) + list(second.indices)


ORDERS = {
    "DataLoader(shuffle=True)": loader_order,
    "RandomSampler": sampler_order,
    "random_split": split_order,
}


def order_after(build, *, extra_draw: bool, own_generator: bool) -> list[int]:
    torch.manual_seed(0)
    if extra_draw:
        torch.rand(1)  # e.g. one more layer initialised before the data is set up
    generator = torch.Generator().manual_seed(0) if own_generator else None
    return build(generator)


@pytest.mark.parametrize("api", list(ORDERS))
def test_rng302_rng303_order_follows_global_generator(api: str) -> None:
    """RNG302/RNG303 premise: without ``generator=`` the data order comes from the global generator.

    It is reproducible once torch is seeded, but one unrelated draw before it changes the order.
    """
    build = ORDERS[api]
    base = order_after(build, extra_draw=False, own_generator=False)
    assert sorted(base) == list(range(N)) and base != list(range(N))
    assert order_after(build, extra_draw=False, own_generator=False) == base
    assert order_after(build, extra_draw=True, own_generator=False) != base


@pytest.mark.parametrize("api", list(ORDERS))
def test_rng302_rng303_fix_own_generator_ignores_other_draws(api: str) -> None:
    """RNG302/RNG303 fix: with ``generator=torch.Generator().manual_seed(0)`` other draws don't matter."""
    build = ORDERS[api]
    base = order_after(build, extra_draw=False, own_generator=True)
    assert sorted(base) == list(range(N)) and base != list(range(N))
    assert order_after(build, extra_draw=True, own_generator=True) == base


# --- RNG401 -----------------------------------------------------------------------------------

CPU_DRAW_SCRIPT = textwrap.dedent(
    """
    import json
    import torch

    torch.manual_seed(0)
    a = torch.randn(5).to("cpu")
    torch.manual_seed(0)
    b = torch.randn(5).to(torch.device("cpu"))
    print(json.dumps([a.tolist(), b.tolist()]))
    """
)


def test_rng401_cpu_draw_then_move_is_identical_across_processes() -> None:
    """RNG401 premise (fix side): drawn on the CPU after ``manual_seed`` and then moved, a tensor is exact.

    Two separate processes and this one agree bit for bit, and (to 4 decimals) with the values
    widely published for ``torch.manual_seed(0); torch.randn(5)`` on other machines.
    """
    outs = run_scripts(CPU_DRAW_SCRIPT, [{}, {}])
    (a1, b1), (a2, b2) = (json.loads(out) for out in outs)
    torch.manual_seed(0)
    here = torch.randn(5).tolist()
    assert a1 == b1 == a2 == b2 == here
    known = torch.tensor([1.5410, -0.2934, -2.1788, 0.5684, -1.0845])
    assert torch.allclose(torch.tensor(here), known, atol=1e-4)


@pytest.mark.cuda
@needs_cuda
def test_rng401_cuda_draw_differs_from_cpu_draw() -> None:
    """RNG401 premise: the same seed gives different numbers on the CUDA generator than on the CPU.

    ``torch.randn(n, device="cuda")`` is not the CPU draw; ``torch.randn(n).to("cuda")`` is.
    """
    torch.manual_seed(0)
    cpu = torch.randn(1000)
    torch.manual_seed(0)
    on_cuda = torch.randn(1000, device="cuda").cpu()
    torch.manual_seed(0)
    moved = torch.randn(1000).to("cuda").cpu()
    assert not torch.equal(on_cuda, cpu)
    assert torch.equal(moved, cpu)


@pytest.mark.cuda
@needs_cuda
def test_manual_seed_also_seeds_cuda() -> None:
    """RNG401 premise: ``torch.manual_seed`` seeds the CUDA generators too, so CUDA draws repeat."""
    torch.manual_seed(0)
    first = torch.randn(1000, device="cuda")
    later = torch.randn(1000, device="cuda")
    torch.manual_seed(0)
    again = torch.randn(1000, device="cuda")
    assert torch.cuda.initial_seed() == 0
    assert torch.equal(first, again)
    assert not torch.equal(first, later)


# --- RNG501 -----------------------------------------------------------------------------------


@pytest.mark.cuda
@needs_cuda
def test_rng501_cudnn_benchmark_is_off_by_default() -> None:
    """RNG501 premise: cuDNN autotuning is off unless code turns it on, so ``benchmark = True`` is a choice.

    Checked in a fresh process so that no other test's setting leaks in.
    """
    script = "import torch; torch.zeros(1, device='cuda'); print(torch.backends.cudnn.benchmark)"
    (out,) = run_scripts(script, [{}])
    assert out.strip() == "False"
