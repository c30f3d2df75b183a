"""RNG401: random tensors drawn directly on a device that may be CUDA."""

from __future__ import annotations

from typing import ClassVar, Optional

import libcst as cst

from seedlint import apis
from seedlint.engine.collect import CallSite, FileContext
from seedlint.engine.names import NameScope, dotted, external, resolve, variable_values
from seedlint.findings import Fix
from seedlint.rules.base import Invalid, Rule, Valid
from seedlint.rules.loaders import short_source

_MAX_DEPTH = 4
#: Calls that return a device (or index) that may be CUDA.
_CUDA_DEVICE_CALLS = frozenset(
    {
        "torch.cuda.current_device",
        "torch.accelerator.current_accelerator",
        "torch.accelerator.current_device_index",
    }
)
#: Draws that sample on their input's device.
_SAMPLES_ITS_INPUT = frozenset(
    f"torch.{n}" for n in ("bernoulli", "multinomial", "poisson", "binomial", "normal")
)
_INITIALISERS = frozenset(f"torch.nn.init.{n}" for n in apis.TORCH_INIT_DRAWS)


class RandomTensorOnCuda(Rule):
    code = "RNG401"
    name = "random-tensor-on-cuda"
    fixable = "safe"
    fix_safety = (
        "Safe: `torch.randn(3, device=d)` becomes `torch.randn(3).to(d)`, keeping `dtype` and "
        "`layout`; `requires_grad=True` becomes `.to(d).requires_grad_()` so the "
        'result is still a leaf; `*_like(x, device=d)` keeps `device="cpu"` before moving. '
        "The numbers change once (CPU instead of CUDA stream). No fix when `out=`, "
        "`pin_memory=` or `generator=` (it may be a CUDA generator) is given, when `*args`/`**kwargs` are passed, or for in-place samplers "
        "and initialisers (create the tensor on the CPU, sample, then move it)."
    )
    summary = "random tensor created directly on a device that may be CUDA"
    wants_calls = True
    what = (
        "Finds random factories (`torch.rand`, `randn`, `randint`, `randperm`, `normal`, "
        "`rand_like`, `randn_like`, `randint_like`) given `device=` that may be CUDA: a CUDA "
        'string (`"cuda"`, `"cuda:1"`, `"cuda:" + str(rank)`), a device index, '
        "`torch.device(...)` of one, an f-string that names `cuda`, or a variable or `self.` "
        "attribute bound to any of these or to a conditional with a CUDA branch "
        '(`"cuda" if torch.cuda.is_available() else "cpu"`). Also in-place samplers and '
        "`nn.init` initialisers applied to a tensor created on CUDA in the same expression "
        '(`torch.empty(n, device="cuda").normal_()`, `x.cuda().uniform_()`, '
        "`torch.cuda.FloatTensor(n).normal_()`). A device that cannot be known (a parameter, "
        "`x.device`, `args.device`) is not reported."
    )
    why = (
        "For the same seed the CPU generator (MT19937) and the CUDA generator (Philox) give "
        "different numbers, and CUDA streams can differ across GPU models and library "
        "versions. A tensor drawn on the GPU makes the run's numbers depend on the machine: "
        "a result obtained on a GPU cannot be reproduced on a CPU (a laptop, CI) and the other "
        "way round. A tensor drawn on the CPU and then moved (`torch.randn(n).to(dev)`) is "
        "identical everywhere."
    )
    how_to_fix = (
        "Draw on the CPU, then move: `torch.randn(3, 4).to(device)`. Keep `dtype=` and "
        "`generator=` on the factory; for a leaf tensor that needs gradients write "
        "`torch.randn(3).to(device).requires_grad_()`. Drawing on the GPU is faster for very "
        "large tensors; if you choose it, accept results that depend on the hardware and "
        "silence the finding with `# noqa: RNG401`."
    )
    invalid: ClassVar[list[Invalid]] = [
        Invalid(
            """
            import torch

            device = "cuda" if torch.cuda.is_available() else "cpu"
            noise = torch.randn(16, 100, device=device)
            """,
            lines=(4,),
        ),
        Invalid(
            """
            import torch

            def init_weights(n):
                w = torch.empty(n, n, device=torch.device("cuda", 0)).normal_()
                b = torch.cuda.FloatTensor(n).uniform_()
                return w, b
            """,
            lines=(4, 5),
        ),
    ]
    valid: ClassVar[list[Valid]] = [
        Valid(
            """
            import torch

            device = "cuda" if torch.cuda.is_available() else "cpu"
            noise = torch.randn(16, 100).to(device)
            """
        ),
        Valid(
            """
            import torch

            def sample(x, device):
                return torch.randn(x.shape, device=device) + torch.rand_like(x, device=x.device)
            """,
            note="devices that cannot be known",
        ),
    ]

    def check_call(self, ctx: FileContext, site: CallSite) -> None:
        q = site.qualname
        if q is not None:
            q = apis.normalize(q)
            if q in apis.TORCH_RANDOM_FACTORIES:
                arg = site.arg(None, "device")
                if arg is not None and not arg.star and may_be_cuda(arg.value, site.scope):
                    text = short_source(cst.Module([]).code_for_node(arg.value))
                    short = q.split(".", 1)[1]
                    self._report(ctx, site, f"`torch.{short}(..., device={text})`", short)
                return
            if q in _SAMPLES_ITS_INPUT:
                arg = site.arg(0, "input")
                if arg is not None and not arg.star and on_cuda(arg.value, site.scope):
                    short = q.split(".", 1)[1]
                    self._report(ctx, site, f"`torch.{short}` of a CUDA tensor")
                return
            if q in _INITIALISERS:
                arg = site.arg(0, "tensor")
                if arg is not None and not arg.star and on_cuda(arg.value, site.scope):
                    self._report(ctx, site, f"`{q.replace('torch.nn.', 'nn.')}` on a CUDA tensor")
                return
        method = site.method
        if method in apis.TORCH_TENSOR_SAMPLERS and site.resolved is None:
            receiver = site.receiver
            assert receiver is not None
            if on_cuda(receiver, site.scope):
                self._report(ctx, site, f"`.{method}()` on a tensor created on CUDA")

    def _report(
        self, ctx: FileContext, site: CallSite, what: str, factory: Optional[str] = None
    ) -> None:
        move = (
            f"`torch.{factory}(...).to(device)`"
            if factory
            else "create it on the CPU, then `.to(device)`"
        )
        fix = None
        if factory and _fixable(site.node):
            fix = Fix.at(
                ctx.span(site.node, site.stmt),
                "safe",
                "draw on the CPU, then `.to(device)`",
                "draw-on-cpu",
            )
        ctx.report(
            self.code,
            f"{what} draws from the CUDA generator, which gives different numbers than the "
            "CPU generator for the same seed, so results depend on the machine; draw on the "
            f"CPU and move: {move}",
            site.node,
            site.stmt,
            fix=fix,
        )


def _fixable(call: cst.Call) -> bool:
    """``out=`` writes into a tensor that is already somewhere, ``pin_memory`` only means
    something on the CPU, a ``generator=`` may be a CUDA generator (which cannot draw on the
    CPU), and ``*args``/``**kwargs`` may carry anything: no rewrite then."""
    return not any(
        a.star or (a.keyword is not None and a.keyword.value in ("out", "pin_memory", "generator"))
        for a in call.args
    )


def may_be_cuda(expr: cst.BaseExpression, scope: NameScope, depth: int = 0) -> bool:
    """Can this device expression be a CUDA device (as far as the file tells)?"""
    if depth > _MAX_DEPTH:
        return False
    if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
        text = expr.evaluated_value
        return isinstance(text, str) and text.strip().lower().startswith("cuda")
    if isinstance(expr, cst.FormattedString):
        static = "".join(
            p.value for p in expr.parts if isinstance(p, cst.FormattedStringText)
        ).lower()
        return "cuda" in static
    if isinstance(expr, cst.Integer):
        return True  # a device index is a CUDA device
    if isinstance(expr, cst.IfExp):
        return may_be_cuda(expr.body, scope, depth + 1) or may_be_cuda(
            expr.orelse, scope, depth + 1
        )
    if isinstance(expr, cst.BinaryOperation):  # "cuda:" + str(rank), "cuda:%d" % rank
        return may_be_cuda(expr.left, scope, depth + 1)
    if isinstance(expr, cst.Call):
        func = expr.func
        if isinstance(func, cst.Attribute) and func.attr.value == "format":
            return may_be_cuda(func.value, scope, depth + 1)  # "cuda:{}".format(rank)
        q = external(resolve(expr.func, scope))
        if q == "torch.device":
            arg = expr.args[0] if expr.args and not expr.args[0].star else None
            for a in expr.args:
                if a.keyword is not None and a.keyword.value == "type":
                    arg = a
            return arg is not None and may_be_cuda(arg.value, scope, depth + 1)
        return q in _CUDA_DEVICE_CALLS
    if isinstance(expr, (cst.Name, cst.Attribute)):
        return any(may_be_cuda(v, scope, depth + 1) for v in _bound_values(expr, scope))
    return False


def _is_dtype(expr: cst.BaseExpression, scope: NameScope) -> bool:
    """``torch.float16``, ``torch.half``, …: a dtype (``.to(dtype)`` does not move)."""
    q = external(resolve(expr, scope))
    return q is not None and q.startswith("torch.") and q.count(".") == 1 and q[6:] in _DTYPES


_DTYPES = frozenset(
    {
        "float",
        "float16",
        "float32",
        "float64",
        "half",
        "double",
        "bfloat16",
        "int",
        "int8",
        "int16",
        "int32",
        "int64",
        "long",
        "short",
        "uint8",
        "bool",
        "complex64",
        "complex128",
        "cfloat",
        "cdouble",
        "float8_e4m3fn",
        "float8_e5m2",
    }
)


def _bound_values(expr: cst.BaseExpression, scope: NameScope) -> list[cst.BaseExpression]:
    """Every value assigned to a variable or ``self.`` attribute (not a parameter, not an
    import) in the scope that binds it."""
    key = dotted(expr)
    if key is None:
        return []
    if isinstance(expr, cst.Name):
        return variable_values(expr.value, scope) or []
    head, _, rest = key.partition(".")
    if "." in rest:
        return []
    owner = scope.lookup(head)
    if owner is None or owner[0] != "self":
        return []
    values: list[cst.BaseExpression] = []
    walk: Optional[NameScope] = scope
    while walk is not None:
        values += [v for _, v in walk.assigns.get(key, [])]
        if walk.kind == "class" and walk.qualname == owner[1]:
            values += [v for _, v in walk.assigns.get(rest, [])]  # a class attribute
        walk = walk.parent
    return values


#: Tensor methods that keep the tensor where it is (so a CUDA receiver stays on CUDA).
_MOVES_OFF = frozenset({"cpu", "numpy", "tolist", "item"})


def on_cuda(expr: cst.BaseExpression, scope: NameScope, depth: int = 0) -> bool:
    """Is ``expr`` a tensor created on CUDA in this very expression?"""
    if depth > _MAX_DEPTH:
        return False
    if isinstance(expr, cst.Subscript):  # ``torch.empty(3, 3, device="cuda")[0]``
        return on_cuda(expr.value, scope, depth + 1)
    if not isinstance(expr, cst.Call):
        return False
    func = expr.func
    q = external(resolve(func, scope))
    if q is not None:
        if q in apis.TORCH_CUDA_TENSOR_TYPES:
            return True
        if q in ("torch.nn.Parameter", "torch.nn.parameter.Parameter") and expr.args:
            return on_cuda(expr.args[0].value, scope, depth + 1)  # wraps the same storage
        if q.startswith("torch."):
            for a in expr.args:
                if a.keyword is not None and a.keyword.value == "device":
                    return may_be_cuda(a.value, scope)
        return False
    if not isinstance(func, cst.Attribute):
        return False
    method = func.attr.value
    if method == "cuda":
        return True
    if method == "to":
        for i, a in enumerate(expr.args):
            if a.star:
                return False
            if a.keyword is not None and a.keyword.value == "device":
                return may_be_cuda(a.value, scope)
            if a.keyword is None and i == 0 and not _is_dtype(a.value, scope):
                return may_be_cuda(a.value, scope)  # ``.to(device)``; ``.to(x)`` is unknown
        return on_cuda(func.value, scope, depth + 1)  # ``.to(torch.float16)`` stays put
    if method in _MOVES_OFF:
        return False
    return on_cuda(func.value, scope, depth + 1)
