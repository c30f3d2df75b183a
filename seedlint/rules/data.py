"""RNG301–RNG303: DataLoader workers and data order; RNG104: generators copied into workers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar, Optional

import libcst as cst

from seedlint import apis
from seedlint.engine.collect import CallSite, FileContext
from seedlint.engine.facts import Call, ClassFacts, FileFacts, ScopeFacts
from seedlint.engine.names import dotted
from seedlint.engine.program import Program
from seedlint.findings import Finding, Span
from seedlint.rules import loaders
from seedlint.rules.base import Invalid, Rule, Valid
from seedlint.rules.loaders import FALSE, NONE, ZERO, LoaderCall

_RECIPE = (
    "With `seedlint_runtime`:\n\n"
    "    from seedlint_runtime import seed_everything, seed_worker, seeded_generator\n\n"
    "    seed_everything(0)\n"
    "    loader = DataLoader(ds, batch_size=32, shuffle=True, num_workers=4,\n"
    "                        worker_init_fn=seed_worker, generator=seeded_generator())\n\n"
    "`seed_worker` gives every (run seed, rank, worker, epoch) its own stream for `random`, "
    "NumPy and torch, and reseeds generators the dataset holds; `seeded_generator()` is a "
    "`torch.Generator` seeded from the run's seed, so the data order depends on the seed alone."
)


class DataLoaderWithoutWorkerInit(Rule):
    code = "RNG301"
    name = "dataloader-without-worker-init"
    summary = "`DataLoader` with workers and no `worker_init_fn`"
    what = (
        "Finds `DataLoader(...)` calls whose `num_workers` is not provably 0 and that pass no "
        "`worker_init_fn`. `num_workers` absent, a literal `0`, or a variable bound only to `0` "
        "is 0; a parameter, an attribute (`args.workers`) or a call may not be. Arguments are "
        "read by keyword and by position (`DataLoader(ds, 32, True, None, None, 4)`), through "
        "every import path (`torch.utils.data.DataLoader`, `from torch.utils import data`, "
        "`import torch.utils.data as tud`), and for project classes that subclass DataLoader. "
        "A call that passes `**kwargs` may set both and is not reported."
    )
    why = (
        "Since torch 1.9 every worker seeds `random`, torch and NumPy's global RNG from a base "
        "seed drawn from the main process's torch RNG: workers differ from each other and the "
        "run repeats once torch is seeded. What is still broken without a `worker_init_fn`: "
        "(a) in distributed training every rank seeds torch alike, so worker *k* draws the "
        "*same* augmentations on every rank; (b) generators the dataset holds "
        "(`self.rng = np.random.default_rng(0)`) are copied unchanged into every worker and "
        "give identical streams in every worker and epoch (RNG104); (c) on torch < 1.9 NumPy "
        "is not seeded in workers at all."
    )
    how_to_fix = (
        "Pass `worker_init_fn=seed_worker` from `seedlint_runtime`, which derives each "
        "worker's seeds from (run seed, rank, worker id, epoch) with SeedSequence hashing.\n\n"
        + _RECIPE
    )
    invalid: ClassVar[list[Invalid]] = [
        Invalid(
            """
            from torch.utils.data import DataLoader

            def make_loader(ds, args):
                return DataLoader(ds, batch_size=64, num_workers=args.workers)
            """,
            lines=(4,),
        ),
        Invalid(
            """
            import torch.utils.data as tud

            def make_loader(ds):
                return tud.DataLoader(ds, 64, True, None, None, 8)
            """,
            lines=(4,),
            note="positional num_workers",
        ),
        Invalid(
            """
            from torch.utils.data import DataLoader

            class FastLoader(DataLoader):
                pass

            def make_loader(ds):
                return FastLoader(ds, num_workers=4, worker_init_fn=None)
            """,
            lines=(7,),
            note="a project subclass; worker_init_fn=None is no worker_init_fn",
        ),
    ]
    valid: ClassVar[list[Valid]] = [
        Valid(
            """
            from torch.utils.data import DataLoader
            from seedlint_runtime import seed_worker

            def make_loader(ds, args):
                return DataLoader(ds, batch_size=64, num_workers=args.workers,
                                  worker_init_fn=seed_worker)
            """
        ),
        Valid(
            """
            from torch.utils.data import DataLoader

            NUM_WORKERS = 0

            def make_loader(ds):
                return DataLoader(ds, batch_size=64, num_workers=NUM_WORKERS)
            """,
            note="a name bound only to 0",
        ),
        Valid(
            """
            from torch.utils.data import DataLoader

            def make_loader(ds, **loader_kwargs):
                return DataLoader(ds, **loader_kwargs)
            """,
            note="**kwargs may carry worker_init_fn: not judged",
        ),
    ]

    def check_file(self, ctx: FileContext) -> None:
        for call in loaders.loader_calls(ctx):
            message = self._judge(call)
            if message:
                ctx.facts.findings.append(Finding(self.code, message, ctx.path, call.span))

    def check_program(self, program: Program) -> Iterable[Finding]:
        for path, call in loaders.program_loader_calls(program):
            message = self._judge(call)
            if message:
                yield Finding(self.code, message, path, call.span)

    def _judge(self, call: LoaderCall) -> Optional[str]:
        workers = call.kind("num_workers")
        if workers is None:
            return None  # absent: 0, or hidden in **kwargs
        if workers == ZERO:
            return None
        init = call.kind("worker_init_fn")
        if init not in (None, NONE) or call.unknown("worker_init_fn"):
            return None
        text = call.text("num_workers") or "…"
        return (
            f"`{call.name}(num_workers={text})` has no `worker_init_fn`: worker seeds come only "
            "from the main process's torch RNG, so in distributed training every rank repeats "
            "the same worker streams, and generators the dataset holds are copied unchanged "
            "into every worker; pass `worker_init_fn=seed_worker` (seedlint_runtime)"
        )


class DataLoaderShuffleWithoutGenerator(Rule):
    code = "RNG302"
    name = "dataloader-shuffle-without-generator"
    summary = "`DataLoader(shuffle=True)` without `generator=`"
    what = (
        "Finds `DataLoader(...)` calls that shuffle (`shuffle=True`, by keyword or position, or "
        "a flag that is not provably false, such as `shuffle=is_train`) and pass no "
        "`generator=`. A sampler passed in is judged where it is built (RNG303). Project "
        "subclasses of DataLoader are covered; a call with `**kwargs` is not judged."
    )
    why = (
        "Without `generator=` the loader shuffles with the global torch generator. The order "
        "is reproducible once torch is seeded, but it is tied to every draw made before each "
        "epoch starts: initialising a bigger model, adding a dropout layer or one more "
        "augmentation changes the data order, so two runs that should differ only in the model "
        "also differ in the order they see the data."
    )
    how_to_fix = (
        "Pass a generator of its own, seeded from the run's seed: "
        "`generator=seeded_generator()` (seedlint_runtime), or "
        "`generator=torch.Generator().manual_seed(seed)`.\n\n" + _RECIPE
    )
    invalid: ClassVar[list[Invalid]] = [
        Invalid(
            """
            from torch.utils.data import DataLoader

            def make_loader(ds):
                return DataLoader(ds, batch_size=64, shuffle=True)
            """,
            lines=(4,),
        ),
        Invalid(
            """
            from torch.utils import data

            def make_loader(ds):
                return data.DataLoader(ds, 64, True)
            """,
            lines=(4,),
            note="positional shuffle",
        ),
    ]
    valid: ClassVar[list[Valid]] = [
        Valid(
            """
            from torch.utils.data import DataLoader
            from seedlint_runtime import seeded_generator

            def make_loader(ds):
                return DataLoader(ds, batch_size=64, shuffle=True, generator=seeded_generator())
            """
        ),
        Valid(
            """
            from torch.utils.data import DataLoader

            def make_loader(ds):
                return DataLoader(ds, batch_size=64, shuffle=False)
            """
        ),
    ]

    def check_file(self, ctx: FileContext) -> None:
        for call in loaders.loader_calls(ctx):
            message = self._judge(call)
            if message:
                ctx.facts.findings.append(Finding(self.code, message, ctx.path, call.span))

    def check_program(self, program: Program) -> Iterable[Finding]:
        for path, call in loaders.program_loader_calls(program):
            message = self._judge(call)
            if message:
                yield Finding(self.code, message, path, call.span)

    def _judge(self, call: LoaderCall) -> Optional[str]:
        shuffle = call.kind("shuffle")
        if shuffle is None or shuffle in (FALSE, NONE, ZERO):
            return None
        generator = call.kind("generator")
        if generator not in (None, NONE) or call.unknown("generator"):
            return None
        text = call.text("shuffle") or "True"
        return (
            f"`{call.name}(shuffle={text})` without `generator=` shuffles with the global torch "
            "RNG, so the data order depends on every draw made before it (a change to the "
            "model changes the data order); pass `generator=seeded_generator()` "
            "(seedlint_runtime)"
        )


class SamplerWithoutGenerator(Rule):
    code = "RNG303"
    name = "sampler-without-generator"
    summary = "`random_split` / random sampler without `generator=`"
    wants_calls = True
    what = (
        "Finds `random_split`, `RandomSampler`, `SubsetRandomSampler` and "
        "`WeightedRandomSampler` called without `generator=` (by keyword or position, or with "
        "`generator=None`). `DistributedSampler` shuffles with its own `seed` and an epoch "
        "counter by design and is never reported."
    )
    why = (
        "Without a generator these draw from the global torch generator: the split or the "
        "order is reproducible once torch is seeded, but it changes whenever anything drawn "
        "before it changes. A train/validation split that moves when the model changes is the "
        "worst case: validation images leak into training between experiments."
    )
    how_to_fix = (
        "Pass a generator seeded from the run's seed: "
        "`random_split(ds, [0.9, 0.1], generator=seeded_generator())` or "
        "`RandomSampler(ds, generator=torch.Generator().manual_seed(seed))`.\n\n" + _RECIPE
    )
    invalid: ClassVar[list[Invalid]] = [
        Invalid(
            """
            from torch.utils.data import random_split

            def split(ds):
                return random_split(ds, [0.9, 0.1])
            """,
            lines=(4,),
        ),
        Invalid(
            """
            import torch.utils.data as tud

            def sampler(ds, weights):
                return tud.WeightedRandomSampler(weights, len(ds), True, None)
            """,
            lines=(4,),
            note="generator=None by position",
        ),
    ]
    valid: ClassVar[list[Valid]] = [
        Valid(
            """
            import torch
            from torch.utils.data import random_split

            def split(ds, seed):
                return random_split(ds, [0.9, 0.1], generator=torch.Generator().manual_seed(seed))
            """
        ),
        Valid(
            """
            from torch.utils.data.distributed import DistributedSampler

            def sampler(ds):
                return DistributedSampler(ds, shuffle=True, seed=0)
            """
        ),
    ]

    def check_call(self, ctx: FileContext, site: CallSite) -> None:
        q = site.qualname
        position = apis.SAMPLERS.get(q) if q else None
        if position is None:
            return
        arg = site.arg(position, "generator")
        if arg is not None and (
            arg.star or not (isinstance(arg.value, cst.Name) and arg.value.value == "None")
        ):
            return
        assert q is not None
        stored = ctx.stored_into.get(id(site.node))
        key = dotted(stored) if stored is not None else None
        if key is not None and (site.scope.exec_name, f"{key}.generator") in ctx.writes:
            return  # ``sampler.generator = torch.Generator().manual_seed(seed)`` afterwards
        short = q.rsplit(".", 1)[-1]
        what = "split" if short == "random_split" else "sampling order"
        ctx.report(
            self.code,
            f"`{short}` without `generator=` draws from the global torch RNG, so the {what} "
            "depends on every draw made before it (a change to the model changes it); pass "
            "`generator=seeded_generator()` (seedlint_runtime)",
            site.node,
            site.stmt,
        )


# --- RNG104 -----------------------------------------------------------------------------------

#: Keyword names under which a generator is handed to a function that draws from it.
_GENERATOR_KEYWORDS = frozenset({"generator", "rng", "random_state", "random_generator"})


@dataclass(frozen=True)
class _Created:
    """A private generator stored on a class attribute (``self.rng``) or a module global."""

    cls: Optional[str]  # the class whose attribute it is; None for a module global
    name: str
    scope: str  # the execution scope that creates it
    span: Span
    ctor: str


@dataclass
class _GeneratorFacts:
    created: list[_Created]
    #: execution scope → ("self", attr) / ("global", name) read there as a generator.
    reads: dict[str, set[tuple[str, str]]]
    #: execution scope → "self.attr" / "name" assigned there.
    writes: dict[str, set[str]]
    #: attribute names assigned on objects other than ``self`` (``info.dataset.rng = …``).
    foreign: set[str]


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
        created: list[_Created] = []
        for site in ctx.calls:
            target = ctx.stored_into.get(id(site.node))
            if target is None:
                continue
            ctor = site.constructor_of(site.node, through=apis.TORCH_GENERATOR_SEEDING_METHODS)
            if ctor is None:
                continue
            ctor = apis.numpy_constructor(ctor) or ctor
            if ctor not in apis.PRIVATE_GENERATOR_CONSTRUCTORS:
                continue
            key = dotted(target)
            scope = site.scope
            span = ctx.span(site.node, site.stmt)
            short = _display(ctor)
            if key is None:
                continue
            if "." not in key:
                if scope.kind == "module":
                    created.append(_Created(None, key, "", span, short))
                elif scope.kind == "class":
                    created.append(_Created(scope.qualname, key, "", span, short))
                continue
            head, _, attr = key.partition(".")
            binding = scope.lookup(head)
            if "." not in attr and binding is not None and binding[0] == "self":
                created.append(_Created(str(binding[1]), attr, scope.exec_name, span, short))
        attrs = {c.name for c in created if c.cls is not None}
        globals_ = {c.name for c in created if c.cls is None}
        reads: dict[str, set[tuple[str, str]]] = {}
        for site in ctx.calls:
            for ref in _generator_refs(site, attrs, globals_):
                reads.setdefault(site.scope.exec_name, set()).add(ref)
        writes: dict[str, set[str]] = {}
        foreign: set[str] = set()
        for scope_name, key in ctx.writes:
            writes.setdefault(scope_name, set()).add(key)
            if "." in key and not key.startswith("self."):
                foreign.add(key.rsplit(".", 1)[-1])
        if created or reads or foreign:
            ctx.facts.rule_data[self.code] = _GeneratorFacts(created, reads, writes, foreign)

    def check_program(self, program: Program) -> Iterable[Finding]:
        data = {
            key: f.rule_data[self.code]
            for key, f in program.files.items()
            if self.code in f.rule_data
        }
        if not any(d.created for d in data.values()):
            return
        if loaders.program_reseeds_workers(program):
            return  # seed_worker reseeds what the dataset holds
        foreign = set().union(*(d.foreign for d in data.values()))
        reported: set[tuple[str, int, int]] = set()
        for key, facts in program.files.items():
            for cls in facts.classes:
                chain = program.classes_of(key, cls)
                if not _is_dataset(chain):
                    continue
                reached = _worker_scopes(program, key, cls)
                if not reached:
                    continue
                for created, where in _shared_generators(chain, reached, data, program):
                    if created.name in foreign:
                        continue
                    spot = (where.path, created.span.line, created.span.column)
                    if spot in reported:
                        continue
                    reported.add(spot)
                    yield Finding(self.code, _message(created, cls), where.path, created.span)


def _display(ctor: str) -> str:
    """``np.random.default_rng(...)``, ``random.Random(...)``, ``torch.Generator()``."""
    if ctor.startswith("numpy."):
        ctor = "np." + ctor[len("numpy.") :]
    return ctor.replace("torch._C.", "torch.") + "(...)"


def _message(created: _Created, dataset: str) -> str:
    holder = f"`self.{created.name}`" if created.cls is not None else f"`{created.name}`"
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
        binding = scope.lookup(key)
        if binding is None or binding[0] != "var":
            return None
        if key in globals_ and _binds_globally(site, key):
            return ("global", key)
        # ``rng = self.rng`` then ``rng.normal()``
        for value in scope.assigned_values(key, site.order)[:1]:
            inner = dotted(value)
            if inner is not None and inner.startswith("self.") and inner.count(".") == 1:
                return _self_ref(inner[5:], scope, attrs, method)
        return None
    head, _, attr = key.partition(".")
    if "." in attr:
        return None
    binding = scope.lookup(head)
    if binding is None or binding[0] != "self":
        return None
    return _self_ref(attr, scope, attrs, method)


def _self_ref(
    attr: str, scope: object, attrs: Optional[set[str]], method: Optional[str]
) -> Optional[tuple[str, str]]:
    if attrs is None or attr in attrs or (method is not None and method in apis.GENERATOR_METHODS):
        return ("self", attr)
    return None


def _binds_globally(site: CallSite, name: str) -> bool:
    """Is ``name`` at this call the module's global (no local binding in between)?"""
    scope = site.scope
    while scope.parent is not None:
        if name in scope.bindings and scope.kind != "class" and name not in scope.globals:
            return False
        scope = scope.parent
    return True


def _is_dataset(chain: list[tuple[str, ClassFacts]]) -> bool:
    for _, info in chain:
        for base in info.bases:
            if base[0] == "import" and base[1] == 0 and base[2] in apis.DATASET_BASES:
                return True
    return False


def _worker_scopes(program: Program, key: str, cls: str) -> dict[tuple[str, str], None]:
    """Functions the workers run for dataset ``cls``: its ``__getitem__``/``__iter__`` and
    what they call (project code), in order of discovery."""
    start = []
    for name in apis.DATASET_WORKER_METHODS:
        start += [(k, q) for kind, k, q in program.resolve(key, ("self", cls, name))]
    seen: dict[tuple[str, str], None] = {}
    stack = list(start)
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
            if isinstance(ev, Call) and not ev.value:
                target = ev.target[:3] if ev.target[-1] == "seedlike" else ev.target
                for kind, k2, q2 in program.resolve(k, target):
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
    writes: set[tuple[str, str]] = set()
    for k, q in reached:
        d = data.get(k)
        if d is None:
            continue
        for kind, name in d.reads.get(q, ()):
            reads.add((kind, name, k if kind == "global" else ""))
        for w in d.writes.get(q, ()):
            writes.add((k, w))
    if not reads:
        return
    classes = {info.name for _, info in chain}
    files = {k for k, _ in chain} | {k for k, _ in reached}
    for k in files:
        d = data.get(k)
        if d is None:
            continue
        for c in d.created:
            if (k, c.scope) in reached:
                continue  # created in the worker
            if c.cls is not None:
                if c.cls not in classes or ("self", c.name, "") not in reads:
                    continue
                if any(w == f"self.{c.name}" for _, w in writes):
                    continue  # (re)created lazily in the worker
            else:
                if ("global", c.name, k) not in reads or (k, c.name) in writes:
                    continue
                if any(c.name in ws for q, ws in d.writes.items() if q):
                    continue  # reassigned by a function (``global rng``)
            yield c, program.files[k]
