"""DataLoader helpers: ``seed_worker`` (a ``worker_init_fn``) and ``seeded_generator``."""

from __future__ import annotations

import os
import random
import sys
import types
from collections.abc import Iterator, Sequence
from typing import Any, Optional

from seedlint_runtime import _deps
from seedlint_runtime.seeding import (
    GENERATOR_STREAM,
    NUMPY_STREAM,
    PYTHON_STREAM,
    RANK_ENV,
    TORCH_STREAM,
    _state,
    current_seed,
    detect_rank,
    note_rank,
    seed_sequence,
    validate_seed,
)

_NOT_OBJECTS = (
    type,
    types.FunctionType,
    types.MethodType,
    types.BuiltinFunctionType,
    types.ModuleType,
)
#: How deep ``seed_worker`` looks for generators inside the dataset's attributes.
_MAX_DEPTH = 8
_MAX_OBJECTS = 20_000
#: Containers longer than this are sampled before they are searched.
_SMALL = 16


def seed_worker(worker_id: int, rank: Optional[int] = None) -> None:
    """``DataLoader(worker_init_fn=seed_worker)``: give this worker its own streams.

    Seeds Python's ``random``, NumPy's global RNG and torch in the worker from
    ``SeedSequence(base seed, spawn_key=(rank, worker_id, stream))``, where the base seed is the
    one the DataLoader drew for this iterator (from the main process's torch RNG or from
    ``generator=``, so it follows the run's seed and changes every epoch). Generators the
    worker's dataset holds (NumPy ``Generator`` / ``RandomState``, ``random.Random``,
    ``torch.Generator`` attributes, also inside its transforms and wrapped datasets) are
    reseeded in place, each from its attribute path.

    The rank is ``rank`` when given (``functools.partial(seed_worker, rank=r)``), else the one
    known in the process that started the worker: ``torch.distributed`` (fork), the rank
    recorded by ``seed_everything`` / ``seeded_generator`` (``SEEDLINT_RANK``, any start
    method), ``RANK``, ``SLURM_PROCID``, else 0.
    """
    torch = _deps.require_torch("seed_worker")
    info = torch.utils.data.get_worker_info()
    base = int(info.seed) if info is not None else int(torch.initial_seed())
    r = _worker_rank(rank)
    wid = int(worker_id)
    random.seed(seed_sequence(base, r, wid, PYTHON_STREAM).generate_state(4, bits=64)[0])
    np = _deps.numpy()
    if np is not None:
        np.random.seed(seed_sequence(base, r, wid, NUMPY_STREAM).generate_state(4))
    torch.manual_seed(seed_sequence(base, r, wid, TORCH_STREAM).generate_state(1, bits=64)[0])
    if info is not None:
        reseed_generators(info.dataset, base, r, wid)


def _worker_rank(rank: Optional[int]) -> int:
    if rank is not None:
        return validate_seed(rank)
    dist = sys.modules.get("torch.distributed")
    if dist is not None:
        try:
            if dist.is_available() and dist.is_initialized():
                return int(dist.get_rank())  # a forked worker keeps its parent's group
        except (RuntimeError, ValueError):
            pass
    if _state.rank is not None:
        return _state.rank
    text = os.environ.get(RANK_ENV)
    if text is not None and text.strip().isdigit():
        return int(text)
    return detect_rank()


def reseed_generators(obj: object, base: int, rank: int, worker_id: int) -> list[str]:
    """Reseed, in place, every private generator reachable from ``obj``'s attributes; returns
    their attribute paths. Each gets ``SeedSequence(base, (rank, worker_id, stream, path))``."""
    done: list[str] = []
    for path, gen in _generators(obj):
        words = seed_sequence(base, rank, worker_id, GENERATOR_STREAM, path)
        _reseed(gen, words.generate_state(4))
        done.append(path)
    return done


def _generators(root: object) -> Iterator[tuple[str, object]]:
    """(attribute path, generator) for every private generator reachable from ``root``: its
    attributes, items of its containers, attributes of the objects they hold (transforms,
    wrapped datasets), and class attributes of those objects' own classes."""
    seen: set[int] = set()
    stack: list[tuple[str, object, int]] = [("", root, 0)]
    classes_seen: set[type] = set()
    count = 0
    while stack and count < _MAX_OBJECTS:
        path, obj, depth = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        count += 1
        if path and _kind(obj) is not None:
            yield path, obj
            continue
        if depth >= _MAX_DEPTH:
            continue
        children: list[tuple[str, object]] = []
        if isinstance(obj, dict):
            if _only_data(list(obj.values())):
                continue
            children = [(str(k), v) for k, v in obj.items() if isinstance(k, (str, int))]
        elif isinstance(obj, (list, tuple)):
            if _only_data(obj):
                continue
            children = [(str(i), v) for i, v in enumerate(obj)]
        elif _is_plain_object(obj):
            children = list(vars(obj).items())
            # Class attributes (``class D(Dataset): rng = Random(0)``): the worker's copy of
            # the class is its own, so reseeding it there is safe.
            for cls in type(obj).__mro__:
                if cls in classes_seen or _library_class(cls):
                    continue
                classes_seen.add(cls)
                for name, value in vars(cls).items():
                    if _kind(value) is not None:
                        children.append((f"{cls.__name__}.{name}", value))
        for name, child in sorted(children, key=lambda kv: kv[0], reverse=True):
            if _worth_visiting(child):
                stack.append((f"{path}.{name}" if path else name, child, depth + 1))


def _library_class(cls: type) -> bool:
    return (cls.__module__ or "").split(".", 1)[0] in ("builtins", "torch", "typing", "abc")


def _only_data(items: Sequence[object]) -> bool:
    """A large container of plain data (``self.samples``: a million (path, label) tuples) holds
    no generator: judged from a sample of its items, so big datasets start workers fast."""
    if len(items) <= _SMALL:
        return False
    step = max(1, len(items) // _SMALL)
    return all(_plain_data(items[i]) for i in range(0, len(items), step))


def _plain_data(obj: object) -> bool:
    if obj is None or isinstance(obj, (str, bytes, int, float, complex, bool)):
        return True
    if isinstance(obj, (tuple, list)) and len(obj) <= _SMALL:
        return all(x is None or isinstance(x, (str, bytes, int, float, complex, bool)) for x in obj)
    return not _worth_visiting(obj)


def _is_plain_object(obj: object) -> bool:
    return hasattr(obj, "__dict__") and not isinstance(obj, _NOT_OBJECTS)


def _worth_visiting(obj: object) -> bool:
    if obj is None or isinstance(obj, (str, bytes, int, float, complex, bool, type)):
        return False
    if type(obj).__module__ in ("builtins",) and not isinstance(obj, (dict, list, tuple)):
        return False
    module = type(obj).__module__ or ""
    # tensors and arrays hold data, not generators
    return not (module.startswith("torch") and type(obj).__name__ in ("Tensor", "Parameter")) and (
        type(obj).__name__ != "ndarray"
    )


def _kind(obj: object) -> Optional[str]:
    """ "numpy.Generator" / "numpy.RandomState" / "random.Random" / "torch.Generator" / None."""
    np = sys.modules.get("numpy")
    if np is not None:
        if isinstance(obj, np.random.Generator):
            return "numpy.Generator"
        if isinstance(obj, np.random.RandomState):
            return "numpy.RandomState"
    if isinstance(obj, random.Random) and not isinstance(obj, random.SystemRandom):
        return "random.Random"
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(obj, torch.Generator):
        return "torch.Generator"
    return None


def _reseed(gen: Any, words: list[int]) -> None:
    kind = _kind(gen)
    if kind == "numpy.Generator":
        np = sys.modules["numpy"]
        bit_generator = gen.bit_generator
        fresh = type(bit_generator)(np.random.SeedSequence(words))
        bit_generator.state = fresh.state  # in place: every reference sees the new stream
    elif kind == "numpy.RandomState":
        bit_generator = gen._bit_generator
        if type(bit_generator).__name__ == "MT19937":
            gen.seed(words)
        else:  # ``RandomState(PCG64())``: ``seed()`` only re-seeds MT19937
            np = sys.modules["numpy"]
            gen.set_state(type(bit_generator)(np.random.SeedSequence(words)).state)
    elif kind == "random.Random":
        gen.seed(words[0] | words[1] << 32 | words[2] << 64 | words[3] << 96)
    elif kind == "torch.Generator":
        gen.manual_seed(words[0] | words[1] << 32)


def seeded_generator(seed: Optional[int] = None) -> Any:
    """A ``torch.Generator`` for ``DataLoader(generator=...)`` / ``random_split(generator=...)``,
    seeded from ``seed``, else the run's seed (``seed_everything``), else
    ``torch.initial_seed()``. The same on every rank (a ``random_split`` must agree across
    ranks; ``seed_worker`` separates the ranks' workers) and independent of every draw made
    before it, so the data order depends on the seed alone."""
    torch = _deps.require_torch("seeded_generator")
    root = validate_seed(seed) if seed is not None else current_seed()
    if root is None:
        root = int(torch.initial_seed()) & 0xFFFFFFFF
    note_rank()  # the loader is being built: record the rank its spawned workers should use
    g = torch.Generator()
    g.manual_seed(seed_sequence(root, GENERATOR_STREAM).generate_state(1, bits=64)[0])
    return g
