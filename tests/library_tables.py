"""Derive the tables of ``seedlint/library_tables.py`` from the installed libraries.

``tests/test_library_tables.py`` compares what these functions find with the committed tables
and fails when a release adds or removes a call that draws; ``python -m tests.library_tables``
prints the module to commit (``> seedlint/library_tables.py``).

scikit-learn, pandas and ``datasets`` are introspected (imported); torchvision is read from its
installed source files only (its compiled ops do not load next to a CPU torch build).
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import json
import os
import pkgutil
import warnings
from collections.abc import Iterable
from typing import Any, Optional

from seedlint import apis

# --- scikit-learn ------------------------------------------------------------------------------


def _public_modules(package: Any) -> Iterable[Any]:
    yield package
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        parts = info.name.split(".")
        if any(p.startswith("_") or p in ("tests", "conftest") for p in parts):
            continue
        try:
            yield importlib.import_module(info.name)
        except Exception:  # optional dependencies (matplotlib, …)
            continue


def derive_sklearn() -> dict[str, tuple[str, int, object]]:
    """Public callables of scikit-learn that take ``random_state``, by every public module that
    exports them: qualname → ("call" for a function that draws when called, "use" for a class
    whose instances draw when fitted or split; the position ``random_state`` takes when passed
    positionally, -1 when keyword-only; its default)."""
    import sklearn
    import sklearn.experimental.enable_halving_search_cv
    import sklearn.experimental.enable_iterative_imputer

    out: dict[str, tuple[str, int, object]] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for module in _public_modules(sklearn):
            names = getattr(module, "__all__", None)
            if names is None:  # sklearn.dummy: what the module itself defines
                names = [
                    n
                    for n in dir(module)
                    if getattr(getattr(module, n, None), "__module__", "").startswith(
                        (module.__name__ + ".", module.__name__ + "._")
                    )
                    or getattr(getattr(module, n, None), "__module__", "") == module.__name__
                ]
            for name in names:
                if name.startswith("_"):
                    continue
                try:
                    obj = getattr(module, name)
                except Exception:
                    continue
                if not callable(obj) or inspect.ismodule(obj):
                    continue
                try:
                    params = list(inspect.signature(obj).parameters.values())
                except (TypeError, ValueError):
                    continue
                names_ = [p.name for p in params]
                if "random_state" not in names_:
                    continue
                p = params[names_.index("random_state")]
                position = -1
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and not any(
                    q.kind == q.VAR_POSITIONAL for q in params[: names_.index("random_state")]
                ):
                    position = names_.index("random_state")
                default = None if p.default is p.empty else p.default
                if not isinstance(default, (int, type(None))):
                    default = repr(default)
                kind = "use" if inspect.isclass(obj) else "call"
                if kind == "use" and "Base" in name:
                    continue  # abstract bases (BaseShuffleSplit)
                out[f"{module.__name__}.{name}"] = (kind, position, default)
    return dict(sorted(out.items()))


# --- pandas ------------------------------------------------------------------------------------


def derive_pandas() -> dict[str, int]:
    """Public pandas methods whose ``random_state`` goes through
    ``pandas.core.common.random_state`` (numpy's global RandomState when it is None):
    "Class.method" → the position of ``random_state`` among the method's parameters (self
    excluded)."""
    import pandas as pd
    from pandas.core.groupby import DataFrameGroupBy, SeriesGroupBy

    out: dict[str, int] = {}
    for cls in (pd.DataFrame, pd.Series, DataFrameGroupBy, SeriesGroupBy):
        for name, member in inspect.getmembers(cls):
            if name.startswith("_") or not callable(member):
                continue
            try:
                params = list(inspect.signature(member).parameters)
            except (TypeError, ValueError):
                continue
            if "random_state" not in params:
                continue
            source = inspect.getsource(member)
            if "random_state(" not in source:
                continue
            out[f"{cls.__name__}.{name}"] = params.index("random_state") - 1
    return dict(sorted(out.items()))


# --- Hugging Face datasets ---------------------------------------------------------------------


def derive_datasets() -> dict[str, tuple[tuple[str, int], ...]]:
    """Methods of ``datasets``' dataset classes that take a ``seed``: "Class.method" → the
    parameters that seed them (``seed``, ``seeds``, ``generator``, ``generators``) with their
    positions (self excluded)."""
    import datasets

    out: dict[str, tuple[tuple[str, int], ...]] = {}
    for cls in (
        datasets.Dataset,
        datasets.DatasetDict,
        datasets.IterableDataset,
        datasets.IterableDatasetDict,
    ):
        for name, member in inspect.getmembers(cls):
            if name.startswith("_") or not callable(member):
                continue
            try:
                params = inspect.signature(member).parameters
            except (TypeError, ValueError):
                continue
            if "seed" not in params and "seeds" not in params:
                continue
            names = list(params)
            out[f"{cls.__name__}.{name}"] = tuple(
                (p, names.index(p) - 1)
                for p in ("seed", "seeds", "generator", "generators")
                if p in params
            )
    return dict(sorted(out.items()))


def hf_datasets_names() -> frozenset[str]:
    """What ``import datasets`` exports (to tell Hugging Face's ``datasets`` from a project
    package of that name)."""
    import datasets

    return frozenset(n for n in dir(datasets) if not n.startswith("_"))


# --- torchvision (source only) -----------------------------------------------------------------


def torchvision_root() -> Optional[str]:
    spec = importlib.util.find_spec("torchvision")
    if spec is None or not spec.submodule_search_locations:
        return None
    return os.path.join(next(iter(spec.submodule_search_locations)), "transforms")


_PY_DRAWS = {f"random.{n}" for n in apis.PYTHON_RANDOM_DRAWS}
_TORCH_DRAWS = {f"torch.{n}" for n in apis.TORCH_DRAWS}


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


class _Func:
    def __init__(self, node: ast.AST) -> None:
        self.libs: set[str] = set()
        self.self_calls: set[str] = set()
        self.global_calls: set[str] = set()
        for n in ast.walk(node):
            if not isinstance(n, ast.Call):
                continue
            name = _dotted(n.func)
            if name in _TORCH_DRAWS:
                self.libs.add(apis.TORCH)
            elif name in _PY_DRAWS:
                self.libs.add(apis.PYTHON)
            elif isinstance(n.func, ast.Attribute):
                attr = n.func.attr
                if attr in apis.TORCH_TENSOR_SAMPLERS or attr in ("sample", "rsample"):
                    self.libs.add(apis.TORCH)  # ``torch.empty(1).uniform_``, a distribution
                elif isinstance(n.func.value, ast.Name) and n.func.value.id in ("self", "cls"):
                    self.self_calls.add(attr)
                elif isinstance(n.func.value, ast.Name):
                    self.self_calls.add(attr)  # ``RandomCrop.get_params(...)``-style
            elif isinstance(n.func, ast.Name):
                self.global_calls.add(n.func.id)
        for n in ast.walk(node):
            # kernels passed as values: ``self._call_kernel(F.gaussian_noise, …)``
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "F":
                self.global_calls.add(n.attr)


Classes = dict[str, tuple[list[str], dict[str, _Func]]]


def _parse_file(path: str, classes: Classes, functions: dict[str, _Func]) -> None:
    """The classes (bases, methods) and module-level functions one file defines."""
    with open(path, encoding="utf-8") as fh:
        tree = ast.parse(fh.read())
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            methods = {
                m.name: _Func(m)
                for m in node.body
                if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))
            }
            bases = [_dotted(b).rsplit(".", 1)[-1] for b in node.bases]
            classes.setdefault(node.name, (bases, methods))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions.setdefault(node.name, _Func(node))


def _module_all(path: str) -> list[str]:
    with open(path, encoding="utf-8") as fh:
        tree = ast.parse(fh.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return [str(v) for v in ast.literal_eval(node.value)]
    return []


def _init_names(folder: str) -> list[str]:
    """What a package's ``__init__.py`` exports (``from .x import *`` through ``x.__all__``)."""
    with open(os.path.join(folder, "__init__.py"), encoding="utf-8") as fh:
        tree = ast.parse(fh.read())
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            if any(a.name == "*" for a in node.names):
                names += _module_all(os.path.join(folder, node.module + ".py"))
            else:
                names += [a.asname or a.name for a in node.names]
    return names


def _draws(classes: Classes, funcs: dict[str, _Func], cls: str, entry: tuple[str, ...]) -> set[str]:
    """The libraries whose global generator ``cls``'s ``entry`` methods draw from, following
    ``self.m()`` (resolved on ``cls`` through its bases) and module-level functions."""

    def resolve(c: str, method: str, seen: frozenset[str] = frozenset()) -> Optional[_Func]:
        if c not in classes or c in seen:
            return None
        bases, methods = classes[c]
        if method in methods:
            return methods[method]
        for b in bases:
            found = resolve(b, method, seen | {c})
            if found is not None:
                return found
        return None

    libs: set[str] = set()
    called: list[str] = []
    stack, done = list(entry), set()
    while stack:
        m = stack.pop()
        if m in done:
            continue
        done.add(m)
        f = resolve(cls, m)
        if f is not None:
            libs |= f.libs
            stack += list(f.self_calls)
            called += list(f.global_calls)
    for name in called:
        libs |= _function_draws(funcs, name)
    return libs


def _function_draws(funcs: dict[str, _Func], name: str) -> set[str]:
    libs: set[str] = set()
    stack, done = [name], set()
    while stack:
        n = stack.pop()
        if n in done or n not in funcs:
            continue
        done.add(n)
        libs |= funcs[n].libs
        stack += list(funcs[n].global_calls)
    return libs


def _library(libs: set[str]) -> str:
    return apis.TORCH if apis.TORCH in libs else sorted(libs)[0]


def derive_torchvision(root: str) -> tuple[dict[str, str], dict[str, str]]:
    """torchvision's random transforms, from its source: (public class qualname → the library
    whose global generator it draws from when applied; public functions and ``Class.get_params``
    static methods that draw → that library). v1 and v2 share class names but not code: each
    public module's names are looked up among the classes of its own files."""
    v1: Classes = {}
    v1_funcs: dict[str, _Func] = {}
    for file in ("transforms.py", "autoaugment.py", "_presets.py"):
        if os.path.isfile(os.path.join(root, file)):
            _parse_file(os.path.join(root, file), v1, v1_funcs)
    v2_root = os.path.join(root, "v2")
    v2: Classes = {}
    v2_funcs: dict[str, _Func] = {}
    for folder, _, files in os.walk(v2_root):
        for file in sorted(f for f in files if f.endswith(".py")):
            _parse_file(os.path.join(folder, file), v2, v2_funcs)
    exports = {
        "torchvision.transforms": (_init_names(root), v1, v1_funcs),
        "torchvision.transforms.v2": (_init_names(v2_root), v2, v2_funcs),
        "torchvision.transforms.transforms": (
            _module_all(os.path.join(root, "transforms.py")),
            v1,
            v1_funcs,
        ),
        "torchvision.transforms.autoaugment": (
            _module_all(os.path.join(root, "autoaugment.py")),
            v1,
            v1_funcs,
        ),
    }
    classes_out: dict[str, str] = {}
    calls_out: dict[str, str] = {}
    for module, (names, classes, funcs) in exports.items():
        for name in names:
            if name not in classes:
                continue
            libs = _draws(classes, funcs, name, ("forward", "__call__"))
            if libs:
                classes_out[f"{module}.{name}"] = _library(libs)
            if "get_params" in classes[name][1]:
                libs = _draws(classes, funcs, name, ("get_params",))
                if libs:
                    calls_out[f"{module}.{name}.get_params"] = _library(libs)
    # public functional kernels that draw (``v2.functional.gaussian_noise``)
    functional = os.path.join(v2_root, "functional")
    if os.path.isfile(os.path.join(functional, "__init__.py")):
        for name in _init_names(functional):
            libs = _function_draws(v2_funcs, name)
            if libs:
                calls_out[f"torchvision.transforms.v2.functional.{name}"] = _library(libs)
    return dict(sorted(classes_out.items())), dict(sorted(calls_out.items()))


# --- the module --------------------------------------------------------------------------------


def _table(comment: list[str], header: str, items: dict[str, Any]) -> list[str]:
    lines = ["", *(f"#: {c}" for c in comment), header]
    lines += [f"    {_lit(k)}: {_lit(v)}," for k, v in items.items()]
    return [*lines, "}"]


def render() -> str:
    root = torchvision_root()
    assert root is not None, "torchvision is not installed"
    import datasets
    import pandas
    import sklearn

    tv_classes, tv_calls = derive_torchvision(root)
    lines = [
        '"""Library calls that draw from a global generator for the user: GENERATED by',
        "``python -m tests.library_tables`` from the installed libraries (scikit-learn",
        f"{sklearn.__version__}, pandas {pandas.__version__}, datasets {datasets.__version__},",
        f"torchvision {_version('torchvision')} read as source). Do not edit:",
        '``tests/test_library_tables.py`` fails when these drift from the installed libraries."""',
        "",
        "from __future__ import annotations",
    ]
    lines += _table(
        [
            'scikit-learn: qualname → ("call": draws when called, "use": its instances draw when',
            "fitted or split; position of ``random_state`` or -1 (keyword-only); its default).",
        ],
        "SKLEARN: dict[str, tuple[str, int, object]] = {",
        derive_sklearn(),
    )
    lines += _table(
        [
            "pandas methods whose ``random_state`` None means numpy's global RandomState:",
            '"Class.method" → position of ``random_state`` (self excluded).',
        ],
        "PANDAS: dict[str, int] = {",
        derive_pandas(),
    )
    lines += _table(
        [
            'Hugging Face ``datasets``: "Class.method" → the parameters that seed it, with',
            "their positions (self excluded).",
        ],
        "DATASETS: dict[str, tuple[tuple[str, int], ...]] = {",
        derive_datasets(),
    )
    lines += [
        "",
        "#: What ``import datasets`` (Hugging Face) exports.",
        "DATASETS_EXPORTS: frozenset[str] = frozenset(",
        "    {",
        *(f"        {_lit(name)}," for name in sorted(hf_datasets_names())),
        "    }",
        ")",
    ]
    lines += _table(
        ["torchvision random transforms: public qualname → the library drawn from when applied."],
        "TORCHVISION: dict[str, str] = {",
        tv_classes,
    )
    lines += _table(
        ["torchvision functions and ``get_params`` static methods that draw when called."],
        "TORCHVISION_CALLS: dict[str, str] = {",
        tv_calls,
    )
    return "\n".join(lines) + "\n"


def _lit(value: object) -> str:
    """``repr`` with double-quoted strings (the repository's style)."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, tuple):
        inner = ", ".join(_lit(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return repr(value)


def _version(dist: str) -> str:
    from importlib.metadata import version

    return version(dist)


if __name__ == "__main__":
    print(render(), end="")
