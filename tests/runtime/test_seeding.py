"""seed_everything, current_seed and derive_seed in this process (DESIGN.md, "Runtime")."""

from __future__ import annotations

import logging
import os
import random
import warnings

import numpy as np
import pytest
import torch
from seedlint_runtime import current_seed, derive_seed, seed_everything

from tests.runtime import _proc

MAX = 2**32 - 1


def draws() -> tuple[list[float], list[float], list[float]]:
    return (
        [random.random() for _ in range(4)],
        np.random.random(4).tolist(),
        torch.rand(4).tolist(),
    )


def rng_states() -> tuple[object, ...]:
    return (random.getstate(), np.random.get_state()[1].tolist(), torch.get_rng_state().tolist())


@pytest.fixture
def no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# --- seed_everything: what it seeds and returns -------------------------------------------------


def test_returns_the_seed_and_records_it(no_warnings):
    assert seed_everything(1234) == 1234
    assert current_seed() == 1234
    assert os.environ["SEEDLINT_SEED"] == "1234"


def test_seeds_python_numpy_and_torch_reproducibly(no_warnings):
    seed_everything(7)
    first = draws()
    random.random(), np.random.random(), torch.rand(3)  # move every stream on
    seed_everything(7)
    assert draws() == first
    seed_everything(8)
    other = draws()
    for mine, theirs in zip(first, other):
        assert not set(mine) & set(theirs)


def test_each_library_gets_a_derived_seed_not_the_raw_one(no_warnings):
    """Seeds are derived per library (SeedSequence), not the raw seed fed to each library."""
    seed_everything(5)
    assert torch.initial_seed() != 5
    assert np.random.get_state()[1].tolist() != np.random.RandomState(5).get_state()[1].tolist()
    assert random.getstate() != random.Random(5).getstate()


@pytest.mark.parametrize("seed", [0, 1, MAX, np.int64(3), np.uint32(MAX), np.uint64(12)])
def test_accepts_integers_in_range(seed, no_warnings):
    assert seed_everything(seed) == int(seed)
    assert type(seed_everything(seed)) is int
    assert os.environ["SEEDLINT_SEED"] == str(int(seed))


@pytest.mark.parametrize(
    ("seed", "error"),
    [
        (-1, ValueError),
        (2**32, ValueError),
        (2**64, ValueError),
        (np.int64(-5), ValueError),
        (True, TypeError),
        (False, TypeError),
        (np.bool_(True), TypeError),
        (1.0, TypeError),
        (np.float64(1), TypeError),
        ("1", TypeError),
        (b"1", TypeError),
        ([1], TypeError),
        (torch.tensor(1), TypeError),
    ],
)
def test_rejects_bad_seeds_before_touching_anything(seed, error):
    before = rng_states()
    with pytest.raises(error, match=r"0\.\.4294967295"):
        seed_everything(seed)
    assert rng_states() == before
    assert "SEEDLINT_SEED" not in os.environ
    assert "SEEDLINT_RANK" not in os.environ
    assert current_seed() is None


# --- SEEDLINT_SEED in and out -------------------------------------------------------------------


@pytest.mark.parametrize("text", ["42", " 42\n", "+42"])
def test_takes_the_seed_from_the_environment(text, no_warnings):
    os.environ["SEEDLINT_SEED"] = text
    assert current_seed() == 42
    assert seed_everything() == 42
    first = draws()
    seed_everything(42)
    assert draws() == first


def test_an_explicit_seed_wins_over_the_environment(no_warnings):
    os.environ["SEEDLINT_SEED"] = "42"
    assert seed_everything(7) == 7
    assert os.environ["SEEDLINT_SEED"] == "7"
    assert current_seed() == 7


@pytest.mark.parametrize("text", ["abc", "1.5", "", "0x10", "seven"])
def test_rejects_a_non_integer_seed_in_the_environment(text):
    os.environ["SEEDLINT_SEED"] = text
    with pytest.raises(ValueError, match="SEEDLINT_SEED"):
        seed_everything()
    assert current_seed() is None  # current_seed never raises


@pytest.mark.parametrize(
    "text",
    [
        "-1",
        "4294967296",
    ],
)
def test_rejects_an_out_of_range_seed_in_the_environment(text):
    os.environ["SEEDLINT_SEED"] = text
    with pytest.raises(ValueError, match="SEEDLINT_SEED"):
        seed_everything()


def test_default_seed_warns_and_is_recorded():
    with pytest.warns(UserWarning, match="SEEDLINT_SEED") as record:
        assert seed_everything() == 0
    assert len(record) == 1
    assert record[0].filename == __file__  # points at the caller (stacklevel)
    assert current_seed() == 0
    assert os.environ["SEEDLINT_SEED"] == "0"


def test_child_processes_see_the_run_seed():
    seed_everything(99)
    code = (
        "import sys, warnings; sys.modules['torch'] = None; sys.modules['numpy'] = None\n"
        "warnings.simplefilter('error')\n"
        "import seedlint_runtime as s\n"
        "from tests.runtime._proc import emit\n"
        "emit([s.current_seed(), s.seed_everything(), s.derive_seed('x')])\n"
    )
    env = _proc.child_env({"SEEDLINT_SEED": os.environ["SEEDLINT_SEED"]})
    assert _proc.run(code, env=env) == [99, 99, derive_seed("x", seed=99)]


# --- logging ------------------------------------------------------------------------------------


def test_logs_one_line_with_seed_and_rank(caplog, no_warnings):
    os.environ["RANK"] = "2"
    caplog.set_level(logging.INFO, logger="seedlint_runtime")
    seed_everything(11)
    lines = [r for r in caplog.records if r.name.startswith("seedlint_runtime")]
    assert len(lines) == 1
    assert lines[0].levelno == logging.INFO
    message = lines[0].getMessage()
    assert "seed=11" in message
    assert "rank=2" in message


def test_the_line_is_seen_without_logging_configured_and_quiet_on_request():
    """A script that never configures logging still sees which seed was used (an INFO record
    would be dropped), on stderr; ``verbose=False`` prints nothing."""
    import subprocess
    import sys

    code = (
        "from seedlint_runtime import seed_everything\n"
        "seed_everything(5)\n"
        "seed_everything(6, verbose=False)\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("RANK", "SLURM_PROCID")}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    assert r.stderr == "seedlint_runtime: seed_everything: seed=5 rank=0\n"
    configured = "import logging\nlogging.basicConfig(level=logging.INFO, format='%(message)s')\n"
    r = subprocess.run(
        [sys.executable, "-c", configured + code], capture_output=True, text=True, env=env
    )
    assert r.stderr == "seed_everything: seed=5 rank=0\n"  # through the logger, once


def test_rank_from_slurm(caplog, no_warnings):
    os.environ["SLURM_PROCID"] = "3"
    caplog.set_level(logging.INFO, logger="seedlint_runtime")
    seed_everything(1)
    assert "rank=3" in caplog.records[-1].getMessage()


# --- per_rank -----------------------------------------------------------------------------------


def test_per_rank_gives_each_rank_its_own_reproducible_seed(caplog, no_warnings):
    caplog.set_level(logging.INFO, logger="seedlint_runtime")
    seen = {}
    for rank in (0, 1, 2, 1):
        os.environ["RANK"] = str(rank)
        used = seed_everything(5, per_rank=True)
        assert 0 <= used <= MAX
        # the run's seed, not this rank's, is what child processes and current_seed see
        assert current_seed() == 5
        assert os.environ["SEEDLINT_SEED"] == "5"
        assert str(used) in caplog.records[-1].getMessage()
        result = (used, draws())
        assert seen.setdefault(rank, result) == result  # the same rank repeats
    assert len({s for s, _ in seen.values()}) == 3
    for a in (0, 1, 2):
        for b in (0, 1, 2):
            if a < b:
                assert not set(seen[a][1][2]) & set(seen[b][1][2])


def test_without_per_rank_every_rank_draws_the_same(no_warnings):
    os.environ["RANK"] = "0"
    assert seed_everything(5) == 5
    zero = draws()
    os.environ["RANK"] = "1"
    assert seed_everything(5) == 5
    assert draws() == zero


# --- deterministic ------------------------------------------------------------------------------


def _cuda_needs_workspace() -> bool:
    version = torch.version.cuda
    if not version:
        return False
    major, minor = (int("".join(c for c in p if c.isdigit()) or 0) for p in version.split(".")[:2])
    return (major, minor) >= (10, 2)


def test_deterministic_turns_on_torch_settings():
    torch.backends.cudnn.benchmark = True
    torch.backends.cudnn.deterministic = False
    assert not torch.are_deterministic_algorithms_enabled()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # CUDA is not initialised here: no warning
        seed_everything(0, deterministic=True)
    assert torch.are_deterministic_algorithms_enabled()
    assert not torch.is_deterministic_algorithms_warn_only_enabled()
    assert torch.backends.cudnn.deterministic is True
    assert torch.backends.cudnn.benchmark is False


@pytest.mark.skipif(torch.cuda.is_initialized(), reason="CUDA already initialised here")
def test_deterministic_sets_cublas_workspace_only_where_torch_needs_it():
    seed_everything(0, deterministic=True)
    if _cuda_needs_workspace():
        assert os.environ.get("CUBLAS_WORKSPACE_CONFIG") in (":4096:8", ":16:8")
    else:  # a CPU-only torch has no cuBLAS to configure
        assert "CUBLAS_WORKSPACE_CONFIG" not in os.environ


def test_deterministic_keeps_a_workspace_setting_the_user_made():
    os.environ["CUBLAS_WORKSPACE_CONFIG"] = ":16:8"
    seed_everything(0, deterministic=True)
    assert os.environ["CUBLAS_WORKSPACE_CONFIG"] == ":16:8"


def test_not_deterministic_by_default(no_warnings):
    torch.backends.cudnn.benchmark = True
    seed_everything(0)
    assert not torch.are_deterministic_algorithms_enabled()
    assert torch.backends.cudnn.benchmark is True  # left alone
    assert "CUBLAS_WORKSPACE_CONFIG" not in os.environ


def test_deterministic_mode_is_logged(caplog):
    caplog.set_level(logging.INFO, logger="seedlint_runtime")
    seed_everything(3, deterministic=True)
    assert "deterministic" in caplog.records[-1].getMessage()


# --- current_seed -------------------------------------------------------------------------------


def test_current_seed_is_none_until_a_seed_is_known():
    assert current_seed() is None
    os.environ["SEEDLINT_SEED"] = "12"
    assert current_seed() == 12
    os.environ["SEEDLINT_SEED"] = "-3"
    assert current_seed() is None
    del os.environ["SEEDLINT_SEED"]
    seed_everything(8)
    assert current_seed() == 8


# --- derive_seed --------------------------------------------------------------------------------


def test_derive_seed_is_a_deterministic_32_bit_int():
    a = derive_seed("augment", 3, seed=1)
    assert a == derive_seed("augment", 3, seed=1)
    assert type(a) is int
    assert 0 <= a <= MAX


def test_derive_seed_separates_keys_order_and_seeds():
    seeds = {
        derive_seed(seed=1),
        derive_seed(0, seed=1),
        derive_seed(1, seed=1),
        derive_seed(1, 2, seed=1),
        derive_seed(2, 1, seed=1),
        derive_seed("a", seed=1),
        derive_seed(97, seed=1),  # "a" is not its code point
        derive_seed("b", seed=1),
        derive_seed("a", seed=2),
        derive_seed("ab", seed=1),
        derive_seed("a", "b", seed=1),
    }
    assert len(seeds) == 11


def test_derive_seed_defaults_to_the_run_seed_then_zero():
    assert derive_seed("x") == derive_seed("x", seed=0)
    os.environ["SEEDLINT_SEED"] = "9"
    assert derive_seed("x") == derive_seed("x", seed=9)
    seed_everything(4)
    assert derive_seed("x") == derive_seed("x", seed=4)
    os.environ["RANK"] = "1"
    seed_everything(4, per_rank=True)
    assert derive_seed("x") == derive_seed("x", seed=4)  # the run's seed, on every rank


def test_derive_seed_draws_nothing():
    before = rng_states()
    derive_seed("x", 1, seed=3)
    assert rng_states() == before


@pytest.mark.parametrize(
    ("keys", "error"),
    [((True,), TypeError), ((-1,), ValueError), ((1.5,), TypeError), ((None,), TypeError)],
)
def test_derive_seed_rejects_bad_keys(keys, error):
    with pytest.raises(error):
        derive_seed(*keys, seed=0)


@pytest.mark.parametrize(
    ("seed", "error"), [(-1, ValueError), (2**32, ValueError), (1.0, TypeError)]
)
def test_derive_seed_rejects_bad_seeds(seed, error):
    with pytest.raises(error):
        derive_seed("x", seed=seed)


def test_derive_seed_is_the_same_in_another_process():
    """No dependence on hash randomisation or anything else process-specific."""
    code = (
        "import sys; sys.modules['numpy'] = None; sys.modules['torch'] = None\n"
        "from seedlint_runtime import derive_seed\n"
        "from tests.runtime._proc import emit\n"
        "emit([derive_seed('augment', 3, seed=1), derive_seed(2**70, 'é', seed=2**32 - 1)])\n"
    )
    env = _proc.child_env({"PYTHONHASHSEED": "12345"})
    assert _proc.run(code, env=env) == [
        derive_seed("augment", 3, seed=1),
        derive_seed(2**70, "é", seed=2**32 - 1),
    ]
