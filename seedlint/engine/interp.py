"""Running one entry point abstractly: which draws run before their library is seeded.

The entry point's top level is executed event by event, in order (:mod:`seedlint.engine.facts`):
importing a project module runs its top level once, calling a project function walks its body
with what is known of the arguments, building a project class runs its ``__init__``, and a
seeding call marks its libraries seeded. Values are followed as far as the files tell
(:class:`Value`): literals and defaults, argparse options, functions and bound methods passed as
values (callbacks, partials, registries), the instances a program builds and the attributes
their constructors store. Conditions over known values are decided; unknown ones go both ways.

What an entry point runs (DESIGN, "What an entry point runs"):

* calls resolved by name, and functions passed to code outside the project (``map(f, xs)``,
  ``model.apply(init)``, ``CLI(run)``), at the point they are passed;
* methods *called* on an instance (``obj.m()``, ``self.m()``), dispatched on the instance's
  class; on an object of unknown type, the methods of that name among the classes the run
  builds (they run after the main flow);
* protocol methods through their protocol: ``__init__`` when built, ``__call__``/``forward`` when
  an instance is called (an unknown callee may be any instance the run built), or handed to
  outside code; ``__getitem__``/``__iter__`` when handed to a DataLoader (in its workers when
  ``num_workers`` is not 0); ``__enter__`` in ``with``;
* functions stored for later (passed to project code, kept in attributes) when some unknown
  callee may call them.

Code that is not reached by following the main flow in order runs after it: it sees every seed
of the main flow. Worker-side code is seeded exactly when the main flow seeds torch.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Optional

from seedlint import apis
from seedlint.engine.facts import (
    Bind,
    Call,
    Condition,
    Draw,
    FileFacts,
    Import,
    Return,
    ScopeFacts,
    Seed,
    Target,
    VExpr,
)
from seedlint.findings import Span

if TYPE_CHECKING:
    from seedlint.engine.program import Program

#: Nesting bound for followed calls (a few Python frames each: well under the recursion limit).
_MAX_DEPTH = 120
#: Alternatives kept for one value before it becomes unknown.
_MAX_OPTIONS = 8
#: Instances of one class that code running later is followed on (their attributes differ:
#: ``Crops(augment=True)`` and ``Crops(augment=False)``).
_INSTANCES_PER_CLASS = 3
#: Items a registry filled at run time keeps (the first ones).
_MAX_ITEMS = 64
#: Walks of one function that runs later, on different instances.
_LATER_PER_CODE = 3
#: Events executed for one entry point before the walk stops following calls (a safety net
#: against pathological projects; real entry points stay far below it).
_MAX_STEPS = 400_000
_LATER_STEPS = 60_000
#: Steps one pytest test may take, and all the tests of a program together.
_TEST_STEPS = 3_000
_TESTS_STEPS = 300_000

MAIN = "main"
WORKER = "worker"

# --- values ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """A place in the code, for messages: a call on a path, or where a seed's value came from."""

    key: str
    path: str
    span: Span
    text: str

    def describe(self) -> str:
        return f"`{self.path}:{self.span.line} {self.text}`"


class Value:
    __slots__ = ()

    def key(self) -> object:
        return id(self)


class _Unknown(Value):
    __slots__ = ()

    def key(self) -> object:
        return "?"

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Value = _Unknown()


@dataclass(frozen=True, eq=False)
class Lit(Value):
    value: object
    origin: Optional[Site] = None

    def key(self) -> object:
        return ("L", type(self.value).__name__, repr(self.value)[:80], _site_key(self.origin))


@dataclass(frozen=True, eq=False)
class ArgOpt(Value):
    """``args.seed`` of an argparse namespace: the option's default, or what the command line
    gives (a string when ``strish``)."""

    dest: str
    default: object
    strish: bool
    origin: Optional[Site] = None

    def key(self) -> object:
        return ("A", self.dest, repr(self.default), _site_key(self.origin))


@dataclass(frozen=True, eq=False)
class Entropy(Value):
    source: str
    origin: Optional[Site] = None

    def key(self) -> object:
        return ("E", self.source, _site_key(self.origin))


@dataclass(frozen=True, eq=False)
class Str(Value):
    """A string whose text is not known."""

    def key(self) -> object:
        return "S"


@dataclass(frozen=True, eq=False)
class Func(Value):
    key_: str
    qual: str
    bound: tuple[tuple[object, Value], ...] = ()
    self_inst: Optional[Inst] = None
    closure: Optional[dict[str, Value]] = None
    #: The class whose method this is, for ``self.m()`` inside it when no instance is known.
    method_of: Optional[tuple[str, str]] = None

    def key(self) -> object:
        return (
            "F",
            self.key_,
            self.qual,
            tuple((k, v.key()) for k, v in self.bound),
            self.self_inst.key() if self.self_inst is not None else None,
        )


@dataclass(frozen=True, eq=False)
class Cls(Value):
    key_: str
    cls: str

    def key(self) -> object:
        return ("C", self.key_, self.cls)


@dataclass(eq=False)
class Inst(Value):
    key_: str
    cls: str
    uid: int
    attrs: dict[str, Value] = field(default_factory=dict)

    def key(self) -> object:
        # by class: two instances built alike are followed alike (their attributes are part
        # of the memo key where a method runs on them)
        return ("I", self.key_, self.cls)

    @property
    def owner(self) -> tuple[str, str]:
        return (self.key_, self.cls)

    def fingerprint(self) -> object:
        return (self.key_, self.cls, tuple(sorted((k, v.key()) for k, v in self.attrs.items())))


@dataclass(frozen=True, eq=False)
class Ext(Value):
    """Something outside the analysed files, by its absolute name (``numpy.random.normal``)."""

    qualname: str

    def key(self) -> object:
        return ("X", self.qualname)


@dataclass(frozen=True, eq=False)
class LibObj(Value):
    """An object of an outside library that draws from a global generator when it is used
    (DESIGN, "Library calls that draw for you"): an estimator or splitter built without
    ``random_state`` draws when fitted or split, a random transform each time it is applied.
    Objects that hold such objects (a pipeline, a search, ``Compose``, a torchvision dataset
    given a transform) hold their draws too. ``pending``: (draw, its file); messages give
    the path to where the object is used."""

    pending: tuple[tuple[Draw, FileFacts], ...]

    def __repr__(self) -> str:
        return f"LibObj({', '.join(d.api for d, _ in self.pending)})"

    def key(self) -> object:
        cached = self.__dict__.get("_key")
        if cached is None:
            cached = ("B", tuple((d.api, f.path, d.order) for d, f in self.pending))
            object.__setattr__(self, "_key", cached)
        return cached

    @property
    def fits(self) -> bool:
        return any(d.kind == "fit" for d, _ in self.pending)


@dataclass(frozen=True, eq=False)
class Partial(Value):
    func: Value
    args: tuple[tuple[object, Value], ...] = ()

    def key(self) -> object:
        cached = self.__dict__.get("_key")
        if cached is None:
            cached = ("P", self.func.key(), tuple((k, v.key()) for k, v in self.args))
            object.__setattr__(self, "_key", cached)
        return cached


@dataclass(frozen=True, eq=False)
class Seq(Value):
    items: tuple[Value, ...]

    def key(self) -> object:
        cached = self.__dict__.get("_key")
        if cached is None:
            cached = ("Q", tuple(v.key() for v in self.items))
            object.__setattr__(self, "_key", cached)
        return cached


@dataclass(frozen=True, eq=False)
class DictV(Value):
    items: tuple[tuple[object, Value], ...]
    #: Every key is a known literal.
    complete: bool = True

    def key(self) -> object:
        cached = self.__dict__.get("_key")
        if cached is None:
            cached = ("D", tuple((repr(k), v.key()) for k, v in self.items))
            object.__setattr__(self, "_key", cached)
        return cached


@dataclass(frozen=True, eq=False)
class Alt(Value):
    """One of several values (a name assigned in a branch that may or may not run)."""

    options: tuple[Value, ...]

    def key(self) -> object:
        cached = self.__dict__.get("_key")
        if cached is None:
            cached = ("O", tuple(v.key() for v in self.options))
            object.__setattr__(self, "_key", cached)
        return cached


@dataclass(frozen=True, eq=False)
class Namespace(Value):
    """The result of ``parser.parse_args()``."""

    defaults: tuple[tuple[str, tuple[object, bool]], ...]
    overrides: tuple[tuple[str, Value], ...] = ()

    def key(self) -> object:
        return ("N", len(self.defaults), tuple((k, v.key()) for k, v in self.overrides))

    def get(self, dest: str) -> Value:
        for name, value in self.overrides:
            if name == dest:
                return value
        for name, (default, strish) in self.defaults:
            if name == dest:
                return ArgOpt(dest, default, strish)
        return UNKNOWN


def _site_key(site: Optional[Site]) -> object:
    return None if site is None else (site.key, site.span.line, site.span.column)


def join(a: Optional[Value], b: Value) -> Value:
    """A value that may be ``a`` or ``b``."""
    if a is None or a is b:
        return b
    if a is UNKNOWN or b is UNKNOWN:
        return UNKNOWN
    options: list[Value] = []
    seen: set[object] = set()
    for v in (*_options(a), *_options(b)):
        k = v.key()
        if k not in seen:
            seen.add(k)
            options.append(v)
    if len(options) == 1:
        return options[0]
    if len(options) > _MAX_OPTIONS:
        return UNKNOWN
    return Alt(tuple(options))


def _options(v: Value) -> tuple[Value, ...]:
    return v.options if isinstance(v, Alt) else (v,)


def _python_value(v: Value) -> tuple[bool, object]:
    """(known, value) for conditions: literals, argparse defaults other than ``None`` (an
    option left ``None`` means "not given": the command line decides), and objects (never
    ``None``, always true)."""
    if isinstance(v, Lit):
        return True, v.value
    if isinstance(v, ArgOpt):
        return (v.default is not None), v.default
    if isinstance(v, (Func, Cls, Inst, Ext, Partial, LibObj)):
        return True, _OBJECT
    if isinstance(v, Seq):
        return True, tuple(_OBJECT for _ in v.items)
    if isinstance(v, Alt):
        known = [_python_value(o) for o in v.options]
        if all(k for k, _ in known):
            values = [x for _, x in known]
            if all(x is _OBJECT for x in values):
                return True, _OBJECT
        return False, None
    return False, None


class _Object:
    """Stands for an object in conditions: not ``None``, true, equal only to itself."""

    def __bool__(self) -> bool:
        return True


_OBJECT = _Object()


def evaluate_condition(cond: Condition, value_of: Any) -> Optional[bool]:
    """True/False when the values decide ``cond``, None when they do not."""
    kind = cond[0]
    if kind == "truth":
        v = value_of(cond[1])
        if isinstance(v, Alt):
            verdicts = {_truth(o) for o in v.options}
            return verdicts.pop() if len(verdicts) == 1 else None
        return _truth(v)
    if kind == "not":
        inner = evaluate_condition(cond[1], value_of)
        return None if inner is None else not inner
    if kind == "cmp":
        v = value_of(cond[1])
        options = v.options if isinstance(v, Alt) else (v,)
        verdicts = {_compare(o, str(cond[2]), cond[3]) for o in options}
        return verdicts.pop() if len(verdicts) == 1 else None
    if kind in ("and", "or"):
        left = evaluate_condition(cond[1], value_of)
        if kind == "and" and left is False:
            return False
        if kind == "or" and left is True:
            return True
        right = evaluate_condition(cond[2], value_of)
        if kind == "and":
            if right is False:
                return False
            return True if left and right else None
        if right is True:
            return True
        return False if left is False and right is False else None
    return None


def _truth(v: Value) -> Optional[bool]:
    known, value = _python_value(v)
    if not known:
        return None
    try:
        return bool(value)
    except Exception:
        return None


def _compare(v: Value, op: str, other: object) -> Optional[bool]:
    known, value = _python_value(v)
    if not known:
        return None
    try:
        if op == "is":
            return value is other
        if op == "is not":
            return value is not other
        if value is _OBJECT:
            if op == "==":
                return False if other is None else None
            if op == "!=":
                return True if other is None else None
            return None
        if op == "==":
            return bool(value == other)
        if op == "!=":
            return bool(value != other)
        if op == "<":
            return bool(value < other)  # type: ignore[operator]
        if op == "<=":
            return bool(value <= other)  # type: ignore[operator]
        if op == ">":
            return bool(value > other)  # type: ignore[operator]
        if op == ">=":
            return bool(value >= other)  # type: ignore[operator]
        if op == "in" and isinstance(other, tuple):
            return value in other
        if op == "not in" and isinstance(other, tuple):
            return value not in other
    except TypeError:
        return None
    return None


# --- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """A draw an entry point runs while its library is not seeded."""

    facts: FileFacts
    draw: Draw
    #: The calls from the entry point to the draw (outermost first), without the draw.
    steps: tuple[Site, ...]
    #: The draw runs while an imported module's top level executes.
    at_import: bool
    #: The module whose import runs it (for ``at_import``).
    import_of: Optional[str]
    #: Reached by following the main flow in order (not only through code that runs later).
    followed: bool
    #: Runs while the entry point's own top level (outside its ``__main__`` guard) executes.
    before_guard: bool
    #: Execution order within the run.
    seq: int
    ctx: str = MAIN
    #: A span to report instead of the draw's own (a partial of a draw API, called here).
    at: Optional[Site] = None

    @property
    def path(self) -> str:
        return self.at.path if self.at is not None else self.facts.path

    @property
    def span(self) -> Span:
        return self.at.span if self.at is not None else self.draw.span

    @property
    def text(self) -> str:
        return self.at.text if self.at is not None else (self.draw.text or self.draw.api)


@dataclass(frozen=True)
class EntropySeed:
    """A seeding call whose seed changes from run to run, found by following values: reported
    (RNG201) at ``site`` — the call that passes the value into a project helper, else the
    seeding call itself."""

    site: Site
    seeder: str
    seeder_site: Optional[Site]
    why: str


@dataclass
class EntryRun:
    entry: FileFacts
    reason: str = ""
    #: The entry point's file key (``Program.files``).
    key: str = ""
    #: Libraries the main flow seeds (with any seed).
    seeded: set[str] = field(default_factory=set)
    hits: list[Hit] = field(default_factory=list)
    #: Libraries the main flow seeds only after some of its draws.
    seeded_later: set[str] = field(default_factory=set)
    #: Where this run first seeds torch with a fixed seed: the call in the entry point that
    #: leads to it (or the seeding call itself), as (file, span, order).
    torch_seed: Optional[tuple[FileFacts, Span, int]] = None
    #: That seed differs per process (``seed + rank``, ``per_rank=True``,
    #: ``device_specific=True``): ranks are not seeded alike.
    torch_seed_per_rank: bool = False
    #: Files whose top level this run executed (the entry point and what it imports).
    modules: set[str] = field(default_factory=set)
    entropy_seeds: list[EntropySeed] = field(default_factory=list)
    seed_hints: list[str] = field(default_factory=list)
    #: A pytest test: its qualified name in ``entry`` ("test_x", "TestC.test_y"); "" otherwise.
    test: str = ""
    #: program | demo | benchmark | test (see ``seedlint.engine.contexts``).
    context: str = "program"
    #: Functions this run walked: (file key, qualified name).
    scopes: set[tuple[str, str]] = field(default_factory=set)
    #: DataLoader calls this run made: (path, line) → their workers run the dataset's code
    #: (``num_workers`` not provably 0).
    loaders: dict[tuple[str, int], bool] = field(default_factory=dict)
    #: Loaders whose worker-side code may draw (a draw, a generator method, a callee that
    #: cannot be resolved, a dataset that cannot be resolved); ("*", 0): some loader's.
    worker_draws: set[tuple[str, int]] = field(default_factory=set)
    #: A loader with workers over a dataset whose value is not known.
    unknown_worker_dataset: bool = False
    #: Loader (path, line) → the dataset classes it was given: (file key, class).
    loader_datasets: dict[tuple[str, int], set[tuple[str, str]]] = field(default_factory=dict)
    #: Dataset classes whose worker-side methods may draw.
    drawing_datasets: set[tuple[str, str]] = field(default_factory=set)

    def reaches(self, key: str, qual: str) -> bool:
        """Does this run execute the function ``qual`` of ``key`` ("": its top level)?"""
        return (key, qual) in self.scopes if qual else key in self.modules

    def with_workers(self, key: str, cls: str, program: Program) -> Optional[bool]:
        """Was the dataset class (or a subclass) handed to a loader with workers (True), only
        to loaders without (False), or never (None)?"""
        handed: Optional[bool] = None
        for spot, classes in self.loader_datasets.items():
            for ik, ic in classes:
                if any(k == key and info.name == cls for k, info in program.classes_of(ik, ic)):
                    handed = bool(handed) or self.loaders.get(spot, False)
        return handed

    @property
    def name(self) -> str:
        """How messages name the entry point: its path, ``path::test`` for a test."""
        return f"{self.entry.path}::{self.test}" if self.test else self.entry.path


# --- the walk ----------------------------------------------------------------------------------


class _Frame:
    __slots__ = (
        "closure",
        "ctx",
        "current",
        "depth",
        "env",
        "key",
        "may",
        "meta_end",
        "qual",
        "restores",
        "results",
        "returns",
        "scope",
        "self_inst",
        "site",
    )

    def __init__(
        self,
        key: str,
        qual: str,
        scope: ScopeFacts,
        env: dict[str, Value],
        self_inst: Optional[Inst],
        closure: Optional[dict[str, Value]],
        may: bool,
        site: Optional[Site],
        depth: int,
        ctx: str,
    ) -> None:
        self.key, self.qual, self.scope, self.env = key, qual, scope, env
        self.self_inst, self.closure, self.may, self.site = self_inst, closure, may, site
        self.depth, self.ctx = depth, ctx
        self.results: dict[int, Value] = {}
        self.returns: list[Value] = []
        self.restores: list[tuple[int, frozenset[str], frozenset[str]]] = []
        self.current = 0
        #: Inside ``with init_empty_weights():`` / ``with torch.device("meta"):`` up to this
        #: order: layers built there allocate no memory and draw nothing.
        self.meta_end = -1


@dataclass
class _Later:
    func: Func
    ctx: str
    steps: tuple[Site, ...]
    #: Libraries seeded in the main process where it was handed over, when that was itself
    #: code running later (a job submitted to a runner seeds, then builds a loader).
    seeded: frozenset[str] = frozenset()


class Runner:
    def __init__(
        self, program: Program, entry: str, reason: str, facts: Optional[FileFacts] = None
    ) -> None:
        self.p = program
        self.entry = entry
        self.reason = reason
        self.facts = program.files[entry] if facts is None else facts
        self.result = EntryRun(self.facts, reason, key=entry)
        self.state: set[str] = set()
        self.ctx = MAIN
        self.followed = True
        self.imported: set[str] = set()
        self.module_env: dict[str, dict[str, Value]] = {}
        self.frames: list[_Frame] = []
        self.on_stack: set[tuple[str, str]] = set()
        #: A function walked with the same seeded libraries, arguments and instance state:
        #: (libraries seeded after it, its result, the instance's attributes after it).
        self.memo: dict[
            tuple[object, ...], tuple[frozenset[str], Value, Optional[dict[str, Value]]]
        ] = {}
        self.seq = itertools.count()
        self.uids = itertools.count(1)
        self.steps_left = _MAX_STEPS
        #: Hits recorded so far, by (file, draw order, ctx): one path per draw is enough.
        self.hit_keys: set[tuple[str, int, str]] = set()
        self.hits: list[Hit] = []
        #: Construct draws not yet overwritten by a weight load: hit index → the instances
        #: being built when the layer was constructed.
        self.constructs: dict[int, tuple[tuple[str, str], ...]] = {}
        self.dropped: set[int] = set()
        #: Stochastic modules built: (draw, facts, steps, owner uid or None).
        self.armed: list[
            tuple[Draw, FileFacts, tuple[Site, ...], Optional[tuple[str, str]], bool]
        ] = []
        self.fired_owners: set[tuple[Optional[tuple[str, str]], str]] = set()
        self.modes: set[str] = set()
        self.building: list[Inst] = []
        #: Instances built, a few per class (what later code may run on): by (file, class).
        self.instances: dict[tuple[str, str], list[Inst]] = {}
        self.escaped: list[Func] = []
        self.escaped_keys: set[object] = set()
        #: Contexts in which some unknown callee was called: (ctx → where).
        self.fired: dict[str, Site] = {}
        #: Contexts in which an unknown value was handed to a DataLoader.
        self.loader_ctxs: dict[str, Site] = {}
        self.worker_seeded: set[str] = set()
        self.later: list[_Later] = []
        self.later_seen: set[tuple[object, ...]] = set()
        self.later_per_code: dict[tuple[str, str, str], int] = {}
        self.walked_in_order: set[tuple[str, str, Optional[int]]] = set()
        self.later_steps: tuple[Site, ...] = ()
        #: What calling ``x.m()`` on an object of unknown type may seed (union over the
        #: methods named m of the classes built so far).
        self.effects_by_name: dict[str, frozenset[str]] = {}
        #: Methods by name of the classes built so far: (file, qualname, class file, class).
        self.methods_by_name: dict[str, list[tuple[str, str, str, str]]] = {}
        self.registered: set[tuple[str, str]] = set()
        self.argparse: dict[str, tuple[object, bool]] = {}
        self.argparse_conflicts: set[str] = set()
        self.entropy_keys: set[object] = set()
        self.handed_modules = False
        self.stable_memo: dict[tuple[str, str], frozenset[str]] = {}
        #: Method names called on objects of unknown type → the contexts they were called in
        #: (the methods of that name run later, on every instance built).
        self.dispatched: dict[str, set[str]] = {}
        #: How often worker-side code may have drawn; memo keys of walks during which it did.
        self.worker_drew = 0
        self.memo_drew: set[tuple[object, ...]] = set()
        #: Library objects built that draw when fitted (an unknown receiver's ``.fit()`` may
        #: be any of them), and those handed to DataLoaders whose workers apply them.
        self.libobjs: list[LibObj] = []
        #: Libraries seeded when the entry point's top level reached its ``__main__`` guard.
        self.guard_state: Optional[frozenset[str]] = None
        #: Functions given to ``ds.set_transform`` (run when a DataLoader reads items).
        self.item_transforms: list[Value] = []
        self.worker_libobjs: list[tuple[LibObj, tuple[Site, ...], frozenset[str]]] = []

    # --- driving ---------------------------------------------------------------------------

    def run(self) -> EntryRun:
        if self.reason == "the entry-points setting":
            for qual in self.facts.scopes:
                if qual and "." not in qual:
                    self._enqueue(Func(self.entry, qual), MAIN, ())
        self._exec_module(self.entry, as_main=True)
        return self._finish()

    def _finish(self) -> EntryRun:
        main_state = set(self.state)
        self._close_later(main_state)
        self.result.seeded = main_state
        self.result.modules = set(self.imported)
        eval_only = "eval" in self.modes and "train" not in self.modes
        for i, hit in enumerate(self.hits):
            if i in self.dropped:
                continue
            if eval_only and hit.draw.kind in ("stochastic", "training"):
                continue
            self.result.hits.append(hit)
            if hit.followed and hit.ctx == MAIN and hit.draw.lib in main_state:
                self.result.seeded_later.add(hit.draw.lib)
        return self.result

    # --- pytest ------------------------------------------------------------------------------

    def run_tests(
        self, modules: Sequence[tuple[str, Sequence[str], Sequence[str], bool]]
    ) -> list[EntryRun]:
        """Each test function as its own entry point. As pytest does, the ``conftest.py`` files
        and every test module are imported first (collection); then, for each test, the autouse
        fixtures run (outermost conftest first), the fixtures the test names,
        ``setUp``/``setup_method``, and the test. ``pytest-randomly`` reseeds ``random``, NumPy
        and torch before every test. ``modules``: (test module, its tests, the conftest files
        above it, pytest-randomly declared)."""
        conftests: list[str] = []
        for _, _, above, _ in modules:
            conftests += [c for c in above if c not in conftests]
        for conftest in conftests:
            self._exec_module(conftest)
        for key, _, _, _ in modules:
            self._exec_module(key)
        saved = self._save()
        base = saved["result"]
        assert isinstance(base, EntryRun)
        out: list[EntryRun] = []
        # Tests are many and each is followed from scratch: a budget per test and for all of
        # them keeps a large test suite from costing more than the programs (tests past it
        # are not followed; their findings are not shown by default anyway).
        budget = _TESTS_STEPS
        for key, tests, above, randomly in modules:
            self.entry, self.facts = key, self.p.files[key]
            for qual in tests:
                if budget <= 0:
                    return out
                self._restore_saved(saved)
                self.steps_left = min(budget, _TEST_STEPS)
                start = self.steps_left
                self.result = EntryRun(
                    self.facts, self.reason, key=self.entry, test=qual, context="test"
                )
                self.result.scopes = set(base.scopes)
                self.result.entropy_seeds = list(base.entropy_seeds)
                self.result.seed_hints = list(base.seed_hints)
                self.result.torch_seed = base.torch_seed
                self.result.torch_seed_per_rank = base.torch_seed_per_rank
                if randomly:
                    self.state |= set(apis.ALL_LIBRARIES)
                frame = _Frame(
                    key,
                    "",
                    self.facts.scopes[""],
                    self.module_env.setdefault(key, {}),
                    None,
                    None,
                    False,
                    None,
                    0,
                    self.ctx,
                )
                self.frames.append(frame)
                try:
                    self._run_test(qual, above, frame)
                finally:
                    self.frames.pop()
                out.append(self._finish())
                budget -= start - self.steps_left
        return out

    def _run_test(self, qual: str, conftests: Sequence[str], frame: _Frame) -> None:
        owner = qual.rsplit(".", 1)[0] if "." in qual else ""
        providers = [*conftests, self.entry]
        fixtures: dict[str, tuple[str, str]] = {}
        for key in providers:
            facts = self.p.files[key]
            for q, sf in facts.scopes.items():
                if not sf.fixture:
                    continue
                cls = q.rsplit(".", 1)[0] if "." in q else ""
                if cls and (key != self.entry or cls != owner):
                    continue
                name = q.rsplit(".", 1)[-1]
                fixtures[name] = (key, q)  # the nearest definition wins
                if sf.fixture == "autouse":
                    self._walk_function(Func(key, q), [], frame, None, may=False, depth=0)
        scope = self.facts.scopes.get(qual)
        if scope is None:
            return
        for param in (*scope.params, *scope.kwonly):
            if param in fixtures:
                key, q = fixtures[param]
                self._walk_function(Func(key, q), [], frame, None, may=False, depth=0)
        inst: Optional[Inst] = None
        if owner:
            value = self._instantiate(Cls(self.entry, owner), [], frame, None, may=False)
            inst = value if isinstance(value, Inst) else None
            for setup in ("setUp", "setup_method"):
                for _, k, q in self.p.resolve(self.entry, ("self", owner, setup)):
                    self._walk_function(Func(k, q, self_inst=inst), [], frame, None, may=False)
                    break
        self._walk_function(Func(self.entry, qual, self_inst=inst), [], frame, None, may=False)

    _PER_RUN = (
        "state",
        "dispatched",
        "memo",
        "memo_drew",
        "hit_keys",
        "hits",
        "constructs",
        "dropped",
        "armed",
        "fired_owners",
        "modes",
        "building",
        "instances",
        "escaped",
        "escaped_keys",
        "fired",
        "loader_ctxs",
        "worker_seeded",
        "later",
        "later_seen",
        "later_per_code",
        "walked_in_order",
        "effects_by_name",
        "methods_by_name",
        "registered",
        "entropy_keys",
        "steps_left",
        "followed",
        "ctx",
        "later_steps",
        "libobjs",
        "worker_libobjs",
        "item_transforms",
    )

    def _save(self) -> dict[str, object]:
        saved = {name: _copy2(getattr(self, name)) for name in self._PER_RUN}
        saved["result"] = self.result
        return saved

    def _restore_saved(self, saved: dict[str, object]) -> None:
        for name in self._PER_RUN:
            setattr(self, name, _copy2(saved[name]))

    def _close_later(self, main_state: set[str]) -> None:
        self.followed = False
        # Code that runs later (escaped callbacks, methods of unknown receivers) is followed
        # speculatively: its own budget, so a dense library (sympy: every module reaches
        # every class) does not cost seconds per entry point.
        self.steps_left = min(self.steps_left, _LATER_STEPS)
        i = 0
        while i < len(self.later) and self.steps_left > 0:
            item = self.later[i]
            i += 1
            func = item.func
            uid = func.self_inst.uid if func.self_inst is not None else None
            if item.ctx == MAIN and (func.key_, func.qual, uid) in self.walked_in_order:
                continue
            main = main_state | item.seeded
            if item.ctx == MAIN:
                base = main
            else:
                # workers are seeded from the main process's torch generator
                base = (
                    set(apis.ALL_LIBRARIES) if apis.TORCH in main else set()
                ) | self.worker_seeded
            self.state = set(base)
            self.ctx = item.ctx
            self.later_steps = item.steps
            self._walk_function(func, [], None, None, may=True, depth=0)
        for obj, steps, seeded in self.worker_libobjs:
            # transforms a DataLoader's workers apply: seeded from the main torch generator,
            # seeded by the main flow or by the code that built the loader (a job run later)
            self.state = (
                set(apis.ALL_LIBRARIES) if apis.TORCH in main_state | seeded else set()
            ) | self.worker_seeded
            self.ctx = WORKER
            self.later_steps = steps
            self._use(obj, None)
        self.state = main_state
        self.ctx = MAIN

    def _enqueue(self, func: Func, ctx: str, steps: tuple[Site, ...]) -> None:
        uid = func.self_inst.uid if func.self_inst is not None else None
        k = (func.key_, func.qual, uid, ctx)
        if k in self.later_seen:
            return
        self.later_seen.add(k)
        # The same code on instances of many classes (an inherited ``from_pretrained``): a few
        # of them are enough to see what it draws.
        same_code = (func.key_, func.qual, ctx)
        n = self.later_per_code.get(same_code, 0)
        if n >= _LATER_PER_CODE:
            return
        self.later_per_code[same_code] = n + 1
        seeded = frozenset() if self.followed else frozenset(self.state if ctx == MAIN else ())
        if not self.followed and ctx == WORKER and self.ctx == MAIN:
            seeded = frozenset(self.state)  # the loader is built in later main-process code
        self.later.append(_Later(func, ctx, steps, seeded))

    # --- modules -----------------------------------------------------------------------------

    def _exec_module(self, key: str, as_main: bool = False) -> None:
        if key in self.imported or key not in self.p.files:
            return
        if not as_main and self.p.share_imports and self._quiet() and self._replay_import(key):
            return
        for init in self.p._package_inits(key):
            if init not in self.imported:
                self._exec_module(init)
        self.imported.add(key)
        facts = self.p.files[key]
        for dest, spec in facts.argparse.items():
            if dest in self.argparse and self.argparse[dest] != spec:
                self.argparse_conflicts.add(dest)
            self.argparse[dest] = spec
        scope = facts.scopes.get("")
        if scope is None:
            return
        env = self.module_env.setdefault(key, {})
        frame = _Frame(key, "", scope, env, None, None, False, None, len(self.frames), self.ctx)
        self.frames.append(frame)
        try:
            skip = None if as_main else facts.guard_orders
            self._walk(frame, skip)
        finally:
            self.frames.pop()

    # --- import snapshots ----------------------------------------------------------------------
    #
    # Most entry points of a project import the same modules first, before anything is seeded
    # or built (``import mypkg`` runs thousands of module top levels in a large project). The
    # result of such an import depends only on what was imported before it and on the argparse
    # options seen so far, not on the entry point: it is computed once per program and copied
    # into each run that starts the same way.

    def _quiet(self) -> bool:
        """Has this run done nothing yet that importing a module could interact with?"""
        return (
            len(self.frames) == 1
            and self.frames[0].key == self.entry
            and self.ctx == MAIN
            and self.followed
            and not (
                self.state
                or self.instances
                or self.escaped
                or self.fired
                or self.loader_ctxs
                or self.later
                or self.armed
                or self.constructs
                or self.modes
                or self.registered
                or self.libobjs
                or self.worker_libobjs
            )
        )

    def _replay_import(self, key: str) -> bool:
        base = frozenset(self.imported - {self.entry})
        cache_key = (key, base)
        snapshots = self.p.import_snapshots
        snap = snapshots.get(cache_key)
        if snap is None:
            if cache_key not in self.p.import_requests:
                self.p.import_requests.add(cache_key)
                return False  # the first run that starts this way imports it itself
            with self.p.recording() as deps:
                snap = snapshots[cache_key] = self._import_snapshot(key, base)
            self.p.import_snapshot_deps[cache_key] = frozenset(deps)
        else:
            self.p.depends_on(self.p.import_snapshot_deps[cache_key])
        assert isinstance(snap, dict)
        if self.entry in snap["imported"]:
            return False  # the import runs this entry point's own module: not the same here
        keep = {id(f): f for f in self.p.files.values()}
        got = copy.deepcopy(snap, keep)
        self.imported |= got["imported"]
        self.module_env.update(got["module_env"])
        shift = len(self.hits)
        for hit in got["hits"]:
            self.hits.append(replace(hit, seq=next(self.seq)))
        self.hit_keys |= got["hit_keys"]
        self.constructs.update({i + shift: owners for i, owners in got["constructs"].items()})
        self.dropped |= {i + shift for i in got["dropped"]}
        self.armed += got["armed"]
        self.libobjs += got["libobjs"]
        self.worker_libobjs += got["worker_libobjs"]
        self.fired_owners |= got["fired_owners"]
        self.modes |= got["modes"]
        self.instances.update(got["instances"])
        for name, ctxs in got["dispatched"].items():
            self.dispatched.setdefault(name, set()).update(ctxs)
        self.escaped += got["escaped"]
        self.escaped_keys |= got["escaped_keys"]
        self.fired.update(got["fired"])
        self.loader_ctxs.update(got["loader_ctxs"])
        self.worker_seeded |= got["worker_seeded"]
        self.later += got["later"]
        self.later_seen |= got["later_seen"]
        self.later_per_code.update(got["later_per_code"])
        self.walked_in_order |= got["walked_in_order"]
        self.effects_by_name.update(got["effects_by_name"])
        for name, methods in got["methods_by_name"].items():
            self.methods_by_name.setdefault(name, []).extend(methods)
        self.registered |= got["registered"]
        for dest, spec in got["argparse"].items():
            if dest in self.argparse and self.argparse[dest] != spec:
                self.argparse_conflicts.add(dest)
            self.argparse[dest] = spec
        self.argparse_conflicts |= got["argparse_conflicts"]
        self.entropy_keys |= got["entropy_keys"]
        self.state |= got["state"]
        self.steps_left -= got["steps"]
        self.uids = itertools.count(got["next_uid"])
        result = self.result
        result.entropy_seeds += got["entropy_seeds"]
        result.seed_hints += [h for h in got["seed_hints"] if h not in result.seed_hints]
        if result.torch_seed is None:
            result.torch_seed = got["torch_seed"]
            result.torch_seed_per_rank = got["torch_seed_per_rank"]
        result.scopes |= got["scopes"]
        return True

    def _import_snapshot(self, key: str, base: frozenset[str]) -> dict[str, Any]:
        """What importing ``key`` does to a run that imported ``base`` and nothing else (whatever
        its entry point: the import is made by no entry point's module; a run whose own module
        the import executes does not use it)."""
        other = Runner(self.p, "", self.reason, facts=FileFacts(""))
        other.imported = set(base)
        keep = {id(f): f for f in self.p.files.values()}
        other.module_env = copy.deepcopy(
            {k: v for k, v in self.module_env.items() if k != self.entry}, keep
        )
        other._exec_module(key)
        return {
            "imported": other.imported - base,
            "module_env": other.module_env,
            "hits": other.hits,
            "hit_keys": other.hit_keys,
            "constructs": other.constructs,
            "dropped": other.dropped,
            "armed": other.armed,
            "libobjs": other.libobjs,
            "worker_libobjs": other.worker_libobjs,
            "fired_owners": other.fired_owners,
            "modes": other.modes,
            "instances": other.instances,
            "escaped": other.escaped,
            "escaped_keys": other.escaped_keys,
            "fired": other.fired,
            "loader_ctxs": other.loader_ctxs,
            "worker_seeded": other.worker_seeded,
            "later": other.later,
            "later_seen": other.later_seen,
            "later_per_code": other.later_per_code,
            "walked_in_order": other.walked_in_order,
            "effects_by_name": other.effects_by_name,
            "methods_by_name": other.methods_by_name,
            "registered": other.registered,
            "argparse": other.argparse,
            "argparse_conflicts": other.argparse_conflicts,
            "entropy_keys": other.entropy_keys,
            "state": other.state,
            "steps": _MAX_STEPS - other.steps_left,
            "next_uid": next(other.uids),
            "entropy_seeds": other.result.entropy_seeds,
            "seed_hints": other.result.seed_hints,
            "torch_seed": other.result.torch_seed,
            "torch_seed_per_rank": other.result.torch_seed_per_rank,
            "scopes": other.result.scopes,
            "dispatched": other.dispatched,
        }

    def _exec_import(self, key: str, ev: Import) -> None:
        if len(self.frames) > _MAX_DEPTH:
            return
        if ev.level == 0 and not ev.names:
            parts = ev.module.split(".")
            for i in range(1, len(parts) + 1):
                mod = self.p.module_file(key, 0, ".".join(parts[:i]))
                if mod is not None:
                    self._exec_module(mod)
            return
        mod = self.p.module_file(key, ev.level, ev.module)
        if mod is None:
            return
        self._exec_module(mod)
        for name in ev.names:
            if name == "*":
                continue
            sub = self.p.module_file(key, ev.level, f"{ev.module}.{name}" if ev.module else name)
            if sub is not None and sub != mod:
                self._exec_module(sub)

    # --- events ------------------------------------------------------------------------------

    def _walk(self, frame: _Frame, skip: Optional[tuple[int, int]] = None) -> None:
        scope = frame.scope
        conditions = scope.conditions
        guard = (
            self.facts.guard_orders[0]
            if frame.key == self.entry and not frame.qual and self.guard_state is None
            else -1
        )
        for ev in scope.events:
            order = ev.order
            if skip is not None and skip[0] <= order < skip[1]:
                continue
            if 0 <= guard <= order and self.guard_state is None:
                # what the script's top level seeds before its ``__main__`` guard: a process
                # started with ``spawn`` imports the script again and runs that much
                self.guard_state = frozenset(self.state)
            if frame.restores:
                self._restore(frame, order)
            self.steps_left -= 1
            if self.steps_left <= 0:
                return
            frame.current = order
            may = frame.may
            if conditions:
                cs = conditions.get(order)
                if cs:
                    verdict = self._holds(cs, frame)
                    if verdict is False:
                        continue
                    if verdict is None:
                        may = True
            t = type(ev)
            if t is Call:
                self._call(frame, ev, may)  # type: ignore[arg-type]
            elif t is Bind:
                self._bind(frame, ev, may)  # type: ignore[arg-type]
            elif t is Draw:
                self._draw(frame, ev)  # type: ignore[arg-type]
            elif t is Seed:
                self._seed(frame, ev)  # type: ignore[arg-type]
            elif t is Import:
                self._exec_import(frame.key, ev)  # type: ignore[arg-type]
            elif t is Return:
                assert isinstance(ev, Return)
                frame.returns.append(self._eval(ev.value, frame))
                if not may:
                    break
        if frame.restores:
            self._restore(frame, 1 << 62)

    def _holds(self, conditions: Sequence[Condition], frame: _Frame) -> Optional[bool]:
        verdict: Optional[bool] = True
        for c in conditions:
            if c[0] == "unknown":
                verdict = None
                continue
            v = evaluate_condition(c, lambda e: self._eval(e, frame))
            if v is False:
                return False
            if v is None:
                verdict = None
        return verdict

    def _restore(self, frame: _Frame, order: int) -> None:
        keep = []
        for end, before, libs in frame.restores:
            if end <= order:
                self.state = (self.state - libs) | (set(before) & libs)
            else:
                keep.append((end, before, libs))
        frame.restores = keep

    def _bind(self, frame: _Frame, ev: Bind, may: bool) -> None:
        value = self._eval(ev.value, frame)
        kind = ev.kind
        if kind == "local":
            env = frame.env
        elif kind == "global":
            env = self.module_env.setdefault(frame.key, {})
        elif kind == "self":
            inst = frame.self_inst
            if inst is None:
                return
            stable = ev.name in self._stable(inst)
            old = inst.attrs.get(ev.name)
            inst.attrs[ev.name] = join(old, value) if (may or not stable) else value
            return
        elif kind in ("item-local", "item-global", "item-self"):  # ``REGISTRY[name] = fn``
            if kind == "item-self":
                if frame.self_inst is None:
                    return
                env = frame.self_inst.attrs
            elif kind == "item-local":
                env = frame.env
            else:
                env = self.module_env.setdefault(frame.key, {})
            assert isinstance(value, Seq) and len(value.items) == 2
            key, item = value.items
            known, k = _python_value(key)
            mapping = env.get(ev.name)
            held: tuple[tuple[object, Value], ...] = (
                mapping.items if isinstance(mapping, DictV) else ()
            )
            complete = isinstance(mapping, DictV) and mapping.complete and known
            entry = (k if known and not isinstance(k, (tuple, _Object)) else ("?",), item)
            env[ev.name] = DictV((*held, entry)[-_MAX_ITEMS:], complete)
            return
        else:  # "attr": ``args.seed = …``, ``obj.x = …``
            head, _, rest = ev.name.partition(".")
            env = frame.env if head in frame.env else self.module_env.get(frame.key, {})
            base = env.get(head)
            if not isinstance(base, (Namespace, Inst)):
                self._escape_in(value, frame)  # kept by an object the run does not follow
            if isinstance(base, Namespace) and "." not in rest:
                env[head] = Namespace(
                    base.defaults,
                    (*(o for o in base.overrides if o[0] != rest), (rest, value)),
                )
            elif isinstance(base, Inst) and "." not in rest:
                base.attrs[rest] = join(base.attrs.get(rest), value)
            return
        if may and ev.name in env:
            value = join(env[ev.name], value)
        env[ev.name] = value

    def _stable(self, inst: Inst) -> frozenset[str]:
        """Attributes assigned once in the whole class chain (``self.augment = augment``)."""
        k = (inst.key_, inst.cls)
        found = self.stable_memo.get(k)
        if found is None:
            counts: dict[str, int] = {}
            for _, info in self.p.classes_of(inst.key_, inst.cls):
                for name, n in info.attr_writes.items():
                    counts[name] = counts.get(name, 0) + n
            found = self.stable_memo[k] = frozenset(n for n, c in counts.items() if c == 1)
        return found

    # --- draws and seeds -------------------------------------------------------------------------

    def _worker_may_draw(self) -> None:
        """Worker-side code may draw: note it for the loader whose workers run it."""
        if self.ctx != WORKER:
            return
        self.worker_drew += 1
        for f in self.frames:
            if f.self_inst is not None:
                self.result.drawing_datasets.add((f.self_inst.key_, f.self_inst.cls))
                break
        steps = [*self.later_steps, *(f.site for f in self.frames if f.site is not None)]
        for step in reversed(steps):
            spot = (step.path, step.span.line)
            if spot in self.result.loaders:
                self.result.worker_draws.add(spot)
                return
        self.result.worker_draws.add(("*", 0))

    def _draw(self, frame: _Frame, ev: Draw, at: Optional[Site] = None) -> None:
        self._worker_may_draw()
        facts = self.p.files[frame.key]
        if ev.kind == "stochastic":
            owner = frame.self_inst.owner if frame.self_inst is not None else None
            steps = self._steps(frame)
            self.armed.append((ev, facts, steps, owner, self.followed))
            if (owner, self.ctx) in self.fired_owners or (None, self.ctx) in self.fired_owners:
                self._fire_armed(len(self.armed) - 1, frame)
            return
        self._hit(frame, facts, ev, self._steps(frame), at)

    def _hit(
        self,
        frame: Optional[_Frame],
        facts: FileFacts,
        ev: Draw,
        steps: tuple[Site, ...],
        at: Optional[Site] = None,
    ) -> None:
        if ev.lib in self.state:
            return
        if ev.kind == "construct" and any(f.meta_end > f.current for f in self.frames):
            return  # built on the meta device: nothing is drawn
        spot = (at.key, at.span.line) if at is not None else (facts.path, ev.order)
        k = (str(spot[0]), int(spot[1]), self.ctx)
        if k in self.hit_keys:
            return
        self.hit_keys.add(k)
        import_of = None
        for f in self.frames:
            if f.qual == "" and f.key != self.entry:
                import_of = self.p.files[f.key].path
                break
        entry_frame = self.frames[0] if self.frames and self.frames[0].key == self.entry else None
        before_guard = (
            self.followed
            and entry_frame is not None
            and entry_frame.qual == ""
            and not self.facts.in_guard(entry_frame.current)
        )
        hit = Hit(
            facts,
            ev,
            steps,
            at_import=import_of is not None and self.followed,
            import_of=import_of,
            followed=self.followed,
            before_guard=before_guard,
            seq=next(self.seq),
            ctx=self.ctx,
            at=at,
        )
        self.hits.append(hit)
        if ev.kind == "construct":
            self.constructs[len(self.hits) - 1] = tuple(i.owner for i in self.building)

    def _steps(self, frame: Optional[_Frame]) -> tuple[Site, ...]:
        steps = list(self.later_steps)
        for f in self.frames:
            if f.site is not None:
                steps.append(f.site)
        return tuple(steps)

    def _seed(self, frame: _Frame, ev: Seed) -> None:
        if ev.value is not None and not ev.restores:
            value = self._eval(ev.value, frame)
            none_entropy = ev.none_entropy and not _not_none(
                frame.scope.conditions.get(ev.order, ()), ev.value
            )
            why = self._entropy(value, none_entropy)
            if why is not None:
                origin = _origin(value)
                seeder_site = (
                    Site(frame.key, self.p.files[frame.key].path, ev.span, ev.text or ev.api)
                    if ev.span
                    else None
                )
                site = origin if origin is not None else seeder_site
                if site is not None and self.followed:
                    k = (site.key, site.span.line, site.span.column)
                    if k not in self.entropy_keys:
                        self.entropy_keys.add(k)
                        self.result.entropy_seeds.append(
                            EntropySeed(
                                site, ev.api, seeder_site if origin is not None else None, why
                            )
                        )
                self.state |= ev.libs  # one cause, one finding: the RNG201
                return
        fixed_torch = ev.deterministic and apis.TORCH in ev.libs
        if fixed_torch and self.result.torch_seed is None and self.ctx == MAIN and self.followed:
            self._note_torch_seed(frame, ev)
        self.state |= ev.libs

    def _entropy(self, value: Value, none_entropy: bool) -> Optional[str]:
        """Why a seed value changes from run to run, or None."""
        for v in _options(value):
            if isinstance(v, Entropy):
                return v.source
            if none_entropy and isinstance(v, Lit) and v.value is None:
                return "`None`"
            if none_entropy and isinstance(v, ArgOpt) and v.default is None:
                return f"`None` (the default of `--{v.dest.replace('_', '-')}`)"
        return None

    def _note_torch_seed(self, frame: _Frame, seed: Seed) -> None:
        texts = [seed.text, *(f.site.text for f in self.frames if f.site is not None)]
        self.result.torch_seed_per_rank = seed.per_rank or any(
            apis.PER_RANK_SEED.search(t) for t in texts
        )
        if frame.key != self.entry:
            for f in reversed(self.frames):
                if f.site is not None and f.site.key == self.entry:
                    self.result.torch_seed = (self.facts, f.site.span, 0)
                    return
        if seed.span is not None:
            self.result.torch_seed = (self.p.files[frame.key], seed.span, seed.order)

    # --- calls -----------------------------------------------------------------------------------

    def _site(self, frame: _Frame, ev: Call) -> Optional[Site]:
        if ev.span is None:
            return None
        return Site(frame.key, self.p.files[frame.key].path, ev.span, ev.text)

    def _call(self, frame: _Frame, ev: Call, may: bool) -> None:
        if ev.value:
            return  # a function passed as a value: the argument of its call says it
        if ev.decorator:
            self._decorate(frame, ev, may)
            return
        target = ev.target[:-1] if ev.target and ev.target[-1] == "seedlike" else ev.target
        kind = target[0]
        args: list[tuple[object, Value]] = [(k, self._eval(v, frame)) for k, v in ev.args]
        site = self._site(frame, ev)
        result: Value = UNKNOWN
        before = frozenset(self.state) if ev.with_end else None
        library = self._library(ev, frame) if ev.library is not None else None
        if library is not None and library.kind == "library":
            self._draw(frame, library)
        if kind == "value":
            callee = self._eval(ev.receiver, frame) if ev.receiver is not None else UNKNOWN
            result = self._call_value(callee, args, frame, site, may)
        elif kind == "attr":
            recv = self._eval(ev.receiver, frame) if ev.receiver is not None else UNKNOWN
            if not self._grow(frame, ev, str(target[1]), recv, args):
                result = self._call_method(recv, str(target[1]), args, frame, site, may)
        elif kind == "self":
            inst = frame.self_inst
            if inst is not None:
                result = self._call_method(inst, str(target[2]), args, frame, site, may)
            else:
                for _, k, q in self.p.resolve(frame.key, target):
                    result = self._walk_function(Func(k, q), args, frame, site, may)
        elif kind == "super":
            for _, k, q in self.p.resolve(frame.key, target):
                result = self._walk_function(
                    Func(k, q, self_inst=frame.self_inst), args, frame, site, may
                )
        else:
            resolved = self.p.resolve(frame.key, target)
            if resolved:
                for rkind, k, q in resolved:
                    if rkind == "function":
                        result = self._walk_function(
                            self._function(frame, k, q), args, frame, site, may
                        )
                    elif rkind == "class":
                        result = self._instantiate(Cls(k, q), args, frame, site, may)
            elif (
                kind == "import"
                and (variable := self.p.module_variable(frame.key, target)) is not None
                and isinstance(
                    value := self.module_env.get(variable[0], {}).get(variable[1], UNKNOWN),
                    (LibObj, Inst, Partial, Func),
                )
            ):
                # ``from augment import train_tf; train_tf(img)``: a module-level object
                result = self._call_value(value, args, frame, site, may)
            elif (obj := self._module_object(frame.key, target)) is not None:
                # ``HEADS.build(cfg)`` where ``HEADS`` is a project module's object
                value, method = obj
                result = self._call_method(value, method, args, frame, site, may)
            else:
                if len(ev.target) > len(target) and kind == "import" and not ev.value:
                    # Looks like a seeder but its code is not among the analysed files: not
                    # taken as seeding (DESIGN: list it in seed-functions), named in messages.
                    name = str(target[2])
                    if name not in self.result.seed_hints:
                        self.result.seed_hints.append(name)
                if ev.external is not None:
                    result = self._external(ev.external, args, frame, site, may)
        if (
            library is None
            and ev.external is not None
            and ev.external.startswith(_LIBRARY_ROOTS)
            and _wraps(ev.external)
            and result is UNKNOWN
        ):
            result = LibObj(())  # a library object that draws nothing when used
        if library is not None and library.kind in ("fit", "apply"):
            mine = ((library, self.p.files[frame.key]),)
            held = result.pending if isinstance(result, LibObj) else ()
            result = LibObj(mine + held)
            if library.kind == "fit":
                self.libobjs.append(result)
        frame.results[ev.order] = result
        if ev.with_end and before is not None:
            self._enter_with(frame, ev, result, before, site, may)

    def _library(self, ev: Call, frame: _Frame) -> Optional[Draw]:
        """The draw of a library call that draws for the user, when it does here: its seed
        argument is ``None`` as far as the run knows, and a method (``df.sample()``) is not
        called on a project object."""
        draw = ev.library
        assert draw is not None
        if ev.library_of and ev.receiver is not None:
            recv = self._eval(ev.receiver, frame)
            if any(isinstance(o, (Inst, Cls, Func)) for o in _options(recv)):
                return None
        if draw.seed is not None:
            value = self._eval(draw.seed, frame)
            if not any(
                (isinstance(o, Lit) and o.value is None)
                or (isinstance(o, ArgOpt) and o.default is None)
                or (isinstance(o, Ext) and o.qualname in ("numpy.random", "numpy.random.mtrand"))
                for o in _options(value)
            ):
                return None
        return draw

    def _use(self, obj: LibObj, frame: Optional[_Frame], site: Optional[Site] = None) -> None:
        """A library object is used (fitted, split, applied) at ``site``: what it holds draws
        now (messages give the path to the use: ``train.py:9 search.fit(X, y)``)."""
        steps = self._steps(frame)
        if site is not None and self.followed:
            steps = (*steps, site)
        for draw, facts in obj.pending:
            self._worker_may_draw()
            self._hit(frame, facts, draw, steps)

    def _grow(
        self,
        frame: _Frame,
        ev: Call,
        name: str,
        recv: Value,
        args: Sequence[tuple[object, Value]],
    ) -> bool:
        """``hooks.append(fn)`` on a list the run knows (a local, a module variable, a
        ``self`` attribute): the list now holds ``fn`` too."""
        where = ev.receiver
        if where is None or where[0] not in ("local", "global", "self"):
            return False
        grown: Value
        if name == "update" and isinstance(recv, DictV):
            # ``cfg = dict(DEFAULTS); cfg.update(overrides)``: known keys replace, unknown
            # ones make the mapping unknown
            given = [v for k, v in args if isinstance(k, int)]
            keywords = [(k, v) for k, v in args if isinstance(k, str) and k not in ("*", "**")]
            other = given[0] if len(given) == 1 else DictV(())
            if (
                len(given) > 1
                or any(k in ("*", "**") for k, _ in args)
                or not (isinstance(other, DictV) and other.complete)
            ):
                grown = UNKNOWN
            else:
                new = dict(recv.items)
                new.update([*other.items, *keywords])
                grown = DictV(tuple(new.items()), recv.complete)
        elif name in ("append", "extend", "insert", "add") and isinstance(recv, Seq):
            given = [v for k, v in args if isinstance(k, int)]
            if not given:
                return False
            added = given[-1]
            new_items = list(_flatten(added, dicts=False)) if name == "extend" else [added]
            grown = Seq((*recv.items, *new_items)[-_MAX_ITEMS:])
        else:
            return False
        if where[0] == "local":
            frame.env[where[1]] = grown
        elif where[0] == "global":
            self.module_env.setdefault(frame.key, {})[where[1]] = grown
        elif frame.self_inst is not None:
            frame.self_inst.attrs[where[1]] = grown
        return True

    def _decorate(self, frame: _Frame, ev: Call, may: bool) -> None:
        """``@deco`` on a definition: project decorators run with it (a registry keeps it);
        outside ones (``@torch.no_grad()``) neither call nor keep it as far as the run knows."""
        args: list[tuple[object, Value]] = [(k, self._eval(v, frame)) for k, v in ev.args]
        if ev.target[0] == "value":
            deco = self._eval(ev.receiver, frame) if ev.receiver is not None else UNKNOWN
            for option in _options(deco):
                if isinstance(option, (Func, Inst, Partial)):
                    self._call_value(option, args, frame, None, True)
            return
        for kind, k, q in self.p.resolve(frame.key, ev.target):
            if kind == "function":
                self._walk_function(Func(k, q), args, frame, None, True)

    def _enter_with(
        self,
        frame: _Frame,
        ev: Call,
        manager: Value,
        before: frozenset[str],
        site: Optional[Site],
        may: bool,
    ) -> None:
        restored: set[str] = set()
        if ev.with_end and _meta_context(ev):
            frame.meta_end = max(frame.meta_end, ev.with_end)
        if ev.external is not None and ev.external in apis.RESTORING_CONTEXTS:
            restored |= apis.RESTORING_CONTEXTS[ev.external]
        target = ev.target
        for kind, k, q in self.p.resolve(frame.key, target) if target[0] != "attr" else []:
            if kind == "function":
                restored |= self._restores(k, q)
        for v in _options(manager):
            if isinstance(v, Inst):
                for name in ("__enter__", "__exit__"):
                    for _, k, q in self.p.resolve(v.key_, ("self", v.cls, name)):
                        if name == "__enter__":
                            self._walk_function(Func(k, q, self_inst=v), [], frame, site, may)
                        else:
                            restored |= self._restores(k, q)
        if restored:
            frame.restores.append((ev.with_end, before, frozenset(restored)))

    def _restores(self, key: str, qual: str) -> set[str]:
        scope = self.p.files[key].scopes.get(qual)
        out: set[str] = set()
        if scope is not None:
            for e in scope.events:
                if isinstance(e, Seed) and e.restores:
                    out |= e.libs
        return out

    def _module_object(self, key: str, target: Target) -> Optional[tuple[Value, str]]:
        """For ``mod.obj.m`` where ``obj`` is a module-level variable of a project file: its
        value and ``m``."""
        if target[0] != "import":
            return None
        head, _, method = str(target[2]).rpartition(".")
        if not head:
            return None
        variable = self.p.module_variable(key, ("import", target[1], head))
        if variable is None:
            return None
        value = self.module_env.get(variable[0], {}).get(variable[1])
        if value is None or value is UNKNOWN:
            return None
        return value, method

    def _function(self, frame: _Frame, key: str, qual: str) -> Func:
        """A function as a value; a function nested in the running one sees its names (and
        its ``self``) as they are now."""
        if key == frame.key and frame.qual and qual.startswith(frame.qual + "."):
            closure = {**(frame.closure or {}), **frame.env}
            return Func(key, qual, closure=closure, self_inst=frame.self_inst)
        return Func(key, qual)

    def _call_value(
        self,
        callee: Value,
        args: list[tuple[object, Value]],
        frame: _Frame,
        site: Optional[Site],
        may: bool,
    ) -> Value:
        if isinstance(callee, Alt):
            result: Optional[Value] = None
            for option in callee.options:
                result = join(result, self._call_value(option, args, frame, site, True))
            return result or UNKNOWN
        if isinstance(callee, Func):
            return self._walk_function(callee, args, frame, site, may)
        if isinstance(callee, Cls):
            return self._instantiate(callee, args, frame, site, may)
        if isinstance(callee, Inst):
            return self._call_instance(callee, args, frame, site, may)
        if isinstance(callee, Partial):
            return self._call_value(callee.func, _merge(callee.args, args), frame, site, may)
        if isinstance(callee, LibObj):
            self._use(callee, frame, site)
            self._hand_off(args, frame, site, may, None)
            return UNKNOWN
        if isinstance(callee, Seq):
            # ``nn.Sequential(a, b)(x)``: each module in turn
            for item in callee.items:
                self._call_value(item, args, frame, site, may)
            return UNKNOWN
        if isinstance(callee, Ext):
            lib = apis.draw_library(callee.qualname)
            if lib is not None and site is not None:
                # a partial of a draw API (or a draw API passed around), called here
                draw = Draw(lib, apis.normalize(callee.qualname), site.span, -1, site.text)
                facts = self.p.files[frame.key]
                self._hit(frame, facts, draw, self._steps(frame)[:-1], at=site)
                return UNKNOWN
            return self._external(callee.qualname, args, frame, site, may)
        self._unknown_call(frame, site, args, may)
        return UNKNOWN

    def _unknown_call(
        self, frame: _Frame, site: Optional[Site], args: list[tuple[object, Value]], may: bool
    ) -> None:
        """A callee whose value is not known: it may be any instance the run built (its
        ``__call__``/``forward``) or any function stored for later."""
        ctx = self.ctx
        self._worker_may_draw()
        if frame.self_inst is not None:
            self._fire(frame.self_inst.owner, frame)
        self._fire(None, frame)
        for _, v in args:
            self._escape_in(v, frame)
            for item in _flatten(v):
                if isinstance(item, LibObj):
                    self._use(item, frame, site)
        if ctx in self.fired:
            return
        here = site or Site(frame.key, self.p.files[frame.key].path, Span(1, 1, 1, 1, 1), "…")
        self.fired[ctx] = here
        steps = (*self._steps(frame), here) if self.followed else (*self.later_steps, here)
        for insts in self.instances.values():
            for inst in insts:
                self._enqueue_call_protocol(inst, ctx, steps)
        for func in self.escaped:
            self._enqueue(func, ctx, (here,))

    def _call_instance(
        self,
        inst: Inst,
        args: list[tuple[object, Value]],
        frame: _Frame,
        site: Optional[Site],
        may: bool,
    ) -> Value:
        result: Value = UNKNOWN
        found = False
        for name in ("__call__", "forward"):
            for _, k, q in self.p.resolve(inst.key_, ("self", inst.cls, name)):
                found = True
                result = self._walk_function(Func(k, q, self_inst=inst), args, frame, site, may)
            if found:
                break
        self._fire(inst.owner, frame)
        return result

    def _call_method(
        self,
        recv: Value,
        name: str,
        args: list[tuple[object, Value]],
        frame: _Frame,
        site: Optional[Site],
        may: bool,
    ) -> Value:
        if isinstance(recv, Alt):
            result: Optional[Value] = None
            for option in recv.options:
                result = join(result, self._call_method(option, name, args, frame, site, True))
            return result or UNKNOWN
        if isinstance(recv, Inst):
            resolved = self.p.resolve(recv.key_, ("self", recv.cls, name))
            if resolved:
                out: Value = UNKNOWN
                for _, k, q in resolved:
                    out = self._walk_function(Func(k, q, self_inst=recv), args, frame, site, may)
                if name == "forward":
                    self._fire(recv.owner, frame)
                if name in apis.WEIGHT_LOADERS and not may and self.followed:
                    self._weights_loaded(recv)  # a project override loads weights too
                if name in apis.MODULE_RETURNS_SELF:
                    return recv  # overrides (diffusers' ModelMixin.to) return the module too
                return out
            if name in recv.attrs:
                return self._call_value(recv.attrs[name], args, frame, site, may)
            self._external_method(name, recv, args, frame, site, may)
            if name in apis.MODULE_RETURNS_SELF:
                return recv  # ``Net().to(device)`` is the same model
            return UNKNOWN
        if isinstance(recv, LibObj):
            if name in apis.LIBRARY_USES:
                self._use(recv, frame, site)
            self._hand_off(args, frame, site, may, None)
            return recv if name in apis.LIBRARY_RETURNS_SELF else UNKNOWN
        if isinstance(recv, Cls):
            result = UNKNOWN
            for _, k, q in self.p.resolve(recv.key_, ("local", f"{recv.cls}.{name}")):
                result = self._walk_function(Func(k, q), args, frame, site, may)
            return result
        if isinstance(recv, Ext):
            return self._external(f"{recv.qualname}.{name}", args, frame, site, may)
        if isinstance(recv, Namespace):
            return UNKNOWN
        # An object of unknown type.
        if name in apis.GENERATOR_METHODS:
            self._worker_may_draw()  # ``self.rng.integers(…)`` in a dataset
        if name in ("parse_args", "parse_known_args"):
            ns = Namespace(
                tuple(
                    (d, spec)
                    for d, spec in sorted(self.argparse.items(), key=lambda kv: kv[0])
                    if d not in self.argparse_conflicts
                )
            )
            return ns if name == "parse_args" else Seq((ns, UNKNOWN))
        if name in _FIT_METHODS:
            for obj in self.libobjs:
                self._use(obj, frame, site)
        self.state |= self.effects_by_name.get(name, frozenset())
        candidates = self.methods_by_name.get(name)
        ctxs = self.dispatched.setdefault(name, set())
        if self.ctx not in ctxs:
            # once per (name, context): instances built later are enqueued when they are
            # registered (sympy calls `.func`/`.args` on unknown objects everywhere, and
            # thousands of classes define them)
            ctxs.add(self.ctx)
            steps = (*self._steps(frame), site) if site is not None else self._steps(frame)
            for k, q, cls_key, cls in candidates or ():
                for inst in self.instances.get((cls_key, cls), ()):
                    self._enqueue(Func(k, q, self_inst=inst), self.ctx, steps)
        self._external_method(name, None, args, frame, site, may, by_name=bool(candidates))
        return UNKNOWN

    def _external_method(
        self,
        name: str,
        recv: Optional[Inst],
        args: list[tuple[object, Value]],
        frame: _Frame,
        site: Optional[Site],
        may: bool,
        by_name: bool = False,
    ) -> None:
        """A method outside the project (``model.load_state_dict``, ``model.apply(fn)``,
        ``trainer.fit(model)``, ``callbacks.append(cb)``)."""
        if name in apis.WEIGHT_LOADERS and not may and self.followed:
            self._weights_loaded(recv)
        if name == "eval" and not by_name:
            self.modes.add("eval")
        elif name == "train":
            value = args[0][1] if args else None
            if isinstance(value, Lit) and value.value is False:
                self.modes.add("eval")
            else:
                self.modes.add("train")
        if name in _STORING_METHODS or name.startswith(("register", "add_")):
            for _, v in args:
                self._escape_in(v, frame)
                if name in ("set_transform", "with_transform"):
                    # a ``datasets`` transform: runs where a DataLoader reads the items
                    self.item_transforms += [
                        f for f in _flatten(v) if isinstance(f, (Func, Partial))
                    ]
            return
        self._hand_off(args, frame, site, may, None)

    def _weights_loaded(self, recv: Optional[Inst]) -> None:
        for index, owners in list(self.constructs.items()):
            if recv is None or recv.owner in owners:
                self.dropped.add(index)
                del self.constructs[index]

    def _external(
        self,
        q: str,
        args: list[tuple[object, Value]],
        frame: _Frame,
        site: Optional[Site],
        may: bool,
    ) -> Value:
        if q == "functools.partial" and args:
            first = args[0][1]
            bound = [(k - 1 if isinstance(k, int) else k, v) for k, v in args[1:]]
            return Partial(first, tuple(bound))
        if q in apis.DATALOADERS:
            self._dataloader(args, frame, site)
            return UNKNOWN
        if q == "builtins.dict" and len(args) == 1 and isinstance(args[0][1], DictV):
            return args[0][1]  # ``dict(DEFAULTS)``: a copy with the same entries
        container = apis.MODULE_CONTAINERS.get(q)
        if container is not None:
            # ``nn.ModuleList(blocks)``, ``nn.Sequential(a, b)``: the modules they hold
            self._hand_off(
                [(k, v) for k, v in args if isinstance(v, (Func, Partial))], frame, site, may, q
            )
            if container == "items":
                positional = [v for k, v in args if isinstance(k, int)]
                return Seq(tuple(positional))
            return args[0][1] if args and args[0][0] == 0 else Seq(())
        if q in apis.SPAWNERS and args:
            saved = self.state
            # a fresh process: it imports the script again (its top level outside the guard)
            self.state = set(self.guard_state or ())
            self._call_value(args[0][1], [], frame, site, True)
            self.state = saved
            return UNKNOWN
        held = tuple(
            p for _, a in args for v in _flatten(a) if isinstance(v, LibObj) for p in v.pending
        )
        if _wraps(q) and (held or q.startswith(_LIBRARY_ROOTS)):
            # ``Pipeline([...])``, ``GridSearchCV(est)``, ``Compose([...])``, ``CIFAR10(
            # transform=t)``: the object built holds what it was given
            self._hand_off(args, frame, site, may, q)
            obj = LibObj(held)
            if obj.fits:
                self.libobjs.append(obj)
            return obj
        if apis.non_calling(q):
            return UNKNOWN
        if held:
            self._use(LibObj(held), frame, site)  # ``cross_val_score(est, X, y)`` fits it
        if q in ("builtins.iter", "builtins.next") and args:
            for v in _options(args[0][1]):
                if isinstance(v, Inst):
                    name = "__iter__" if q == "builtins.iter" else "__next__"
                    for _, k, kq in self.p.resolve(v.key_, ("self", v.cls, name)):
                        self._walk_function(Func(k, kq, self_inst=v), [], frame, site, may)
            return UNKNOWN
        self._hand_off(args, frame, site, may, q)
        return UNKNOWN

    def _hand_off(
        self,
        args: list[tuple[object, Value]],
        frame: _Frame,
        site: Optional[Site],
        may: bool,
        q: Optional[str],
    ) -> None:
        """Arguments given to code outside the project: functions run there (now), instances
        may be called (their protocol methods run later)."""
        wrapper = q is not None and q in apis.DATASET_WRAPPERS
        if q in ("builtins.sorted", "builtins.min", "builtins.max"):
            args = [(k, v) for k, v in args if k == "key"]  # the rest are only iterated
        elif q in ("builtins.map", "builtins.filter"):
            args = args[:1]
        for _, v in args:
            for item in _flatten(v, dicts=False):
                if isinstance(item, (Func, Partial)):
                    self._call_value(item, [], frame, site, True)
                elif isinstance(item, Inst) and not wrapper:
                    self._handed(item, frame, site)
                elif isinstance(item, LibObj) and q is None:
                    self._use(item, frame, site)  # given to code outside the project: it uses it

    def _handed(self, inst: Inst, frame: _Frame, site: Optional[Site]) -> None:
        steps = (*self._steps(frame), site) if site is not None else self._steps(frame)
        self._enqueue_call_protocol(inst, self.ctx, steps)
        self._fire(inst.owner, frame)
        for name in apis.DATASET_WORKER_METHODS | {"__len__"}:
            for _, k, q in self.p.resolve(inst.key_, ("self", inst.cls, name)):
                self._enqueue(Func(k, q, self_inst=inst), self.ctx, steps)
        if self._framework_class(inst):
            for k, info in self.p.classes_of(inst.key_, inst.cls):
                for m in info.methods:
                    if m != "__init__":
                        self._enqueue(Func(k, f"{info.name}.{m}", self_inst=inst), self.ctx, steps)

    def _framework_class(self, inst: Inst) -> bool:
        """A subclass of something outside the project other than a plain module or dataset
        (a Lightning module, a callback, a gym environment): outside code calls its hooks."""
        for _, info in self.p.classes_of(inst.key_, inst.cls):
            for base in info.bases:
                if base[0] == "import" and base[1] == 0:
                    name = str(base[2])
                    if name in _PLAIN_BASES or name in apis.DATASET_BASES:
                        continue
                    return True
        return False

    def _dataloader(
        self, args: list[tuple[object, Value]], frame: _Frame, site: Optional[Site]
    ) -> None:
        named: dict[str, Value] = {}
        for k, v in args:
            if isinstance(k, int) and k < len(apis.DATALOADER_PARAMS):
                named[apis.DATALOADER_PARAMS[k]] = v
            elif isinstance(k, str) and k not in ("*", "**"):
                named[k] = v
        star = any(k in ("*", "**") for k, _ in args)
        workers = named.get("num_workers")
        if workers is None:
            in_workers = star
        else:
            known, value = _python_value(workers)
            in_workers = not (known and value == 0)
        ctx = WORKER if in_workers else self.ctx
        steps = (*self._steps(frame), site) if site is not None else self._steps(frame)
        spot = (site.path, site.span.line) if site is not None else ("*", 0)
        self.result.loaders[spot] = self.result.loaders.get(spot, False) or in_workers
        dataset = named.get("dataset", UNKNOWN)
        if not any(isinstance(v, Inst) for v in _flatten(dataset)):
            for f in self.item_transforms:  # an outside dataset given a transform
                if isinstance(f, Func):
                    self._enqueue(f, ctx, steps)
                elif isinstance(f, Partial) and isinstance(f.func, Func):
                    self._enqueue(f.func, ctx, steps)
        for v in _flatten(dataset):
            if isinstance(v, LibObj):
                # a library dataset given a random transform: applied where items are loaded
                if in_workers:
                    self.result.worker_draws.add(spot)
                    self.worker_libobjs.append((v, steps, frozenset(self.state)))
                else:
                    self._use(v, frame, site)
            if isinstance(v, Inst):
                self.result.loader_datasets.setdefault(spot, set()).add((v.key_, v.cls))
                self._enqueue_dataset(v, ctx, steps)
        known = any(isinstance(v, Inst) for v in _flatten(dataset))
        if not known and in_workers:
            self.result.unknown_worker_dataset = True
            self.result.worker_draws.add(spot)  # the dataset cannot be resolved: it may draw
        if not known and ctx not in self.loader_ctxs:
            # the dataset's value is not known: it may be any instance the run builds
            self.loader_ctxs[ctx] = site or Site(
                frame.key, self.p.files[frame.key].path, Span(1, 1, 1, 1, 1), "DataLoader(…)"
            )
            for insts in self.instances.values():
                for inst in insts:
                    self._enqueue_dataset(inst, ctx, steps)
        for name in ("sampler", "batch_sampler"):
            for v in _flatten(named.get(name, UNKNOWN)):
                if isinstance(v, Inst):
                    self._enqueue_dataset(v, self.ctx, steps)
        for name in ("collate_fn", "worker_init_fn"):
            for v in _flatten(named.get(name, UNKNOWN)):
                if isinstance(v, Func):
                    self._enqueue(v, ctx, steps)
                    if name == "worker_init_fn" and ctx == WORKER:
                        self.worker_seeded |= self.p.seed_effect((v.key_, v.qual))
                elif isinstance(v, Inst):
                    self._enqueue_call_protocol(v, ctx, steps)

    def _enqueue_dataset(self, inst: Inst, ctx: str, steps: tuple[Site, ...]) -> None:
        for name in (*sorted(apis.DATASET_WORKER_METHODS), "__len__"):
            for _, k, q in self.p.resolve(inst.key_, ("self", inst.cls, name)):
                self._enqueue(Func(k, q, self_inst=inst), ctx, steps)

    def _enqueue_call_protocol(self, inst: Inst, ctx: str, steps: tuple[Site, ...]) -> None:
        for name in ("__call__", "forward"):
            found = self.p.resolve(inst.key_, ("self", inst.cls, name))
            for _, k, q in found:
                self._enqueue(Func(k, q, self_inst=inst), ctx, steps)
            if found:
                return

    def _fire(self, owner: Optional[tuple[str, str]], frame: _Frame) -> None:
        """The module ``owner`` (None: any module built outside a class) is called: its
        stochastic layers draw."""
        k = (owner, self.ctx)
        if k in self.fired_owners:
            return
        self.fired_owners.add(k)
        for i, armed in enumerate(self.armed):
            if armed[3] == owner:
                self._fire_armed(i, frame)

    def _fire_armed(self, index: int, frame: _Frame) -> None:
        draw, facts, steps, _owner, _followed = self.armed[index]
        self._hit(frame, facts, draw, steps)

    # --- functions and classes ---------------------------------------------------------------

    def _walk_function(
        self,
        func: Func,
        args: Sequence[tuple[object, Value]],
        caller: Optional[_Frame],
        site: Optional[Site],
        may: bool,
        depth: Optional[int] = None,
    ) -> Value:
        key, qual = func.key_, func.qual
        files = self.p.files.get(key)
        scope = files.scopes.get(qual) if files is not None else None
        if scope is None or not qual:
            return UNKNOWN
        if len(self.frames) > _MAX_DEPTH or (key, qual) in self.on_stack:
            return UNKNOWN
        if self.steps_left <= 0:
            return UNKNOWN
        self.result.scopes.add((key, qual))
        env = self._environment(scope, _merge(func.bound, list(args)), site, key)
        inst = func.self_inst
        memo_key = (
            key,
            qual,
            frozenset(self.state),
            self.ctx,
            self.followed,
            inst.fingerprint() if inst is not None else None,
            tuple(sorted((k, v.key()) for k, v in env.items())),
        )
        done = self.memo.get(memo_key)
        if done is not None:
            if memo_key in self.memo_drew:
                self._worker_may_draw()
            self.state |= done[0]
            if inst is not None and done[2] is not None:
                inst.attrs.update(done[2])
            return done[1]
        frame = _Frame(
            key,
            qual,
            scope,
            env,
            inst,
            func.closure,
            may,
            site,
            len(self.frames),
            self.ctx,
        )
        if self.followed and self.ctx == MAIN:
            self.walked_in_order.add((key, qual, inst.uid if inst is not None else None))
        self.on_stack.add((key, qual))
        self.frames.append(frame)
        drew = self.worker_drew
        try:
            self._walk(frame)
        finally:
            self.frames.pop()
            self.on_stack.discard((key, qual))
        if self.worker_drew != drew:
            self.memo_drew.add(memo_key)
        result: Value = UNKNOWN
        if frame.returns and not scope.generator:
            joined: Optional[Value] = None
            for r in frame.returns:
                joined = join(joined, r)
            result = joined or UNKNOWN
        if qual.rsplit(".", 1)[-1] in ("forward", "__call__") and inst is not None:
            self._fire(inst.owner, frame)
        self.memo[memo_key] = (
            frozenset(self.state),
            result,
            dict(inst.attrs) if inst is not None else None,
        )
        return result

    def _environment(
        self,
        scope: ScopeFacts,
        args: Sequence[tuple[object, Value]],
        site: Optional[Site],
        key: str,
    ) -> dict[str, Value]:
        """The callee's parameters: what the call passes, else the defaults (a value left to
        its default, or passed as a literal here, came from this call: ``origin``)."""
        env: dict[str, Value] = {}
        star = False
        extra_pos: list[Value] = []
        extra_kw: list[tuple[object, Value]] = []
        names = (*scope.params, *scope.kwonly)
        mapping = False  # ``**config``: keywords not known here
        for k, v in args:
            if k in ("*", "**"):
                star = star or k == "*"
                mapping = True
                continue
            if isinstance(k, int):
                if k < len(scope.params):
                    env[scope.params[k]] = _with_origin(v, site)
                else:
                    extra_pos.append(v)
            elif k in names:
                env[str(k)] = _with_origin(v, site)
            else:
                extra_kw.append((k, v))
        if not star:
            for name, default in scope.defaults.items():
                if name not in env:
                    if default[0] == "lit":
                        env[name] = Lit(default[1], site)
                    else:
                        env[name] = self._eval_default(default, key)
        if scope.star:
            env[scope.star] = UNKNOWN if star else Seq(tuple(extra_pos))
        if scope.starstar:
            env[scope.starstar] = DictV(tuple(extra_kw), complete=not mapping)
        return env

    def _eval_default(self, default: VExpr, key: str) -> Value:
        """A default that is not a literal: a function or class of the module, a constant."""
        if default[0] == "ref":
            return self._ref(key, default[1], None)
        if default[0] == "global":
            env = self.module_env.get(key)
            return env.get(default[1], UNKNOWN) if env is not None else UNKNOWN
        return UNKNOWN

    def _instantiate(
        self,
        cls: Cls,
        args: Sequence[tuple[object, Value]],
        frame: _Frame,
        site: Optional[Site],
        may: bool,
    ) -> Value:
        inst = Inst(cls.key_, cls.cls, next(self.uids))
        self._register(inst, frame, site)
        chain = self.p.classes_of(cls.key_, cls.cls)
        is_loader = any(
            base[0] == "import" and base[1] == 0 and base[2] in apis.DATALOADERS
            for _, info in chain
            for base in info.bases
        )
        self.building.append(inst)
        try:
            init = self.p.resolve(cls.key_, ("self", cls.cls, "__init__"))
            for _, k, q in init:
                self._walk_function(Func(k, q, self_inst=inst), args, frame, site, may)
            if not init and site is not None:
                for _, info in chain:
                    for base in info.bases:
                        q = str(base[2]) if base[0] == "import" and base[1] == 0 else ""
                        if q and apis.layer_kind(q) == "construct":
                            draw = Draw(
                                apis.TORCH, apis.normalize(q), site.span, -1, site.text, "construct"
                            )
                            self._hit(
                                frame, self.p.files[frame.key], draw, self._steps(frame), at=site
                            )
            for _, info in chain:
                if info.dataclass and "__post_init__" in info.methods:
                    for _, k, q in self.p.resolve(cls.key_, ("self", cls.cls, "__post_init__")):
                        self._walk_function(Func(k, q, self_inst=inst), [], frame, site, may)
                    break
        finally:
            self.building.pop()
        if is_loader:
            self._dataloader(list(args), frame, site)
        return inst

    def _register(self, inst: Inst, frame: _Frame, site: Optional[Site]) -> None:
        key, cls = inst.key_, inst.cls
        kept = self.instances.setdefault((key, cls), [])
        if len(kept) >= _INSTANCES_PER_CLASS:
            return  # later code runs on the first few instances of a class
        kept.append(inst)
        if self.dispatched:
            late = self._steps(frame)
            for k, info in self.p.classes_of(key, cls):
                for m in info.methods:
                    for ctx in sorted(self.dispatched.get(m, ())):
                        self._enqueue(Func(k, f"{info.name}.{m}", self_inst=inst), ctx, late)
        if (key, cls) not in self.registered:
            self.registered.add((key, cls))
            for k, info in self.p.classes_of(key, cls):
                for m in info.methods:
                    fk = (k, f"{info.name}.{m}")
                    self.methods_by_name.setdefault(m, []).append((k, fk[1], key, cls))
                    effect = self.p.seed_effect(fk)
                    if effect:
                        self.effects_by_name[m] = self.effects_by_name.get(m, frozenset()) | effect
                for prop in info.properties:
                    self._enqueue(Func(k, f"{info.name}.{prop}", self_inst=inst), MAIN, ())
        steps = self._steps(frame)
        for ctx, where in self.fired.items():
            self._enqueue_call_protocol(inst, ctx, (*steps, where))
        for ctx, where in self.loader_ctxs.items():
            self._enqueue_dataset(inst, ctx, (*steps, where))

    # --- values ----------------------------------------------------------------------------------

    def _eval(self, v: VExpr, frame: _Frame) -> Value:
        kind = v[0]
        if kind == "lit":
            return Lit(v[1])
        if kind == "local":
            return frame.env.get(v[1], UNKNOWN)
        if kind == "global":
            env = self.module_env.get(frame.key)
            return env.get(v[1], UNKNOWN) if env is not None else UNKNOWN
        if kind == "call":
            return frame.results.get(v[1], UNKNOWN)
        if kind == "ref":
            return self._ref(frame.key, v[1], frame)
        if kind == "self":
            inst = frame.self_inst
            if inst is not None:
                found = inst.attrs.get(v[1])
                if found is not None:
                    if v[1] not in self._stable(inst):
                        # assigned elsewhere in the class too (``def train(self): self.x =
                        # True``): what this run saw, or anything else
                        return Alt((*_options(found), UNKNOWN))
                    return found
                for _, k, q in self.p.resolve(inst.key_, ("self", inst.cls, v[1])):
                    return Func(k, q, self_inst=inst)
            return UNKNOWN
        if kind == "selfobj":
            return frame.self_inst or UNKNOWN
        if kind == "closure":
            if frame.closure is not None:
                return frame.closure.get(v[2], UNKNOWN)
            return UNKNOWN
        if kind == "ifexp":
            test = evaluate_condition(v[1], lambda e: self._eval(e, frame))
            if test is True:
                return self._eval(v[2], frame)
            if test is False:
                return self._eval(v[3], frame)
            return join(self._eval(v[2], frame), self._eval(v[3], frame))
        if kind == "seq":
            return Seq(tuple(self._eval(i, frame) for i in v[1]))
        if kind == "dict":
            items = []
            complete = True
            for k, item in v[1]:
                if isinstance(k, tuple):
                    complete = False
                items.append((k, self._eval(item, frame)))
            return DictV(tuple(items), complete)
        if kind == "sub":
            return _subscript(self._eval(v[1], frame), self._eval(v[2], frame))
        if kind == "iter":
            return _item(self._eval(v[1], frame))
        if kind in ("values", "items", "keys"):
            return _view(kind, self._eval(v[1], frame))
        if kind == "getattr":
            return self._getattr(self._eval(v[1], frame), str(v[2]))
        if kind == "hash":
            inner = self._eval(v[1], frame)
            if any(_is_string(o) for o in _options(inner)):
                return Entropy("hash() of a string (salted per process)")
            return UNKNOWN
        if kind == "str":
            parts = [self._eval(p, frame) for p in v[1]]
            for p in parts:
                for o in _options(p):
                    if isinstance(o, Entropy):
                        return o
            return Str()
        if kind == "entropy":
            return Entropy(str(v[1]))
        if kind == "mix":
            for p in v[1]:
                value = self._eval(p, frame)
                for o in _options(value):
                    if isinstance(o, Entropy):
                        return Entropy(o.source)
            return UNKNOWN
        return UNKNOWN

    def _getattr(self, base: Value, name: str) -> Value:
        if isinstance(base, Entropy):
            return Entropy(base.source)  # ``uuid.uuid4().int``
        if isinstance(base, Namespace):
            return base.get(name)
        if isinstance(base, Inst):
            found = base.attrs.get(name)
            if found is not None:
                return found
            for _, k, q in self.p.resolve(base.key_, ("self", base.cls, name)):
                return Func(k, q, self_inst=base)
            return UNKNOWN
        if isinstance(base, Ext):
            return Ext(f"{base.qualname}.{name}")
        if isinstance(base, Cls):
            if name in ("__name__", "__qualname__"):
                return Lit(base.cls.rsplit(".", 1)[-1] if name == "__name__" else base.cls)
            for _, k, q in self.p.resolve(base.key_, ("local", f"{base.cls}.{name}")):
                return Func(k, q)
            return UNKNOWN
        if isinstance(base, Func) and name in ("__name__", "__qualname__"):
            return Lit(base.qual.rsplit(".", 1)[-1] if name == "__name__" else base.qual)
        if isinstance(base, Alt):
            out: Optional[Value] = None
            for o in base.options:
                out = join(out, self._getattr(o, name))
            return out or UNKNOWN
        return UNKNOWN

    def _ref(self, key: str, target: Target, frame: Optional[_Frame]) -> Value:
        resolved = self.p.resolve(key, target)
        if resolved:
            kind, k, q = resolved[0]
            if kind == "function":
                return self._function(frame, k, q) if frame is not None else Func(k, q)
            if kind == "class":
                return Cls(k, q)
            return UNKNOWN
        variable = self.p.module_variable(key, target)
        if variable is not None:
            found = self.module_env.get(variable[0], {}).get(variable[1])
            if found is not None:
                return found
        if target[0] == "import" and target[1] == 0:
            return Ext(str(target[2]))
        return UNKNOWN

    def _note_escape(self, func: Func) -> None:
        """A function used as a value: when some unknown callee may call it, it runs."""
        k = func.key()
        if k in self.escaped_keys:
            return
        self.escaped_keys.add(k)
        self.escaped.append(func)
        for ctx, where in self.fired.items():
            self._enqueue(func, ctx, (where,))

    def _escape_in(self, value: Value, frame: _Frame) -> None:
        for item in _flatten(value):
            if isinstance(item, Func):
                self._note_escape(item)
            elif isinstance(item, Partial) and isinstance(item.func, Func):
                self._note_escape(item.func)


#: Libraries whose objects are followed as such even when they draw nothing (a
#: ``LogisticRegression()`` fitted is not some other estimator of the run).
_LIBRARY_ROOTS = ("sklearn.", "torchvision.transforms.", "torchvision.datasets.")

#: Methods whose call on an object of unknown type may fit an estimator the run built.
_FIT_METHODS = frozenset({"fit", "fit_transform", "fit_predict", "partial_fit", "split"})


def _wraps(q: str) -> bool:
    """Does the outside callable ``q`` build an object that holds its arguments (a class, or a
    factory such as ``make_pipeline``)?"""
    leaf = q.rsplit(".", 1)[-1]
    return q in apis.LIBRARY_WRAPPERS or leaf[:1].isupper()


def _not_none(conditions: Sequence[Condition], v: VExpr) -> bool:
    """Do the conditions an event sits under say ``v`` is not ``None`` (``if seed is not None:``,
    ``if seed:``, ``if seed is None: return`` before it)?"""
    for c in conditions:
        if c[0] == "truth" and c[1] == v:
            return True
        if c[0] == "cmp" and c[1] == v and c[2] in ("is not", "!=") and c[3] is None:
            return True
        if (
            c[0] == "not"
            and c[1][0] == "cmp"
            and c[1][1] == v
            and c[1][2] in ("is", "==")
            and c[1][3] is None
        ):
            return True
        if c[0] == "and" and (_not_none((c[1],), v) or _not_none((c[2],), v)):
            return True
    return False


def _flatten(value: Value, depth: int = 0, dicts: bool = True) -> Iterable[Value]:
    """The values in ``value`` (the items of sequences, the options of alternatives, and with
    ``dicts`` the values of mappings)."""
    if depth > 4:
        return
    if isinstance(value, (Seq, Alt)):
        items: Iterable[Value] = value.items if isinstance(value, Seq) else value.options
        for item in items:
            yield from _flatten(item, depth + 1, dicts)
    elif isinstance(value, DictV):
        if dicts:
            for _, item in value.items:
                yield from _flatten(item, depth + 1, dicts)
    else:
        yield value


def _subscript(base: Value, index: Value) -> Value:
    if isinstance(base, Entropy):
        return Entropy(base.source)
    known, key = _python_value(index)
    if isinstance(index, ArgOpt) and index.default is not None:
        known, key = True, index.default
    if isinstance(base, Alt):
        out: Optional[Value] = None
        for o in base.options:
            out = join(out, _subscript(o, index))
        return out or UNKNOWN
    if isinstance(base, DictV):
        if known and key is not _OBJECT:
            for k, v in base.items:
                if not isinstance(k, tuple) and k == key:
                    return v
            if base.complete:
                return UNKNOWN
        out = None
        for _, v in base.items:
            out = join(out, v)
        return out or UNKNOWN
    if isinstance(base, Seq):
        if known and isinstance(key, int) and not isinstance(key, bool):
            if -len(base.items) <= key < len(base.items):
                return base.items[key]
            return UNKNOWN
        out = None
        for v in base.items:
            out = join(out, v)
        return out or UNKNOWN
    return UNKNOWN


def _item(value: Value) -> Value:
    """An item of an iterable: any element of a sequence, any key of a mapping."""
    if isinstance(value, Seq):
        out: Optional[Value] = None
        for item in value.items:
            out = join(out, item)
        return out or UNKNOWN
    if isinstance(value, DictV):
        out = None
        for k, _ in value.items:
            out = join(out, Lit(k) if not isinstance(k, tuple) else UNKNOWN)
        return out or UNKNOWN
    if isinstance(value, Alt):
        out = None
        for o in value.options:
            out = join(out, _item(o))
        return out or UNKNOWN
    if isinstance(value, Entropy):
        return Entropy(value.source)
    return UNKNOWN


def _view(kind: str, value: Value) -> Value:
    """``d.values()`` / ``d.items()`` / ``d.keys()``."""
    if isinstance(value, DictV):
        if kind == "values":
            return Seq(tuple(v for _, v in value.items))
        if kind == "keys":
            return Seq(
                tuple(Lit(k) if not isinstance(k, tuple) else UNKNOWN for k, _ in value.items)
            )
        return Seq(
            tuple(Seq((Lit(k) if not isinstance(k, tuple) else UNKNOWN, v)) for k, v in value.items)
        )
    if isinstance(value, Alt):
        out: Optional[Value] = None
        for o in value.options:
            out = join(out, _view(kind, o))
        return out or UNKNOWN
    return UNKNOWN


def _is_string(v: Value) -> bool:
    if isinstance(v, Str):
        return True
    if isinstance(v, Lit):
        return isinstance(v.value, str)
    if isinstance(v, ArgOpt):
        return v.strish or isinstance(v.default, str)
    return False


def _origin(value: Value) -> Optional[Site]:
    for v in _options(value):
        if isinstance(v, (Lit, ArgOpt, Entropy)) and v.origin is not None:
            return v.origin
    return None


def _with_origin(value: Value, site: Optional[Site]) -> Value:
    """A value passed into a project function remembers the call that passed it first (an
    RNG201 for a seed that arrives through a helper is reported there)."""
    if site is None:
        return value
    if isinstance(value, Lit) and value.origin is None and value.value is None:
        return Lit(None, site)
    if isinstance(value, ArgOpt) and value.origin is None:
        return ArgOpt(value.dest, value.default, value.strish, site)
    if isinstance(value, Entropy) and value.origin is None:
        return Entropy(value.source, site)
    if isinstance(value, Alt):
        return Alt(tuple(_with_origin(o, site) for o in value.options))
    return value


def _merge(
    bound: Sequence[tuple[object, Value]], args: Sequence[tuple[object, Value]]
) -> list[tuple[object, Value]]:
    """A partial's bound arguments followed by the call's (positions shifted)."""
    if not bound:
        return list(args)
    positional = [v for k, v in bound if isinstance(k, int)]
    out: list[tuple[object, Value]] = [(i, v) for i, v in enumerate(positional)]
    out += [(k, v) for k, v in bound if not isinstance(k, int)]
    shift = len(positional)
    for k, v in args:
        out.append((k + shift if isinstance(k, int) else k, v))
    return out


#: Methods of containers and registries that keep what they are given (it may run later).
_STORING_METHODS = frozenset(
    {
        "append",
        "extend",
        "insert",
        "add",
        "update",
        "setdefault",
        "put",
        "push",
        "connect",
        # ``datasets``: the transform runs when items are read (``Trainer.train()``), not here
        "set_transform",
        "with_transform",
    }
)

#: Bases whose subclasses outside code calls only through their protocol methods.
_PLAIN_BASES = frozenset(
    {
        "torch.nn.Module",
        "torch.nn.modules.module.Module",
        "nn.Module",
        "object",
        "abc.ABC",
        "typing.Generic",
        "enum.Enum",
        "torch.nn.Sequential",
        "torch.nn.ModuleList",
        "torch.nn.ModuleDict",
        "torch.utils.data.Sampler",
        "torch.utils.data.sampler.Sampler",
        "torch.utils.data.DataLoader",
        "torch.utils.data.dataloader.DataLoader",
        "collections.OrderedDict",
        "dict",
        "list",
    }
)


def _copy2(value: object) -> object:
    """A copy two levels deep of the Runner's bookkeeping (values inside are shared)."""
    if isinstance(value, dict):
        return {k: _copy1(v) for k, v in value.items()}
    return _copy1(value)


def _copy1(value: object) -> object:
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return list(value)
    if isinstance(value, set):
        return set(value)
    return value


def _meta_context(ev: Call) -> bool:
    """``with init_empty_weights():`` (accelerate), ``with torch.device("meta"):``."""
    if ev.external in apis.META_DEVICE_CONTEXTS:
        return True
    if ev.external in ("torch.device", "accelerate.init_on_device") and ev.args:
        key, value = ev.args[0]
        return key in (0, "device", "type") and value == ("lit", "meta")
    return False
