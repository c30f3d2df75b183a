"""RNG301–RNG303: DataLoader workers and data order."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar, Optional

import libcst as cst

from seedlint import apis
from seedlint.engine.collect import CallSite, FileContext
from seedlint.engine.names import dotted
from seedlint.engine.program import EntryRun, Program
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


class DataLoaderWithoutWorkerInitStrict(_LoaderRule):
    code = "RNG305"
    name = "dataloader-without-worker-init-strict"
    default = False
    fixable = "safe"
    fix_safety = (
        "Safe: it adds `worker_init_fn=seed_worker` (and its import). Workers' streams change "
        "(they become distinct per rank and reproducible); nothing else in the call moves. "
        "No fix for project subclasses with their own `__init__` signature."
    )
    summary = "any `DataLoader` with workers and no `worker_init_fn` (the blanket policy)"
    what = (
        "The blanket policy the seed article recommends, off by default (RNG301 reports the "
        "loaders where it changes the numbers): finds every `DataLoader(...)` call whose "
        "`num_workers` is not provably 0 and that passes no "
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
        if not _without_worker_init(call):
            return None
        return (
            f"{call.head('num_workers', '…')} has no `worker_init_fn`: worker seeds come only "
            "from the main process's torch RNG, so in distributed training every rank repeats "
            "the same worker streams, and generators the dataset holds are copied unchanged "
            "into every worker; pass `worker_init_fn=seed_worker` (seedlint_runtime)"
        )


def _without_worker_init(call: LoaderCall) -> bool:
    workers = call.kind("num_workers")
    if workers is None or workers in (ZERO, FALSE):
        return False  # absent: 0, or hidden in **kwargs
    init = call.kind("worker_init_fn")
    return init in (None, NONE) and not call.unknown("worker_init_fn")


class DataLoaderWithoutWorkerInit(Rule):
    """RNG301: RNG305's loaders, where it matters: a program that may run as several processes
    seeded alike, whose loader's workers may draw (DESIGN "RNG301 where it matters")."""

    code = "RNG301"
    name = "dataloader-without-worker-init"
    fixable = "safe"
    wants_calls = True
    fix_safety = DataLoaderWithoutWorkerInitStrict.fix_safety
    summary = "`DataLoader` with workers and no `worker_init_fn` in a multi-process program"
    what = (
        "Finds `DataLoader(...)` calls whose `num_workers` is not provably 0 and that pass no "
        "`worker_init_fn`, in a program that may run as several processes seeded alike (it "
        "seeds torch with a fixed seed that does not depend on the rank, and an "
        "entry point that reaches the loader also calls `init_process_group`, wraps a model in "
        "`DistributedDataParallel`/FSDP, builds a `DistributedSampler`, an "
        "`accelerate.Accelerator` or a Lightning `Trainer`/`Fabric` with a multi-device "
        "strategy, or reads `LOCAL_RANK`/`RANK`; a loader no entry point reaches is judged by "
        "its own file), and whose workers may draw: the dataset's `__getitem__`/`__iter__`, "
        "its transforms or the `collate_fn` reach a draw, or cannot be resolved. Arguments are "
        "read as RNG305 reads them (keywords, positions, `**kwargs` mappings, project "
        "subclasses). RNG305 is the blanket version: every loader with workers."
    )
    why = (
        "Since torch 1.9 every worker seeds `random`, torch and NumPy's global RNG from a base "
        "seed drawn from the main process's torch RNG, so a single-process program repeats once "
        "torch is seeded and its workers differ from each other. Several processes seeded "
        "alike (every rank calls `manual_seed(seed)`) draw the *same* base seed, so worker *k* "
        "of every rank applies the same augmentations to its samples: the effective "
        "augmentation diversity shrinks by the number of ranks, and results change with the "
        "number of GPUs."
    )
    how_to_fix = DataLoaderWithoutWorkerInitStrict.how_to_fix
    invalid: ClassVar[list[Invalid]] = [
        Invalid(
            """
            import random

            import torch
            import torch.distributed as dist
            from torch.utils.data import DataLoader, Dataset


            class Crops(Dataset):
                def __len__(self):
                    return 1000

                def __getitem__(self, i):
                    return i + random.random()


            def main():
                dist.init_process_group("gloo")
                torch.manual_seed(0)
                loader = DataLoader(Crops(), batch_size=32, num_workers=4)
                for batch in loader:
                    pass


            if __name__ == "__main__":
                main()
            """,
            lines=(19,),
            note="every rank's worker k draws the same crops",
        ),
        Invalid(
            """
            import os

            from torch.utils.data import DataLoader

            LOCAL_RANK = int(os.environ.get("LOCAL_RANK", 0))

            def make_loader(ds, args):
                return DataLoader(ds, batch_size=64, num_workers=args.workers)
            """,
            lines=(8,),
            note="library code no entry point reaches: its own file reads LOCAL_RANK",
        ),
    ]
    valid: ClassVar[list[Valid]] = [
        Valid(
            """
            import random

            import torch
            import torch.distributed as dist
            from torch.utils.data import DataLoader, Dataset
            from seedlint_runtime import seed_worker


            class Crops(Dataset):
                def __len__(self):
                    return 1000

                def __getitem__(self, i):
                    return i + random.random()


            def main():
                dist.init_process_group("gloo")
                torch.manual_seed(0)
                loader = DataLoader(Crops(), batch_size=32, num_workers=4,
                                    worker_init_fn=seed_worker)
                for batch in loader:
                    pass


            if __name__ == "__main__":
                main()
            """
        ),
        Valid(
            """
            import random

            import torch
            from torch.utils.data import DataLoader, Dataset


            class Crops(Dataset):
                def __len__(self):
                    return 1000

                def __getitem__(self, i):
                    return i + random.random()


            def main():
                torch.manual_seed(0)
                loader = DataLoader(Crops(), batch_size=32, num_workers=4)
                for batch in loader:
                    pass


            if __name__ == "__main__":
                main()
            """,
            note="one process: torch seeds every worker from the seeded main process",
        ),
        Valid(
            """
            import torch
            import torch.distributed as dist
            from torch.utils.data import DataLoader, Dataset


            class Tokens(Dataset):
                def __init__(self, ids):
                    self.ids = ids

                def __len__(self):
                    return len(self.ids)

                def __getitem__(self, i):
                    return torch.tensor(self.ids[i])


            def main():
                dist.init_process_group("gloo")
                torch.manual_seed(0)
                loader = DataLoader(Tokens([1, 2, 3]), batch_size=2, num_workers=4)
                for batch in loader:
                    pass


            if __name__ == "__main__":
                main()
            """,
            note="the workers draw nothing: no worker_init_fn changes the numbers",
        ),
        Valid(
            """
            import random

            import torch
            import torch.distributed as dist
            from torch.utils.data import DataLoader, Dataset


            class Crops(Dataset):
                def __len__(self):
                    return 1000

                def __getitem__(self, i):
                    return i + random.random()


            def main(seed=0):
                dist.init_process_group("gloo")
                torch.manual_seed(seed + dist.get_rank())
                loader = DataLoader(Crops(), batch_size=32, num_workers=4)
                for batch in loader:
                    pass


            if __name__ == "__main__":
                main()
            """,
            note="every rank seeds differently: its workers' streams differ too",
        ),
    ]

    def check_call(self, ctx: FileContext, site: CallSite) -> None:
        what = _multiprocess_marker(site)
        if what:
            _markers(ctx).append((ctx.span(site.node).line, what))

    def check_file(self, ctx: FileContext) -> None:
        markers = _markers(ctx)
        markers.extend(_rank_reads(ctx))
        data = ctx.facts.rule_data.setdefault(self.code, {})
        data["loaders"] = [
            (call, _fix(call, self.code))
            for call in loaders.loader_calls(ctx)
            if _without_worker_init(call)
        ]

    def check_program(self, program: Program) -> Iterable[Finding]:
        todo: list[tuple[str, str, LoaderCall, Optional[Fix]]] = []
        by_path = {facts.path: key for key, facts in program.files.items()}
        for key, facts in program.files.items():
            for call, fix in facts.rule_data.get(self.code, {}).get("loaders", ()):
                todo.append((key, facts.path, call, fix))
        for path, call in loaders.program_loader_calls(program):
            if _without_worker_init(call) and path in by_path:
                todo.append((by_path[path], path, call, _fix(call, self.code)))
        if not todo:
            return
        judge = _Judge(program, self.code)
        for key, path, call, fix in todo:
            verdict = judge.verdict(key, path, call)
            if verdict is None:
                continue
            yield Finding(
                self.code,
                f"{call.head('num_workers', '…')} has no `worker_init_fn`, in a program that "
                f"runs as several processes ({verdict}): every rank seeds torch alike, so worker "
                "k of every rank draws the same augmentations; pass "
                "`worker_init_fn=seed_worker` (seedlint_runtime), which gives every (seed, rank, "
                "worker, epoch) its own stream",
                path,
                call.span,
                fix,
            )


def _multiprocess_marker(site: CallSite) -> str:
    """How a call makes the program run as several processes ("" when it does not)."""
    q = site.qualname or ""
    short = q.rsplit(".", 1)[-1]
    if q in apis.MULTIPROCESS_CALLS:
        return f"`{short}(…)`"
    if q in apis.LIGHTNING_RUNNERS:
        for keyword in ("strategy", "devices", "num_nodes", "gpus"):
            arg = site.arg(None, keyword)
            if arg is None:
                continue
            value = arg.value
            text = value.value if isinstance(value, cst.SimpleString) else None
            if (
                keyword == "strategy"
                and text is not None
                and text.strip("'\"")
                in (
                    "auto",
                    "single_device",
                    "dp",
                )
            ):
                continue
            if isinstance(value, cst.Integer) and value.value == "1":
                continue
            return f"`{short}({keyword}=…)`"
    return ""


def _markers(ctx: FileContext) -> list[tuple[int, str]]:
    data = ctx.facts.rule_data.setdefault("RNG301", {})
    out: list[tuple[int, str]] = data.setdefault("markers", [])
    return out


_RANK_READ = re.compile(
    r"""(?:environ\s*(?:\.get\s*\(|\[)|getenv\s*\()\s*["'](LOCAL_RANK|RANK)["']"""
)


def _rank_reads(ctx: FileContext) -> list[tuple[int, str]]:
    """``os.environ["LOCAL_RANK"]``, ``os.environ.get("RANK")``, ``os.getenv("LOCAL_RANK")``."""
    data = ctx.data if ctx.data is not None else ctx.module.code.encode("utf-8")
    if b"RANK" not in data:
        return []
    text = data.decode("utf-8", errors="replace")
    out = []
    for m in _RANK_READ.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        out.append((line, f"reads `{m.group(1)}`"))
    return out


class _Judge:
    """Which entry points reach a loader, whether one of them runs as several processes, and
    whether the loader's workers may draw."""

    def __init__(self, program: Program, code: str) -> None:
        self.program = program
        self.runs = program.runs()
        self.markers: dict[str, list[tuple[int, str, str]]] = {}
        for key, facts in program.files.items():
            found = facts.rule_data.get(code, {}).get("markers", ())
            if found:
                self.markers[key] = [
                    (line, what, facts.scope_at(line)) for line, what in sorted(found)
                ]
        self.multi: dict[int, Optional[str]] = {}

    def _marker(self, i: int, run: EntryRun) -> Optional[str]:
        if i not in self.multi:
            found: Optional[str] = None
            for key, markers in sorted(self.markers.items()):
                for line, what, qual in markers:
                    if run.reaches(key, qual):
                        found = f"{self.program.files[key].path}:{line} {what}"
                        break
                if found:
                    break
            self.multi[i] = found
        return self.multi[i]

    def verdict(self, key: str, path: str, call: LoaderCall) -> Optional[str]:
        """Why the loader matters (the multi-process marker), or None when it does not."""
        facts = self.program.files[key]
        qual = facts.scope_at(call.span.line)
        reaching = [(i, r) for i, r in enumerate(self.runs) if r.reaches(key, qual)]
        if not reaching:
            own = self.markers.get(key)
            return f"{path}:{own[0][0]} {own[0][1]}" if own else None
        spot = (path, call.span.line)
        why: Optional[str] = None
        for i, run in reaching:
            if run.torch_seed is None or run.torch_seed_per_rank:
                # ranks not seeded alike: unseeded (each rank's main process starts from its
                # own entropy: RNG003's business) or seeded per rank (`seed + rank`)
                continue
            marker = self._marker(i, run)
            if marker is not None and self._may_draw(run, spot):
                why = marker
                break
        return why

    @staticmethod
    def _may_draw(run: EntryRun, spot: tuple[str, int]) -> bool:
        if spot not in run.loaders:
            return True  # reached, but how it is built is not known: it may draw
        if spot in run.worker_draws or ("*", 0) in run.worker_draws:
            return True
        return bool(run.loader_datasets.get(spot, set()) & run.drawing_datasets)


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
    "RNG305": ("worker_init_fn", "seed_worker"),
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
