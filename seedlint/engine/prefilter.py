"""The textual prefilter: which files need the full (libcst) analysis at all.

A file can hold a finding, or change one elsewhere, only through randomness: a draw, a seed, a
generator, a DataLoader or sampler, a device factory, a determinism flag — each of which needs
one of the API names in :mod:`seedlint.apis` to appear in the file as an identifier (in the call
or in the import that binds it). A file without any is *light*. A light file still matters when
the project analysis could go through it to reach one that is not: when it mentions a function,
method or class defined in a relevant file (a call, a base class, a callback) or such a file's
module name (an import). Relevance is closed under that relation, so a light file that is left
out of the project analysis can reach no draw, no seed and no DataLoader: it cannot change any
finding. Light files are only checked for syntax errors (with CPython's parser; a file it
rejects gets the full analysis, so the RNG999 finding is the same). The one difference: valid
Python that libcst cannot parse (very deep nesting) is not RNG999 ("not checked") when it is
light: there is nothing in it to check.

In file scope (the flake8 plugin, ``--scope file``) a file is its own program, so a light file
is simply one without the vocabulary: about half the files of torch, timm and detectron2. In
project scope the closure keeps 99.5–100 % of the files of real projects (the project analysis
resolves ``x.m()`` by method name, and real code mentions common names everywhere), so the
runner does not use it there (see ``runner.prefilter_for``).

Always analysed in full: package ``__init__.py`` files (they define the package structure the
project analysis resolves imports with), ``__main__.py`` and notebooks.

The filter errs one way only: a word in a comment or a string counts as a mention.
``tests/test_prefilter.py`` runs fixtures and real code with and without it and compares.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache

from seedlint import apis

_IDENT = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")
_DEF = re.compile(rb"^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+([A-Za-z_][A-Za-z0-9_]*)", re.M)
#: ``x.__init__(…)`` and the like, other than ``super().__init__(…)``: an explicit dunder call
#: resolved by method name (implicit ones go through a class name, which is a mention).
_EXPLICIT_DUNDER = re.compile(rb"(?<!super\(\))\.__[A-Za-z0-9_]+__\s*\(")
_SEED = re.compile(rb"seed", re.I)
#: Names rules look for besides the API tables (worker code, generator attributes, flags).
_RULE_WORDS = ("worker_init_fn", "get_worker_info", "generator", "benchmark", "deterministic")


def _leaves(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value.rsplit(".", 1)[-1]
    elif isinstance(value, Mapping):
        for key in value:
            yield from _leaves(key)
    elif isinstance(value, (set, frozenset, tuple, list)):
        for item in value:
            yield from _leaves(item)


class Triggers:
    """What makes a file relevant on its own (see :func:`triggered`)."""

    def __init__(self, seed_functions: frozenset[str]) -> None:
        a = apis
        # Every way to reach ``random`` / ``numpy.random`` / ``torch.random`` names the module.
        standalone = {"random", *_RULE_WORDS}
        # Libraries that draw for the user (``from sklearn… import``, ``import pandas``): the
        # import names the library.
        standalone |= {"sklearn", "pandas", "datasets", "torchvision"}
        tables: tuple[object, ...] = (
            a.NUMPY_BIT_GENERATORS,
            a.NUMPY_SEEDABLE_CONSTRUCTORS,
            a._NUMPY_CONSTRUCTOR_ALIASES,
            a.PYTHON_GENERATOR_CONSTRUCTORS,
            a.PRIVATE_GENERATOR_CONSTRUCTORS,
            a.TORCH_GENERATOR_SEEDING_METHODS,
            a.SEEDERS,
            a.SEEDING_METHODS,
            a.ENTROPY_RESEEDS,
            a.DATALOADERS,
            a.SAMPLERS,
            a.DATASET_BASES,
            a.RESEEDING_WORKER_INITS,
            a.DETERMINISM_ENABLERS,
            a.CUDNN_MODULES,
            a.CUDNN_BENCHMARK_CALLS,
            seed_functions,
        )
        for table in tables:
            standalone.update(_leaves(table))
        # ``Generator`` (also ``typing.Generator``) and ``flags`` count with their module only.
        standalone -= {"Generator", "flags"}
        # torch APIs are reached through a name that mentions torch (``import torch``,
        # ``from torch.nn import functional as F``); tensor methods need it too (the collector
        # reports them only in files that import torch).
        with_torch = {"Generator", "distributions"}
        torch_tables: tuple[object, ...] = (
            a.TORCH_DRAWS,
            a.TORCH_INIT_DRAWS,
            a.TORCH_FUNCTIONAL_DRAWS,
            a.TORCH_TRAINING_FLAGS,
            a.TORCH_TENSOR_SAMPLERS,
            a.TORCH_RANDOM_FACTORIES,
            a.TORCH_CUDA_TENSOR_TYPES,
            a.TORCH_GENERATOR_CONSTRUCTORS,
            a.TORCH_LAYER_CONSTRUCTORS,
            a.TORCH_STOCHASTIC_MODULES,
        )
        for table in torch_tables:
            with_torch.update(_leaves(table))
        self.standalone = frozenset(w.encode() for w in standalone if w.isidentifier())
        self.with_torch = frozenset(w.encode() for w in with_torch if w.isidentifier())
        # A private generator handed to a helper draws through a method call (``rng.normal()``).
        methods = sorted(m for m in a.GENERATOR_METHODS if m.isidentifier())
        self.method_call = re.compile(rb"\.(?:" + "|".join(methods).encode() + rb")\s*\(")

    def triggered(self, data: bytes, words: set[bytes]) -> bool:
        return (
            not self.standalone.isdisjoint(words)
            or (b"torch" in words and not self.with_torch.isdisjoint(words))
            or _SEED.search(data) is not None
            or self.method_call.search(data) is not None
        )


@lru_cache(maxsize=8)
def triggers(seed_functions: frozenset[str] = frozenset()) -> Triggers:
    return Triggers(seed_functions)


def always_full(path: str) -> bool:
    name = os.path.basename(path)
    return name in ("__init__.py", "__main__.py") or name.lower().endswith(".ipynb")


def mentions(data: bytes) -> set[bytes]:
    """The identifiers ``data`` uses other than to define them (``def forward`` alone does not
    reach another file's ``forward``); dunders only when the file calls one explicitly."""
    counts = Counter(_IDENT.findall(data))
    for name in _DEF.findall(data):
        counts[name] -= 1
    explicit_dunders = _EXPLICIT_DUNDER.search(data) is not None
    return {
        w
        for w, n in counts.items()
        if n > 0 and (explicit_dunders or not (w.startswith(b"__") and w.endswith(b"__")))
    }


def _provides(path: str, data: bytes) -> set[bytes]:
    """What other files mention to reach into this one: its definitions and its module name
    (every import of a module names its last part; a package's ``__init__`` names its folder)."""
    names = set(_DEF.findall(data))
    parts = os.path.normpath(path).split(os.sep)
    stem = os.path.splitext(parts[-1])[0]
    if stem == "__init__" and len(parts) > 1:
        stem = parts[-2]
    names.add(stem.encode("utf-8", "surrogateescape"))
    return names


def relevant(files: Mapping[str, tuple[str, bytes]], seed_functions: frozenset[str]) -> set[str]:
    """The keys (of ``files``: key → (path, data)) that need the full analysis."""
    trig = triggers(seed_functions)
    result: set[str] = set()
    used: dict[str, set[bytes]] = {}
    for key, (_path, data) in files.items():
        words = mentions(data)
        if trig.triggered(data, words):
            result.add(key)
        else:
            used[key] = words
    # Close over "mentions a name a relevant file provides" (a work list over an index).
    by_word: dict[bytes, list[str]] = {}
    for key, words in used.items():
        for w in words:
            by_word.setdefault(w, []).append(key)
    provided: set[bytes] = set()
    todo = list(result)
    while todo:
        key = todo.pop()
        path, data = files[key]
        for name in _provides(path, data) - provided:
            provided.add(name)
            for other in by_word.pop(name, ()):
                if other not in result:
                    result.add(other)
                    todo.append(other)
    # Package structure and programs: analysed whatever they mention (they provide nothing
    # unless relevant in their own right).
    result.update(key for key, (path, _) in files.items() if always_full(path))
    return result
