"""Value expressions: what one file says about a value, for the project analysis to evaluate.

The collector turns the expressions the analysis cares about (call arguments, callees and
receivers, assigned and returned values, seeds, branch conditions) into small picklable
tuples (:data:`seedlint.engine.facts.VExpr`). The project analysis evaluates them against what
it knows where the code runs: the arguments of the call being followed, the instance whose
method runs, the module's constants, argparse defaults.

Forms (``v`` a value expression, ``c`` a condition):

* ``("lit", value)`` — a literal (``None``, a bool, a number, a string);
* ``("local", name)`` — a name of the running function (its parameters included);
* ``("global", name)`` — a module-level name of the file, read where it is never written by a
  function (a module constant);
* ``("closure", function, name)`` — a name of an enclosing function;
* ``("self", attr)`` / ``("selfobj",)`` — ``self.attr`` / ``self`` in a method;
* ``("ref", target)`` — a function, class or imported name used as a value;
* ``("call", order)`` — the result of the call with that order in the same scope;
* ``("ifexp", c, v, v)``, ``("seq", (v, ...))``, ``("dict", ((key, v), ...))``,
  ``("sub", v, v)``, ``("getattr", v, name)``;
* ``("iter", v)`` — an item of ``v`` (a loop variable); ``("values", v)`` / ``("items", v)`` /
  ``("keys", v)`` — a mapping's views;
* ``("hash", v)`` — ``hash(v)``; ``("str", (v, ...))`` — a string built from parts;
  ``("entropy", source)`` — a value that changes from run to run; ``("mix", (v, ...))`` —
  arithmetic and conversions (entropy in, entropy out);
* ``("other",)`` — nothing known.

A name assigned inside a loop is unknown inside that loop (an earlier iteration may have
changed it); a module-level name some function writes (``global x``) is unknown in functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union

import libcst as cst

from seedlint import apis
from seedlint.engine.facts import OTHER, Condition, VExpr
from seedlint.engine.names import NameScope, dotted, external, literal_value, resolve

_MAX_DEPTH = 5
_MAX_ITEMS = 24

_CONVERSIONS = frozenset({"int", "abs", "round", "float", "max", "min", "sum", "len"})
_STRINGS = frozenset({"str", "repr", "format"})
#: Builtins whose result holds the same items as their argument.
_SAME_ITEMS = frozenset({"list", "tuple", "set", "sorted", "reversed", "iter", "frozenset"})
_COMPREHENSION_TYPES = (cst.ListComp, cst.SetComp, cst.GeneratorExp)
_STRING_METHODS = frozenset({"format", "join", "upper", "lower", "strip", "replace"})

COMPARISONS = {
    cst.Equal: "==",
    cst.NotEqual: "!=",
    cst.LessThan: "<",
    cst.LessThanEqual: "<=",
    cst.GreaterThan: ">",
    cst.GreaterThanEqual: ">=",
    cst.Is: "is",
    cst.IsNot: "is not",
    cst.In: "in",
    cst.NotIn: "not in",
}


def literal(node: Optional[cst.BaseExpression]) -> tuple[bool, object]:
    """(known, value) for True / False / None, numbers, plain strings and tuples of them."""
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return True, {"True": True, "False": False, "None": None}[node.value]
    if isinstance(node, (cst.Integer, cst.Float)):
        return True, literal_value(node)
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        known, value = literal(node.expression)
        if known and isinstance(value, (int, float)) and not isinstance(value, bool):
            return True, -value
        return False, None
    if isinstance(node, cst.SimpleString):
        text = literal_value(node)
        return (True, text) if isinstance(text, str) else (False, None)
    if isinstance(node, cst.ConcatenatedString):
        left, right = literal(node.left), literal(node.right)
        if left[0] and right[0] and isinstance(left[1], str) and isinstance(right[1], str):
            return True, left[1] + right[1]
        return False, None
    return False, None


@dataclass
class Loop:
    """A ``for``/``while`` of one execution scope: the orders it spans and what it assigns."""

    start: int
    end: int = 1 << 60
    names: set[str] = field(default_factory=set)


@dataclass
class Builder:
    """Builds value expressions once the whole file has been visited (every binding known)."""

    #: id(call node) → the call's order.
    call_order: dict[int, int]
    #: execution scope name → its loops.
    loops: dict[str, list[Loop]]
    #: Module-level names some function writes (``global x``): not constants.
    global_writes: set[str]
    #: id(lambda node) → the qualname of its scope.
    lambdas: dict[int, str] = field(default_factory=dict)

    def value(
        self, node: Optional[cst.BaseExpression], scope: NameScope, order: int, depth: int = 0
    ) -> VExpr:
        if node is None or depth > _MAX_DEPTH:
            return OTHER
        known, lit = literal(node)
        if known:
            return ("lit", lit)
        t = type(node)
        if t is cst.Name:
            assert isinstance(node, cst.Name)
            return self.name(node, scope, order)
        if t is cst.Attribute:
            assert isinstance(node, cst.Attribute)
            return self.attribute(node, scope, order, depth)
        if t is cst.Call:
            assert isinstance(node, cst.Call)
            return self.call(node, scope, order, depth)
        if t is cst.IfExp:
            assert isinstance(node, cst.IfExp)
            return (
                "ifexp",
                self.condition(node.test, scope, order, depth + 1),
                self.value(node.body, scope, order, depth + 1),
                self.value(node.orelse, scope, order, depth + 1),
            )
        if t in (cst.List, cst.Tuple, cst.Set):
            assert isinstance(node, (cst.List, cst.Tuple, cst.Set))
            if any(isinstance(e, cst.StarredElement) for e in node.elements):
                return OTHER
            return (
                "seq",
                tuple(self.value(e.value, scope, order, depth + 1) for e in node.elements)[
                    :_MAX_ITEMS
                ],
            )
        if t is cst.Dict:
            assert isinstance(node, cst.Dict)
            items: list[tuple[object, VExpr]] = []
            for el in node.elements:
                if not isinstance(el, cst.DictElement):
                    return OTHER  # ``**other``: unknown keys
                k_known, key = literal(el.key)
                items.append(
                    (key if k_known else OTHER, self.value(el.value, scope, order, depth + 1))
                )
            return ("dict", tuple(items[:_MAX_ITEMS]))
        if t is cst.Subscript:
            assert isinstance(node, cst.Subscript)
            index = node.slice[0].slice if len(node.slice) == 1 else None
            if isinstance(index, cst.Index):
                return (
                    "sub",
                    self.value(node.value, scope, order, depth + 1),
                    self.value(index.value, scope, order, depth + 1),
                )
            return OTHER
        if t is cst.FormattedString:
            assert isinstance(node, cst.FormattedString)
            parts = tuple(
                self.value(p.expression, scope, order, depth + 1)
                for p in node.parts
                if isinstance(p, cst.FormattedStringExpression)
            )
            return ("str", parts)
        if t is cst.BinaryOperation:
            assert isinstance(node, cst.BinaryOperation)
            left = self.value(node.left, scope, order, depth + 1)
            right = self.value(node.right, scope, order, depth + 1)
            if isinstance(node.operator, cst.Modulo) and _stringish(left):
                return ("str", (left, right))  # ``"%s-%d" % (name, i)``
            if isinstance(node.operator, cst.Add) and (_stringish(left) or _stringish(right)):
                return ("str", (left, right))
            return ("mix", (left, right))
        if t is cst.UnaryOperation:
            assert isinstance(node, cst.UnaryOperation)
            return ("mix", (self.value(node.expression, scope, order, depth + 1),))
        if t is cst.Lambda:
            return self._lambda(node, scope)
        if t is cst.BooleanOperation:
            assert isinstance(node, cst.BooleanOperation)
            # ``callbacks or []``: the left side when it is true, else the right
            left = self.value(node.left, scope, order, depth + 1)
            right = self.value(node.right, scope, order, depth + 1)
            test = ("truth", left) if left != OTHER else ("unknown",)
            if isinstance(node.operator, cst.Or):
                return ("ifexp", test, left, right)
            return ("ifexp", test, right, left)
        if isinstance(node, _COMPREHENSION_TYPES):
            # one representative element (the comprehension's variables are unknown)
            return ("seq", (self.value(node.elt, scope, order, depth + 1),))
        if t is cst.DictComp:
            assert isinstance(node, cst.DictComp)
            return ("dict", ((OTHER, self.value(node.value, scope, order, depth + 1)),))
        if t is cst.NamedExpr:
            assert isinstance(node, cst.NamedExpr)
            return self.value(node.value, scope, order, depth + 1)
        return OTHER

    def _lambda(self, node: cst.CSTNode, scope: NameScope) -> VExpr:
        qual = self.lambdas.get(id(node))
        return ("ref", ("local", qual)) if qual is not None else OTHER

    def name(self, node: cst.Name, scope: NameScope, order: int) -> VExpr:
        name = node.value
        binder = scope.binder(name)
        if binder is None:
            r = resolve(node, scope)
            if r is not None and r[0] in ("import", "stars"):
                return ("ref", r)
            return OTHER  # a builtin, or unknown
        binding = binder.bindings[name]
        kind = binding[0]
        if kind in ("import", "def", "alias"):
            r = resolve(node, scope)
            if r is not None and r[0] in ("import", "local", "stars"):
                return ("ref", r)
            if kind != "alias":
                return OTHER
        if kind == "self":
            return ("selfobj",)
        if binder.kind == "module":
            if name in self.global_writes or name in binder.opaque:
                return OTHER
            if scope.exec_name == "" and self._in_loop("", name, order):
                return OTHER
            return ("global", name)
        if binder.kind not in ("function", "lambda"):
            return OTHER  # a class body or a comprehension's variable
        if name in binder.opaque:
            return OTHER
        if binder.exec_name == scope.exec_name:
            if self._in_loop(binder.exec_name, name, order):
                return OTHER
            return ("local", name)
        return ("closure", binder.exec_name, name)

    def _in_loop(self, exec_name: str, name: str, order: int) -> bool:
        for loop in self.loops.get(exec_name, ()):
            if loop.start <= order <= loop.end and name in loop.names:
                return True
        return False

    def attribute(self, node: cst.Attribute, scope: NameScope, order: int, depth: int) -> VExpr:
        r = resolve(node, scope)
        if r is not None:
            if r[0] in ("import", "local"):
                return ("ref", r)
            if r[0] == "self" and len(r) == 3:
                return ("self", str(r[2]))
        base = self.value(node.value, scope, order, depth + 1)
        if base == OTHER:
            return OTHER
        return ("getattr", base, node.attr.value)

    def call(self, node: cst.Call, scope: NameScope, order: int, depth: int) -> VExpr:
        func = node.func
        if isinstance(func, cst.Name) and scope.lookup(func.value) is None:
            builtin = func.value
            args = [a for a in node.args if not a.star]
            if builtin == "hash" and args:
                inner = args[0].value
                if isinstance(inner, cst.Name):
                    binder = scope.binder(inner.value)
                    if binder is not None and inner.value in binder.strings:
                        return ("entropy", "hash() of a string (salted per process)")
                return ("hash", self.value(inner, scope, order, depth + 1))
            if builtin in _STRINGS:
                return ("str", tuple(self.value(a.value, scope, order, depth + 1) for a in args))
            if builtin in _CONVERSIONS:
                return ("mix", tuple(self.value(a.value, scope, order, depth + 1) for a in args))
            if builtin in _SAME_ITEMS and len(args) == 1 and args[0].keyword is None:
                return ("seq", (("iter", self.value(args[0].value, scope, order, depth + 1)),))
            if builtin == "enumerate" and args:
                item = ("iter", self.value(args[0].value, scope, order, depth + 1))
                return ("seq", (("seq", (OTHER, item)),))
            if builtin == "zip" and args:
                items = tuple(("iter", self.value(a.value, scope, order, depth + 1)) for a in args)
                return ("seq", (("seq", items),))
        views = ("values", "items", "keys")
        if isinstance(func, cst.Attribute) and func.attr.value in views and not node.args:
            base = self.value(func.value, scope, order, depth + 1)
            if base != OTHER:
                return (func.attr.value, base)
        if isinstance(func, cst.Attribute) and func.attr.value in _STRING_METHODS:
            base = self.value(func.value, scope, order, depth + 1)
            if _stringish(base):
                parts = tuple(self.value(a.value, scope, order, depth + 1) for a in node.args)
                return ("str", (base, *parts))
        q = external(resolve(func, scope))
        if q is not None:
            source = apis.entropy_source(q)
            if source is not None:
                return ("entropy", source)
        call_order = self.call_order.get(id(node))
        return ("call", call_order) if call_order is not None else OTHER

    # --- conditions ---------------------------------------------------------------------------

    def condition(
        self, test: cst.BaseExpression, scope: NameScope, order: int, depth: int = 0
    ) -> Condition:
        if depth > _MAX_DEPTH:
            return ("unknown",)
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            inner = self.condition(test.expression, scope, order, depth + 1)
            return ("not", inner) if inner != ("unknown",) else inner
        if isinstance(test, cst.BooleanOperation):
            kind = "and" if isinstance(test.operator, cst.And) else "or"
            return (
                kind,
                self.condition(test.left, scope, order, depth + 1),
                self.condition(test.right, scope, order, depth + 1),
            )
        if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
            target = test.comparisons[0]
            op = COMPARISONS.get(type(target.operator))
            known, value = literal(target.comparator)
            if op is not None and not known and op in ("in", "not in"):
                seq = self.value(target.comparator, scope, order, depth + 1)
                if seq[0] == "seq" and all(i[0] == "lit" for i in seq[1]):
                    known, value = True, tuple(i[1] for i in seq[1])
            if op is not None and known:
                left = self.value(test.left, scope, order, depth + 1)
                if left != OTHER:
                    return ("cmp", left, op, value)
            return ("unknown",)
        value = self.value(test, scope, order, depth + 1)
        if value == OTHER:
            return ("unknown",)
        return ("truth", value)


def _stringish(v: VExpr) -> bool:
    return v[0] == "str" or (v[0] == "lit" and isinstance(v[1], str))


def arguments(
    builder: Builder, node: cst.Call, scope: NameScope, order: int
) -> tuple[tuple[Union[int, str], VExpr], ...]:
    """Every argument as (position or keyword, value expression): ("**", OTHER) for a
    ``**config`` mapping built here, and a final ("*", OTHER) when ``*args`` or a forwarded
    ``**kwargs`` may pass anything from there on."""
    out: list[tuple[Union[int, str], VExpr]] = []
    for index, a in enumerate(node.args):
        if a.star == "**" and not (isinstance(a.value, cst.Name) and a.value.value in scope.params):
            out.append(("**", OTHER))
            continue
        if a.star:
            return (*out, ("*", OTHER))
        key: Union[int, str] = a.keyword.value if a.keyword is not None else index
        out.append((key, builder.value(a.value, scope, order)))
    return tuple(out)


def render(node: cst.Call, limit: int = 48) -> str:
    """The call as written, shortened: ``Trainer(callbacks=[…])``, ``nn.Linear(4, 2)``."""
    callee = _text(node.func) or "…"
    parts: list[str] = []
    for a in node.args:
        value = _text(a.value) or _bracket(a.value)
        prefix = a.star or (f"{a.keyword.value}=" if a.keyword is not None else "")
        parts.append(prefix + value)
    inner = ", ".join(parts)
    if len(inner) > limit:
        inner = inner[: limit - 1].rsplit(", ", 1)[0] + ", …"
    return f"{callee}({inner})"


def _text(node: cst.BaseExpression) -> Optional[str]:
    name = dotted(node)
    if name is not None:
        return name if len(name) <= 40 else "…" + name[-39:]
    known, value = literal(node)
    if known:
        shown = repr(value)
        return shown if len(shown) <= 16 else None
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Call):
        inner = _text(node.value.func)
        return f"{inner}(…).{node.attr.value}" if inner else None
    if isinstance(node, cst.Subscript):
        base = _text(node.value)
        return f"{base}[…]" if base else None
    if isinstance(node, cst.Call):
        callee = _text(node.func)
        return (f"{callee}(…)" if node.args else f"{callee}()") if callee else None
    return None


def _bracket(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.List):
        return "[…]"
    if isinstance(node, cst.Tuple):
        return "(…)"
    if isinstance(node, (cst.Dict, cst.Set)):
        return "{…}"
    return "…"
