"""capture_rng_state, restore_rng_state and isolate_rng; resuming a run in a new process."""

from __future__ import annotations

import base64
import copy
import io
import json
import pickle
import random

import numpy as np
import pytest
import torch
from seedlint_runtime import (
    capture_rng_state,
    isolate_rng,
    restore_rng_state,
    seed_everything,
)

from tests.runtime import _proc

PLAIN = (dict, list, str, bytes, int, float, bool, type(None))


def make_generators() -> dict[str, object]:
    return {
        "pcg64": np.random.default_rng(1),
        "mt19937": np.random.Generator(np.random.MT19937(2)),
        "philox": np.random.Generator(np.random.Philox(3)),
        "sfc64": np.random.Generator(np.random.SFC64(4)),
        "pcg64dxsm": np.random.Generator(np.random.PCG64DXSM(5)),
        "legacy": np.random.RandomState(6),
        "python": random.Random(7),
        "torch": torch.Generator().manual_seed(8),
    }


def draw(gens=None) -> dict[str, object]:
    """A few numbers from every global RNG and from ``gens``; normal draws too, whose cached
    second value (Python's and NumPy's gauss) is part of the state."""
    return {
        "python": [random.random(), random.gauss(0, 1)],
        "numpy": [*np.random.random(2).tolist(), float(np.random.standard_normal())],
        "torch": [*torch.rand(2).tolist(), *torch.randn(1).tolist()],
        **draw_generators(gens or {}),
    }


def draw_generators(gens) -> dict[str, object]:
    out: dict[str, object] = {}
    for name, g in gens.items():
        if isinstance(g, np.random.Generator):
            out[name] = [*g.random(2).tolist(), float(g.standard_normal()), int(g.integers(2**40))]
        elif isinstance(g, np.random.RandomState):
            out[name] = [*g.random_sample(2).tolist(), float(g.standard_normal())]
        elif isinstance(g, random.Random):
            out[name] = [g.random(), g.gauss(0, 1)]
        else:
            out[name] = torch.rand(3, generator=g).tolist()
    return out


def assert_plain(value, path="state"):
    assert isinstance(value, PLAIN), f"{path} is a {type(value).__module__}.{type(value).__name__}"
    if isinstance(value, dict):
        for k, v in value.items():
            assert isinstance(k, str), f"{path} has the key {k!r}"
            assert_plain(v, f"{path}[{k!r}]")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            assert_plain(v, f"{path}[{i}]")


def global_states():
    return (random.getstate(), np.random.get_state()[1].tolist(), torch.get_rng_state().tolist())


# --- capture / restore --------------------------------------------------------------------------


def test_restore_replays_every_rng():
    seed_everything(1)
    gens = make_generators()
    draw(gens)  # leaves Python's and NumPy's cached normal in the state
    state = capture_rng_state(gens)
    first = draw(gens)
    draw(gens)
    restore_rng_state(state, gens)
    assert draw(gens) == first


def test_state_is_plain_data():
    seed_everything(1)
    state = capture_rng_state(make_generators())
    assert_plain(state)
    assert {"python", "numpy", "torch", "generators"} <= set(state)
    assert set(state["generators"]) == set(make_generators())
    assert state["seed"] == 1


@pytest.mark.parametrize("via", ["pickle", "torch.save", "json"])
def test_state_survives_a_checkpoint_round_trip(via, tmp_path):
    gens = make_generators()
    draw(gens)
    state = capture_rng_state(gens)
    if via == "pickle":
        loaded = pickle.loads(pickle.dumps(state))
    elif via == "torch.save":
        buf = io.BytesIO()
        torch.save({"model": {}, "rng": state}, buf)
        buf.seek(0)
        loaded = torch.load(buf)["rng"]  # weights_only=True, torch's default
    else:

        def encode(o):
            if isinstance(o, bytes):
                return {"__bytes__": base64.b64encode(o).decode()}
            raise TypeError(type(o))

        def decode(d):
            return base64.b64decode(d["__bytes__"]) if "__bytes__" in d else d

        loaded = json.loads(json.dumps(state, default=encode), object_hook=decode)
    first = draw(gens)
    fresh = make_generators()  # e.g. rebuilt by the resumed program
    restore_rng_state(loaded, fresh)
    assert draw(fresh) == first


def test_state_unpickles_in_a_process_without_numpy_or_torch(tmp_path):
    draw()
    path = tmp_path / "rng.pkl"
    path.write_bytes(pickle.dumps(capture_rng_state({"r": random.Random(3)})))
    code = (
        "import sys, pickle; sys.modules['numpy'] = None; sys.modules['torch'] = None\n"
        "from tests.runtime._proc import emit\n"
        f"state = pickle.loads(open({str(path)!r}, 'rb').read())\n"
        "emit(sorted(state))\n"
    )
    assert _proc.run(code) == sorted(capture_rng_state({"r": random.Random(3)}))


def test_isolated_capture_does_not_change_anything():
    seed_everything(2)
    before = global_states()
    capture_rng_state(make_generators())
    assert global_states() == before


# --- mismatches ---------------------------------------------------------------------------------


def _mismatch(state, gens, match):
    """restore_rng_state raises ValueError(match) and changes nothing."""
    random.random(), np.random.random(), torch.rand(1)
    before = global_states()
    gen_before = draw_copies(gens)
    with pytest.raises(ValueError, match=match):
        restore_rng_state(state, gens)
    assert global_states() == before
    assert draw_copies(gens) == gen_before


def draw_copies(gens):
    """What ``gens`` would draw next, without advancing them."""
    copies = {
        name: torch.Generator().set_state(g.get_state())
        if isinstance(g, torch.Generator)
        else copy.deepcopy(g)
        for name, g in (gens or {}).items()
    }
    return draw_generators(copies)


def test_missing_generator():
    state = capture_rng_state({"a": random.Random(1), "b": np.random.default_rng(2)})
    _mismatch(state, {"a": random.Random(1)}, r"missing \['b'\]")


def test_extra_generator():
    state = capture_rng_state()
    _mismatch(state, {"x": random.Random(1)}, r"not in the state \['x'\]")


def test_generator_of_another_kind():
    state = capture_rng_state({"a": np.random.default_rng(1)})
    _mismatch(state, {"a": random.Random(1)}, r"'a' is a random\.Random.*numpy\.Generator")


def test_numpy_generator_with_another_bit_generator():
    state = capture_rng_state({"a": np.random.default_rng(1)})
    gens = {"a": np.random.Generator(np.random.MT19937(1))}
    _mismatch(state, gens, r"'a' uses MT19937.*PCG64")


def test_cuda_devices_that_this_process_lacks():
    state = capture_rng_state()
    have = torch.cuda.device_count() if torch.cuda.is_available() else 0
    state["cuda"] = [torch.get_rng_state()[:16].numpy().tobytes()] * (have + 1)
    _mismatch(state, None, rf"{have + 1} CUDA device\(s\) but this process has {have}")


def test_mismatch_found_late_still_changes_nothing():
    """The bad generator is the last step: Python, NumPy and torch must not be restored."""
    state = capture_rng_state({"a": random.Random(1), "z": np.random.default_rng(1)})
    _mismatch(state, {"a": random.Random(1), "z": torch.Generator()}, "'z'")


@pytest.mark.parametrize(
    "bad",
    [{}, None, "state", {"format": "other"}, [1, 2]],
    ids=["empty", "none", "str", "other-format", "list"],
)
def test_not_a_state(bad):
    _mismatch(bad, None, "not an RNG state")


def test_unknown_version():
    state = capture_rng_state()
    state["version"] = 99
    _mismatch(state, None, "version 99")


def test_torch_state_of_another_size():
    state = capture_rng_state()
    state["torch"] = state["torch"][:-8]
    _mismatch(state, None, "torch")


def test_numpy_state_of_another_size():
    state = capture_rng_state()
    state["numpy"]["state"]["key"] = state["numpy"]["state"]["key"][:100]
    _mismatch(state, None, "NumPy|numpy")


def test_capture_rejects_what_is_not_a_generator():
    for bad in (np.random, torch.rand(3), random, 3):
        with pytest.raises(TypeError, match="'g'"):
            capture_rng_state({"g": bad})


def test_random_state_over_another_bit_generator():
    gens = {"rs": np.random.RandomState(np.random.PCG64(1))}
    state = capture_rng_state(gens)
    first = draw(gens)
    restore_rng_state(state, gens)
    assert draw(gens) == first


# --- isolate_rng --------------------------------------------------------------------------------


def test_isolate_rng_restores_on_exit():
    gens = make_generators()
    seed_everything(4)
    expected = draw(gens)
    seed_everything(4)
    gens = make_generators()
    with isolate_rng(gens):
        draw(gens)
        seed_everything(99)
        draw(gens)
    assert draw(gens) == expected


def test_isolate_rng_restores_when_the_block_raises():
    seed_everything(4)
    expected = draw()
    seed_everything(4)
    with pytest.raises(KeyError, match="boom"), isolate_rng():
        draw()
        raise KeyError("boom")
    assert draw() == expected


def test_isolate_rng_nests():
    seed_everything(4)
    expected = draw()
    seed_everything(4)
    with isolate_rng():
        draw()
        with isolate_rng():
            draw()
        draw()
    assert draw() == expected


def test_isolate_rng_without_cuda_still_restores_the_rest():
    seed_everything(4)
    expected = draw()
    seed_everything(4)
    with isolate_rng(include_cuda=False):
        draw()
    assert draw() == expected


# --- resume in a new process --------------------------------------------------------------------


def test_resume_from_a_checkpoint_continues_the_uninterrupted_run(tmp_path):
    """A loop checkpoints capture_rng_state after epoch 1 (torch.save and pickle) and dies; a
    new process starts the program, restores, and draws exactly what an uninterrupted run
    draws in epochs 2 and 3: global RNGs, private generators, the shuffled order and the
    DataLoader workers' streams (tests/runtime/_resume_run.py)."""
    module = "tests.runtime._resume_run"
    full = _proc.start(module=module, args=["full", "--epochs", "4"])
    stop = _proc.start(module=module, args=["stop", "--epochs", "4", "--ckpt", str(tmp_path)])
    full, stop = _proc.finish(full), _proc.finish(stop)
    assert [e["epoch"] for e in full] == [0, 1, 2, 3]
    assert stop == full[:2]
    resumed = [
        _proc.start(module=module, args=["resume", "--ckpt", str(tmp_path), "--load", how])
        for how in ("torch", "pickle")
    ]
    for how, proc in zip(("torch", "pickle"), resumed):
        assert _proc.finish(proc) == full[2:], how
    # the epochs differ from each other, so equality above is not trivially true
    assert full[2]["loader"] != full[3]["loader"]
    assert full[2]["python"] != full[3]["python"]
