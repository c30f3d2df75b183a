"""RNG state as plain data: ``capture_rng_state``, ``restore_rng_state``, ``isolate_rng``.

The state is a dict of lists, ints, floats, strings and bytes — no arrays, no tensors — so a
checkpoint can hold it (``torch.save``, pickle, JSON after encoding the bytes) and a process
without numpy can read it. A restore checks the whole state against this process before it
changes anything, and raises ``ValueError`` on a mismatch (a CUDA device count that differs, a
generator missing or of another kind, a library the state holds that is not installed) instead
of restoring half of it.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Optional

from seedlint_runtime import _deps
from seedlint_runtime.seeding import current_seed
from seedlint_runtime.workers import _kind

FORMAT = "seedlint-rng-state"
VERSION = 1

State = dict[str, Any]


def capture_rng_state(generators: Optional[Mapping[str, Any]] = None) -> State:
    """The state of Python's ``random``, NumPy's global RNG, torch's CPU generator and every
    CUDA device's (each that is installed / available), and of ``generators`` (a mapping of
    names to NumPy ``Generator`` / ``RandomState``, ``random.Random`` or ``torch.Generator``)."""
    version, internal, gauss = random.getstate()
    state: State = {
        "format": FORMAT,
        "version": VERSION,
        "seed": current_seed(),
        "python": [version, list(internal), gauss],
    }
    np = _deps.numpy()
    if np is not None:
        state["numpy"] = _numpy_state(np.random.get_state(legacy=False))
    torch = _deps.torch()
    if torch is not None:
        state["torch"] = _tensor_bytes(torch.get_rng_state())
        if torch.cuda.is_available():
            state["cuda"] = [_tensor_bytes(t) for t in torch.cuda.get_rng_state_all()]
    state["generators"] = {
        name: _capture_generator(name, gen) for name, gen in (generators or {}).items()
    }
    return state


def restore_rng_state(state: State, generators: Optional[Mapping[str, Any]] = None) -> None:
    """Put every RNG back as ``state`` (from ``capture_rng_state``) holds it. ``generators``
    must name the same generators, of the same kinds, as when the state was captured."""
    plan = _check(state, generators or {})
    for apply in plan:
        apply()


@contextmanager
def isolate_rng(
    generators: Optional[Mapping[str, Any]] = None, *, include_cuda: bool = True
) -> Iterator[None]:
    """Run a block without disturbing any RNG: the state is captured on entry and restored on
    exit, also when the block raises."""
    state = capture_rng_state(generators)
    if not include_cuda:
        state.pop("cuda", None)
    try:
        yield
    finally:
        restore_rng_state(state, generators)


# --- capture ----------------------------------------------------------------------------------


def _tensor_bytes(tensor: Any) -> bytes:
    return bytes(tensor.cpu().tolist())


def _numpy_state(st: Mapping[str, Any]) -> dict[str, Any]:
    inner = st["state"]
    return {
        "bit_generator": str(st["bit_generator"]),
        "state": {"key": [int(k) for k in inner["key"]], "pos": int(inner["pos"])},
        "has_gauss": int(st["has_gauss"]),
        "gauss": float(st["gauss"]),
    }


def _plain(value: Any) -> Any:
    """Bit-generator state dicts as plain data (arrays → lists, numpy ints → ints)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    return int(value)


def _capture_generator(name: str, gen: Any) -> dict[str, Any]:
    kind = _kind(gen)
    if kind is None:
        raise TypeError(
            f"generator {name!r} is a {type(gen).__name__}, not a NumPy Generator / "
            "RandomState, random.Random or torch.Generator"
        )
    if kind == "numpy.Generator":
        return {"kind": kind, "state": _plain(gen.bit_generator.state)}
    if kind == "numpy.RandomState":
        st = gen.get_state(legacy=False)
        if st.get("bit_generator") == "MT19937":
            return {"kind": kind, "state": _numpy_state(st)}
        return {"kind": kind, "state": _plain(st)}  # RandomState(PCG64(...))
    if kind == "random.Random":
        version, internal, gauss = gen.getstate()
        return {"kind": kind, "state": [version, list(internal), gauss]}
    return {"kind": kind, "state": _tensor_bytes(gen.get_state()), "device": str(gen.device)}


# --- restore ----------------------------------------------------------------------------------


def _check(state: State, generators: Mapping[str, Any]) -> list[Any]:
    """Validate everything first; return the restoring steps."""
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise ValueError("not an RNG state from seedlint_runtime.capture_rng_state")
    if state.get("version") != VERSION:
        raise ValueError(
            f"RNG state version {state.get('version')!r} is not supported (expected {VERSION})"
        )
    steps: list[Any] = []
    py = _python_state("Python's random", state.get("python"))
    steps.append(lambda: random.setstate(py))
    if "numpy" in state:
        np = _deps.numpy()
        if np is None:
            raise ValueError("the RNG state holds NumPy's RNG, but numpy is not installed")
        st = _numpy_array_state(np, _mt_state("NumPy's global RNG", state["numpy"]))
        steps.append(lambda: np.random.set_state(st))
    torch = _deps.torch() if "torch" in state or "cuda" in state else None
    if "torch" in state:
        if torch is None:
            raise ValueError("the RNG state holds torch's RNG, but torch is not installed")
        size = int(torch.get_rng_state().numel())
        if not isinstance(state["torch"], bytes) or len(state["torch"]) != size:
            raise ValueError(
                f"the RNG state's torch CPU state is not {size} bytes: it comes from another "
                "torch build or is damaged"
            )
        cpu = _bytes_tensor(torch, state["torch"])
        steps.append(lambda: torch.set_rng_state(cpu))
    if "cuda" in state:
        saved = state["cuda"]
        have = torch.cuda.device_count() if torch is not None and torch.cuda.is_available() else 0
        if have != len(saved):
            raise ValueError(
                f"the RNG state holds {len(saved)} CUDA device(s) but this process has {have}; "
                "restore on a machine with the same devices, or capture with "
                "isolate_rng(include_cuda=False)"
            )
        if saved:
            assert torch is not None
            tensors = [_bytes_tensor(torch, b) for b in saved]
            steps.append(lambda: torch.cuda.set_rng_state_all(tensors))
    saved_gens = state.get("generators", {})
    if set(saved_gens) != set(generators):
        missing = sorted(set(saved_gens) - set(generators))
        extra = sorted(set(generators) - set(saved_gens))
        raise ValueError(
            "the generators passed do not match the RNG state: "
            + ", ".join(
                part
                for part in (
                    f"missing {missing}" if missing else "",
                    f"not in the state {extra}" if extra else "",
                )
                if part
            )
        )
    for name, gen in generators.items():
        steps.append(_generator_step(name, gen, saved_gens[name]))
    return steps


def _generator_step(name: str, gen: Any, saved: Mapping[str, Any]) -> Any:
    kind = _kind(gen)
    if kind != saved.get("kind"):
        raise ValueError(
            f"generator {name!r} is a {kind or type(gen).__name__}, "
            f"but the state holds a {saved.get('kind')}"
        )
    value = saved["state"]
    if kind == "numpy.Generator":
        if value.get("bit_generator") != type(gen.bit_generator).__name__:
            raise ValueError(
                f"generator {name!r} uses {type(gen.bit_generator).__name__}, but the state "
                f"holds {value.get('bit_generator')}"
            )
        _probe(name, lambda: setattr(type(gen.bit_generator)(), "state", value))
        return lambda: setattr(gen.bit_generator, "state", value)
    if kind == "numpy.RandomState":
        np = sys.modules["numpy"]
        current = type(gen._bit_generator).__name__
        if value.get("bit_generator") != current:
            raise ValueError(
                f"generator {name!r} uses {current}, but the state holds "
                f"{value.get('bit_generator')}"
            )
        st = _numpy_array_state(np, value) if current == "MT19937" else value
        _probe(name, lambda: np.random.RandomState(type(gen._bit_generator)()).set_state(st))
        return lambda: gen.set_state(st)
    if kind == "random.Random":
        st = _python_state(f"generator {name!r}", value)
        return lambda: gen.setstate(st)
    torch = sys.modules["torch"]
    if str(gen.device) != saved.get("device"):
        raise ValueError(
            f"generator {name!r} is on {gen.device}, but the state was captured on "
            f"{saved.get('device')}"
        )
    size = int(gen.get_state().numel())
    if not isinstance(value, bytes) or len(value) != size:
        raise ValueError(f"the RNG state of generator {name!r} is not {size} bytes")
    tensor = _bytes_tensor(torch, value)
    return lambda: gen.set_state(tensor)


def _probe(name: str, attempt: Any) -> None:
    """Try a restore on a scratch generator first, so a bad state fails before anything
    changes."""
    try:
        attempt()
    except (TypeError, ValueError, KeyError, IndexError) as exc:
        raise ValueError(f"the RNG state of generator {name!r} cannot be restored: {exc}") from None


def _python_state(what: str, value: Any) -> tuple[Any, ...]:
    """A ``random.getstate()`` tuple from its plain form, checked."""
    ok = (
        isinstance(value, (list, tuple))
        and len(value) == 3
        and isinstance(value[1], (list, tuple))
        and len(value[1]) == 625
        and all(isinstance(x, int) for x in value[1])
    )
    if not ok:
        raise ValueError(f"the RNG state of {what} is not a Python random state")
    return (value[0], tuple(value[1]), value[2])


def _mt_state(what: str, value: Any) -> Mapping[str, Any]:
    """A NumPy MT19937 state, checked (624 key words, a position in 0..624)."""
    try:
        key, pos = value["state"]["key"], int(value["state"]["pos"])
        ok = value["bit_generator"] == "MT19937" and len(key) == 624 and 0 <= pos <= 624
    except (KeyError, TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(f"the RNG state of {what} is not a NumPy MT19937 state")
    return value  # type: ignore[no-any-return]


def _numpy_array_state(np: Any, st: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "bit_generator": st["bit_generator"],
        "state": {
            "key": np.asarray(st["state"]["key"], dtype=np.uint32),
            "pos": int(st["state"]["pos"]),
        },
        "has_gauss": int(st["has_gauss"]),
        "gauss": float(st["gauss"]),
    }


def _bytes_tensor(torch: Any, data: bytes) -> Any:
    return torch.tensor(list(data), dtype=torch.uint8)
