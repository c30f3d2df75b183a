"""``[tool.seedlint]`` loading and validation, merged with command-line options."""

from __future__ import annotations

import fnmatch
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Optional

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]


class ConfigError(Exception):
    """A configuration problem: reported as one line, exit status 2."""


KEYS = (
    "select",
    "ignore",
    "extend-select",
    "per-file-ignores",
    "exclude",
    "extend-exclude",
    "seed-functions",
    "entry-points",
    "scope",
    "contexts",
)
SCOPES = ("project", "file")
DEFAULT_EXCLUDE = (
    ".git",
    ".hg",
    ".svn",
    ".bzr",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    ".eggs",
    "*.egg-info",
    "__pycache__",
    ".ipynb_checkpoints",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "__pypackages__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".seedlint_cache",
    ".ipynb_checkpoints",
    "_build",
    "buck-out",
)


@dataclass(frozen=True)
class Settings:
    select: Optional[tuple[str, ...]] = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    seed_functions: frozenset[str] = frozenset()
    entry_points: tuple[str, ...] = ()
    scope: str = "project"
    #: Entry-point contexts whose findings are shown (see ``seedlint.engine.contexts``).
    contexts: tuple[str, ...] = ("program",)
    #: Directory that relative patterns are taken from (the config file's folder, else cwd).
    root: str = field(default_factory=os.getcwd)
    config_path: Optional[str] = None

    # --- rule selection ---------------------------------------------------------------------

    def enabled(self, codes: Iterable[str], defaults: dict[str, bool]) -> frozenset[str]:
        """Codes switched on: the most specific matching selector wins; ignore wins ties.

        A selector (a code or a prefix in ``select`` or ``extend-select``) selects every rule
        it covers, the rules that are off by default included (``select = ["RNG"]`` turns on
        RNG502), as flake8 does. Without ``select`` the selection starts from the rules that
        are on by default (``defaults``), less specific than any selector or ignore.
        """
        selects = list(self.select or ()) + list(self.extend_select)
        out = set()
        for code in codes:
            best_on = max((len(s) for s in selects if code.startswith(s)), default=-1)
            if self.select is None and defaults.get(code, True):
                best_on = max(best_on, 0)
            best_off = max((len(s) for s in self.ignore if code.startswith(s)), default=-1)
            if best_on >= 0 and best_off < best_on:
                out.add(code)
        return frozenset(out)

    def ignored_for(self, path: str) -> tuple[str, ...]:
        rel = self.relative(path)
        out: list[str] = []
        for pattern, codes in self.per_file_ignores:
            if _path_matches(rel, pattern):
                out.extend(codes)
        return tuple(out)

    def is_excluded(self, path: str, below: Optional[str] = None) -> bool:
        """Does an exclude pattern match ``path``? Name patterns (no ``/``) look only at the
        components under ``below`` (the folder given on the command line), so linting a folder
        inside ``build/`` or ``site-packages/`` explicitly still works."""
        rel = self.relative(path)
        inner = rel
        if below is not None:
            inner = os.path.relpath(os.path.abspath(path), os.path.abspath(below)).replace(
                os.sep, "/"
            )
        for p in self.exclude + self.extend_exclude:
            if "/" in p.rstrip("/"):
                if _path_matches(rel, p):
                    return True
            elif any(fnmatch.fnmatch(part, p.rstrip("/")) for part in inner.split("/")):
                return True
        return False

    def relative(self, path: str) -> str:
        absolute = os.path.abspath(path)
        try:
            rel = os.path.relpath(absolute, self.root)
        except ValueError:
            rel = absolute
        if rel.startswith(".."):
            rel = absolute
        return rel.replace(os.sep, "/")


def _path_matches(rel: str, pattern: str) -> bool:
    pattern = pattern.replace(os.sep, "/").rstrip("/")
    if pattern.startswith("./"):
        pattern = pattern[2:]
    if fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(rel, pattern + "/*"):
        return True
    if "/" not in pattern:
        return any(fnmatch.fnmatch(part, pattern) for part in rel.split("/"))
    return False


# --- loading ------------------------------------------------------------------------------------


def find_config(start: str) -> Optional[str]:
    """The nearest ``pyproject.toml`` above ``start`` that has a ``[tool.seedlint]`` table."""
    d = os.path.abspath(start)
    if not os.path.isdir(d):
        d = os.path.dirname(d)
    while True:
        candidate = os.path.join(d, "pyproject.toml")
        if os.path.isfile(candidate):
            data = _read_toml(candidate)
            if isinstance(data.get("tool"), dict) and "seedlint" in data["tool"]:
                return candidate
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def _read_toml(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            data: dict[str, Any] = tomllib.load(fh)
            return data
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: not UTF-8 ({exc.reason})") from None
    except RecursionError:  # tomllib recurses into nested arrays and inline tables
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None


def load(path: str, known_codes: Sequence[str]) -> Settings:
    """Settings from ``path``: a ``pyproject.toml`` (``[tool.seedlint]``) or a bare TOML table."""
    data = _read_toml(path)
    table: Any
    if os.path.basename(path) == "pyproject.toml" or "tool" in data:
        table = data.get("tool", {}).get("seedlint") if isinstance(data.get("tool"), dict) else None
        if table is None:
            raise ConfigError(f"{path}: no [tool.seedlint] table")
    else:
        table = data
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.seedlint] must be a table")
    return from_table(table, path, known_codes)


def from_table(table: dict[str, Any], path: str, known_codes: Sequence[str]) -> Settings:
    where = f"{path}: [tool.seedlint]"
    for key in table:
        if key not in KEYS:
            hint = _close(key, KEYS)
            raise ConfigError(
                f"{where}: unknown key '{key}'" + (f" (did you mean '{hint}'?)" if hint else "")
            )
    settings = Settings(root=os.path.dirname(os.path.abspath(path)), config_path=path)
    changes: dict[str, Any] = {}
    for key in ("select", "ignore", "extend-select"):
        if key in table:
            codes = _str_list(table[key], f"{where}.{key}")
            check_codes(codes, known_codes, f"{where}.{key}")
            changes[key.replace("-", "_")] = tuple(c.upper() for c in codes)
    if "per-file-ignores" in table:
        raw = table["per-file-ignores"]
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}.per-file-ignores must be a table of pattern = [codes]")
        pfi = []
        for pattern, codes in raw.items():
            lst = _str_list(codes, f"{where}.per-file-ignores.{pattern}")
            check_codes(lst, known_codes, f"{where}.per-file-ignores.{pattern}")
            pfi.append((str(pattern), tuple(c.upper() for c in lst)))
        changes["per_file_ignores"] = tuple(pfi)
    for key in ("exclude", "extend-exclude", "entry-points"):
        if key in table:
            changes[key.replace("-", "_")] = tuple(_str_list(table[key], f"{where}.{key}"))
    if "seed-functions" in table:
        names = _str_list(table["seed-functions"], f"{where}.seed-functions")
        for n in names:
            if not n or any(not part.isidentifier() for part in n.split(".")):
                raise ConfigError(
                    f"{where}.seed-functions: '{n}' is not a dotted name such as 'labtools.reseed'"
                )
        changes["seed_functions"] = frozenset(names)
    if "scope" in table:
        scope = table["scope"]
        if scope not in SCOPES:
            raise ConfigError(f"{where}.scope must be one of {', '.join(SCOPES)}, not {scope!r}")
        changes["scope"] = scope
    if "contexts" in table:
        from seedlint.engine import contexts

        changes["contexts"] = contexts.check(
            [c.lower() for c in _str_list(table["contexts"], f"{where}.contexts")],
            f"{where}.contexts",
        )
    return replace(settings, **changes)


def _str_list(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of strings")
    return [v.strip() for v in value]


def check_codes(codes: Iterable[str], known_codes: Sequence[str], where: str) -> None:
    for code in codes:
        c = code.strip().upper()
        if not c or not any(k.startswith(c) for k in known_codes) or not c.startswith("RNG"):
            raise ConfigError(f"{where}: unknown rule code or prefix '{code}'")


def parse_codes(text: str, known_codes: Sequence[str], where: str) -> tuple[str, ...]:
    codes = tuple(c.strip().upper() for c in text.replace(" ", ",").split(",") if c.strip())
    check_codes(codes, known_codes, where)
    return codes


def _close(word: str, options: Sequence[str]) -> Optional[str]:
    import difflib

    match = difflib.get_close_matches(word, options, n=1)
    return match[0] if match else None
