"""RNG101–RNG103: private generators created without a seed."""

from __future__ import annotations

from typing import ClassVar, Optional

import libcst as cst

from seedlint import apis
from seedlint.engine.collect import CallSite, FileContext, owner_of
from seedlint.engine.names import dotted
from seedlint.engine.streams import derive_key
from seedlint.engine.vexpr import render
from seedlint.findings import Fix
from seedlint.rules.base import Invalid, Rule, Valid

_FIX_SAFETY = (
    "Unsafe: the generator's numbers change (from OS entropy, or a fixed default, to a stream "
    'derived from the run\'s seed with `derive_seed("module:scope:name")`, which '
    "`seed_everything` controls and which differs per call site). A seed of the program's "
    "that may be `None` is kept: `default_rng(seed_i)` becomes `default_rng(seed_i if "
    'seed_i is not None else derive_seed("…"))`.'
)


def _missing_seed(ctx: FileContext, site: CallSite, keyword: str) -> Optional[str]:
    """Why the constructor gets no seed, for the message: "without a seed", "with `None`",
    "with `seed_i`, which may be `None`"; None when it gets one."""
    arg = site.arg(0, keyword)
    if arg is None:
        return "without a seed"
    if arg.star:
        return None
    value = ctx.seed_value(arg.value, site)
    if value.kind != "none":
        return None
    if not value.maybe and isinstance(arg.value, cst.Name) and arg.value.value == "None":
        return "with `None` as its seed"
    shown = dotted(arg.value) or "its seed"
    return (
        f"with `{shown}`, which is `None`"
        if not value.maybe
        else (f"with `{shown}`, which may be `None`")
    )


class UnseededNumpyGenerator(Rule):
    code = "RNG101"
    name = "unseeded-numpy-generator"
    fixable = "unsafe"
    fix_safety = _FIX_SAFETY
    summary = "NumPy generator or bit generator created without a seed"
    wants_calls = True
    what = (
        "Finds `np.random.default_rng()`, `RandomState()`, the bit generators (`PCG64()`, "
        "`MT19937()`, `Philox()`, `SFC64()`, `PCG64DXSM()`) and `SeedSequence()` created "
        "with no seed or with `None`. Reported where the generator is created."
    )
    why = (
        "Without a seed NumPy draws fresh OS entropy: the generator gives a different stream "
        "on every run, whatever seed the rest of the program sets (`np.random.seed` does not "
        "reach private generators)."
    )
    how_to_fix = (
        "Pass a seed: `np.random.default_rng(seed)`, with `seed` from your config or "
        "command line; for one stream per component derive it, e.g. "
        "`np.random.default_rng(seedlint_runtime.derive_seed('augment'))`."
    )
    invalid: ClassVar[list[Invalid]] = [
        Invalid(
            """
            import numpy as np

            rng = np.random.default_rng()
            print(rng.normal(size=3))
            """,
            lines=(3,),
        ),
        Invalid(
            """
            from numpy.random import Generator, PCG64, RandomState

            legacy = RandomState(None)
            modern = Generator(PCG64())
            """,
            lines=(3, 4),
        ),
    ]
    valid: ClassVar[list[Valid]] = [
        Valid(
            """
            import numpy as np

            rng = np.random.default_rng(1234)
            print(rng.normal(size=3))
            """
        ),
        Valid(
            """
            import numpy as np

            def make_rng(seed):
                return np.random.default_rng(seed)
            """
        ),
    ]

    def check_call(self, ctx: FileContext, site: CallSite) -> None:
        q = site.qualname
        ctor = apis.numpy_constructor(q) if q else None
        if ctor is None:
            return
        keyword = "entropy" if ctor.endswith("SeedSequence") else "seed"
        how = _missing_seed(ctx, site, keyword)
        if how is not None:
            short = ctor.rsplit(".", 1)[-1]
            ctx.report(
                self.code,
                f"`{render(site.node)}` {how} draws OS entropy, so its stream changes on every "
                f"run: pass a seed, e.g. `{short}(seed)`",
                site.node,
                site.stmt,
                fix=_seed_fix(ctx, site, keyword),
            )


class UnseededPythonGenerator(Rule):
    code = "RNG102"
    name = "unseeded-python-generator"
    fixable = "unsafe"
    fix_safety = _FIX_SAFETY
    summary = "`random.Random()` created without a seed"
    wants_calls = True
    what = "Finds `random.Random()` and `random.Random(None)`. Reported where it is created."
    why = (
        "A `random.Random` instance without a seed is seeded from OS entropy: its numbers "
        "change on every run, and `random.seed(...)` does not reach it."
    )
    how_to_fix = "Pass a seed: `random.Random(seed)`."
    invalid: ClassVar[list[Invalid]] = [
        Invalid(
            """
            import random

            class Augment:
                def __init__(self):
                    self.rng = random.Random()
            """,
            lines=(5,),
        )
    ]
    valid: ClassVar[list[Valid]] = [
        Valid(
            """
            import random

            class Augment:
                def __init__(self, seed):
                    self.rng = random.Random(seed)
            """
        ),
        Valid(
            """
            class Random:
                pass

            r = Random()
            """,
            note="a user class that happens to be called Random",
        ),
    ]

    def check_call(self, ctx: FileContext, site: CallSite) -> None:
        if site.qualname not in apis.PYTHON_GENERATOR_CONSTRUCTORS:
            return
        how = _missing_seed(ctx, site, "x")
        if how is not None:
            ctx.report(
                self.code,
                f"`{render(site.node)}` {how} is seeded from OS entropy, so its numbers "
                "change on every run: pass a seed, e.g. `random.Random(seed)`",
                site.node,
                site.stmt,
                fix=_seed_fix(ctx, site, "x"),
            )


class UnseededTorchGenerator(Rule):
    code = "RNG103"
    name = "unseeded-torch-generator"
    fixable = "unsafe"
    fix_safety = _FIX_SAFETY
    summary = "`torch.Generator()` used without `manual_seed`"
    wants_calls = True
    what = (
        "Finds a `torch.Generator()` that is never given a seed: not chained with "
        "`.manual_seed(...)`, and never `manual_seed`-ed or `set_state`-d through the name or "
        "attribute it is stored in. A generator that is returned, yielded or handed to "
        "another function positionally may be seeded there, and is not reported. Reported "
        "where the generator is created."
    )
    why = (
        "A new `torch.Generator()` starts from a fixed default seed (67280421310721), not "
        "from `torch.manual_seed`: every such generator yields the same stream whatever seed "
        "the program sets, so changing the experiment's seed does not change what it draws."
    )
    how_to_fix = (
        "Seed it from the run's seed: `torch.Generator().manual_seed(seed)`, or "
        "`seedlint_runtime.seeded_generator()`, which follows `seed_everything`."
    )
    invalid: ClassVar[list[Invalid]] = [
        Invalid(
            """
            import torch
            from torch.utils.data import DataLoader

            def loader(ds):
                g = torch.Generator()
                return DataLoader(ds, shuffle=True, generator=g)
            """,
            lines=(5,),
        ),
    ]
    valid: ClassVar[list[Valid]] = [
        Valid(
            """
            import torch
            from torch.utils.data import DataLoader

            def loader(ds, seed):
                g = torch.Generator()
                g.manual_seed(seed)
                return DataLoader(ds, shuffle=True, generator=g)
            """
        ),
        Valid(
            """
            import torch

            g = torch.Generator().manual_seed(0)
            """
        ),
    ]

    def check_call(self, ctx: FileContext, site: CallSite) -> None:
        state = ctx.state.setdefault(self.code, {"created": [], "seeded": set(), "passed": set()})
        if site.qualname in apis.TORCH_GENERATOR_CONSTRUCTORS:
            state["created"].append(site)
        method = site.method
        if method in apis.TORCH_GENERATOR_SEEDING_METHODS or method == "seed":
            receiver = site.receiver
            assert receiver is not None
            if isinstance(receiver, cst.Call):
                state["seeded"].add(("call", id(receiver)))
            else:
                key = dotted(receiver)
                if key is not None:
                    state["seeded"].add((owner_of(site.scope, key), key))
        for a in site.node.args:
            if a.keyword is None and not a.star:
                key = dotted(a.value)
                if key is not None:
                    state["passed"].add((owner_of(site.scope, key), key))

    def check_file(self, ctx: FileContext) -> None:
        state = ctx.state.get(self.code)
        if not state:
            return
        seeded, passed = state["seeded"], state["passed"]
        for site in state["created"]:
            if ("call", id(site.node)) in seeded:
                continue
            target = ctx.stored_into.get(id(site.node))
            key = dotted(target) if target is not None else None
            if key is not None:
                where = (owner_of(site.scope, key), key)
                if where in seeded or where in passed or where in ctx.escapes:
                    continue
            ctx.report(
                self.code,
                "`torch.Generator()` is never seeded: it starts from a fixed default seed that "
                "`torch.manual_seed` does not reach, so the run's seed has no effect on it; "
                "use `torch.Generator().manual_seed(seed)`",
                site.node,
                site.stmt,
                fix=_seed_fix(ctx, site, None),
            )


def _seed_fix(ctx: FileContext, site: CallSite, keyword: Optional[str]) -> Optional[Fix]:
    if any(a.star for a in site.node.args):
        return None
    span = ctx.span(site.node, site.stmt)
    key = derive_key(ctx, site)
    if keyword is None:
        return Fix.at(
            span,
            "unsafe",
            f'chain `.manual_seed(derive_seed("{key}"))`',
            "chain-manual-seed",
            (key,),
        )
    arg = site.arg(0, keyword)
    if arg is not None and not (isinstance(arg.value, cst.Name) and arg.value.value == "None"):
        # a seed of the program's that may be None (``default_rng(seed_i)``): kept, and
        # derived only when it is None
        shown = dotted(arg.value)
        if shown is None:
            return None  # an expression evaluated twice would not be the same program
        return Fix.at(
            span,
            "unsafe",
            f'use `{shown}` when it is set, else `derive_seed("{key}")`',
            "seed-arg",
            (key, keyword, False, 0, True),
        )
    return Fix.at(
        span, "unsafe", f'seed it with `derive_seed("{key}")`', "seed-arg", (key, keyword, False)
    )


def is_torch_generator(site: CallSite, node: cst.BaseExpression) -> bool:
    """Does ``node`` evaluate to a ``torch.Generator`` created in this file?"""
    made_by = site.constructor_of(node, through=apis.TORCH_GENERATOR_SEEDING_METHODS)
    return made_by in apis.TORCH_GENERATOR_CONSTRUCTORS
