"""Every runtime test starts without a run seed or rank and leaves the process as it found it:
environment variables, seedlint_runtime's module state, the global RNGs and torch's
determinism flags."""

from __future__ import annotations

import os
import random

import pytest
from seedlint_runtime.seeding import _state

try:
    import numpy as np
except ImportError:  # pragma: no cover - the dev environment has numpy
    np = None  # type: ignore[assignment]
try:
    import torch
except ImportError:  # pragma: no cover - the dev environment has torch
    torch = None  # type: ignore[assignment]

ENV = (
    "SEEDLINT_SEED",
    "SEEDLINT_RANK",
    "RANK",
    "LOCAL_RANK",
    "WORLD_SIZE",
    "SLURM_PROCID",
    "CUBLAS_WORKSPACE_CONFIG",
)


@pytest.fixture(autouse=True)
def clean_runtime_state():
    env = {name: os.environ.pop(name, None) for name in ENV}
    state = (_state.seed, _state.rank)
    _state.seed = _state.rank = None
    rngs = [random.getstate()]
    if np is not None:
        rngs.append(np.random.get_state())
    if torch is not None:
        rngs.append(torch.get_rng_state())
        flags = (
            torch.are_deterministic_algorithms_enabled(),
            torch.is_deterministic_algorithms_warn_only_enabled(),
            torch.backends.cudnn.deterministic,
            torch.backends.cudnn.benchmark,
        )
    yield
    for name, value in env.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    _state.seed, _state.rank = state
    random.setstate(rngs[0])
    if np is not None:
        np.random.set_state(rngs[1])
    if torch is not None:
        torch.set_rng_state(rngs[-1])
        now = (
            torch.are_deterministic_algorithms_enabled(),
            torch.is_deterministic_algorithms_warn_only_enabled(),
        )
        if now != flags[:2]:  # the first call costs a second (torch imports its compiler)
            torch.use_deterministic_algorithms(flags[0], warn_only=flags[1])
        torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = flags[2:]
