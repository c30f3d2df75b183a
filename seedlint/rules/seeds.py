"""RNG201–RNG202: seeds that change from run to run, and reseeds from OS entropy."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar, Optional

import libcst as cst

from seedlint import apis
from seedlint.engine.collect import CallSite, FileContext
from seedlint.engine.interp import EntropySeed
from seedlint.engine.program import Program
from seedlint.engine.streams import module_name
from seedlint.engine.values import SeedValue, judge_seed
from seedlint.engine.walk import walk
from seedlint.findings import Finding, Fix
from seedlint.rules.base import Invalid, Rule, Valid
from seedlint.rules.generators import is_torch_generator

#: Keywords that carry a seed into any call (scikit-learn, HF, …).
SEED_KEYWORDS = ("seed", "random_state", "random_seed", "rng_seed")


class NondeterministicSeed(Rule):
    code = "RNG201"
    name = "nondeterministic-seed"
    fixable = "unsafe"
    fix_safety = (
        "Unsafe, and only for seeds from the clock, the pid, `os.urandom`, `uuid`, `secrets` "
        "or `hash()` of a string: the expression that draws the entropy (`int(time.time())`) is "
        'replaced by `derive_seed("module:scope:seed")`, a seed derived from the run\'s seed '
        "that `seed_everything` controls. An absent or `None` seed has no fix: pick the seed "
        "your experiment should use."
    )
    summary = "seed that is absent, `None`, or taken from the clock, pid, urandom, uuid, …"
    wants_calls = True
    what = (
        "Finds seeding calls (`random.seed`, `np.random.seed`, `torch.manual_seed`, "
        "`g.manual_seed`, seed-everything helpers) whose seed is absent or `None` where that "
        "means OS entropy (`random.seed()`, mmengine `set_random_seed()`, detectron2 "
        "`seed_all_rng()`), and any seed — to a seeder, a generator constructor or a `seed=` / "
        "`random_state=` argument — that comes from the clock, the process id, `os.urandom`, "
        "`uuid`, `secrets`, `SystemRandom`, or `hash()` of a string, also through a local "
        "variable (`s = int(time.time()); np.random.seed(s)`). A generator constructor with "
        "no seed is RNG101–RNG103; helpers whose default is a fixed seed (Lightning 2.x, "
        "`seedlint_runtime.seed_everything()`) are seeding."
    )
    why = (
        "The call looks like seeding but gives every run a different seed, so nothing "
        "repeats. `hash()` of a string is salted per process (PYTHONHASHSEED): it differs "
        "from run to run, while `random.seed('text')` itself is reproducible."
    )
    how_to_fix = (
        "Use a fixed seed from the config or the command line (`--seed 0`), and log it. "
        "If you want a fresh seed per run, draw it once, print it, and pass it in so the run "
        "can be repeated."
    )
    invalid: ClassVar[list[Invalid]] = [
        Invalid(
            """
            import time
            import numpy as np

            seed = int(time.time())
            np.random.seed(seed)
            """,
            lines=(5,),
        ),
        Invalid(
            """
            import random

            random.seed()
            random.seed(hash("experiment-1"))
            """,
            lines=(3, 4),
        ),
        Invalid(
            """
            from detectron2.utils.env import seed_all_rng

            seed_all_rng()
            """,
            lines=(3,),
        ),
    ]
    valid: ClassVar[list[Valid]] = [
        Valid(
            """
            import random

            random.seed("experiment-1")
            """
        ),
        Valid(
            """
            import lightning.pytorch as pl

            pl.seed_everything()
            """,
            note="Lightning 2.x falls back to a fixed seed",
        ),
    ]

    def check_call(self, ctx: FileContext, site: CallSite) -> None:
        q = site.qualname
        api = _display(site)
        if q is not None:
            seeder = apis.seeder(q)
            if seeder is not None:
                self._judge(ctx, site, api, judge_seed(seeder, site))
                return
            if q in ctx.settings.seed_functions:
                arg = site.arg(0, "seed")
                if arg is not None and not arg.star:
                    self._judge(ctx, site, api, ctx.seed_value(arg.value, site), entropy_only=True)
                return
            if apis.numpy_constructor(q) or q in apis.PYTHON_GENERATOR_CONSTRUCTORS:
                arg = site.arg(0, "entropy" if q.endswith("SeedSequence") else "seed")
                if arg is not None and not arg.star:
                    self._judge(ctx, site, api, ctx.seed_value(arg.value, site), entropy_only=True)
                return
        method = site.method
        if method == "manual_seed" and site.node.args:
            first = site.node.args[0]
            if not first.star:
                self._judge(ctx, site, api, ctx.seed_value(first.value, site), entropy_only=True)
            return
        for a in site.node.args:
            if a.keyword is not None and a.keyword.value in SEED_KEYWORDS:
                value = ctx.seed_value(a.value, site)
                if value.kind == "entropy":
                    self._judge(ctx, site, f"{api}({a.keyword.value}=...)", value)
                return
        name = method or (site.node.func.value if isinstance(site.node.func, cst.Name) else "")
        if "seed" in name.lower() and site.node.args and site.node.args[0].keyword is None:
            first = site.node.args[0]
            if not first.star:
                self._judge(ctx, site, api, ctx.seed_value(first.value, site), entropy_only=True)

    def _judge(
        self,
        ctx: FileContext,
        site: CallSite,
        api: str,
        value: SeedValue,
        entropy_only: bool = False,
    ) -> None:
        if value.kind == "entropy":
            how = "may be seeded" if value.maybe else "is seeded"
            message = (
                f"`{api}` {how} from {value.source}, so every run gets a different seed: "
                "use a fixed seed (from the config or command line) and log it"
            )
        elif value.kind in ("absent", "none") and not entropy_only:
            how = "without a seed" if value.kind == "absent" else "with `None`"
            if value.maybe:
                how = "with a seed that may be `None`"
            message = (
                f"`{api}` called {how} seeds from OS entropy, so every run differs: "
                "pass a fixed seed"
            )
        else:
            return
        ctx.report(self.code, message, site.node, site.stmt, fix=_entropy_fix(ctx, site, value))

    def check_program(self, program: Program) -> Iterable[Finding]:
        """Seeds whose value changes from run to run only where the program says so: a helper
        given ``None`` (or left at a ``None`` default), an argparse option defaulting to
        ``None``, a seed returned by a helper that reads the clock or hashes a string."""
        local = {
            (f.path, f.span.line, f.span.column)
            for facts in program.files.values()
            for f in facts.findings
            if f.code == self.code
        }
        for run in program.ranked_runs():
            for seed in run.entropy_seeds:
                site = seed.site
                spot = (site.path, site.span.line, site.span.column)
                if spot in local:
                    continue
                local.add(spot)
                yield Finding(
                    self.code,
                    _program_message(seed),
                    site.path,
                    site.span,
                    entry_point=run.name,
                    context=run.context,
                )


def _program_message(seed: EntropySeed) -> str:
    call = f"`{seed.site.text}`"
    seeder = seed.seeder.replace("numpy.", "np.", 1)
    none = seed.why.startswith("`None`")
    if seed.seeder_site is not None:
        inner = f"`{seeder}` ({seed.seeder_site.path}:{seed.seeder_site.span.line})"
        if none:
            return (
                f"{call} passes {seed.why} on to {inner}, which then seeds from OS entropy, "
                "so every run differs: pass a fixed seed"
            )
        return (
            f"{call} passes a seed from {seed.why} on to {inner}, so every run gets a "
            "different seed: use a fixed seed (from the config or command line) and log it"
        )
    if none:
        return (
            f"{call} is seeded with {seed.why}, which means OS entropy, so every run differs: "
            "pass a fixed seed (give the option a default)"
        )
    return (
        f"{call} is seeded from {seed.why}, so every run gets a different seed: use a fixed "
        "seed (from the config or command line) and log it"
    )


def _in_loop(stmt: cst.CSTNode, ctx: FileContext) -> bool:
    """Is ``stmt`` inside a ``for``/``while`` loop of its function (or the module)?"""
    finder = _LoopFinder(stmt)
    walk(ctx.module, finder)
    return finder.inside


class _LoopFinder(cst.CSTVisitor):
    def __init__(self, target: cst.CSTNode) -> None:
        self.target = target
        self.loops = 0
        self.inside = False
        self.found = False
        self.stack: list[int] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self.found:
            return False
        if node is self.target:
            self.inside = self.loops > 0
            self.found = True
            return False
        if isinstance(node, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            self.stack.append(self.loops)
            self.loops = 0
        elif isinstance(node, (cst.For, cst.While)):
            self.loops += 1
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        # ``on_leave`` runs also for the nodes ``on_visit`` skipped: once the target is found
        # (the target itself, everything after it) the counts no longer matter.
        if self.found:
            return
        if isinstance(original_node, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            self.loops = self.stack.pop()
        elif isinstance(original_node, (cst.For, cst.While)):
            self.loops -= 1


def _entropy_fix(ctx: FileContext, site: CallSite, value: SeedValue) -> Optional[Fix]:
    """Replace the expression that draws the entropy (``int(time.time())``) by a seed derived
    from the run's seed."""
    if value.kind != "entropy" or value.node is None:
        return None
    if _in_loop(site.stmt, ctx):
        return None  # a fresh seed per iteration is likely on purpose (e.g. evolution)
    if isinstance(value.node, cst.BooleanOperation):
        return None  # ``args.seed or int(time.time())``: the user's seed must survive
    if value.via is not None and "seed" not in value.via.lower():
        return None  # ``start = time.time()`` is also a timer: not rewritten
    span = ctx._cst_span(value.node)
    key = f"{module_name(ctx.path)}:{site.scope.qualname or '<module>'}:seed"
    return Fix(
        "unsafe",
        f'replace the seed from {value.source} with `derive_seed("{key}")`',
        "replace-expr",
        span.line,
        span.column,
        (key, span.end_line, span.end_column),
    )


class EntropyReseed(Rule):
    code = "RNG202"
    name = "entropy-reseed"
    summary = (
        "`torch.seed()` / `torch.cuda.seed[_all]()` / `Generator.seed()` reseed from OS entropy"
    )
    wants_calls = True
    what = (
        "Finds `torch.seed()`, `torch.cuda.seed()`, `torch.cuda.seed_all()` and `.seed()` on a "
        "`torch.Generator`. Despite the name, these do not set a seed: they pick a fresh one "
        "from OS entropy."
    )
    why = (
        "They throw away whatever seed the program set earlier: every draw after them differs "
        "from run to run, even when the run was seeded at the start."
    )
    how_to_fix = (
        "Remove the call, or replace it with `torch.manual_seed(seed)` / "
        "`g.manual_seed(seed)` with a fixed seed. To read the current seed use "
        "`torch.initial_seed()`."
    )
    invalid: ClassVar[list[Invalid]] = [
        Invalid(
            """
            import torch

            torch.manual_seed(0)
            torch.seed()
            """,
            lines=(4,),
        ),
        Invalid(
            """
            import torch

            g = torch.Generator()
            g.seed()
            """,
            lines=(4,),
        ),
    ]
    valid: ClassVar[list[Valid]] = [
        Valid(
            """
            import torch

            torch.manual_seed(0)
            print(torch.initial_seed())
            """
        ),
        Valid(
            """
            import random

            class Env:
                def seed(self, value):
                    self.rng = random.Random(value)

            Env().seed(0)
            """,
            note="`.seed()` on something that is not a torch generator",
        ),
    ]

    def check_call(self, ctx: FileContext, site: CallSite) -> None:
        q = site.qualname
        if q is not None and q in apis.ENTROPY_RESEEDS:
            what = f"`{q}()`"
        elif (
            site.method == "seed"
            and not site.node.args
            and site.receiver is not None
            and is_torch_generator(site, site.receiver)
        ):
            what = "`Generator.seed()`"
        else:
            return
        ctx.report(
            self.code,
            f"{what} reseeds from OS entropy, undoing any earlier seed: remove it or use "
            "`manual_seed(seed)` with a fixed seed",
            site.node,
            site.stmt,
        )


def _display(site: CallSite) -> str:
    from seedlint.engine.names import dotted

    if site.qualname is not None:
        return site.qualname
    return dotted(site.node.func) or "seed call"
