"""The run's seed: ``seed_everything``, ``derive_seed``, ``current_seed``.

Every stream gets its own seed, derived from the run's seed by SeedSequence hashing (never by
adding offsets such as ``seed + rank``, which NumPy's documentation calls unsafe): Python's
``random``, NumPy's global RNG and torch (CPU and every CUDA device) each get
``SeedSequence(seed, spawn_key=(stream,))``; with ``per_rank=True`` the seed itself is first
derived from ``(seed, rank)``.
"""

from __future__ import annotations

import logging
import numbers
import os
import random
import sys
import warnings
from typing import Optional, Union

from seedlint_runtime import _deps
from seedlint_runtime._seedseq import SeedSequence

log = logging.getLogger("seedlint_runtime")

#: Environment variable that carries the run's seed to child processes (and takes a seed in).
SEED_ENV = "SEEDLINT_SEED"
#: The rank known in the process that built the DataLoader, for workers started with spawn.
RANK_ENV = "SEEDLINT_RANK"
MAX_SEED = 2**32 - 1

#: Stream keys (the first word of a spawn key): one per library.
PYTHON_STREAM, NUMPY_STREAM, TORCH_STREAM, GENERATOR_STREAM, RANK_STREAM = 1, 2, 3, 4, 5
DEFAULT_SEED = 0

Key = Union[int, str]


class _State:
    seed: Optional[int] = None
    rank: Optional[int] = None


_state = _State()


def validate_seed(seed: object) -> int:
    """``seed`` as an int in 0..2**32-1; TypeError for non-integers (bools included),
    ValueError outside the range."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an integer in 0..{MAX_SEED}, not {type(seed).__name__}")
    value = int(seed)
    if not 0 <= value <= MAX_SEED:
        raise ValueError(f"seed must be in 0..{MAX_SEED}, got {value}")
    return value


def _seed_from_env() -> Optional[int]:
    text = os.environ.get(SEED_ENV)
    if text is None:
        return None
    try:
        value = int(text.strip(), 10)
    except ValueError:
        raise ValueError(f"{SEED_ENV}={text!r} is not an integer seed") from None
    if not 0 <= value <= MAX_SEED:
        raise ValueError(f"{SEED_ENV}={text!r} is outside 0..{MAX_SEED}")
    return value


def current_seed() -> Optional[int]:
    """The run's seed: the one ``seed_everything`` set in this process, else ``SEEDLINT_SEED``
    (set by ``seed_everything`` in a parent process), else None."""
    if _state.seed is not None:
        return _state.seed
    try:
        return _seed_from_env()
    except (TypeError, ValueError):
        return None


def key_words(key: Key) -> int:
    """A spawn-key word for ``key``: ints are used as they are, strings become an int from their
    UTF-8 bytes (with a marker byte, so ``"a"`` and ``97`` differ)."""
    if isinstance(key, bool):
        raise TypeError("derive_seed keys must be ints or strings, not bool")
    if isinstance(key, numbers.Integral):
        value = int(key)
        if value < 0:
            raise ValueError(f"derive_seed keys must be non-negative, got {value}")
        return value
    if isinstance(key, str):
        return int.from_bytes(key.encode("utf-8") + b"\x01", "little")
    raise TypeError(f"derive_seed keys must be ints or strings, not {type(key).__name__}")


def seed_sequence(seed: int, *keys: Key) -> SeedSequence:
    return SeedSequence(seed, spawn_key=tuple(key_words(k) for k in keys))


def derive_seed(*keys: Key, seed: Optional[int] = None) -> int:
    """A seed in 0..2**32-1 for the stream named by ``keys`` (ints or strings), derived from
    ``seed`` (default: the run's seed, see ``current_seed``; 0 when none was set) by SeedSequence
    hashing. For int keys it is ``numpy.random.SeedSequence(seed, spawn_key=keys)
    .generate_state(1)[0]``. Distinct keys give independent streams; the same keys give the same
    seed in every process and on every run."""
    root = validate_seed(seed) if seed is not None else current_seed()
    if root is None:
        root = DEFAULT_SEED
    return seed_sequence(root, *keys).generate_state(1)[0]


def detect_rank() -> int:
    """The distributed rank: ``torch.distributed`` when initialised, else ``RANK``, else
    ``SLURM_PROCID``, else 0."""
    dist = sys.modules.get("torch.distributed")
    if dist is not None:
        try:
            if dist.is_available() and dist.is_initialized():
                return int(dist.get_rank())
        except (RuntimeError, ValueError):
            pass
    for name in ("RANK", "SLURM_PROCID"):
        text = os.environ.get(name)
        if text is not None and text.strip().isdigit():
            return int(text)
    return 0


def note_rank() -> int:
    """Record the rank known now for DataLoader workers started later (spawn/forkserver
    workers inherit the environment, not this module's state)."""
    rank = detect_rank()
    _state.rank = rank
    os.environ[RANK_ENV] = str(rank)
    return rank


def seed_everything(
    seed: Optional[int] = None,
    *,
    deterministic: bool = False,
    per_rank: bool = False,
    verbose: bool = True,
) -> int:
    """Seed Python's ``random``, NumPy's global RNG and torch (CPU and every CUDA device) —
    each installed library — from ``seed``, and return the seed used.

    ``seed=None`` takes ``SEEDLINT_SEED`` from the environment, else 0 with a warning. The run's
    seed is written to ``SEEDLINT_SEED`` so that child processes (DataLoader workers started with
    spawn, subprocesses) see it. ``per_rank=True`` derives a distinct seed for each distributed
    rank (the returned seed is then this rank's). ``deterministic=True`` turns on
    ``torch.use_deterministic_algorithms(True)``, sets cuDNN deterministic and not benchmark,
    and sets ``CUBLAS_WORKSPACE_CONFIG`` when unset and the installed torch uses CUDA.

    It says which seed it used in one line (``seedlint_runtime: seed_everything: seed=0
    rank=0``): through the ``seedlint_runtime`` logger at INFO when logging is configured (a
    handler on it or the root logger), else on stderr; ``verbose=False`` keeps it quiet.
    """
    if seed is None:
        seed = _seed_from_env()
        if seed is None:
            warnings.warn(
                f"seed_everything() got no seed and {SEED_ENV} is not set: using "
                f"{DEFAULT_SEED}; pass a seed (from your config or command line)",
                UserWarning,
                stacklevel=2,
            )
            seed = DEFAULT_SEED
    seed = validate_seed(seed)
    rank = note_rank()
    used = seed_sequence(seed, RANK_STREAM, rank).generate_state(1)[0] if per_rank else seed
    _state.seed = seed
    os.environ[SEED_ENV] = str(seed)
    _seed_libraries(used)
    if deterministic:
        _deterministic()
    if verbose:
        message = (
            f"seed_everything: seed={seed} rank={rank}"
            + (f" (this rank's seed {used})" if per_rank else "")
            + (" deterministic" if deterministic else "")
        )
        if log.hasHandlers():
            log.info(message)
        else:  # unconfigured logging would drop an INFO record: say it where it is seen
            sys.stderr.write(f"seedlint_runtime: {message}\n")
    return used


def _seed_libraries(seed: int) -> None:
    random.seed(seed_sequence(seed, PYTHON_STREAM).generate_state(4, bits=64)[0])
    np = _deps.numpy()
    if np is not None:
        np.random.seed(seed_sequence(seed, NUMPY_STREAM).generate_state(4))
    torch = _deps.torch()
    if torch is not None:
        # Seeds the CPU generator and every CUDA device (lazily when CUDA is not started yet).
        torch.manual_seed(seed_sequence(seed, TORCH_STREAM).generate_state(1, bits=64)[0])


def _deterministic() -> None:
    torch = _deps.torch()
    if torch is None:
        return
    cuda_version = getattr(getattr(torch, "version", None), "cuda", None)
    needs_workspace = cuda_version and _at_least(cuda_version, (10, 2))
    if needs_workspace and "CUBLAS_WORKSPACE_CONFIG" not in os.environ:
        # cuBLAS needs a fixed workspace for deterministic results (CUDA >= 10.2).
        os.environ["CUBLAS_WORKSPACE_CONFIG"] = ":4096:8"
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        warnings.warn(
            "seed_everything(deterministic=True) was called after CUDA was initialised: "
            "settings read when cuBLAS starts (CUBLAS_WORKSPACE_CONFIG) may not apply to this "
            "process; call it before any CUDA work",
            UserWarning,
            stacklevel=3,
        )
    torch.use_deterministic_algorithms(True)
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False


def _at_least(version: str, wanted: tuple[int, int]) -> bool:
    parts = []
    for piece in version.split(".")[:2]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts) >= wanted
