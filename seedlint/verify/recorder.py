"""What ``seedlint verify`` records inside the user's process (installed by the injected
``sitecustomize``; never imported by the linter).

Three trails, in the order things happen, written as JSON lines when the process exits:

* ``rng``: each call of a draw API of ``random``, NumPy's global RNG or torch (the linter's
  tables, :mod:`seedlint.apis`), and each ``default_rng(...)`` built: the call site in user code,
  the API, and a hash of the generator's state before the call (for ``default_rng``: after);
* ``batch``: a fingerprint of each batch a ``DataLoader`` yields (workers included: the batch is
  fingerprinted where the main process receives it);
* ``step``: a fingerprint of the parameters after each optimizer step (up to
  ``SEEDLINT_VERIFY_STEPS``).

Only the main process records (DataLoader workers and subprocesses show up in the batches).
Tensors are hashed from their buffer, sampled when large; nothing is converted to lists.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import importlib.abc
import importlib.machinery
import json
import os
import sys
import sysconfig
import threading
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any, Optional

from seedlint import apis

OUT_ENV = "SEEDLINT_VERIFY_OUT"
STEPS_ENV = "SEEDLINT_VERIFY_STEPS"
MAIN_ENV = "SEEDLINT_VERIFY_MAIN"
#: Records kept per trail kind (a long run is compared on its first events).
_MAX_EVENTS = 200_000
#: Elements of a large tensor that its fingerprint reads.
_SAMPLE = 1 << 16

_events: list[list[Any]] = []
_counts = {"rng": 0, "batch": 0, "step": 0}
_local = threading.local()
_main_pid = 0
_skip_dirs: tuple[str, ...] = ()


def install() -> None:
    """Start recording in this process (the main one) if ``SEEDLINT_VERIFY_OUT`` is set."""
    global _main_pid, _skip_dirs
    out = os.environ.get(OUT_ENV)
    if not out:
        return
    main = os.environ.get(MAIN_ENV)
    if main and main != str(os.getpid()):
        return  # a subprocess or a spawned worker: the batches show what it did
    os.environ[MAIN_ENV] = str(os.getpid())
    _main_pid = os.getpid()
    paths = sysconfig.get_paths()
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    _skip_dirs = tuple(
        {os.path.abspath(p) + os.sep for p in (paths["stdlib"], paths["purelib"], paths["platlib"])}
        | {here + os.sep}
    )
    _patch_random()
    sys.meta_path.insert(0, _Finder())
    for name in list(_AFTER_IMPORT):
        if name in sys.modules:
            _safely(_AFTER_IMPORT.pop(name), sys.modules[name])
    atexit.register(_write, out)


def _safely(patch: Callable[[ModuleType], None], module: ModuleType) -> None:
    """A patch that fails records less; it never breaks the user's program."""
    try:
        patch(module)
    except Exception as exc:
        sys.stderr.write(
            f"seedlint verify: not recording {module.__name__} ({type(exc).__name__}: {exc})\n"
        )


def _write(out: str) -> None:
    with open(out, "w", encoding="utf-8") as fh:
        for event in _events:
            fh.write(json.dumps(event) + "\n")


# --- where a call comes from ---------------------------------------------------------------------


def _site() -> tuple[str, int, str]:
    """The innermost frame in user code: (path relative to the working directory, line,
    function)."""
    frame = sys._getframe(2)
    while frame is not None:
        path = frame.f_code.co_filename
        if not path.startswith("<") and not os.path.abspath(path).startswith(_skip_dirs):
            try:
                shown = os.path.relpath(path)
            except ValueError:
                shown = path
            return shown, frame.f_lineno, frame.f_code.co_name
        frame = frame.f_back  # type: ignore[assignment]
    return "<library>", 0, ""


def _record(kind: str, *data: Any) -> None:
    if os.getpid() != _main_pid or _counts[kind] >= _MAX_EVENTS:
        return
    _counts[kind] += 1
    _events.append([kind, *data])


def _wrap(lib: str, api: str, fn: Callable[..., Any], state: Callable[..., str]) -> Any:
    """``fn`` recording each outermost call: (site, API, library, state hash before it)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if getattr(_local, "busy", False) or os.getpid() != _main_pid:
            return fn(*args, **kwargs)
        _local.busy = True  # draws made inside this one are its own
        try:
            path, line, func = _site()
            _record("rng", path, line, func, api, lib, state(*args, **kwargs))
            return fn(*args, **kwargs)
        finally:
            _local.busy = False

    wrapper.__seedlint_wrapped__ = True  # type: ignore[attr-defined]
    return wrapper


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=8).hexdigest()


# --- random ---------------------------------------------------------------------------------------


def _patch_random() -> None:
    import random

    def state(*_: Any, **__: Any) -> str:
        return _digest(repr(random.getstate()).encode())

    for name in sorted(apis.PYTHON_RANDOM_DRAWS):
        fn = getattr(random, name, None)
        if fn is not None and not getattr(fn, "__seedlint_wrapped__", False):
            setattr(random, name, _wrap(apis.PYTHON, f"random.{name}", fn, state))


# --- numpy ----------------------------------------------------------------------------------------


def _patch_numpy_random(module: ModuleType) -> None:
    def state(*_: Any, **__: Any) -> str:
        _, keys, pos, *_rest = module.get_state(legacy=True)
        return _digest(keys.tobytes() + str(pos).encode())

    for name in sorted(apis.NUMPY_LEGACY_DRAWS):
        fn = getattr(module, name, None)
        if fn is not None and callable(fn):
            setattr(module, name, _wrap(apis.NUMPY, f"numpy.random.{name}", fn, state))
    default_rng = module.default_rng

    @functools.wraps(default_rng)
    def made(*args: Any, **kwargs: Any) -> Any:
        rng = default_rng(*args, **kwargs)
        if os.getpid() == _main_pid and not getattr(_local, "busy", False):
            path, line, func = _site()
            state = _digest(repr(rng.bit_generator.state).encode())
            _record("rng", path, line, func, "numpy.random.default_rng", apis.NUMPY, state)
        return rng

    setattr(module, "default_rng", made)  # noqa: B010 (a module attribute mypy cannot see)


# --- torch ----------------------------------------------------------------------------------------


def _torch_state(torch: ModuleType) -> Callable[..., str]:
    def state(*args: Any, **kwargs: Any) -> str:
        generator = kwargs.get("generator")
        if generator is None:
            generator = next((a for a in args if isinstance(a, torch.Generator)), None)
        raw = generator.get_state() if generator is not None else torch.random.get_rng_state()
        return _digest(raw.numpy().tobytes())

    return state


def _patch_torch(torch: ModuleType) -> None:
    state = _torch_state(torch)
    for name in sorted(apis.TORCH_DRAWS):
        fn = getattr(torch, name, None)
        if fn is not None:
            setattr(torch, name, _wrap(apis.TORCH, f"torch.{name}", fn, state))
    init = torch.nn.init
    for name in sorted(apis.TORCH_INIT_DRAWS):
        fn = getattr(init, name, None)
        if fn is not None:
            setattr(init, name, _wrap(apis.TORCH, f"torch.nn.init.{name}", fn, state))
    functional = torch.nn.functional
    for name in sorted(apis.TORCH_FUNCTIONAL_DRAWS):
        fn = getattr(functional, name, None)
        if fn is not None:
            setattr(functional, name, _wrap(apis.TORCH, f"torch.nn.functional.{name}", fn, state))
    for name in sorted(apis.TORCH_TENSOR_SAMPLERS):
        fn = getattr(torch.Tensor, name, None)
        if fn is not None:
            setattr(torch.Tensor, name, _wrap(apis.TORCH, f"Tensor.{name}", fn, state))
    steps = int(os.environ.get(STEPS_ENV, "0") or 0)

    def after_step(optimizer: Any, *_: Any) -> None:
        if os.getpid() != _main_pid or _counts["step"] >= steps:
            return
        params = [p for g in optimizer.param_groups for p in g["params"]]
        _record("step", _counts["step"], fingerprint(params))

    if steps:
        import importlib

        optimizer = importlib.import_module("torch.optim.optimizer")
        optimizer.register_optimizer_step_post_hook(after_step)
    loader = sys.modules.get("torch.utils.data.dataloader")
    if loader is not None:
        _patch_loader(loader)


def _patch_loader(module: ModuleType) -> None:
    base = module._BaseDataLoaderIter
    if getattr(base.__next__, "__seedlint_wrapped__", False):
        return
    original = base.__next__

    def __next__(self: Any) -> Any:
        batch = original(self)
        if os.getpid() == _main_pid:
            _record("batch", _counts["batch"], fingerprint(batch))
        return batch

    __next__.__seedlint_wrapped__ = True  # type: ignore[attr-defined]
    base.__next__ = __next__


def fingerprint(value: Any, depth: int = 0) -> str:
    """A short hash of tensors, arrays, numbers and strings nested in lists, tuples and dicts."""
    h = hashlib.blake2b(digest_size=8)
    _feed(h, value, depth)
    return h.hexdigest()


def _feed(h: Any, value: Any, depth: int) -> None:
    if depth > 6:
        return
    kind = type(value).__module__ + "." + type(value).__qualname__
    h.update(kind.encode())
    if isinstance(value, dict):
        for key in sorted(value, key=repr):
            h.update(repr(key).encode())
            _feed(h, value[key], depth + 1)
    elif isinstance(value, (list, tuple)):
        for item in value[:4096]:
            _feed(h, item, depth + 1)
    elif hasattr(value, "detach") and hasattr(value, "numel"):  # a tensor
        try:
            t = value.detach()
            h.update(repr((tuple(t.shape), str(t.dtype))).encode())
            flat = t.reshape(-1)
            if flat.numel() > _SAMPLE:
                flat = flat[:: flat.numel() // _SAMPLE + 1]
            if str(flat.dtype) in _NO_NUMPY:
                flat = flat.double()
            h.update(flat.cpu().contiguous().numpy().tobytes())
        except (RuntimeError, TypeError):  # sparse, meta, …
            h.update(repr(value)[:256].encode())
    elif hasattr(value, "tobytes") and hasattr(value, "shape"):  # a numpy array
        h.update(repr((value.shape, str(value.dtype))).encode())
        flat = value.reshape(-1)
        if flat.size > _SAMPLE:
            flat = flat[:: flat.size // _SAMPLE + 1]
        h.update(flat.tobytes())
    else:
        h.update(repr(value)[:256].encode())


#: torch dtypes numpy cannot hold: hashed as float64.
_NO_NUMPY = frozenset(
    {"torch.bfloat16", "torch.float8_e4m3fn", "torch.float8_e5m2", "torch.complex32"}
)


# --- patching modules as they are imported --------------------------------------------------------

_AFTER_IMPORT: dict[str, Callable[[ModuleType], None]] = {
    "numpy.random": _patch_numpy_random,
    "torch": _patch_torch,
    "torch.utils.data.dataloader": _patch_loader,
}


class _Finder(importlib.abc.MetaPathFinder):
    """Runs the patch of a module right after the module itself has run."""

    def find_spec(
        self, fullname: str, path: Optional[Sequence[str]], target: Optional[ModuleType] = None
    ) -> Optional[importlib.machinery.ModuleSpec]:
        patch = _AFTER_IMPORT.get(fullname)
        if patch is None:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None:
                break
        else:
            return None
        loader = spec.loader
        exec_module = loader.exec_module

        def run(module: ModuleType) -> None:
            exec_module(module)
            if _AFTER_IMPORT.pop(fullname, None) is not None:
                _safely(patch, module)

        loader.exec_module = run  # type: ignore[method-assign]
        return spec
