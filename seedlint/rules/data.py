"""RNG301–RNG303: DataLoader workers and data order."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar, Optional

from seedlint import apis
from seedlint.engine.collect import CallSite, FileContext
from seedlint.engine.names import dotted
from seedlint.engine.program import Program
from seedlint.findings import Finding, Fix
from seedlint.rules import loaders
from seedlint.rules.base import Invalid, Rule, Valid
from seedlint.rules.loaders import FALSE, NONE, ZERO, LoaderCall, kind_of

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


class _LoaderRule(Rule):
    """Judges every DataLoader call: direct ones per file, project subclasses per program."""

    def check_file(self, ctx: FileContext) -> None:
        for call in loaders.loader_calls(ctx):
            message = self._judge(call)
            if message:
                ctx.facts.findings.append(
                    Finding(self.code, message, ctx.path, call.span, _fix(call, self.code))
                )

    def check_program(self, program: Program) -> Iterable[Finding]:
        for path, call in loaders.program_loader_calls(program):
            message = self._judge(call)
            if message:
                yield Finding(self.code, message, path, call.span, _fix(call, self.code))

    def _judge(self, call: LoaderCall) -> Optional[str]:
        raise NotImplementedError


class DataLoaderWithoutWorkerInit(_LoaderRule):
    code = "RNG301"
    name = "dataloader-without-worker-init"
    fixable = "safe"
    fix_safety = (
        "Safe: it adds `worker_init_fn=seed_worker` (and its import). Workers' streams change "
        "(they become distinct per rank and reproducible); nothing else in the call moves. "
        "No fix for project subclasses with their own `__init__` signature."
    )
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

    def _judge(self, call: LoaderCall) -> Optional[str]:
        workers = call.kind("num_workers")
        if workers is None:
            return None  # absent: 0, or hidden in **kwargs
        if workers in (ZERO, FALSE):
            return None
        init = call.kind("worker_init_fn")
        if init not in (None, NONE) or call.unknown("worker_init_fn"):
            return None
        return (
            f"{call.head('num_workers', '…')} has no `worker_init_fn`: worker seeds come only "
            "from the main process's torch RNG, so in distributed training every rank repeats "
            "the same worker streams, and generators the dataset holds are copied unchanged "
            "into every worker; pass `worker_init_fn=seed_worker` (seedlint_runtime)"
        )


class DataLoaderShuffleWithoutGenerator(_LoaderRule):
    code = "RNG302"
    name = "dataloader-shuffle-without-generator"
    fixable = "safe"
    fix_safety = (
        "Safe: it adds `generator=seeded_generator()` (and its import); the order changes once, "
        "then depends on the seed alone."
    )
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

    def _judge(self, call: LoaderCall) -> Optional[str]:
        shuffle = call.kind("shuffle")
        if shuffle is None or shuffle in (FALSE, NONE, ZERO):
            return None
        generator = call.kind("generator")
        if generator not in (None, NONE) or call.unknown("generator"):
            return None
        return (
            f"{call.head('shuffle', 'True')}"
            + (" gets no `generator=`: it" if call.via("shuffle") else " without `generator=`")
            + " shuffles with the global torch "
            "RNG, so the data order depends on every draw made before it (a change to the "
            "model changes the data order); pass `generator=seeded_generator()` "
            "(seedlint_runtime)"
        )


_ADDS = {
    "RNG301": ("worker_init_fn", "seed_worker"),
    "RNG302": ("generator", "seeded_generator"),
}


def _fix(call: LoaderCall, code: str) -> Optional[Fix]:
    if not call.fixable:
        return None
    keyword, helper = _ADDS[code]
    value = f"{helper}()" if helper == "seeded_generator" else helper
    return Fix.at(
        call.span,
        "safe",
        f"add `{keyword}={value}` (seedlint_runtime)",
        "add-keyword",
        (keyword, helper, apis.DATALOADER_PARAMS.index(keyword)),
    )


def short_name(qualname: str) -> str:
    return qualname.rsplit(".", 1)[-1]


class SamplerWithoutGenerator(Rule):
    code = "RNG303"
    name = "sampler-without-generator"
    fixable = "safe"
    fix_safety = (
        "Safe: it adds `generator=seeded_generator()` (replacing an explicit `None`); the split "
        "or order changes once, then depends on the seed alone and agrees across ranks."
    )
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
        if arg is not None and (arg.star or kind_of(arg.value, site.scope) != NONE):
            return
        assert q is not None
        stored = ctx.stored_into.get(id(site.node))
        key = dotted(stored) if stored is not None else None
        if key is not None and short_name(q) != "random_split":
            later = site.scope.assigned_values(f"{key}.generator", 1 << 62)
            if any(kind_of(v, site.scope) != NONE for v in later):
                return  # ``sampler.generator = torch.Generator().manual_seed(seed)`` afterwards
        short = q.rsplit(".", 1)[-1]
        what = "split" if short == "random_split" else "sampling order"
        fix = Fix.at(
            ctx.span(site.node, site.stmt),
            "safe",
            "add `generator=seeded_generator()` (seedlint_runtime)",
            "add-keyword",
            ("generator", "seeded_generator", position),
        )
        ctx.report(
            self.code,
            f"`{short}` without `generator=` draws from the global torch RNG, so the {what} "
            "depends on every draw made before it (a change to the model changes it); pass "
            "`generator=seeded_generator()` (seedlint_runtime)",
            site.node,
            site.stmt,
            fix=fix,
        )
