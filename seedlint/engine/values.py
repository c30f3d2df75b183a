"""What a seed expression is worth: absent, None, entropy (clock, pid, urandom, …) or deterministic.

Followed through local variables and attributes assigned in the enclosing scopes:
``s = int(time.time()); np.random.seed(s)`` is entropy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

import libcst as cst

from seedlint import apis
from seedlint.engine.names import NameScope, dotted, external, literal_value, resolve
from seedlint.engine.walk import walk

if TYPE_CHECKING:
    from seedlint.engine.collect import CallSite

_MAX_DEPTH = 8


@dataclass(frozen=True)
class SeedValue:
    kind: str  # "absent" | "none" | "entropy" | "ok"
    source: Optional[str] = None  # for "entropy": where it comes from
    #: Only one branch of a conditional expression is None / entropy.
    maybe: bool = False
    #: For "entropy": the expression (an argument, or a value assigned to the name passed)
    #: whose evaluation draws the entropy.
    node: Optional[cst.BaseExpression] = None
    #: The variable or attribute through which ``node`` reached the seed, if any.
    via: Optional[str] = None

    @property
    def deterministic(self) -> bool:
        return self.kind == "ok"


OK = SeedValue("ok")


def seed_value(expr: Optional[cst.BaseExpression], scope: NameScope, order: int) -> SeedValue:
    if expr is None:
        return SeedValue("absent")
    return _value(expr, scope, order, 0)


def _value(expr: cst.BaseExpression, scope: NameScope, order: int, depth: int) -> SeedValue:
    if depth > _MAX_DEPTH:
        return OK
    if isinstance(expr, cst.Name) and expr.value == "None":
        return SeedValue("none")
    if isinstance(expr, cst.IfExp):  # ``None if seed < 0 else seed``
        for branch in (expr.body, expr.orelse):
            value = _value(branch, scope, order, depth + 1)
            if value.kind != "ok":
                return SeedValue(
                    value.kind, value.source, maybe=True, node=value.node, via=value.via
                )
        return OK
    finder = _EntropyFinder(scope, order, depth)
    walk(expr, finder)
    if finder.source is not None:
        return SeedValue("entropy", finder.source, node=finder.top or expr, via=finder.via)
    if isinstance(expr, (cst.Name, cst.Attribute)):
        key = dotted(expr)
        if key is not None:
            assigned = scope.assigned_values(key, order)
            if assigned:
                return _value(assigned[0], scope, order, depth + 1)
    return OK


def entropy(
    expr: cst.BaseExpression, scope: NameScope, order: int, depth: int = 0
) -> Optional[str]:
    """Where ``expr``'s value comes from when it changes from run to run, else None."""
    finder = _EntropyFinder(scope, order, depth)
    walk(expr, finder)
    return finder.source


class _EntropyFinder(cst.CSTVisitor):
    def __init__(self, scope: NameScope, order: int, depth: int) -> None:
        self.scope, self.order, self.depth = scope, order, depth
        self.source: Optional[str] = None
        #: The assigned value the entropy was found in, when it was found through a name.
        self.top: Optional[cst.BaseExpression] = None
        self.via: Optional[str] = None

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self.source is not None:
            return False
        if isinstance(node, cst.Call):
            self.source = _call_entropy(node, self.scope, self.order, self.depth)
            return self.source is None
        if isinstance(node, (cst.Name, cst.Attribute)) and self.depth < _MAX_DEPTH:
            key = dotted(node)
            if key is not None:
                assigned = self.scope.assigned_values(key, self.order)[:1]
                for value in assigned:
                    if value is not node:
                        inner = _EntropyFinder(self.scope, self.order, self.depth + 1)
                        walk(value, inner)
                        self.source = inner.source
                        if inner.source is not None:
                            self.top = inner.top or _entropy_branch(value, self)
                            self.via = inner.via or key
                # ``run_id.int`` where only ``run_id = uuid.uuid4()`` is assigned: look inside
                return not assigned and isinstance(node, cst.Attribute)
        return not isinstance(node, (cst.Lambda, cst.FunctionDef))


def _entropy_branch(value: cst.BaseExpression, finder: _EntropyFinder) -> cst.BaseExpression:
    """``a if c else int(time.time())`` → the branch that draws the entropy."""
    while isinstance(value, cst.IfExp):
        for branch in (value.body, value.orelse):
            probe = _EntropyFinder(finder.scope, finder.order, finder.depth + 1)
            walk(branch, probe)
            if probe.source is not None:
                value = branch
                break
        else:
            break
    return value


def _call_entropy(node: cst.Call, scope: NameScope, order: int, depth: int) -> Optional[str]:
    resolved = resolve(node.func, scope)
    q = external(resolved)
    if q is not None:
        src = apis.entropy_source(q)
        if src is not None:
            return src
        if apis.numpy_constructor(q) is not None and not node.args:
            return "OS entropy (a numpy generator without a seed)"
        if q in apis.PYTHON_GENERATOR_CONSTRUCTORS and not node.args:
            return "OS entropy (random.Random() without a seed)"
    if (
        resolved is None
        and isinstance(node.func, cst.Name)
        and node.func.value == "hash"
        and node.args
        and is_string(node.args[0].value, scope, order, depth)
    ):
        return "hash() of a string (salted per process)"
    return None


def is_string(expr: cst.BaseExpression, scope: NameScope, order: int, depth: int = 0) -> bool:
    """True when ``expr`` provably evaluates to a ``str`` (or a tuple holding one)."""
    if depth > _MAX_DEPTH:
        return False
    if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
        s = literal_value(expr) if isinstance(expr, cst.SimpleString) else None
        return not isinstance(s, bytes)
    if isinstance(expr, cst.FormattedString):
        return True
    if isinstance(expr, cst.Tuple):
        return any(is_string(e.value, scope, order, depth + 1) for e in expr.elements)
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, (cst.Add, cst.Modulo)):
        return is_string(expr.left, scope, order, depth + 1)
    if isinstance(expr, cst.Call):
        func = expr.func
        if (
            isinstance(func, cst.Name)
            and func.value in ("str", "repr")
            and resolve(func, scope) is None
        ):
            return True
        if isinstance(func, cst.Attribute) and func.attr.value in (
            "format",
            "join",
            "upper",
            "lower",
        ):
            return is_string(func.value, scope, order, depth + 1)
        return False
    if isinstance(expr, cst.Name):
        binder = scope.binder(expr.value)
        if binder is not None and expr.value in binder.strings:
            return True  # annotated ``str``
        assigned = scope.assigned_values(expr.value, order)
        return bool(assigned) and is_string(assigned[0], scope, order, depth + 1)
    return False


def seeds_deterministically(seeder: apis.Seeder, site: CallSite) -> bool:
    """Does this call of a known seeder set a reproducible state?"""
    return judge_seed(seeder, site).deterministic


def judge_seed(seeder: apis.Seeder, site: CallSite) -> SeedValue:
    if seeder.arg is None and seeder.keyword is None:
        return OK  # restores a saved state
    arg = site.arg(seeder.arg, seeder.keyword)
    if arg is None:
        return SeedValue("absent") if seeder.when_absent == "entropy" else OK
    if arg.star:
        return OK
    value = seed_value(arg.value, site.scope, site.order)
    if value.kind == "none" and not seeder.none_is_entropy:
        return OK
    return value
