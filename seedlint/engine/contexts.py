"""Entry-point contexts: ``program``, ``demo``, ``benchmark``, ``test`` (DESIGN: "Contexts").

A finding's context is the most important context among the entry points that run it
(program > demo > benchmark > test); a finding located in a test file is ``test``; a finding no
entry point reaches takes its context from its path. By default only ``program`` findings are
shown; the others are counted in the summary.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from typing import Optional

PROGRAM, DEMO, BENCHMARK, TEST = "program", "demo", "benchmark", "test"
#: Most important first.
CONTEXTS = (PROGRAM, DEMO, BENCHMARK, TEST)
DEFAULT = (PROGRAM,)
_RANK = {c: i for i, c in enumerate(CONTEXTS)}

_BENCH = re.compile(r"^(bench|benchmark|profile|profiling)", re.IGNORECASE)


def parts(path: str) -> list[str]:
    return [p for p in path.replace("\\", "/").split("/") if p and p not in (".", "..")]


def is_test_file(path: str) -> bool:
    """A file pytest would collect or configure: ``test_*.py``, ``*_test.py``, ``conftest.py``,
    or any file under a ``tests/`` or ``test/`` folder."""
    ps = parts(path)
    if not ps:
        return False
    name = ps[-1]
    stem = name.rsplit(".", 1)[0]
    if stem.startswith("test_") or stem.endswith("_test") or stem == "conftest":
        return True
    return any(p in ("tests", "test") for p in ps[:-1])


def is_test_module(path: str) -> bool:
    """A module pytest collects tests from (its default ``python_files``)."""
    ps = parts(path)
    if not ps or not ps[-1].endswith(".py"):
        return False
    stem = ps[-1][:-3]
    return stem.startswith("test_") or stem.endswith("_test")


def is_benchmark_file(path: str) -> bool:
    """A path part or file name starting with ``bench``/``benchmark``, or ``profile``/
    ``profiling``."""
    ps = parts(path)
    for p in ps:
        stem = p.rsplit(".", 1)[0] if p.endswith((".py", ".ipynb")) else p
        if _BENCH.match(stem):
            return True
    return False


def of_path(path: str) -> Optional[str]:
    """The context a path alone implies: ``test``, ``benchmark`` or None."""
    if is_test_file(path):
        return TEST
    if is_benchmark_file(path):
        return BENCHMARK
    return None


def best(contexts: Iterable[str]) -> Optional[str]:
    found = sorted(set(contexts), key=lambda c: _RANK.get(c, len(_RANK)))
    return found[0] if found else None


def parse(text: str, where: str) -> tuple[str, ...]:
    """``all`` or a comma-separated list of contexts."""
    items = [t.strip().lower() for t in text.replace(" ", ",").split(",") if t.strip()]
    return check(items, where)


def check(items: Sequence[str], where: str) -> tuple[str, ...]:
    from seedlint.config import ConfigError

    if not items:
        raise ConfigError(f"{where}: no context given (choose from all, {', '.join(CONTEXTS)})")
    if "all" in items:
        return CONTEXTS
    for item in items:
        if item not in CONTEXTS:
            raise ConfigError(
                f"{where}: unknown context '{item}' (choose from all, {', '.join(CONTEXTS)})"
            )
    return tuple(c for c in CONTEXTS if c in items)


def conftests_above(key: str, files: Iterable[str]) -> list[str]:
    """The analysed ``conftest.py`` files in the folders above ``key`` (outermost first)."""
    present = {f for f in files if os.path.basename(f) == "conftest.py"}
    out: list[str] = []
    d = os.path.dirname(key)
    while True:
        candidate = os.path.join(d, "conftest.py")
        if candidate in present and candidate != key:
            out.append(candidate)
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    return list(reversed(out))
