"""seed_worker and seeded_generator with real DataLoader workers.

In this process: fork workers (cheap). In fresh processes: fork, spawn and forkserver workers,
persistent or not, each run twice or against each other (reproducible across processes).
"""

from __future__ import annotations

import functools
import os
import random

import numpy as np
import pytest
import torch
from seedlint_runtime import seed_everything, seed_worker, seeded_generator
from seedlint_runtime.seeding import _state
from torch.utils.data import ConcatDataset, Subset, random_split

from tests.runtime import _proc
from tests.runtime._datasets import (
    PRIVATE_STREAMS,
    STREAMS,
    Compose,
    Jitter,
    NoisyDataset,
    draw_epochs,
    duplicates,
    fresh_torch_generator,
    probe_init,
    shared,
    without,
)


def run(seed: int = 0, **kwargs):
    """seed_everything(seed), then NoisyDataset through 2 fork workers over 2 epochs."""
    seed_everything(seed)
    return draw_epochs(NoisyDataset(), **kwargs)


def ranks_seen(records) -> set[tuple[int, ...]]:
    return {tuple(r["rank_seen"]) for r in records}


# --- fork workers in this process ---------------------------------------------------------------


def test_control_without_seed_worker_the_streams_repeat():
    """Shows the dataset detects the problem seed_worker solves: without it, fork workers copy
    every private generator and draw the same numbers from it. (The workers' global random,
    NumPy and torch RNGs torch seeds by itself.)"""
    records = run(init=None)
    assert set(duplicates(records)) == set(PRIVATE_STREAMS)


def test_streams_are_distinct_across_workers_and_epochs():
    records = run(init=seed_worker)
    assert {r["worker"] for r in records} == {0, 1}
    assert {r["epoch"] for r in records} == {0, 1}
    assert len(records) == 16
    assert duplicates(records) == {}


def test_streams_repeat_with_the_same_run_seed():
    first = run(3, init=seed_worker)
    random.random(), np.random.random(), torch.rand(9)  # the main process moves on
    assert run(3, init=seed_worker) == first


def test_run_seed_changes_every_stream():
    assert shared(run(0, init=seed_worker), run(1, init=seed_worker)) == {}


def test_probe_init_leaves_workers_as_seed_worker_does():
    """The rank probe used below does not change what the workers draw."""
    a = run(init=seed_worker)
    b = run(init=probe_init)
    assert without(b, "rank_seen") == without(a, "rank_seen")
    assert ranks_seen(b) == {(0,)}


def test_explicit_rank_separates_the_ranks_workers():
    """Same run seed, same loader base seeds: only the rank differs."""
    zero = run(init=functools.partial(seed_worker, rank=0))
    one = run(init=functools.partial(seed_worker, rank=1))
    assert run(init=seed_worker) == zero  # no rank known: rank 0
    assert shared(zero, one) == {}
    assert duplicates(zero + one) == {}


def test_rank_recorded_by_seed_everything_reaches_fork_workers():
    os.environ["RANK"] = "2"
    seed_everything(0)
    del os.environ["RANK"]
    records = draw_epochs(NoisyDataset())
    assert ranks_seen(records) == {(2,)}


def test_rank_from_slurm():
    os.environ["SLURM_PROCID"] = "5"
    assert ranks_seen(run()) == {(5,)}


def test_seeded_generator_records_the_rank_known_when_the_loader_is_built():
    seed_everything(0)  # rank 0 then
    os.environ["RANK"] = "3"
    records = draw_epochs(NoisyDataset(), generator=seeded_generator())
    del os.environ["RANK"]
    assert ranks_seen(records) == {(3,)}


def test_persistent_workers_keep_distinct_streams_across_epochs():
    records = run(init=seed_worker, persistent=True)
    assert duplicates(records) == {}
    assert run(init=seed_worker, persistent=True) == records
    # the first epoch starts exactly like a non-persistent loader's
    plain = run(init=seed_worker)
    first = [r for r in records if r["epoch"] == 0]
    assert first == [r for r in plain if r["epoch"] == 0]
    assert shared([r for r in records if r["epoch"] == 1], plain) == {}


def test_seeded_generator_makes_loading_independent_of_earlier_draws():
    seed_everything(0)
    a = draw_epochs(NoisyDataset(), init=seed_worker, generator=seeded_generator(), shuffle=True)
    seed_everything(0)
    torch.rand(100), random.random(), np.random.random()  # e.g. a model initialised first
    b = draw_epochs(NoisyDataset(), init=seed_worker, generator=seeded_generator(), shuffle=True)
    assert a == b
    seed_everything(1)
    c = draw_epochs(NoisyDataset(), init=seed_worker, generator=seeded_generator(), shuffle=True)
    assert [r["index"] for r in c] != [r["index"] for r in a]


def test_seed_worker_outside_a_worker_seeds_from_torch_initial_seed():
    torch.manual_seed(3)
    seed_worker(0)
    first = (random.random(), float(np.random.random()), float(torch.rand(())))
    torch.manual_seed(3)
    seed_worker(0)
    assert (random.random(), float(np.random.random()), float(torch.rand(()))) == first
    torch.manual_seed(3)
    seed_worker(1)
    assert random.random() != first[0]


def test_seed_worker_rejects_a_bad_rank():
    with pytest.raises(ValueError):
        seed_worker(0, rank=-1)
    with pytest.raises(TypeError):
        seed_worker(0, rank=1.0)


# --- seeded_generator ---------------------------------------------------------------------------


def gen_draws(g) -> list[float]:
    return torch.rand(4, generator=g).tolist()


def test_seeded_generator_from_an_explicit_seed():
    g = seeded_generator(5)
    assert isinstance(g, torch.Generator)
    assert g.device.type == "cpu"
    assert gen_draws(g) == gen_draws(seeded_generator(5))
    assert gen_draws(seeded_generator(5)) != gen_draws(seeded_generator(6))


def test_seeded_generator_follows_the_run_seed():
    seed_everything(5)
    assert gen_draws(seeded_generator()) == gen_draws(seeded_generator(5))
    os.environ["SEEDLINT_SEED"] = "6"  # e.g. a spawned child of a run seeded with 6
    _state.seed = None  # forget this process's seed: only the environment knows it
    assert gen_draws(seeded_generator()) == gen_draws(seeded_generator(6))


def test_seeded_generator_without_a_run_seed_follows_torch():
    torch.manual_seed(7)
    a = gen_draws(seeded_generator())
    torch.manual_seed(7)
    torch.rand(5)  # draws do not matter, the initial seed does
    assert gen_draws(seeded_generator()) == a
    torch.manual_seed(8)
    assert gen_draws(seeded_generator()) != a


def test_seeded_generator_is_the_same_on_every_rank():
    os.environ["RANK"] = "0"
    seed_everything(3, per_rank=True)
    zero = gen_draws(seeded_generator())
    os.environ["RANK"] = "1"
    seed_everything(3, per_rank=True)
    assert gen_draws(seeded_generator()) == zero


@pytest.mark.parametrize(
    ("seed", "error"), [(-1, ValueError), (2**32, ValueError), (True, TypeError)]
)
def test_seeded_generator_rejects_bad_seeds(seed, error):
    with pytest.raises(error):
        seeded_generator(seed)


# --- dataset-private generators -----------------------------------------------------------------


class Layer(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.g = fresh_torch_generator()


class Inner(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.layer = Layer()  # held in _modules


class Containers(torch.utils.data.Dataset):
    """Generators in a dict, a list, a tuple and an nn.Module (a transform)."""

    def __init__(self) -> None:
        self.by_name = {"noise": np.random.default_rng(), 7: random.Random()}
        self.stack = [np.random.RandomState()]
        self.pair = (None, fresh_torch_generator())
        self.model = Inner()
        self.shared = self.by_name["noise"]  # one generator reached by two paths

    def __len__(self) -> int:
        return 8

    def __getitem__(self, i: int):
        return {
            "index": i,
            "dict": float(self.by_name["noise"].random()),
            "dict_int_key": self.by_name[7].random(),
            "list": float(self.stack[0].random_sample()),
            "tuple": float(torch.rand((), generator=self.pair[1])),
            "module": float(torch.rand((), generator=self.model.layer.g)),
            "shared": float(self.shared.random()),
        }


CONTAINER_STREAMS = ("dict", "dict_int_key", "list", "tuple", "module", "shared")


def loader_records(dataset, seed=0, init=seed_worker, **kwargs):
    seed_everything(seed)
    return draw_epochs(dataset, init=init, **kwargs)


def test_reseeds_generators_in_containers_and_modules():
    records = loader_records(Containers())
    assert duplicates(records, CONTAINER_STREAMS) == {}
    assert loader_records(Containers()) == records  # fresh OS entropy each time: reseeded


def test_reseeds_generators_of_wrapped_datasets():
    """ConcatDataset, Subset and random_split wrap the dataset that holds the generators."""
    datasets = [
        ConcatDataset([NoisyDataset(4), NoisyDataset(4)]),
        Subset(NoisyDataset(12), [0, 3, 6, 9, 1, 2, 4, 5]),
        random_split(NoisyDataset(16), [8, 8], generator=torch.Generator().manual_seed(0))[0],
    ]
    for dataset in datasets:
        assert duplicates(loader_records(dataset)) == {}, type(dataset).__name__


def test_reseeds_generators_in_a_composed_transform():
    dataset = NoisyDataset(transform=Compose([Jitter()]))
    records = loader_records(dataset)
    assert duplicates(records) == {}
    assert loader_records(NoisyDataset(transform=Compose([Jitter()]))) == records


def test_reseeds_generators_in_a_composed_transform_of_a_split():
    def split():
        full = NoisyDataset(16, transform=Compose([Jitter()]))
        return random_split(full, [8, 8], generator=torch.Generator().manual_seed(0))[0]

    records = loader_records(split())
    assert duplicates(records) == {}
    assert loader_records(split()) == records


class ImageFolderLike(torch.utils.data.Dataset):
    """torchvision's ImageFolder layout: a list of (path, label) samples and a transform."""

    def __init__(self, n_samples: int) -> None:
        self.samples = [(f"img{i:06d}.jpg", i % 10) for i in range(n_samples)]
        self.transform = Jitter()

    def __len__(self) -> int:
        return 8

    def __getitem__(self, i: int):
        return {"index": i, "transform": self.transform(self.samples[i])}


def test_reseeds_a_transform_next_to_a_small_sample_list():
    records = loader_records(ImageFolderLike(100))
    assert duplicates(records, ("transform",)) == {}
    assert loader_records(ImageFolderLike(100)) == records


def test_reseeds_a_transform_next_to_a_large_sample_list():
    records = loader_records(ImageFolderLike(20_000))
    assert duplicates(records, ("transform",)) == {}


class ClassLevel(torch.utils.data.Dataset):
    """A generator held by the dataset's class, not by the instance."""

    rng = random.Random()

    def __len__(self) -> int:
        return 8

    def __getitem__(self, i: int):
        return {"index": i, "class_rng": self.rng.random()}


def test_reseeds_a_generator_held_by_the_dataset_class():
    ClassLevel.rng.seed()  # fresh entropy: the same in both workers unless reseeded
    records = loader_records(ClassLevel())
    assert duplicates(records, ("class_rng",)) == {}
    ClassLevel.rng.seed()
    assert loader_records(ClassLevel()) == records


def test_reseeds_a_class_level_generator_of_a_split_dataset():
    def split():
        ClassLevel.rng.seed()
        return random_split(ClassLevel(), [4, 4], generator=torch.Generator().manual_seed(0))[0]

    records = loader_records(split())
    assert duplicates(records, ("class_rng",)) == {}
    assert loader_records(split()) == records


class Stream(torch.utils.data.IterableDataset):
    """Every worker yields the whole stream (no sharding): only the seeds tell them apart."""

    def __init__(self) -> None:
        self.rng = np.random.default_rng()

    def __iter__(self):
        for i in range(4):
            yield {"index": i, "rng": float(self.rng.random()), "numpy": float(np.random.random())}


def test_iterable_dataset_workers_get_distinct_streams():
    records = loader_records(Stream())
    assert len(records) == 2 * 2 * 4
    assert duplicates(records, ("rng", "numpy")) == {}
    assert loader_records(Stream()) == records


_init_error = None


def guarded_seed_worker(worker_id: int) -> None:
    """seed_worker, with its exception kept for the items to report (a worker that dies in
    its worker_init_fn makes the DataLoader wait seconds for its siblings)."""
    global _init_error
    try:
        seed_worker(worker_id)
    except Exception as e:
        _init_error = f"{type(e).__name__}: {e}"


class LegacyPCG(torch.utils.data.Dataset):
    def __init__(self) -> None:
        self.rs = np.random.RandomState(np.random.PCG64())

    def __len__(self) -> int:
        return 8

    def __getitem__(self, i: int):
        return {"index": i, "rs": float(self.rs.random_sample()), "error": _init_error}


def test_reseeds_a_random_state_over_another_bit_generator():
    records = loader_records(LegacyPCG(), init=guarded_seed_worker)
    assert {r["error"] for r in records} == {None}
    assert duplicates(records, ("rs",)) == {}
    assert loader_records(LegacyPCG(), init=guarded_seed_worker) == records


def test_the_main_process_dataset_is_left_alone():
    dataset = NoisyDataset()
    before = dataset.np_gen.bit_generator.state
    loader_records(dataset)
    assert dataset.np_gen.bit_generator.state == before


# --- fresh processes: fork, spawn, forkserver ---------------------------------------------------


def _spawned(runs: str, rank: int = 3):
    return _proc.start(
        module="tests.runtime._loader_run",
        args=["--seed", "0", "--rank", str(rank), "--runs", runs],
    )


def test_fork_and_spawn_reproducible_across_processes():
    """Two separate processes, each: fork loader then spawn loader, 2 workers x 2 epochs, the
    rank (3) known only from seed_everything's record. The numbers repeat across the processes,
    the start method does not change them, and every stream (global and dataset-private) is
    distinct across workers and epochs."""
    first, second = _proc.finish(_spawned("fork,spawn")), _proc.finish(_spawned("fork,spawn"))
    assert first == second
    for method in ("fork", "spawn"):
        records = first[method]
        assert len(records) == 16
        assert {(r["epoch"], r["worker"]) for r in records} == {(0, 0), (0, 1), (1, 0), (1, 1)}
        assert duplicates(records) == {}, method
        assert ranks_seen(records) == {(3,)}, method
    assert first["spawn"] == first["fork"]


def test_rank_reaches_spawn_forkserver_and_persistent_workers():
    result = _proc.finish(_spawned("fork,spawn+persistent,forkserver"))
    fork, persistent, forkserver = result["fork"], result["spawn+persistent"], result["forkserver"]
    assert ranks_seen(persistent) == {(3,)}
    assert ranks_seen(forkserver) == {(3,)}
    assert forkserver == fork
    assert duplicates(persistent) == {}
    first = [r for r in persistent if r["epoch"] == 0]
    assert first == [r for r in fork if r["epoch"] == 0]
    # the persistent workers' second epoch continues their streams: no repeat of anything
    assert shared([r for r in persistent if r["epoch"] == 1], fork, STREAMS) == {}
