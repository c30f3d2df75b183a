"""RNG104: a private generator on a Dataset, copied unchanged into every DataLoader worker.

Per file, the rule records where private generators are stored (``self.rng`` in a method, a
class attribute, a module global), where they are drawn from (per function), what each function
assigns or reseeds, and what code that runs in the workers (``worker_init_fn``s and functions that
call ``get_worker_info()``) does to datasets. The program decides: for every Dataset class (also
through project base classes in other files), the functions its workers run are followed from
``__getitem__`` / ``__iter__``; a generator created outside them and drawn inside them is shared.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar, Optional

import libcst as cst

from seedlint import apis
from seedlint.engine.collect import CallSite, FileContext
from seedlint.engine.facts import Call, ClassFacts, FileFacts, ScopeFacts
from seedlint.engine.names import dotted, external, resolve
from seedlint.engine.program import Program
from seedlint.findings import Finding, Span
from seedlint.rules.base import Invalid, Rule, Valid

#: Keyword names under which a generator is handed to a function that draws from it.
_GENERATOR_KEYWORDS = frozenset({"generator", "rng", "random_state", "random_generator"})
#: Methods that give a generator a new state (in the worker: it is no longer the copy).
_RESEEDS = frozenset({"seed", "manual_seed", "set_state", "setstate", "__init__"})
_GET_WORKER_INFO = frozenset(
    {"torch.utils.data.get_worker_info", "torch.utils.data._utils.worker.get_worker_info"}
)


@dataclass(frozen=True)
class _Created:
    """A private generator stored on an instance attribute (``self.rng``), a class attribute
    or a module global."""

    cls: Optional[str]  # the class whose attribute it is; None for a module global
    name: str
    scope: str  # the execution scope that creates it ("" for a class body or module)
    span: Span
    ctor: str
    class_attribute: bool = False


@dataclass
class _GeneratorFacts:
    created: list[_Created] = field(default_factory=list)
    #: execution scope → ("self", attr) / ("global", name) read there as a generator.
    reads: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    #: execution scope → "self.attr" / "name" assigned or reseeded there.
    writes: dict[str, set[str]] = field(default_factory=dict)
    #: Code that runs in the workers (``worker_init_fn``s, functions calling
    #: ``get_worker_info()``): attribute names it assigns or reseeds on other objects
    #: (``info.dataset.rng = …``) and methods it calls on them (``info.dataset.reseed()``).
    worker_attrs: set[str] = field(default_factory=set)
    worker_methods: set[str] = field(default_factory=set)
    #: ``seedlint_runtime.seed_worker`` is passed as a ``worker_init_fn`` here.
    reseeding_init: bool = False


class GeneratorSharedAcrossWorkers(Rule):
    code = "RNG104"
    name = "generator-shared-across-workers"
    summary = "private generator on a Dataset, copied into every DataLoader worker"
    what = (
        "Finds a private generator (`np.random.default_rng`, `RandomState`, `random.Random`, "
        "`torch.Generator`, seeded or not) created in a Dataset's `__init__` (or another method "
        "the workers do not run, or at module level) and drawn from in `__getitem__` / "
        "`__iter__` or in a method they call. Datasets are subclasses of `Dataset` / "
        "`IterableDataset` (also through project base classes). Not reported when the "
        "generator is (re)created in the worker (lazily in `__getitem__`, or by a "
        "`worker_init_fn` that assigns it), when it is used only in `__init__`, or when the "
        "project passes `seedlint_runtime.seed_worker` as a `worker_init_fn` (it reseeds "
        "generators held by the dataset). Reported where the generator is created."
    )
    why = (
        "A DataLoader copies the dataset into each worker (fork, or pickling under spawn) "
        "together with its generator and its state. Every worker then draws the identical "
        "stream: with 4 workers, 4 consecutive batches get the same 'random' crops, and, "
        "because workers are re-created each epoch from the same parent copy, so does every "
        "epoch. torch seeds `random`, torch and NumPy's *global* RNG per worker, never "
        "generators you hold."
    )
    how_to_fix = (
        "Pass `worker_init_fn=seed_worker` (seedlint_runtime), which reseeds generators held on "
        "the worker's dataset per (run seed, rank, worker, epoch); or create the generator in "
        "the worker, e.g. lazily in `__getitem__`:\n\n"
        "    if self.rng is None:\n"
        "        info = torch.utils.data.get_worker_info()\n"
        "        self.rng = np.random.default_rng(info.seed if info else 0)"
    )
    invalid: ClassVar[list[Invalid]] = [
        Invalid(
            """
            import numpy as np
            from torch.utils.data import Dataset

            class Crops(Dataset):
                def __init__(self, images):
                    self.images = images
                    self.rng = np.random.default_rng(0)

                def __len__(self):
                    return len(self.images)

                def __getitem__(self, i):
                    x = self.rng.integers(0, 32)
                    return self.images[i][x:x + 224]
            """,
            lines=(7,),
        ),
        Invalid(
            """
            import random
            import torch

            RNG = random.Random(1234)

            class Stream(torch.utils.data.IterableDataset):
                def __iter__(self):
                    while True:
                        yield self.jitter()

                def jitter(self):
                    return RNG.random()
            """,
            lines=(4,),
            note="a module-level generator drawn in a method __iter__ calls",
        ),
    ]
    valid: ClassVar[list[Valid]] = [
        Valid(
            """
            import numpy as np
            import torch
            from torch.utils.data import Dataset

            class Crops(Dataset):
                def __init__(self, images):
                    self.images = images
                    self.rng = None

                def __len__(self):
                    return len(self.images)

                def __getitem__(self, i):
                    if self.rng is None:
                        info = torch.utils.data.get_worker_info()
                        self.rng = np.random.default_rng(info.seed if info else 0)
                    x = self.rng.integers(0, 32)
                    return self.images[i][x:x + 224]
            """
        ),
        Valid(
            """
            import numpy as np
            from torch.utils.data import Dataset

            class Subset(Dataset):
                def __init__(self, items):
                    rng = np.random.default_rng(0)
                    self.items = rng.permutation(items)

                def __len__(self):
                    return len(self.items)

                def __getitem__(self, i):
                    return self.items[i]
            """,
            note="drawn only in __init__, in the main process",
        ),
    ]

    def check_file(self, ctx: FileContext) -> None:
        facts = _GeneratorFacts()
        for site in ctx.calls:
            created = _creation(ctx, site)
            if created is not None:
                facts.created.append(created)
        attrs = {c.name for c in facts.created if c.cls is not None}
        globals_ = {c.name for c in facts.created if c.cls is None}
        workerish = _workerish_scopes(ctx)
        for site in ctx.calls:
            scope = site.scope.exec_name
            for ref in _generator_refs(site, attrs, globals_):
                facts.reads.setdefault(scope, set()).add(ref)
            receiver = dotted(site.receiver) if site.receiver is not None else None
            if receiver is None:
                pass
            elif receiver.startswith("self.") and site.method in _RESEEDS:
                facts.writes.setdefault(scope, set()).add(receiver)  # self.rng.seed(s)
            elif scope in workerish and not receiver.startswith("self"):
                if site.method in _RESEEDS:
                    facts.worker_attrs.update(receiver.split(".")[1:])  # ds.rng.seed(s)
                elif "." in receiver and site.method is not None:
                    facts.worker_methods.add(site.method)  # info.dataset.reseed(s)
            if _passes_reseeding_init(site):
                facts.reseeding_init = True
        for scope_name, key in ctx.writes:
            facts.writes.setdefault(scope_name, set()).add(key)
            if scope_name in workerish and "." in key and not key.startswith("self."):
                # ``info.dataset.rng = …``, ``ds.aug.bit_generator.state = …``
                facts.worker_attrs.update(key.split(".")[1:])
        if (
            facts.created
            or facts.reads
            or facts.worker_attrs
            or facts.worker_methods
            or facts.reseeding_init
        ):
            ctx.facts.rule_data[self.code] = facts

    def check_program(self, program: Program) -> Iterable[Finding]:
        data: dict[str, _GeneratorFacts] = {
            key: f.rule_data[self.code]
            for key, f in program.files.items()
            if self.code in f.rule_data
        }
        if not any(d.created for d in data.values()):
            return
        reseeding = any(d.reseeding_init for d in data.values())
        worker_attrs = set().union(*(d.worker_attrs for d in data.values()))
        worker_methods = set().union(*(d.worker_methods for d in data.values()))
        reported: set[tuple[str, int, int]] = set()
        runs = program.runs()
        unknown_with_workers = any(r.unknown_worker_dataset for r in runs)
        for key, facts in program.files.items():
            for cls in facts.classes:
                chain = program.classes_of(key, cls)
                if not _is_dataset(chain):
                    continue
                handed = [r.with_workers(key, cls, program) for r in runs]
                if not any(handed) and False in handed and not unknown_with_workers:
                    continue  # every loader over it runs in the main process (num_workers=0)
                reached = _worker_scopes(program, key, cls, worker_methods)
                if not reached:
                    continue
                for created, where in _shared_generators(chain, reached, data, program):
                    if created.name in worker_attrs:
                        continue  # (re)created by code that runs in the worker
                    if reseeding and created.cls is not None:
                        continue  # seed_worker reseeds what the dataset (and its class) holds
                    spot = (where.path, created.span.line, created.span.column)
                    if spot in reported:
                        continue
                    reported.add(spot)
                    yield Finding(self.code, _message(created, cls), where.path, created.span)


def _creation(ctx: FileContext, site: CallSite) -> Optional[_Created]:
    target = ctx.stored_into.get(id(site.node))
    if target is None:
        return None
    ctor = site.constructor_of(site.node, through=apis.TORCH_GENERATOR_SEEDING_METHODS)
    if ctor is None:
        return None
    ctor = apis.numpy_constructor(ctor) or ctor
    if ctor not in apis.PRIVATE_GENERATOR_CONSTRUCTORS:
        return None
    key = dotted(target)
    if key is None:
        return None
    scope = site.scope
    span = ctx.span(site.node, site.stmt)
    short = _display(ctor)
    if "." not in key:
        if scope.kind == "module":
            return _Created(None, key, "", span, short)
        if scope.kind == "class":
            return _Created(scope.qualname, key, "", span, short, class_attribute=True)
        return None
    head, _, attr = key.partition(".")
    binding = scope.lookup(head)
    if "." not in attr and binding is not None and binding[0] == "self":
        return _Created(str(binding[1]), attr, scope.exec_name, span, short)
    return None


def _workerish_scopes(ctx: FileContext) -> set[str]:
    """Functions of this file that run in DataLoader workers: those passed as
    ``worker_init_fn`` and those that call ``get_worker_info()``."""
    out: set[str] = set()
    for site in ctx.calls:
        if site.qualname in _GET_WORKER_INFO and site.scope.exec_name:
            out.add(site.scope.exec_name)
        for a in site.node.args:
            if a.keyword is not None and a.keyword.value == "worker_init_fn":
                r = resolve(a.value, site.scope)
                if r is not None and r[0] == "local":
                    out.add(str(r[1]))
    return out


def _passes_reseeding_init(site: CallSite) -> bool:
    """``worker_init_fn=seed_worker`` (seedlint_runtime), also by position in a DataLoader and
    wrapped in ``functools.partial``."""
    values = [
        a.value
        for a in site.node.args
        if a.keyword is not None and a.keyword.value == "worker_init_fn"
    ]
    if site.qualname in apis.DATALOADERS:
        arg = site.arg(apis.DATALOADER_PARAMS.index("worker_init_fn"), None)
        if arg is not None and not arg.star:
            values.append(arg.value)
    for value in values:
        if (
            isinstance(value, cst.Call)
            and value.args
            and external(resolve(value.func, site.scope)) == "functools.partial"
        ):
            value = value.args[0].value
        if external(resolve(value, site.scope)) in apis.RESEEDING_WORKER_INITS:
            return True
    return False


def _display(ctor: str) -> str:
    """``np.random.default_rng(...)``, ``random.Random(...)``, ``torch.Generator(...)``."""
    if ctor.startswith("numpy."):
        ctor = "np." + ctor[len("numpy.") :]
    return ctor.replace("torch._C.", "torch.") + "(...)"


def _message(created: _Created, dataset: str) -> str:
    if created.cls is None:
        return (
            f"`{created.ctor}` stored in the module global `{created.name}` is drawn from in "
            f"`{dataset}`'s DataLoader workers, and every worker gets an identical copy of it: "
            "all workers (and every epoch) draw the same stream; create the generator inside "
            "the worker (e.g. lazily, seeded from `torch.utils.data.get_worker_info().seed`)"
        )
    holder = f"`self.{created.name}`"
    if created.class_attribute:
        holder += " (a class attribute)"
    return (
        f"`{created.ctor}` stored in {holder} is drawn from in `{dataset}`'s DataLoader "
        "workers, and every worker gets an identical copy of it: all workers (and every "
        "epoch) draw the same stream, and a `worker_init_fn` that seeds only the global RNGs "
        "does not reach it; pass `worker_init_fn=seed_worker` (seedlint_runtime), which "
        "reseeds it, or create it inside the worker"
    )


def _generator_refs(
    site: CallSite, attrs: set[str], globals_: set[str]
) -> Iterable[tuple[str, str]]:
    """What a call draws from: its receiver (``self.rng.normal()``, ``rng.random()``) and the
    generators it is handed (``torch.randint(…, generator=self.g)``, ``augment(x, self.rng)``).
    Attributes created in other files count when used like a generator."""
    if site.method in _RESEEDS:
        return
    receiver = site.receiver
    if receiver is not None:
        ref = _ref(receiver, site, attrs, globals_, method=site.method)
        if ref is not None:
            yield ref
    for a in site.node.args:
        if a.star:
            continue
        likely = a.keyword is not None and a.keyword.value in _GENERATOR_KEYWORDS
        ref = _ref(a.value, site, attrs if not likely else None, globals_)
        if ref is not None:
            yield ref


def _ref(
    expr: cst.BaseExpression,
    site: CallSite,
    attrs: Optional[set[str]],
    globals_: set[str],
    method: Optional[str] = None,
) -> Optional[tuple[str, str]]:
    key = dotted(expr)
    if key is None:
        return None
    scope = site.scope
    if "." not in key:
        binder = scope.binder(key)
        if binder is None or binder.bindings[key][0] not in ("var", "alias"):
            return None
        if key in globals_ and binder.kind == "module":
            return ("global", key)
        # ``rng = self.rng`` then ``rng.normal()``
        for value in scope.assigned_values(key, site.order)[:1]:
            inner = dotted(value)
            if inner is not None and inner.startswith("self.") and inner.count(".") == 1:
                return _self_ref(inner[5:], attrs, method)
        return None
    head, _, attr = key.partition(".")
    if "." in attr:
        return None
    binding = scope.lookup(head)
    if binding is None or binding[0] != "self":
        return None
    return _self_ref(attr, attrs, method)


def _self_ref(
    attr: str, attrs: Optional[set[str]], method: Optional[str]
) -> Optional[tuple[str, str]]:
    if attrs is None or attr in attrs or (method is not None and method in apis.GENERATOR_METHODS):
        return ("self", attr)
    return None


def _is_dataset(chain: list[tuple[str, ClassFacts]]) -> bool:
    for _, info in chain:
        for base in info.bases:
            if base[0] == "import" and base[1] == 0 and base[2] in apis.DATASET_BASES:
                return True
    return False


def _worker_scopes(
    program: Program, key: str, cls: str, worker_methods: set[str]
) -> dict[tuple[str, str], None]:
    """Functions the workers run for dataset ``cls``: its ``__getitem__``/``__iter__``, the
    methods worker code calls on datasets, and what they call (``self.m()`` dispatched on
    ``cls``, so a subclass's override is the one followed)."""
    start: list[tuple[str, str]] = []
    for name in sorted(apis.DATASET_WORKER_METHODS | worker_methods):
        start += [(k, q) for _, k, q in program.resolve(key, ("self", cls, name))]
    seen: dict[tuple[str, str], None] = {}
    stack = list(reversed(start))
    while stack and len(seen) < 200:
        fk = stack.pop()
        if fk in seen:
            continue
        seen[fk] = None
        k, q = fk
        scope: Optional[ScopeFacts] = program.files[k].scopes.get(q)
        if scope is None:
            continue
        for ev in scope.events:
            if not isinstance(ev, Call) or ev.value:
                continue
            target = ev.target[:3] if ev.target[-1] == "seedlike" else ev.target
            if target[0] == "self":
                found = program.resolve(key, ("self", cls, str(target[2])))
            else:
                found = program.resolve(k, target)
            for kind, k2, q2 in found:
                if kind == "function" and (k2, q2) not in seen:
                    stack.append((k2, q2))
    return seen


def _shared_generators(
    chain: list[tuple[str, ClassFacts]],
    reached: dict[tuple[str, str], None],
    data: dict[str, _GeneratorFacts],
    program: Program,
) -> Iterable[tuple[_Created, FileFacts]]:
    reads: set[tuple[str, str, str]] = set()  # (kind, name, file of a global)
    writes: set[str] = set()
    for k, q in reached:
        d = data.get(k)
        if d is None:
            continue
        for kind, name in d.reads.get(q, ()):
            reads.add((kind, name, k if kind == "global" else ""))
        writes |= d.writes.get(q, set())
    if not reads:
        return
    classes = {(k, info.name) for k, info in chain}
    files = {k for k, _ in chain} | {k for k, _ in reached}
    for k in sorted(files):
        d = data.get(k)
        if d is None:
            continue
        for c in d.created:
            if (k, c.scope) in reached:
                continue  # created in the worker
            if c.cls is not None:
                if (k, c.cls) not in classes or ("self", c.name, "") not in reads:
                    continue
                if f"self.{c.name}" in writes:
                    continue  # (re)created or reseeded in the worker
            else:
                if ("global", c.name, k) not in reads or c.name in writes:
                    continue
                if any(c.name in ws for q, ws in d.writes.items() if q):
                    continue  # reassigned by a function (``global rng``)
            yield c, program.files[k]
