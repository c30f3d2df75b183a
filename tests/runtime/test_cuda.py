"""CUDA: every device seeded, CUDA RNG state captured and restored, deterministic mode.

Skipped without a GPU. The deterministic-mode checks run in fresh processes, where CUDA is not
initialised yet (the state seed_everything(deterministic=True) is meant to be called in).
"""

from __future__ import annotations

import pickle

import pytest
import torch
from seedlint_runtime import capture_rng_state, isolate_rng, restore_rng_state, seed_everything

from tests.runtime import _proc

pytestmark = [
    pytest.mark.cuda,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU"),
]


def devices() -> list[str]:
    return [f"cuda:{i}" for i in range(torch.cuda.device_count())]


def cuda_draws() -> list[list[float]]:
    return [torch.rand(4, device=d).tolist() for d in devices()]


def test_seed_everything_seeds_every_device():
    seed_everything(5)
    first = cuda_draws()
    cuda_draws()
    seed_everything(5)
    assert cuda_draws() == first
    for i in range(torch.cuda.device_count()):
        with torch.cuda.device(i):
            assert torch.cuda.initial_seed() == torch.initial_seed()
    seed_everything(6)
    other = cuda_draws()
    for mine, theirs in zip(first, other):
        assert not set(mine) & set(theirs)


def test_capture_and_restore_every_device():
    seed_everything(1)
    cuda_draws()
    state = capture_rng_state()
    assert len(state["cuda"]) == torch.cuda.device_count()
    assert all(isinstance(s, bytes) for s in state["cuda"])
    first = (cuda_draws(), torch.rand(2).tolist())
    cuda_draws()
    restore_rng_state(pickle.loads(pickle.dumps(state)))
    assert (cuda_draws(), torch.rand(2).tolist()) == first


def test_cuda_generators_passed_in():
    g = torch.Generator(device="cuda").manual_seed(3)
    torch.rand(2, device="cuda", generator=g)
    state = capture_rng_state({"g": g})
    assert state["generators"]["g"]["device"].startswith("cuda")
    first = torch.rand(4, device="cuda", generator=g).tolist()
    fresh = torch.Generator(device="cuda")
    restore_rng_state(state, {"g": fresh})
    assert torch.rand(4, device="cuda", generator=fresh).tolist() == first


def test_cuda_generator_restored_onto_a_cpu_generator_is_refused():
    state = capture_rng_state({"g": torch.Generator(device="cuda").manual_seed(3)})
    before = torch.get_rng_state()
    with pytest.raises(ValueError, match="'g' is on cpu"):
        restore_rng_state(state, {"g": torch.Generator()})
    assert torch.equal(torch.get_rng_state(), before)


def test_another_device_count_is_refused_before_anything_changes():
    state = capture_rng_state()
    state["cuda"] = [*state["cuda"], state["cuda"][0]]
    cuda_draws()
    before = [torch.cuda.get_rng_state(i) for i in range(torch.cuda.device_count())]
    cpu_before = torch.get_rng_state()
    with pytest.raises(ValueError, match=r"CUDA device\(s\) but this process has"):
        restore_rng_state(state)
    after = [torch.cuda.get_rng_state(i) for i in range(torch.cuda.device_count())]
    assert all(torch.equal(a, b) for a, b in zip(before, after))
    assert torch.equal(torch.get_rng_state(), cpu_before)


def test_isolate_rng_covers_cuda_unless_told_not_to():
    seed_everything(2)
    expected = cuda_draws()
    seed_everything(2)
    with isolate_rng():
        cuda_draws()
    assert cuda_draws() == expected

    seed_everything(2)
    with isolate_rng(include_cuda=False):
        cuda_draws()
    assert cuda_draws() != expected  # CUDA moved on; the CPU generator was restored


DETERMINISTIC = """
import os, sys, warnings
import torch
from seedlint_runtime import seed_everything
from tests.runtime._proc import emit

init_first = sys.argv[1] == "init-first"
if init_first:
    torch.zeros(1, device="cuda")
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    seed_everything(0, deterministic=True)
messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
a = torch.randn(256, 256, device="cuda")
b = torch.randn(256, 256, device="cuda")
product = (a @ b).sum().item()  # cuBLAS refuses this in deterministic mode without a workspace
index = torch.randint(0, 16, (10_000,), device="cuda")
src = torch.randn(10_000, device="cuda")
sums = [torch.zeros(16, device="cuda").index_add_(0, index, src).tolist() for _ in range(3)]
emit({
    "warnings": messages,
    "workspace": os.environ.get("CUBLAS_WORKSPACE_CONFIG"),
    "cuda_version": torch.version.cuda,
    "deterministic": torch.are_deterministic_algorithms_enabled(),
    "cudnn": [torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark],
    "product": product,
    "sums_agree": all(s == sums[0] for s in sums),
})
"""


def _needs_workspace(version: str) -> bool:
    major, minor = (int("".join(c for c in p if c.isdigit()) or 0) for p in version.split(".")[:2])
    return (major, minor) >= (10, 2)


def test_deterministic_before_cuda_starts():
    env = _proc.child_env()
    env.pop("CUBLAS_WORKSPACE_CONFIG", None)
    first = _proc.run(DETERMINISTIC, args=["fresh"], env=env)
    assert first["warnings"] == []
    assert first["deterministic"] is True
    assert first["cudnn"] == [True, False]
    assert first["sums_agree"] is True
    if first["cuda_version"] and _needs_workspace(first["cuda_version"]):
        assert first["workspace"] in (":4096:8", ":16:8")
    second = _proc.run(DETERMINISTIC, args=["fresh"], env=env)
    assert second["product"] == first["product"]


def test_deterministic_keeps_the_users_workspace_setting():
    env = _proc.child_env({"CUBLAS_WORKSPACE_CONFIG": ":16:8"})
    out = _proc.run(DETERMINISTIC, args=["fresh"], env=env)
    assert out["workspace"] == ":16:8"


def test_deterministic_warns_when_cuda_is_already_initialised():
    # set beforehand: a workspace set after CUDA started need not apply (what the warning says)
    env = _proc.child_env({"CUBLAS_WORKSPACE_CONFIG": ":4096:8"})
    out = _proc.run(DETERMINISTIC, args=["init-first"], env=env)
    assert any("CUDA" in m and "initialised" in m for m in out["warnings"]), out["warnings"]
    assert out["deterministic"] is True
