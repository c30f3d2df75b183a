"""RNG501: cuDNN autotuning; RNG502: seeding torch without deterministic algorithms."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

import libcst as cst

from seedlint import apis
from seedlint.engine.collect import CallSite, FileContext
from seedlint.engine.names import external, resolve
from seedlint.engine.program import Program
from seedlint.findings import Finding, Fix
from seedlint.rules.base import Invalid, Rule, Valid
from seedlint.rules.device import may_be_cuda
from seedlint.rules.loaders import TRUE, kind_of


class CudnnBenchmark(Rule):
    code = "RNG501"
    name = "cudnn-benchmark"
    fixable = "unsafe"
    fix_safety = (
        "Unsafe: `cudnn.benchmark = True` becomes `= False`, so convolutions may run slower. "
        "No fix for `cudnn.flags(...)`, Lightning's `Trainer(benchmark=True)` or a tuple "
        "assignment."
    )
    summary = "`torch.backends.cudnn.benchmark = True`"
    wants_calls = True
    watches_attributes = frozenset({"benchmark"})
    what = (
        "Finds `torch.backends.cudnn.benchmark = True` through any import path "
        "(`import torch`, `from torch.backends import cudnn`, "
        "`import torch.backends.cudnn as cudnn`), also `torch.backends.cudnn.flags("
        "benchmark=True)` and Lightning's `Trainer(benchmark=True)`. Only a value that is "
        "provably true is reported (`cudnn.benchmark = args.benchmark` is not)."
    )
    why = (
        "With benchmark mode on, cuDNN times several convolution algorithms on the first "
        "batch of each shape and keeps the fastest. The choice depends on timing noise and "
        "on what else runs on the GPU, and the algorithms do not give bit-identical results, "
        "so two runs with the same seed can diverge from the first step."
    )
    how_to_fix = (
        "Leave it off when results must repeat: `torch.backends.cudnn.benchmark = False` "
        "(the default), or `seed_everything(seed, deterministic=True)` (seedlint_runtime), "
        "which also turns on deterministic algorithms. Keep it for throughput runs where "
        "bit-for-bit repeatability does not matter, with `# noqa: RNG501`."
    )
    invalid: ClassVar[list[Invalid]] = [
        Invalid(
            """
            import torch

            torch.backends.cudnn.benchmark = True
            """,
            lines=(3,),
        ),
        Invalid(
            """
            from torch.backends import cudnn

            def setup():
                cudnn.deterministic = False
                cudnn.benchmark = True
            """,
            lines=(5,),
        ),
    ]
    valid: ClassVar[list[Valid]] = [
        Valid(
            """
            import torch

            torch.backends.cudnn.benchmark = False
            torch.backends.cudnn.deterministic = True
            """
        ),
        Valid(
            """
            class Config:
                benchmark = True

            cfg = Config()
            cfg.benchmark = True
            """,
            note="not cuDNN's flag",
        ),
    ]

    def check_file(self, ctx: FileContext) -> None:
        for a in ctx.attr_assigns:
            if a.target.attr.value != "benchmark":
                continue
            owner = external(resolve(a.target.value, a.scope))
            if owner not in apis.CUDNN_MODULES:
                continue
            if kind_of(a.value, a.scope) == TRUE:
                fix = None
                stmt = a.stmt
                if (
                    isinstance(stmt, cst.SimpleStatementLine)
                    and len(stmt.body) == 1
                    and isinstance(stmt.body[0], cst.Assign)
                    and len(stmt.body[0].targets) == 1
                    and stmt.body[0].targets[0].target is a.target
                ):
                    span = ctx.span(stmt)
                    fix = Fix(
                        "unsafe",
                        "set it to `False`",
                        "assign-false",
                        span.line,
                        span.column,
                    )
                ctx.report(
                    self.code,
                    "`cudnn.benchmark = True` lets cuDNN pick convolution algorithms by timing "
                    "them, which differs between runs and gives different numbers for the "
                    "same seed; leave it False when results must repeat",
                    a.stmt,
                    fix=fix,
                )

    def check_call(self, ctx: FileContext, site: CallSite) -> None:
        flag = apis.CUDNN_BENCHMARK_CALLS.get(site.qualname or "")
        if flag is None:
            return
        position, keyword = flag
        arg = site.arg(position, keyword)
        if arg is None or arg.star or kind_of(arg.value, site.scope) != TRUE:
            return
        ctx.report(
            self.code,
            f"`{keyword}=True` turns on cuDNN benchmark mode, which picks convolution "
            "algorithms by timing them and gives different numbers for the same seed; leave it "
            "off when results must repeat",
            site.node,
            site.stmt,
        )


class NondeterministicAlgorithms(Rule):
    code = "RNG502"
    name = "nondeterministic-algorithms"
    summary = "entry point seeds torch but never enables deterministic algorithms"
    default = False
    #: cuDNN settings (``torch.backends.cudnn.deterministic = True``) show a program uses CUDA.
    watches_attributes = frozenset({"benchmark", "deterministic", "enabled", "allow_tf32"})
    what = (
        'Off by default (`extend-select = ["RNG502"]`). Finds entry points that seed torch '
        "(`torch.manual_seed`, a seed-everything helper, a project function that does) but "
        "never call `torch.use_deterministic_algorithms(True)` anywhere they reach "
        "(`seed_everything(seed, deterministic=True)` of seedlint_runtime, transformers' "
        "`enable_full_determinism` and Lightning's `Trainer(deterministic=True)` count). "
        "Reported at the entry point's call that leads to seeding torch; the message says "
        "whether the program visibly uses CUDA (`.cuda()`, `torch.cuda.*`, a CUDA device, "
        "cuDNN settings in a module the entry point runs)."
    )
    why = (
        "A seed fixes the random numbers, not the arithmetic: on GPUs several kernels "
        "(`index_add_`, `scatter_add_`, `embedding_bag` backward, some cuDNN convolutions) "
        "accumulate with atomics in an order that changes from run to run, so the same seed "
        "gives slightly different weights after a few steps. Deterministic mode makes torch "
        "use reproducible kernels or raise where none exists."
    )
    how_to_fix = (
        "Call `torch.use_deterministic_algorithms(True)` at start-up (on CUDA ≥ 10.2 also set "
        "`CUBLAS_WORKSPACE_CONFIG=:4096:8`), or use `seed_everything(seed, deterministic=True)` "
        "from seedlint_runtime, which does both and sets cuDNN deterministic."
    )
    invalid: ClassVar[list[Invalid]] = [
        Invalid(
            """
            import torch

            def main():
                torch.manual_seed(0)
                model = torch.nn.Linear(4, 2).cuda()

            if __name__ == "__main__":
                main()
            """,
            lines=(4,),
        )
    ]
    valid: ClassVar[list[Valid]] = [
        Valid(
            """
            import torch

            def main():
                torch.manual_seed(0)
                torch.use_deterministic_algorithms(True)
                model = torch.nn.Linear(4, 2).cuda()

            if __name__ == "__main__":
                main()
            """
        ),
        Valid(
            """
            from seedlint_runtime import seed_everything

            if __name__ == "__main__":
                seed_everything(0, deterministic=True)
            """
        ),
    ]

    def check_file(self, ctx: FileContext) -> None:
        if any(_uses_cuda(site) for site in ctx.calls) or any(
            external(resolve(a.target.value, a.scope)) in apis.CUDNN_MODULES
            for a in ctx.attr_assigns
        ):
            ctx.facts.rule_data[self.code] = True

    def check_program(self, program: Program) -> Iterable[Finding]:
        seen: set[tuple[str, int]] = set()
        for run in program.ranked_runs():
            if run.torch_seed is None or apis.DETERMINISM in run.seeded:
                continue
            cuda = any(program.files[k].rule_data.get(self.code) for k in run.modules)
            facts, span, order = run.torch_seed
            spot = (facts.path, order)
            if spot in seen:
                continue
            seen.add(spot)
            who = "this entry point" if facts is run.entry and not run.test else run.name
            where = "it runs on" if cuda else "it ever runs on"
            yield Finding(
                self.code,
                f"{who} seeds torch but never calls `torch.use_deterministic_algorithms(True)`: "
                f"when {where} a GPU, kernels such as `index_add_`, `scatter_add_` and (unless "
                "`cudnn.deterministic`) cuDNN convolutions still change results between runs "
                "with the same seed; turn it on, e.g. `seed_everything(seed, deterministic=True)` "
                "(seedlint_runtime)",
                facts.path,
                span,
                entry_point=run.name,
                context=run.context,
            )


def _uses_cuda(site: CallSite) -> bool:
    q = site.qualname
    if q is not None and q.startswith(("torch.cuda.", "torch.accelerator.", "torch.backends.")):
        return True
    if q == "torch.device" or (q is None and site.method == "to"):
        return may_be_cuda(site.node, site.scope) or any(
            may_be_cuda(a.value, site.scope) for a in site.node.args[:1] if not a.star
        )
    if q is None and site.method == "cuda":
        return True
    return any(
        a.keyword is not None and a.keyword.value == "device" and may_be_cuda(a.value, site.scope)
        for a in site.node.args
    )
