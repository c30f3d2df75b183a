"""The API tables against the installed stdlib, numpy and torch: a sampling function that a new
release adds and the tables lack fails here."""

from __future__ import annotations

import inspect
import random
from typing import Any

import pytest

from seedlint import apis


def _takes_generator(obj: Any) -> bool:
    try:
        if "generator" in inspect.signature(obj).parameters:
            return True
    except (TypeError, ValueError):
        pass
    doc = obj.__doc__ if isinstance(getattr(obj, "__doc__", None), str) else ""
    return "generator (:class:`torch.Generator`" in doc or "generator=None" in doc


def test_python_random_draws_cover_the_global_instance() -> None:
    bound = {
        name
        for name in dir(random)
        if getattr(getattr(random, name), "__self__", None) is random._inst  # type: ignore[attr-defined]
    }
    draws = bound - {"seed", "getstate", "setstate"}
    assert draws, "introspection found nothing"
    assert draws <= apis.PYTHON_RANDOM_DRAWS, draws - apis.PYTHON_RANDOM_DRAWS
    for name in draws:
        assert apis.draw_library(f"random.{name}") == apis.PYTHON


def test_numpy_legacy_draws_cover_numpy_random() -> None:
    np = pytest.importorskip("numpy")
    legacy = np.random.mtrand._rand
    funcs = {
        name
        for name in np.random.__all__
        if getattr(getattr(np.random, name), "__self__", None) is legacy
        or name in ("ranf", "sample")
    }
    draws = funcs - {"seed", "get_state", "set_state", "get_bit_generator", "set_bit_generator"}
    assert len(draws) >= 45
    assert draws <= apis.NUMPY_LEGACY_DRAWS, draws - apis.NUMPY_LEGACY_DRAWS
    assert {n for n in apis.NUMPY_LEGACY_DRAWS if hasattr(np.random, n)} == draws
    assert apis.draw_library("numpy.random.mtrand.rand") == apis.NUMPY


def test_numpy_constructors_and_bit_generators() -> None:
    np = pytest.importorskip("numpy")
    bit_generators = {
        name
        for name in np.random.__all__
        if inspect.isclass(getattr(np.random, name))
        and issubclass(getattr(np.random, name), np.random.BitGenerator)
        and name != "BitGenerator"
    }
    assert bit_generators == apis.NUMPY_BIT_GENERATORS
    for name in ("default_rng", "RandomState", "SeedSequence", *bit_generators):
        assert hasattr(np.random, name)
        assert apis.numpy_constructor(f"numpy.random.{name}")


@pytest.mark.parametrize(
    ("module_name", "table", "prefix"),
    [
        ("torch", apis.TORCH_DRAWS, "torch"),
        ("torch.nn.init", apis.TORCH_INIT_DRAWS, "torch.nn.init"),
    ],
)
def test_torch_sampling_functions(module_name: str, table: frozenset[str], prefix: str) -> None:
    torch = pytest.importorskip("torch")
    import importlib

    module = importlib.import_module(module_name)
    sampling = {
        name
        for name in dir(module)
        if not name.startswith("_")
        and callable(getattr(module, name))
        and _takes_generator(getattr(module, name))
    }
    assert sampling, "introspection found nothing"
    assert sampling <= table, sampling - table
    for name in sampling:
        assert apis.draw_library(f"{prefix}.{name}") == apis.TORCH
    assert torch


def test_torch_tensor_samplers() -> None:
    torch = pytest.importorskip("torch")
    in_place = {
        name
        for name in dir(torch.Tensor)
        if name.endswith("_")
        and not name.startswith("_")
        and _takes_generator(getattr(torch.Tensor, name))
    }
    assert in_place
    assert in_place <= apis.TORCH_TENSOR_SAMPLERS, in_place - apis.TORCH_TENSOR_SAMPLERS


def test_torch_functional_and_top_level_dropout() -> None:
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F

    random_ops = ("dropout", "rrelu", "gumbel_softmax", "fractional_max_pool")
    functional = {n for n in dir(F) if not n.startswith("_") and any(k in n for k in random_ops)}
    assert functional <= apis.TORCH_FUNCTIONAL_DRAWS, functional - apis.TORCH_FUNCTIONAL_DRAWS
    top = {
        n for n in dir(torch) if not n.startswith("_") and ("dropout" in n or n.startswith("rrelu"))
    }
    assert top <= apis.TORCH_DRAWS, top - apis.TORCH_DRAWS
    for name in functional:
        assert apis.draw_library(f"torch.nn.functional.{name}") == apis.TORCH


def test_seeders_and_reseeds_exist_where_installed() -> None:
    torch = pytest.importorskip("torch")
    np = pytest.importorskip("numpy")
    for q in apis.ENTROPY_RESEEDS:
        mod, _, name = q.rpartition(".")
        obj = {
            "torch": torch,
            "torch.random": torch.random,
            "torch.cuda": torch.cuda,
            "torch.cuda.random": torch.cuda.random,
        }[mod]
        assert callable(getattr(obj, name)), q
    assert callable(np.random.seed) and callable(random.seed) and callable(torch.manual_seed)
    assert apis.seeder("torch.random.manual_seed") is not None


def test_torch_distribution_samplers() -> None:
    torch = pytest.importorskip("torch")
    base = torch.distributions.Distribution
    samplers = {n for n in ("sample", "rsample", "sample_n") if callable(getattr(base, n, None))}
    assert samplers == apis.TORCH_DISTRIBUTION_SAMPLERS


def test_training_flags_match_the_signatures() -> None:
    pytest.importorskip("torch")
    import torch.nn.functional as F

    for qualname, (position, default) in apis.TORCH_TRAINING_FLAGS.items():
        func = getattr(F, qualname.rsplit(".", 1)[-1])
        params = list(inspect.signature(func).parameters.values())
        assert params[position].name == "training", qualname
        assert params[position].default is default, qualname
        assert apis.draw_library(qualname) == apis.TORCH


def test_generator_methods_cover_private_generators() -> None:
    import numpy as np

    public: set[str] = set()
    for cls in (np.random.Generator, np.random.RandomState, random.Random):
        public |= {n for n in dir(cls) if not n.startswith("_")}
    not_draws = {"VERSION", "bit_generator", "get_state", "getstate", "seed", "set_state"}
    not_draws |= {"setstate", "spawn"}
    assert public - not_draws <= apis.GENERATOR_METHODS


def test_dataloader_signature() -> None:
    import inspect

    from torch.utils.data import DataLoader

    params = list(inspect.signature(DataLoader.__init__).parameters.values())[1:]
    positional = [p.name for p in params if p.kind is p.POSITIONAL_OR_KEYWORD]
    assert tuple(positional) == apis.DATALOADER_PARAMS


def test_sampler_generator_positions() -> None:
    import inspect

    import torch.utils.data as tud

    for qualname, position in apis.SAMPLERS.items():
        obj = tud
        for part in qualname.split(".")[3:]:
            obj = getattr(obj, part)
        params = list(inspect.signature(obj).parameters)
        assert params.index("generator") == position, qualname


def test_random_factories_take_device() -> None:
    import torch

    like = torch.zeros(2)
    calls = {
        "torch.rand": lambda f: f(2, device="cpu"),
        "torch.randn": lambda f: f(2, device="cpu"),
        "torch.randint": lambda f: f(3, (2,), device="cpu"),
        "torch.randperm": lambda f: f(3, device="cpu"),
        "torch.normal": lambda f: f(0.0, 1.0, (2,), device="cpu"),
        "torch.rand_like": lambda f: f(like, device="cpu"),
        "torch.randn_like": lambda f: f(like, device="cpu"),
        "torch.randint_like": lambda f: f(like, 3, device="cpu"),
    }
    assert set(calls) == apis.TORCH_RANDOM_FACTORIES
    for name, call in calls.items():
        assert call(getattr(torch, name.split(".")[1])).device.type == "cpu"
    assert {f"torch.{n}" for n in apis.TORCH_DRAWS} >= apis.TORCH_RANDOM_FACTORIES
    for name in apis.TORCH_CUDA_TENSOR_TYPES:
        assert hasattr(torch.cuda, name.rsplit(".", 1)[1])
