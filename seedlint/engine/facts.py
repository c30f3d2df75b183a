"""Per-file facts: what one parse of one file tells the project analysis.

Plain picklable data, so files can be analysed in worker processes and cached by content hash.
The project analysis (:mod:`seedlint.engine.program`) works from these alone, never from a CST.

Call targets are tuples:

* ``("local", "f")`` / ``("local", "C.m")`` — a definition in this file;
* ``("import", level, "pkg.mod.f")`` — a dotted name reached through an import (``level`` > 0
  for relative imports); the project analysis decides whether it is a project definition;
* ``("self", "C", "m")`` — ``self.m()`` inside a method of class ``C``;
* ``("super", "C", "m")`` — ``super().m()`` inside class ``C``;
* ``("attr", "m")`` — ``x.m()`` on an object whose type is unknown: resolved by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Union

from seedlint.engine.notebook import CellMap
from seedlint.findings import Finding, Span

Target = tuple[Union[str, int], ...]

#: A parameter value known statically: True/False/None, a number or a string.
Literal = Union[bool, int, float, str, None]

#: A condition over a function's parameters: ("truth", p) | ("not", c) |
#: ("cmp", p, op, literal) | ("and", c, c) | ("or", c, c) | ("unknown",).
Condition = tuple[object, ...]


@dataclass(frozen=True)
class Draw:
    """A draw from a library's global generator."""

    lib: str
    api: str
    span: Span
    order: int


@dataclass(frozen=True)
class Seed:
    """A call that seeds ``libs``; ``deterministic`` False: from a seed that changes from run
    to run (RNG201) — it does not count as seeding, but the message can say so."""

    libs: frozenset[str]
    api: str
    order: int
    deterministic: bool = True
    #: The seed is this parameter of the enclosing function, and ``None`` would mean OS
    #: entropy: a call that leaves it ``None`` does not seed.
    none_param: Optional[str] = None
    #: Where the call is (None for seeds known only through a configured helper's name).
    span: Optional[Span] = None


@dataclass(frozen=True)
class Call:
    """A call that may reach project code; ``value`` marks a function passed as a value."""

    target: Target
    order: int
    value: bool = False
    #: Every argument: (position or keyword, "lit" | "param" | "ifexp" | "other" | "star", value).
    args: tuple[tuple[Union[int, str], str, object], ...] = ()
    #: Where the call is; kept only in files that are entry points.
    span: Optional[Span] = None


@dataclass(frozen=True)
class Import:
    """``import module`` (``names`` empty) or ``from module import names`` (``level`` dots)."""

    module: str
    level: int
    names: tuple[str, ...]
    order: int


Event = Union[Draw, Seed, Call, Import]


@dataclass
class ScopeFacts:
    """The events of one execution scope (module top level or one function), in source order."""

    name: str
    events: list[Event] = field(default_factory=list)
    #: Parameter names (without ``self``) and their literal defaults.
    params: tuple[str, ...] = ()
    defaults: dict[str, Literal] = field(default_factory=dict)
    #: Parameters assigned in the body: conditions on them are not decided from arguments.
    reassigned: frozenset[str] = frozenset()
    #: order → the conditions on parameters (``if is_training:``) an event sits under.
    conditions: dict[int, tuple[Condition, ...]] = field(default_factory=dict)


@dataclass
class ClassFacts:
    name: str
    bases: list[Target] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)
    #: Keyword names passed in calls inside the class body, and string keys set on dicts
    #: (``kwargs.setdefault("worker_init_fn", …)``): what a subclass supplies to its base.
    mentions: set[str] = field(default_factory=set)


@dataclass
class FileFacts:
    path: str
    source_hash: str = ""
    parse_error: Optional[Finding] = None
    #: "" is the module's top level; functions by dotted name within the file ("f", "C.m", "f.g").
    scopes: dict[str, ScopeFacts] = field(default_factory=dict)
    classes: dict[str, ClassFacts] = field(default_factory=dict)
    #: Orders of module-level events that lie inside the ``__main__`` guard.
    guard_orders: tuple[int, int] = (-1, -1)
    #: Why this file runs as a program ("a __main__ guard", "script code at line 12"), or None.
    entry_reason: Optional[str] = None
    #: Findings decided from this file alone (RNG1xx, RNG2xx, RNG999, …).
    findings: list[Finding] = field(default_factory=list)
    #: Module-level names bound by imports: name → (level, dotted) — for re-exports.
    exports: dict[str, tuple[int, str]] = field(default_factory=dict)
    #: ``from module import *`` at module level: (level, module).
    star_exports: list[tuple[int, str]] = field(default_factory=list)
    #: line → None for a bare noqa comment, else the codes/prefixes it lists.
    noqa: dict[int, Optional[frozenset[str]]] = field(default_factory=dict)
    #: Per-file facts a whole-program rule collected for itself, by rule code (picklable).
    rule_data: dict[str, Any] = field(default_factory=dict)
    #: A notebook: where each analysed cell lies in the virtual module (findings are mapped
    #: to cells with :func:`seedlint.engine.notebook.to_cell`). None for ``.py`` files.
    cells: Optional[tuple[CellMap, ...]] = None
    #: Cleared by the prefilter: syntax-checked only, left out of the project analysis.
    light: bool = False

    @property
    def has_guard(self) -> bool:
        return self.guard_orders[0] >= 0

    def in_guard(self, order: int) -> bool:
        lo, hi = self.guard_orders
        return lo <= order < hi
