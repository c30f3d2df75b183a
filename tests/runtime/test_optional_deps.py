"""No required dependencies: the runtime without numpy, without torch, without both (their
imports blocked with ``sys.modules[name] = None`` in a fresh process), and its import cost."""

from __future__ import annotations

import pickle
import random

import pytest
from seedlint_runtime import capture_rng_state, derive_seed

from tests.runtime import _proc

BLOCK = "import sys\n" + "".join(f"sys.modules[{m!r}] = None\n" for m in ("numpy", "torch"))

NO_DEPS = (
    BLOCK
    + """
import pickle, random, warnings
warnings.simplefilter("error")
import seedlint_runtime as sr
from tests.runtime._proc import emit

assert sr.current_seed() is None
assert sr.seed_everything(5) == 5
a = [random.random() for _ in range(3)]
assert sr.seed_everything(5, deterministic=True, per_rank=False) == 5  # nothing more to set
assert [random.random() for _ in range(3)] == a
assert sr.current_seed() == 5

r = random.Random(1)
state = sr.capture_rng_state({"r": r})
assert set(state) == {"format", "version", "seed", "python", "generators"}, sorted(state)
expected = ([random.random() for _ in range(3)], r.random())
r2 = random.Random(99)
sr.restore_rng_state(pickle.loads(pickle.dumps(state)), {"r": r2})
assert ([random.random() for _ in range(3)], r2.random()) == expected

before = random.getstate()
try:
    with sr.isolate_rng():
        random.random()
        raise KeyError("boom")
except KeyError:
    pass
assert random.getstate() == before

# a checkpoint written where numpy and torch are installed
full = pickle.loads(open(sys.argv[1], "rb").read())
try:
    sr.restore_rng_state(full)
    restore_error = None
except ValueError as e:
    restore_error = str(e)
assert random.getstate() == before
python_only = {k: v for k, v in full.items() if k not in ("numpy", "torch", "cuda")}
sr.restore_rng_state(python_only)
restored_draw = random.random()

errors = {}
for name, call in (("seed_worker", lambda: sr.seed_worker(0)), ("seeded_generator", sr.seeded_generator)):
    try:
        call()
    except RuntimeError as e:
        errors[name] = str(e)
emit({
    "derive": [sr.derive_seed("a", 1, seed=3), sr.derive_seed(2, 7, seed=2**32 - 1), sr.derive_seed("x")],
    "restore_error": restore_error,
    "restored_draw": restored_draw,
    "errors": errors,
    "imported": [m for m in ("numpy", "torch") if sys.modules.get(m) is not None],
})
"""
)


def test_without_numpy_and_torch(tmp_path):
    """Everything that needs neither library works (seed_everything, derive_seed, current_seed,
    Python-only capture/restore, isolate_rng); seed_worker and seeded_generator raise a clear
    RuntimeError; a checkpoint holding NumPy/torch state is refused with a ValueError, before
    anything is restored."""
    import numpy as np
    import torch

    random.seed(1), np.random.seed(1), torch.manual_seed(1)
    full = capture_rng_state()
    expected_draw = random.random()
    path = tmp_path / "full.pkl"
    path.write_bytes(pickle.dumps(full))

    out = _proc.run(NO_DEPS, args=[str(path)])
    assert out["derive"] == [
        derive_seed("a", 1, seed=3),
        derive_seed(2, 7, seed=2**32 - 1),
        derive_seed("x", seed=5),  # the run seed set in the child
    ]
    assert out["restore_error"] is not None
    assert "numpy is not installed" in out["restore_error"]
    assert out["restored_draw"] == expected_draw
    assert set(out["errors"]) == {"seed_worker", "seeded_generator"}
    for name, message in out["errors"].items():
        assert name in message
        assert "torch" in message
    assert out["imported"] == []


NO_TORCH = """
import sys
sys.modules["torch"] = None
import pickle, random, warnings
warnings.simplefilter("error")
import numpy as np
import seedlint_runtime as sr
from tests.runtime._proc import emit

sr.seed_everything(3)
a = (random.random(), np.random.random(3).tolist())
sr.seed_everything(3, deterministic=True)
assert (random.random(), np.random.random(3).tolist()) == a

g = np.random.default_rng(1)
state = sr.capture_rng_state({"g": g})
assert "numpy" in state and "torch" not in state and "cuda" not in state, sorted(state)
expected = (np.random.random(2).tolist(), g.random(2).tolist())
g2 = np.random.default_rng(50)
sr.restore_rng_state(pickle.loads(pickle.dumps(state)), {"g": g2})
assert (np.random.random(2).tolist(), g2.random(2).tolist()) == expected
with sr.isolate_rng({"g": g2}):
    np.random.random(), g2.random()
assert (np.random.random(2).tolist(), g2.random(2).tolist()) != expected

with_torch = dict(state, torch=bytes(10))
before = np.random.get_state()[1].tolist()
try:
    sr.restore_rng_state(with_torch, {"g": g2})
    err = None
except ValueError as e:
    err = str(e)
assert np.random.get_state()[1].tolist() == before

errors = {}
for name, call in (("seed_worker", lambda: sr.seed_worker(0)), ("seeded_generator", sr.seeded_generator)):
    try:
        call()
    except RuntimeError as e:
        errors[name] = str(e)
emit({"restore_error": err, "errors": errors})
"""


def test_without_torch():
    out = _proc.run(NO_TORCH)
    assert "torch is not installed" in out["restore_error"]
    assert set(out["errors"]) == {"seed_worker", "seeded_generator"}
    assert all("torch" in m for m in out["errors"].values())


NO_NUMPY = """
import sys
sys.modules["numpy"] = None
import functools, pickle, random, warnings
import torch  # warns that it cannot initialise NumPy
from torch.utils.data import DataLoader, Dataset
warnings.simplefilter("error")
import seedlint_runtime as sr
from tests.runtime._proc import emit


class Private(Dataset):
    def __init__(self):
        self.py = random.Random()
        self.g = torch.Generator()
        self.g.seed()

    def __len__(self):
        return 8

    def __getitem__(self, i):
        return [random.random(), float(torch.rand(())), self.py.random(),
                float(torch.rand((), generator=self.g))]


def run(seed, init=sr.seed_worker):
    sr.seed_everything(seed)
    loader = DataLoader(Private(), batch_size=None, num_workers=2, worker_init_fn=init,
                        multiprocessing_context="fork", generator=sr.seeded_generator())
    return [[list(map(float, item)) for item in loader] for _ in range(2)]


first = run(0)
assert run(0) == first
assert run(1) != first
rank1 = run(0, functools.partial(sr.seed_worker, rank=1))

sr.seed_everything(3)
state = sr.capture_rng_state()
assert "torch" in state and "numpy" not in state, sorted(state)
x = torch.rand(3).tolist()
sr.restore_rng_state(pickle.loads(pickle.dumps(state)))
assert torch.rand(3).tolist() == x

before = torch.get_rng_state().tolist()
try:
    sr.restore_rng_state(dict(state, numpy={"bit_generator": "MT19937"}))
    err = None
except ValueError as e:
    err = str(e)
assert torch.get_rng_state().tolist() == before
emit({"draws": first, "rank1": rank1, "restore_error": err})
"""


def test_without_numpy():
    """seed_worker works without numpy: Python, torch and the dataset's random.Random and
    torch.Generator are seeded per worker, reproducibly."""
    out = _proc.run(NO_NUMPY)
    assert "numpy is not installed" in out["restore_error"]
    values = [v for epoch in out["draws"] for item in epoch for v in item]
    assert len(values) == 2 * 8 * 4
    assert len(set(values)) == len(values)  # across workers, epochs and streams
    rank1 = {v for epoch in out["rank1"] for item in epoch for v in item}
    assert not rank1 & set(values)


# --- import cost ----------------------------------------------------------------------------------

TIME_IMPORT = """
import sys, time
{block}
before = set(sys.modules)
t = time.perf_counter()
import seedlint_runtime
elapsed = time.perf_counter() - t
seedlint_runtime.derive_seed("x"), seedlint_runtime.current_seed()
from tests.runtime._proc import emit
emit({{"elapsed": elapsed, "new": sorted(set(sys.modules) - before)}})
"""


@pytest.mark.parametrize("blocked", [True, False], ids=["torch-blocked", "installed"])
def test_import_is_fast_and_imports_neither_numpy_nor_torch(blocked):
    code = TIME_IMPORT.format(block=BLOCK if blocked else "")
    runs = [_proc.run(code) for _ in range(3)]
    for run in runs:
        heavy = [m for m in run["new"] if m.split(".")[0] in ("numpy", "torch")]
        assert heavy == []
    best = min(r["elapsed"] for r in runs)
    # typically a few ms; the bound leaves room for a loaded machine
    assert best < 0.1, f"import seedlint_runtime took {best * 1000:.0f} ms"
