"""Scope-aware name resolution from an alias map built from the imports (no metadata providers).

A name is resolved the way Python would at call time: the innermost function scope that binds it
(parameters, assignments, loop targets, local imports, …), skipping class bodies, then the module.
A name bound by an import resolves to the dotted path it imports; any other binding makes it a
plain variable, so a parameter called ``random``, a local ``np`` or a module-level
``random = random.Random(0)`` is never the module. A conditional fallback does not hide an import
(``try: import numpy as np`` / ``except ImportError: np = None``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Union

import libcst as cst

# Bindings: ("import", level, "dotted") | ("def", "qualname") | ("self", "Class") | ("var",)
# | ("alias", expression, scope) for ``r = random`` / ``cb = draw`` (resolved on use)
Binding = tuple[Any, ...]
VAR: Binding = ("var",)

# Resolutions of an expression (see seedlint.engine.facts for call targets):
# ("import", level, "dotted") | ("local", "qualname") | ("self", "C", "m") | ("super", "C", "m")
# | ("var", "name") | ("attr", "m") | ("stars", "name")
Resolved = tuple[Union[str, int], ...]


@dataclass
class NameScope:
    kind: str  # "module" | "function" | "class" | "comp" | "lambda"
    parent: Optional[NameScope]
    #: Dotted name of this scope inside the file ("" for the module, "C", "C.m", "f.g").
    qualname: str = ""
    #: Name of the enclosing execution scope (module "" or a function qualname).
    exec_name: str = ""
    #: Qualname of the class whose method this is.
    method_of: Optional[str] = None
    bindings: dict[str, Binding] = field(default_factory=dict)
    globals: set[str] = field(default_factory=set)
    #: Assignments of plain names and attribute chains ("x", "self.seed") → [(order, value)].
    assigns: dict[str, list[tuple[int, cst.BaseExpression]]] = field(default_factory=dict)
    star_imports: list[tuple[int, str]] = field(default_factory=list)
    params: set[str] = field(default_factory=set)
    #: Names also bound where no value is recorded (``for``/``with``/``except`` targets,
    #: unpacking, ``nonlocal`` writes): their ``assigns`` are not all their values.
    opaque: set[str] = field(default_factory=set)
    #: Names bound as the variable of a ``for`` loop (their values are the items iterated).
    loop_targets: set[str] = field(default_factory=set)
    #: Names annotated ``str`` / ``bytes`` (parameters and variables): their values are strings.
    strings: set[str] = field(default_factory=set)

    def binder(self, name: str) -> Optional[NameScope]:
        """The scope whose binding of ``name`` a use here sees (class bodies skipped except
        this one), or None."""
        scope: Optional[NameScope] = self
        first = True
        while scope is not None:
            if name in scope.globals:
                scope = scope.module()
            if (scope.kind != "class" or first) and name in scope.bindings:
                return scope
            first = False
            scope = scope.parent
        return None

    def bind(self, name: str, binding: Binding, weak: bool = False) -> None:
        """Record a binding; a later one replaces an earlier one, except that plain variables
        never hide a definition or ``self``, and ``weak`` bindings (made under a condition:
        ``except ImportError: np = None``) never hide an import."""
        if name in self.globals and self.parent is not None:
            self.module().bind(name, binding, weak)
            return
        old = self.bindings.get(name)
        if old is not None:
            kind, old_kind = binding[0], old[0]
            if kind in ("var", "alias") and old_kind in ("def", "self"):
                return
            if kind in ("var", "alias", "def") and old_kind == "import" and weak:
                return
        self.bindings[name] = binding

    def module(self) -> NameScope:
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope

    def lookup(self, name: str) -> Optional[Binding]:
        scope: Optional[NameScope] = self
        first = True
        while scope is not None:
            if name in scope.globals:
                scope = scope.module()
            if scope.kind != "class" or first:
                found = scope.bindings.get(name)
                if found is not None:
                    return found
            first = False
            scope = scope.parent
        return None

    def assigned_values(self, key: str, before: int) -> list[cst.BaseExpression]:
        """Values assigned to ``key`` in the nearest scope that assigns it, latest first."""
        scope: Optional[NameScope] = self
        while scope is not None:
            values = scope.assigns.get(key)
            if values:
                earlier = [v for o, v in values if o < before] or [v for _, v in values]
                return list(reversed(earlier))
            scope = scope.parent
        return []


def variable_values(name: str, scope: NameScope) -> Optional[list[cst.BaseExpression]]:
    """Every value the variable ``name`` (as seen from ``scope``) is ever assigned, in the scope
    that binds it; None when that is not known: a parameter, an import or definition, or a name
    also bound by ``for``/``with``/unpacking/``nonlocal`` writes."""
    binder = scope.binder(name)
    if binder is None or name in binder.params or name in binder.opaque:
        return None
    if name in binder.loop_targets:
        return None
    if binder.bindings[name][0] not in ("var", "alias"):
        return None
    values = [v for _, v in binder.assigns.get(name, [])]
    return values or None


def dotted(node: cst.BaseExpression) -> Optional[str]:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def resolve(node: cst.BaseExpression, scope: NameScope, depth: int = 0) -> Optional[Resolved]:
    """What ``node`` (a callee, a value) refers to, as far as imports and definitions tell."""
    if depth > 8:
        return None
    if isinstance(node, cst.Name):
        binding = scope.lookup(node.value)
        if binding is None:
            star = scope.module().star_imports
            if len(star) == 1:
                level, mod = star[0]
                return ("import", level, f"{mod}.{node.value}" if mod else node.value)
            if star:
                return ("stars", node.value)  # the project analysis tries each, last first
            return None
        kind = binding[0]
        if kind == "import":
            return binding
        if kind == "def":
            return ("local", binding[1])
        if kind == "alias":
            aliased = resolve(binding[1], binding[2], depth + 1)
            if aliased is not None and aliased[0] in ("import", "local"):
                return aliased
        return ("var", node.value)
    if isinstance(node, cst.Attribute):
        attr = node.attr.value
        value = node.value
        if (
            isinstance(value, cst.Call)
            and isinstance(value.func, cst.Name)
            and value.func.value == "super"
            and scope.method_of
        ):
            return ("super", scope.method_of, attr)
        base = resolve(value, scope, depth + 1)
        if base is None:
            return None
        kind = base[0]
        if kind == "import":
            return ("import", base[1], f"{base[2]}.{attr}" if base[2] else attr)
        if kind == "local":
            return ("local", f"{base[1]}.{attr}")
        if kind == "var" and isinstance(value, cst.Name):
            binding = scope.lookup(value.value)
            if binding is not None and binding[0] == "self":
                return ("self", binding[1], attr)
        return None
    return None


def external(resolved: Optional[Resolved]) -> Optional[str]:
    """The absolute dotted name of an imported thing (``numpy.random.rand``), or None."""
    if resolved is not None and resolved[0] == "import" and resolved[1] == 0:
        return str(resolved[2])
    return None


def target_names(node: cst.BaseExpression) -> list[str]:
    """Names bound by an assignment target (tuples and starred unpacking included)."""
    if isinstance(node, cst.Name):
        return [node.value]
    if isinstance(node, (cst.Tuple, cst.List)):
        out: list[str] = []
        for el in node.elements:
            out.extend(target_names(el.value))
        return out
    if isinstance(node, cst.StarredElement):
        return target_names(node.value)
    return []


def literal_value(node: Union[cst.SimpleString, cst.Integer, cst.Float]) -> Any:
    """``node.evaluated_value`` without its cost in the common cases: libcst evaluates every
    literal with ``ast.literal_eval`` (a compile per literal, a tenth of a file's analysis)."""
    value = node.value
    try:
        if isinstance(node, cst.SimpleString):
            prefix = node.prefix.lower()
            if "\\" not in value and prefix in ("", "r", "u"):
                quote = node.quote
                return value[len(prefix) + len(quote) : -len(quote)]
        elif isinstance(node, cst.Integer):
            digits = value.replace("_", "")
            if digits.isdigit() and (digits == "0" * len(digits) or digits[0] != "0"):
                return int(digits)
        elif isinstance(node, cst.Float) and "j" not in value.lower():
            return float(value.replace("_", ""))
    except ValueError:
        pass
    return node.evaluated_value
