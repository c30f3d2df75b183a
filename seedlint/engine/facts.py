"""Per-file facts: what one parse of one file tells the project analysis.

Plain picklable data, so files can be analysed in worker processes and cached by content hash.
The project analysis (:mod:`seedlint.engine.program`) works from these alone, never from a CST.

Call targets are tuples:

* ``("local", "f")`` / ``("local", "C.m")`` — a definition in this file;
* ``("import", level, "pkg.mod.f")`` — a dotted name reached through an import (``level`` > 0
  for relative imports); the project analysis decides whether it is a project definition;
* ``("self", "C", "m")`` — ``self.m()`` inside a method of class ``C``;
* ``("super", "C", "m")`` — ``super().m()`` inside class ``C``;
* ``("attr", "m")`` — ``x.m()``: the receiver is in ``Call.receiver``; when its value is not
  known, the call is resolved by name among the classes the program instantiates;
* ``("value",)`` — a call of a value (a variable, parameter, attribute, subscript or call
  result), the callee in ``Call.receiver``;
* ``("stars", "name")`` — a name that only ``from m import *`` statements can bind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Union

from seedlint.engine.notebook import CellMap
from seedlint.findings import Finding, Span

Target = tuple[Union[str, int], ...]

#: A parameter value known statically: True/False/None, a number or a string.
Literal = Union[bool, int, float, str, None]

#: A value expression, evaluated by the project analysis against what it knows at that point
#: (see :mod:`seedlint.engine.vexpr` for the forms): ``("lit", v)``, ``("param", name)``,
#: ``("local", name)``, ``("global", name)``, ``("closure", scope, name)``, ``("self", attr)``,
#: ``("selfobj",)``, ``("ref", target)``, ``("call", order)``, ``("ifexp", cond, a, b)``,
#: ``("seq", items)``, ``("dict", ((key, value), ...))``, ``("sub", base, key)``,
#: ``("getattr", base, name)``, ``("hash", v)``, ``("str",)``, ``("entropy", source)``,
#: ``("mix", parts)``, ``("other",)``.
VExpr = tuple[Any, ...]

#: A condition: ("truth", v) | ("not", c) | ("cmp", v, op, literal) | ("and", c, c) |
#: ("or", c, c) | ("unknown",) — v a value expression.
Condition = tuple[Any, ...]

OTHER: VExpr = ("other",)


@dataclass(frozen=True)
class Draw:
    """A draw from a library's global generator.

    ``kind``: "draw" (a sampling call), "construct" (a layer constructor that initialises its
    parameters from the global generator), "stochastic" (a module such as ``nn.Dropout`` that
    draws whenever the model holding it is called in training mode), or a library call that
    draws for the user (DESIGN, "Library calls that draw for you"): "library" (it draws when
    called: ``train_test_split``), "fit" (the estimator or splitter it builds draws when fitted
    or split) or "apply" (a random transform: it draws each time it is applied)."""

    lib: str
    api: str
    span: Span
    order: int
    #: The call as written, shortened (``np.random.rand(3)``, ``nn.Linear(4, 2)``).
    text: str = ""
    kind: str = "draw"
    #: Library calls: the argument that would seed it (``random_state``, ``seed``) for messages;
    #: its value when not decided from this file alone (it draws only when that is ``None``);
    #: the unsafe fix's (stream key, keyword, position) — empty when there is none.
    param: str = ""
    seed: Optional[VExpr] = None
    fix: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Seed:
    """A call that seeds ``libs``; ``deterministic`` False: from a seed that changes from run
    to run (RNG201, decided from this file alone)."""

    libs: frozenset[str]
    api: str
    order: int
    deterministic: bool = True
    #: Where the call is (None for seeds known only through a configured helper's name).
    span: Optional[Span] = None
    #: The seed as a value expression, judged again where the program knows more (a parameter
    #: left ``None``, an argparse default, a helper's return value); None: nothing to judge.
    value: Optional[VExpr] = None
    #: ``None`` (or no seed at all, ``value`` then ``("lit", None)``) means OS entropy.
    none_entropy: bool = False
    #: Restores a saved state (``np.random.set_state``) rather than seeding from a value.
    restores: bool = False
    text: str = ""
    #: The seed differs per process: its expression (or the assignments of the variable passed)
    #: mentions the rank (``args.seed + misc.get_rank()``).
    per_rank: bool = False


@dataclass(frozen=True)
class Call:
    """A call that may reach project code; ``value`` marks a function passed as a value
    (kept for the per-file rules that follow calls; the project analysis reads ``args``)."""

    target: Target
    order: int
    value: bool = False
    #: Every argument: (position or keyword, value expression); ("*", OTHER) when ``*args`` or a
    #: forwarded ``**kwargs`` may pass anything from there on, ("**", OTHER) for a ``**config``
    #: mapping built here.
    args: tuple[tuple[Union[int, str], VExpr], ...] = ()
    span: Optional[Span] = None
    #: The call as written, shortened (``Trainer(callbacks=[…])``).
    text: str = ""
    #: For ``x.m()``: the receiver ``x`` as a value expression; for ``f()`` where ``f`` is a
    #: variable, parameter, subscript or call result: the callee (target ``("value",)``).
    receiver: Optional[VExpr] = None
    #: The call is a ``with`` item: the order at which its block ends (0: not a ``with``).
    with_end: int = 0
    #: The absolute name of an external callee (``torch.utils.data.DataLoader``), if any.
    external: Optional[str] = None
    #: A decorator applied to the definition it decorates (``args`` holds that definition):
    #: followed only when the decorator is project code.
    decorator: bool = False
    #: A library call that draws for the user (a ``Draw`` of kind "library", "fit" or "apply"),
    #: with ``library_of`` the library whose objects have the method (``df.sample()``:
    #: "pandas"; it draws only when the receiver is not a project object) or "".
    library: Optional[Draw] = None
    library_of: str = ""


@dataclass(frozen=True)
class Bind:
    """``name = value`` in execution order: ``kind`` "local" (a name of the function, its
    parameters included), "global" (a module-level name), "self" (``self.name``), "attr"
    (``args.seed = …``: ``name`` is the chain) or "item-local" / "item-global" (``name[key] =
    value``: ``value`` is ``("seq", (key, value))``)."""

    kind: str
    name: str
    value: VExpr
    order: int


@dataclass(frozen=True)
class Return:
    value: VExpr
    order: int


@dataclass(frozen=True)
class Import:
    """``import module`` (``names`` empty) or ``from module import names`` (``level`` dots)."""

    module: str
    level: int
    names: tuple[str, ...]
    order: int


Event = Union[Draw, Seed, Call, Import, Bind, Return]


@dataclass
class ScopeFacts:
    """The events of one execution scope (module top level, a function or a lambda), in
    execution order."""

    name: str
    events: list[Event] = field(default_factory=list)
    #: Positional parameter names (without ``self``), then keyword-only ones in ``kwonly``.
    params: tuple[str, ...] = ()
    kwonly: tuple[str, ...] = ()
    #: Defaults of parameters, as value expressions over the module's names (a literal, a
    #: function, a module constant).
    defaults: dict[str, VExpr] = field(default_factory=dict)
    #: ``*args`` / ``**kwargs`` parameter names ("" when absent).
    star: str = ""
    starstar: str = ""
    #: Parameters assigned in the body (kept for the per-file rules).
    reassigned: frozenset[str] = frozenset()
    #: order → the conditions an event sits under (innermost last).
    conditions: dict[int, tuple[Condition, ...]] = field(default_factory=dict)
    #: The body yields (a generator; with ``@contextmanager``, a context manager).
    generator: bool = False
    #: A method: the class it belongs to ("" otherwise); ``static`` for static methods.
    method_of: str = ""
    static: bool = False
    #: A pytest fixture: "autouse" (runs before every test it applies to) or "fixture" (runs
    #: when a test names it as a parameter); "" otherwise.
    fixture: str = ""


@dataclass
class ClassFacts:
    name: str
    bases: list[Target] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)
    #: Keyword names passed in calls inside the class body, and string keys set on dicts
    #: (``kwargs.setdefault("worker_init_fn", …)``): what a subclass supplies to its base.
    mentions: set[str] = field(default_factory=set)
    #: ``self.x = …`` assignments in the class's methods, by attribute: how many.
    attr_writes: dict[str, int] = field(default_factory=dict)
    #: Methods decorated ``@property`` / ``@cached_property``.
    properties: list[str] = field(default_factory=list)
    #: A ``@dataclass`` (its ``__post_init__`` runs when it is built).
    dataclass: bool = False


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
    #: ``parser.add_argument("--seed", default=…)`` in this file: dest → (default, the value is
    #: a string when given on the command line).
    argparse: dict[str, tuple[Literal, bool]] = field(default_factory=dict)
    #: Functions by qualified name: (first line, last line) — which scope a finding lies in.
    function_lines: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: The program's own seed, where this file seeds from one (``set_seed(args.seed)``,
    #: ``torch.manual_seed(cfg.seed)``): (function, line of that call, line after which the
    #: seed's value is known — 0: from the function's start, a parameter —, the expression,
    #: the call's target — a project helper to extend when it leaves a library out).
    program_seeds: list[tuple[str, int, int, str, Optional[Target]]] = field(default_factory=list)

    def scope_at(self, line: int) -> str:
        """The innermost function around ``line`` ("" for the module's top level)."""
        best, best_start = "", -1
        for qual, (first, last) in self.function_lines.items():
            if first <= line <= last and first > best_start:
                best, best_start = qual, first
        return best

    @property
    def has_guard(self) -> bool:
        return self.guard_orders[0] >= 0

    def in_guard(self, order: int) -> bool:
        lo, hi = self.guard_orders
        return lo <= order < hi
