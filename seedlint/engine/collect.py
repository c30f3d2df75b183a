"""One pass over one file's CST: scopes, bindings, call sites — then facts and per-file findings.

The visitor only records (it is the single traversal of the tree); resolution and the rules run
afterwards, when every scope's bindings are known, so a function may use a module-level import
written below it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional, Union

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from seedlint import apis
from seedlint.engine import positions, values
from seedlint.engine.facts import (
    Call,
    ClassFacts,
    Condition,
    Draw,
    FileFacts,
    Import,
    Literal,
    ScopeFacts,
    Seed,
    Target,
)
from seedlint.engine.names import (
    VAR,
    NameScope,
    Resolved,
    dotted,
    external,
    literal_value,
    resolve,
    target_names,
)
from seedlint.engine.walk import walk
from seedlint.findings import Finding, Fix, Span

if TYPE_CHECKING:
    from seedlint.config import Settings
    from seedlint.rules.base import Rule


@dataclass
class CallSite:
    """A call, with everything a rule needs to judge it."""

    node: cst.Call
    scope: NameScope
    stmt: cst.CSTNode
    order: int
    resolved: Optional[Resolved] = None
    #: Absolute dotted name when the callee comes from an import (``torch.randn``).
    qualname: Optional[str] = None

    def arg(self, position: Optional[int], keyword: Optional[str]) -> Optional[cst.Arg]:
        return argument(self.node, position, keyword)

    def has_keyword(self, keyword: str) -> bool:
        """Is ``keyword=`` passed with something other than ``None`` (or maybe via ``**``)?"""
        return any(
            a.keyword is not None
            and a.keyword.value == keyword
            and not (isinstance(a.value, cst.Name) and a.value.value == "None")
            for a in self.node.args
        ) or (_has_star_kwargs(self.node))

    def constructor_of(
        self, node: cst.BaseExpression, through: frozenset[str] = frozenset()
    ) -> Optional[str]:
        """The imported callable whose call produced ``node`` (directly, or through the name or
        attribute it was last assigned to before this call), skipping chained methods named in
        ``through`` (``torch.Generator().manual_seed(0)``)."""
        value: Optional[cst.BaseExpression] = node
        if not isinstance(node, cst.Call):
            key = dotted(node)
            assigned = self.scope.assigned_values(key, self.order)[:1] if key else []
            value = assigned[0] if assigned else None
        while (
            isinstance(value, cst.Call)
            and isinstance(value.func, cst.Attribute)
            and value.func.attr.value in through
        ):
            value = value.func.value
        if isinstance(value, cst.Call):
            return external(resolve(value.func, self.scope))
        return None

    @property
    def method(self) -> Optional[str]:
        func = self.node.func
        return func.attr.value if isinstance(func, cst.Attribute) else None

    @property
    def receiver(self) -> Optional[cst.BaseExpression]:
        func = self.node.func
        return func.value if isinstance(func, cst.Attribute) else None


def _has_star_kwargs(node: cst.Call) -> bool:
    return any(a.star == "**" for a in node.args)


def argument(node: cst.Call, position: Optional[int], keyword: Optional[str]) -> Optional[cst.Arg]:
    """The argument passed at ``position`` or as ``keyword=``; None when absent."""
    if keyword is not None:
        for a in node.args:
            if a.keyword is not None and a.keyword.value == keyword:
                return a
    if position is not None:
        for index, a in enumerate(node.args):
            if a.keyword is not None or a.star == "**":
                break
            if a.star == "*":
                return a  # unknown: may supply it
            if index == position:
                return a
    for a in node.args:
        if a.star == "**":
            return a  # unknown: may supply it
    return None


@dataclass
class FileContext:
    """Per-file state shared by the rules while one file is analysed."""

    path: str
    module: cst.Module
    settings: Settings
    facts: FileFacts
    module_scope: NameScope
    calls: list[CallSite] = field(default_factory=list)
    #: id(call node) → the assignment target it is stored into (``g = torch.Generator()``).
    stored_into: dict[int, cst.BaseExpression] = field(default_factory=dict)
    #: Names/attribute chains returned or yielded, with their owner (see ``owner_of``).
    escapes: set[tuple[str, str]] = field(default_factory=set)
    imports_torch: bool = False
    #: The file is an entry point: its calls keep their positions (messages point at them).
    entry: bool = False
    #: Assignments to attributes some rule watches (``cudnn.benchmark = True``):
    #: (target, value, scope, statement, order).
    attr_assigns: list[AttrAssign] = field(default_factory=list)
    #: (execution scope, "a.b") for every assignment to an attribute chain, and
    #: (execution scope, "name") for module globals assigned inside functions (``global``).
    writes: set[tuple[str, str]] = field(default_factory=set)
    #: ``name["key"] = value`` assignments (dicts of keyword arguments built up in place).
    item_writes: list[ItemWrite] = field(default_factory=list)
    #: Rule scratch space, keyed by rule code.
    state: dict[str, Any] = field(default_factory=dict)
    #: The file's bytes: call positions are computed from them with ``ast`` (positions.py)
    #: the first time a span is asked for — most files (no finding, not an entry point) never
    #: ask. None: use libcst's PositionProvider.
    data: Optional[bytes] = None
    call_index: dict[int, int] = field(default_factory=dict)
    _positions: Optional[Any] = None
    _call_positions: Any = field(default=None, repr=False)
    _call_positions_done: bool = False

    @property
    def call_positions(self) -> Optional[positions.CallPositions]:
        if not self._call_positions_done:
            self._call_positions_done = True
            if self.data is not None:
                computed = positions.compute(self.data)
                nodes = [site.node for site in self.calls]
                if computed is not None and positions.matches(
                    computed, nodes, len(self.module.body)
                ):
                    self._call_positions = computed
        result: Optional[positions.CallPositions] = self._call_positions
        return result

    def span(self, node: cst.CSTNode, stmt: Optional[cst.CSTNode] = None) -> Span:
        call_positions = self.call_positions
        if call_positions is not None:
            index = self.call_index.get(id(node))
            if index is not None:
                return call_positions.spans[index]
        return self._cst_span(node, stmt)

    def _cst_span(self, node: cst.CSTNode, stmt: Optional[cst.CSTNode] = None) -> Span:
        if self._positions is None:
            self._positions = MetadataWrapper(self.module, unsafe_skip_copy=True).resolve(
                PositionProvider
            )
        rng: CodeRange = self._positions[node]
        stmt_line = self._positions[stmt].start.line if stmt is not None else rng.start.line
        return Span(
            rng.start.line,
            rng.start.column + 1,
            rng.end.line,
            rng.end.column + 1,
            min(stmt_line, rng.start.line),
        )

    def report(
        self,
        code: str,
        message: str,
        node: cst.CSTNode,
        stmt: Optional[cst.CSTNode] = None,
        fix: Optional[Fix] = None,
    ) -> None:
        self.facts.findings.append(Finding(code, message, self.path, self.span(node, stmt), fix))

    def seed_value(self, expr: Optional[cst.BaseExpression], site: CallSite) -> values.SeedValue:
        return values.seed_value(expr, site.scope, site.order)


@dataclass(frozen=True)
class ItemWrite:
    """``name["key"] = value``; ``key`` None for a key that is not a string literal, ``value``
    None for ``del name[...]``."""

    scope: NameScope
    name: str
    key: Optional[str]
    value: Optional[cst.BaseExpression]


@dataclass(frozen=True)
class AttrAssign:
    target: cst.Attribute
    value: cst.BaseExpression
    scope: NameScope
    stmt: cst.CSTNode
    order: int


class _Collector(cst.CSTVisitor):
    def __init__(self, watched_attributes: frozenset[str] = frozenset()) -> None:
        self.module_scope = NameScope("module", None)
        self.scope = self.module_scope
        self.stmts: list[cst.CSTNode] = []
        self.order = 0
        self.calls: list[CallSite] = []
        self.imports: list[tuple[str, Import]] = []  # (exec scope name, import)
        self.classes: dict[str, ClassFacts] = {}
        #: Class bases, resolved once every binding is known: (class, base expressions, scope).
        self.pending_bases: list[tuple[str, list[cst.BaseExpression], NameScope]] = []
        self.function_names: list[tuple[str, Optional[str]]] = [("", None)]
        self.stored_into: dict[int, cst.BaseExpression] = {}
        self.escapes: set[tuple[str, str]] = set()
        self.guard: tuple[int, int] = (-1, -1)
        self._guard_node: Optional[cst.If] = None
        self.imports_torch = False
        #: ``if flag:`` conditions on the current function's parameters around this point.
        self.conditions: list[Condition] = []
        self.block_marks: list[int] = []
        self.type_checking = 0
        #: ``@deco`` applications: (decorator expression, scope, order).
        self.decorator_calls: list[tuple[cst.BaseExpression, NameScope, int]] = []
        #: order → the conditions an event sits under (see ScopeFacts.conditions).
        self.conditions_at: dict[int, tuple[Condition, ...]] = {}
        #: function qualname → (parameter names without self, literal defaults).
        self.signatures: dict[str, tuple[tuple[str, ...], dict[str, Literal]]] = {}
        #: function qualname → parameters assigned in its body (their entry value is not kept).
        self.reassigned: dict[str, frozenset[str]] = {}
        #: Qualnames of the classes whose body (methods included) is being visited.
        self.class_stack: list[str] = []
        self.watched_attributes = watched_attributes
        self.attr_assigns: list[AttrAssign] = []
        self.writes: set[tuple[str, str]] = set()
        self.item_writes: list[ItemWrite] = []

    # --- scopes -----------------------------------------------------------------------------

    def _push(self, kind: str, name: str = "") -> NameScope:
        parent = self.scope
        qual = (
            f"{parent.qualname}.{name}" if parent.qualname and name else (name or parent.qualname)
        )
        exec_name = qual if kind == "function" else parent.exec_name
        scope = NameScope(kind, parent, qualname=qual, exec_name=exec_name)
        self.scope = scope
        return scope

    def _pop(self) -> None:
        assert self.scope.parent is not None
        self.scope = self.scope.parent

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        parent = self.scope
        parent.bind(
            node.name.value,
            ("def", _join(parent.qualname, node.name.value)),
            self._conditional(pushed=False),
        )
        self.stmts.append(node)
        self._decorators(node.decorators)
        walk(node.params, self)  # defaults are evaluated in the enclosing scope
        if node.returns is not None:
            walk(node.returns, self)
        scope = self._push("function", node.name.value)
        if parent.kind == "class":
            scope.method_of = parent.qualname
            self.classes[parent.qualname].methods.append(node.name.value)
            params = list(node.params.posonly_params) + list(node.params.params)
            if params and not static_method(node):
                scope.bind(params[0].name.value, ("self", parent.qualname))
        for p in _all_params(node.params):
            scope.bind(p.name.value, VAR)
            scope.params.add(p.name.value)
        self.signatures[scope.qualname] = _signature(
            node.params, skip_self=scope.method_of is not None and not static_method(node)
        )
        outer, self.conditions = self.conditions, []
        walk(node.body, self)
        self.conditions = outer
        self.reassigned[scope.qualname] = frozenset(p for p in scope.params if p in scope.assigns)
        self._pop()
        self.stmts.pop()

    def on_visit(self, node: cst.CSTNode) -> bool:
        # Dispatch on the exact type (libcst's default does a getattr per node, and ABC
        # isinstance checks are slow): this visitor is the hot path of the whole run.
        t = type(node)
        if t in _STATEMENTS:
            if t is cst.FunctionDef:
                self.visit_FunctionDef(node)  # type: ignore[arg-type]
                return False
            if t is cst.ClassDef:
                self._visit_class(node)  # type: ignore[arg-type]
                return False
            self.stmts.append(node)
            if t is cst.If and self._guard_candidate(node) is not None:
                assert isinstance(node, cst.If)
                walk(node.test, self)
                lo = self.order
                walk(node.body, self)
                self.guard = (lo + 1, self.order + 1)  # the orders the body assigned
                if node.orelse is not None:
                    walk(node.orelse, self)
                self.stmts.pop()
                return False
            if t is cst.If:
                assert isinstance(node, cst.If)
                if _is_type_checking(node.test):
                    # Imports for type checkers only: bound, never run.
                    walk(node.test, self)
                    self.type_checking += 1
                    walk(node.body, self)
                    self.type_checking -= 1
                    if node.orelse is not None:
                        walk(node.orelse, self)
                    return False
                condition = self._param_condition(node.test)
                if condition is not None:
                    walk(node.test, self)
                    self.conditions.append(condition)
                    walk(node.body, self)
                    self.conditions[-1] = ("not", condition)
                    if node.orelse is not None:
                        walk(node.orelse, self)
                    self.conditions.pop()
                    if node.orelse is None and _leaves(node.body):
                        # ``if not flag: return`` — the rest of the block needs ``flag``.
                        self.conditions.append(("not", condition))
                    return False
            handler = _HANDLERS.get(t)
            if handler is not None:
                handler(self, node)
            return True
        if t is cst.IndentedBlock:
            self.block_marks.append(len(self.conditions))
            return True
        if t is cst.Lambda:
            assert isinstance(node, cst.Lambda)
            walk(node.params, self)  # defaults, in the enclosing scope
            self._push("lambda")
            for p in _all_params(node.params):
                self.scope.bind(p.name.value, VAR)
            walk(node.body, self)
            self._pop()
            return False
        if t in _COMPREHENSIONS:
            self._visit_comp(node)  # type: ignore[arg-type]
            return False
        handler = _HANDLERS.get(t)
        if handler is not None:
            handler(self, node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        t = type(original_node)
        if t in _STATEMENTS and self.stmts and self.stmts[-1] is original_node:
            self.stmts.pop()
        elif t is cst.IndentedBlock and self.block_marks:
            del self.conditions[self.block_marks.pop() :]

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        return None

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        return None

    def _param_condition(self, test: cst.BaseExpression) -> Optional[Condition]:
        """A condition on the enclosing function's parameters, or None (see facts.Condition)."""
        if self.scope.kind != "function":
            return None
        return condition_of(test, self.scope.params)

    def _decorators(self, decorators: Sequence[cst.Decorator]) -> None:
        """Decorators run when the definition runs; ``@deco`` (no call) is a call of ``deco``."""
        for deco in decorators:
            walk(deco, self)
            if isinstance(deco.decorator, (cst.Name, cst.Attribute)):
                self.order += 1
                self.decorator_calls.append((deco.decorator, self.scope, self.order))

    def _conditional(self, pushed: bool = True) -> bool:
        """Is the current statement inside a block of the current scope (if/try/for/…)?
        ``pushed``: the current statement is already on the stack (it is not itself a block)."""
        for stmt in reversed(self.stmts[:-1] if pushed else self.stmts):
            t = type(stmt)
            if t is cst.FunctionDef or t is cst.ClassDef:
                return False
            if t in _BLOCKS:
                return True
        return False

    def _note_conditions(self) -> None:
        if self.conditions:
            self.conditions_at[self.order] = tuple(self.conditions)

    def _guard_candidate(self, node: cst.CSTNode) -> Optional[cst.If]:
        if (
            self.scope is self.module_scope
            and isinstance(node, cst.If)
            and is_main_guard(node.test)
        ):
            return node
        return None

    def _visit_class(self, node: cst.ClassDef) -> None:
        parent = self.scope
        qual = _join(parent.qualname, node.name.value)
        parent.bind(node.name.value, ("def", qual), self._conditional(pushed=False))
        self._decorators(node.decorators)
        for base in node.bases:
            walk(base, self)
        self.classes[qual] = ClassFacts(qual)
        self.pending_bases.append((qual, [b.value for b in node.bases], parent))
        self.stmts.append(node)
        self._push("class", node.name.value)
        self.class_stack.append(qual)
        walk(node.body, self)
        self.class_stack.pop()
        self._pop()
        self.stmts.pop()

    def _visit_comp(
        self, node: Union[cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp]
    ) -> None:
        # Visited in source order (positions.py relies on it); the first iterable is evaluated
        # in the enclosing scope, everything else in the comprehension's own.
        parent = self.scope
        comp_scope = self._push("comp")
        if isinstance(node, cst.DictComp):
            walk(node.key, self)
            walk(node.value, self)
        else:
            walk(node.elt, self)
        comp: Optional[cst.CompFor] = node.for_in
        first = True
        while comp is not None:
            for name in target_names(comp.target):
                comp_scope.bind(name, VAR)
            if first:
                self.scope = parent
                walk(comp.iter, self)
                self.scope = comp_scope
            else:
                walk(comp.iter, self)
            for cond in comp.ifs:
                walk(cond, self)
            first = False
            comp = comp.inner_for_in
        self._pop()

    # --- bindings ----------------------------------------------------------------------------

    def visit_Global(self, node: cst.Global) -> None:
        self.scope.globals.update(n.name.value for n in node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        for n in node.names:
            outer = self.scope.parent.binder(n.name.value) if self.scope.parent else None
            if outer is not None:
                outer.opaque.add(n.name.value)  # written from the inner function
            self.scope.bind(n.name.value, VAR, self._conditional())

    def visit_Import(self, node: cst.Import) -> None:
        self.order += 1
        self._note_conditions()
        for alias in node.names:
            name = dotted(alias.name) or ""
            if name == "torch" or name.startswith("torch."):
                self.imports_torch = True
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.scope.bind(alias.asname.name.value, ("import", 0, name))
            else:
                head = name.split(".", 1)[0]
                self.scope.bind(head, ("import", 0, head))
            if not self.type_checking:
                self.imports.append((self.scope.exec_name, Import(name, 0, (), self.order)))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self.order += 1
        self._note_conditions()
        level = len(node.relative)
        module = dotted(node.module) if node.module is not None else ""
        module = module or ""
        if level == 0 and (module == "torch" or module.startswith("torch.")):
            self.imports_torch = True
        if isinstance(node.names, cst.ImportStar):
            self.scope.module().star_imports.append((level, module))
            if not self.type_checking:
                self.imports.append(
                    (self.scope.exec_name, Import(module, level, ("*",), self.order))
                )
            return
        names: list[str] = []
        for alias in node.names:
            name = dotted(alias.name) or ""
            names.append(name)
            bound = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                bound = alias.asname.name.value
            full = f"{module}.{name}" if module else name
            self.scope.bind(bound, ("import", level, full))
        if not self.type_checking:
            self.imports.append(
                (self.scope.exec_name, Import(module, level, tuple(names), self.order))
            )

    def visit_Assign(self, node: cst.Assign) -> None:
        for t in node.targets:
            self._assign(t.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._assign(node.target, node.value)
        else:
            for name in target_names(node.target):
                self.scope.bind(name, VAR, self._conditional())

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._assign(node.target, node.value)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._assign(node.target, node.value)

    def _assign(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if (
            isinstance(target, (cst.Tuple, cst.List))
            and isinstance(value, (cst.Tuple, cst.List))
            and len(target.elements) == len(value.elements)
            and not any(isinstance(e, cst.StarredElement) for e in target.elements)
            and not any(isinstance(e, cst.StarredElement) for e in value.elements)
        ):
            # ``self.a, self.rng = 1, np.random.default_rng()``: element by element
            for t, v in zip(target.elements, value.elements):
                self._assign(t.value, v.value)
            return
        names = target_names(target)
        aliased = isinstance(target, cst.Name) and isinstance(value, (cst.Name, cst.Attribute))
        for name in names:
            is_global = name in self.scope.globals and self.scope.kind == "function"
            if is_global:
                self.writes.add((self.scope.exec_name, name))
            binding = ("alias", value, self.scope) if aliased else VAR
            self.scope.bind(name, binding, self._conditional())
            if len(names) == 1:
                self.scope.assigns.setdefault(name, []).append((self.order, value))
                if is_global:
                    self.scope.module().assigns.setdefault(name, []).append((self.order, value))
            else:
                self._opaque(name)
        key = dotted(target) if isinstance(target, cst.Attribute) else None
        if key is not None:
            self.writes.add((self.scope.exec_name, key))
            owner = self.scope
            head = self.scope.bindings.get(key.split(".", 1)[0])
            if head is not None and head[0] == "self" and owner.parent is not None:
                owner = owner.parent  # ``self.x = …`` is seen by every method of the class
            owner.assigns.setdefault(key, []).append((self.order, value))
        if (names and len(names) == 1) or key is not None:
            # ``rng = default_rng(s) if s is not None else default_rng()``: both calls
            branches = [value.body, value.orelse] if isinstance(value, cst.IfExp) else [value]
            for branch in branches:
                if isinstance(branch, cst.Call):
                    self.stored_into[id(branch)] = target
        if isinstance(target, cst.Attribute) and target.attr.value in self.watched_attributes:
            stmt = self.stmts[-1] if self.stmts else target
            self.attr_assigns.append(AttrAssign(target, value, self.scope, stmt, self.order))
        if isinstance(target, cst.Subscript):
            text = _string_index(target)
            if isinstance(target.value, cst.Name):
                # ``loader_kwargs["num_workers"] = 4`` (key None: not a literal string)
                self.item_writes.append(ItemWrite(self.scope, target.value.value, text, value))
            if self.class_stack and text is not None:
                # ``kwargs["worker_init_fn"] = …`` in a DataLoader subclass
                self.classes[self.class_stack[-1]].mentions.add(text)

    def visit_Del(self, node: cst.Del) -> None:
        targets = node.target.elements if isinstance(node.target, cst.Tuple) else None
        for t in [e.value for e in targets] if targets is not None else [node.target]:
            if isinstance(t, cst.Subscript) and isinstance(t.value, cst.Name):
                self.item_writes.append(ItemWrite(self.scope, t.value.value, None, None))

    def visit_For(self, node: cst.For) -> None:
        for name in target_names(node.target):
            self.scope.bind(name, VAR, self._conditional())
            self._opaque(name)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            for name in target_names(node.asname.name):
                self.scope.bind(name, VAR, self._conditional())
                self._opaque(name)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None and isinstance(node.name.name, cst.Name):
            self.scope.bind(node.name.name.value, VAR, True)
            self._opaque(node.name.name.value)

    def visit_MatchAs(self, node: cst.MatchAs) -> None:
        if node.name is not None:
            self.scope.bind(node.name.value, VAR, True)
            self._opaque(node.name.value)

    def _opaque(self, name: str) -> None:
        """``name`` gets a value here that ``assigns`` does not record."""
        scope = self.scope.module() if name in self.scope.globals else self.scope
        scope.opaque.add(name)

    def visit_Return(self, node: cst.Return) -> None:
        self._escape(node.value)

    def visit_Yield(self, node: cst.Yield) -> None:
        if isinstance(node.value, cst.BaseExpression):
            self._escape(node.value)

    def _escape(self, value: Optional[cst.BaseExpression]) -> None:
        if value is None:
            return
        elements = value.elements if isinstance(value, (cst.Tuple, cst.List)) else None
        for v in [e.value for e in elements] if elements is not None else [value]:
            key = dotted(v)
            if key is not None:
                self.escapes.add((owner_of(self.scope, key), key))

    # --- calls -------------------------------------------------------------------------------

    def visit_Call(self, node: cst.Call) -> None:
        self.order += 1
        self._note_conditions()
        stmt = self.stmts[-1] if self.stmts else node
        self.calls.append(CallSite(node, self.scope, stmt, self.order))
        if self.class_stack:
            mentions = self.classes[self.class_stack[-1]].mentions
            for a in node.args:
                if a.keyword is not None and not (
                    # ``worker_init_fn=worker_init_fn``: the caller's argument decides
                    isinstance(a.value, cst.Name)
                    and a.value.value == a.keyword.value
                    and a.value.value in self.scope.params
                ):
                    mentions.add(a.keyword.value)
            func = node.func
            if (
                isinstance(func, cst.Attribute)
                and func.attr.value in ("setdefault", "get", "pop")
                and node.args
                and isinstance(node.args[0].value, cst.SimpleString)
            ):
                text = literal_value(node.args[0].value)
                if isinstance(text, str):
                    mentions.add(text)


_STATEMENTS = frozenset(
    {
        cst.SimpleStatementLine,
        cst.If,
        cst.For,
        cst.While,
        cst.With,
        cst.Try,
        cst.TryStar,
        cst.FunctionDef,
        cst.ClassDef,
        cst.Match,
    }
)
_BLOCKS = frozenset({cst.If, cst.Try, cst.TryStar, cst.For, cst.While, cst.With, cst.Match})
_COMPREHENSIONS = frozenset({cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp})
_HANDLERS: dict[type, Any] = {
    cst.Global: _Collector.visit_Global,
    cst.Nonlocal: _Collector.visit_Nonlocal,
    cst.Import: _Collector.visit_Import,
    cst.ImportFrom: _Collector.visit_ImportFrom,
    cst.Assign: _Collector.visit_Assign,
    cst.AnnAssign: _Collector.visit_AnnAssign,
    cst.AugAssign: _Collector.visit_AugAssign,
    cst.NamedExpr: _Collector.visit_NamedExpr,
    cst.For: _Collector.visit_For,
    cst.WithItem: _Collector.visit_WithItem,
    cst.ExceptHandler: _Collector.visit_ExceptHandler,
    cst.ExceptStarHandler: _Collector.visit_ExceptHandler,
    cst.MatchAs: _Collector.visit_MatchAs,
    cst.Del: _Collector.visit_Del,
    cst.Return: _Collector.visit_Return,
    cst.Yield: _Collector.visit_Yield,
    cst.Call: _Collector.visit_Call,
}


def _string_index(target: cst.Subscript) -> Optional[str]:
    index = target.slice[0].slice if len(target.slice) == 1 else None
    if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
        text = literal_value(index.value)
        return text if isinstance(text, str) else None
    return None


def _leaves(suite: cst.BaseSuite) -> bool:
    """Does the block end by returning or raising?"""
    body = suite.body
    last = body[-1] if body else None
    if isinstance(last, cst.SimpleStatementLine):
        last = last.body[-1] if last.body else None
    return isinstance(last, (cst.Return, cst.Raise))


def static_method(node: cst.FunctionDef) -> bool:
    return any(
        isinstance(d.decorator, cst.Name) and d.decorator.value == "staticmethod"
        for d in node.decorators
    )


def _literal(node: Optional[cst.BaseExpression]) -> tuple[bool, Literal]:
    """(known, value) for True / False / None, numbers and plain strings."""
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return True, {"True": True, "False": False, "None": None}[node.value]
    if isinstance(node, (cst.Integer, cst.Float)):
        return True, literal_value(node)
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        known, value = _literal(node.expression)
        if known and isinstance(value, (int, float)) and not isinstance(value, bool):
            return True, -value
        return False, None
    if isinstance(node, cst.SimpleString):
        text = literal_value(node)
        return (True, text) if isinstance(text, str) else (False, None)
    return False, None


_COMPARISONS = {
    cst.Equal: "==",
    cst.NotEqual: "!=",
    cst.LessThan: "<",
    cst.LessThanEqual: "<=",
    cst.GreaterThan: ">",
    cst.GreaterThanEqual: ">=",
    cst.Is: "is",
    cst.IsNot: "is not",
}


def condition_of(test: cst.BaseExpression, params: set[str]) -> Optional[Condition]:
    """``flag``, ``not flag``, ``p > 0``, ``p is None``, ``a and b``, ``a or b`` over the
    parameters ``params``; None when ``test`` says nothing about them."""
    if isinstance(test, cst.Name):
        return ("truth", test.value) if test.value in params else None
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = condition_of(test.expression, params)
        return ("not", inner) if inner is not None else None
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        target = test.comparisons[0]
        op = _COMPARISONS.get(type(target.operator))
        left, right = test.left, target.comparator
        known, value = _literal(right)
        if op and known and isinstance(left, cst.Name) and left.value in params:
            return ("cmp", left.value, op, value)
        return None
    if isinstance(test, cst.BooleanOperation):
        first = condition_of(test.left, params)
        second = condition_of(test.right, params)
        if first is None and second is None:
            return None
        kind = "and" if isinstance(test.operator, cst.And) else "or"
        return (kind, first or ("unknown",), second or ("unknown",))
    return None


def _signature(
    params: cst.Parameters, skip_self: bool
) -> tuple[tuple[str, ...], dict[str, Literal]]:
    positional = list(params.posonly_params) + list(params.params)
    if skip_self and positional:
        positional = positional[1:]
    defaults: dict[str, Literal] = {}
    for p in positional + list(params.kwonly_params):
        known, value = _literal(p.default)
        if known:
            defaults[p.name.value] = value
    return tuple(p.name.value for p in positional), defaults


def call_arguments(
    node: cst.Call, scope: NameScope, order: int
) -> tuple[tuple[Union[int, str], str, object], ...]:
    """Every argument as (position or keyword, kind, value): kind "lit" for True/False/None,
    "param" for one of the caller's parameters, "other" for anything else, ("**", "mapping",
    None) for a ``**config`` mapping, and a final ("*", "star", None) when ``*args`` or a
    forwarded ``**kwargs`` may pass anything."""
    out: list[tuple[Union[int, str], str, object]] = []
    for index, a in enumerate(node.args):
        if a.star == "**" and not (isinstance(a.value, cst.Name) and a.value.value in scope.params):
            # ``**config``: a mapping of settings built here, not ``**kwargs`` forwarded from
            # the caller's caller; taken to pass what it names, not flags left to defaults.
            out.append(("**", "mapping", None))
            continue
        if a.star:
            return (*out, ("*", "star", None))  # anything may be passed from here on
        key: Union[int, str] = a.keyword.value if a.keyword is not None else index
        out.append((key, *_argument(a.value, scope, order)))
    return tuple(out)


def _argument(
    value: cst.BaseExpression, scope: NameScope, order: int, depth: int = 0
) -> tuple[str, object]:
    known, literal = _literal(value)
    if known:
        return ("lit", literal)
    if isinstance(value, cst.Name):
        if value.value in scope.params:
            return ("param", value.value)
        assigned = scope.assigns.get(value.value, [])
        if len(assigned) == 1 and assigned[0][0] < order and depth < 3:
            # ``p = re_prob if is_training else 0.`` assigned once, before the call
            return _argument(assigned[0][1], scope, order, depth + 1)
    if isinstance(value, cst.IfExp):  # ``re_prob if is_training else 0.``
        test = condition_of(value.test, scope.params)
        if test is not None:
            return (
                "ifexp",
                (
                    test,
                    _argument(value.body, scope, order, depth + 1),
                    _argument(value.orelse, scope, order, depth + 1),
                ),
            )
    return ("other", None)


def _is_type_checking(test: cst.BaseExpression) -> bool:
    return (isinstance(test, cst.Name) and test.value == "TYPE_CHECKING") or (
        isinstance(test, cst.Attribute) and test.attr.value == "TYPE_CHECKING"
    )


def owner_of(scope: NameScope, key: str) -> str:
    """Where a name or attribute chain lives: a plain name in its function, ``self.x`` in its
    class, any other attribute chain in the file."""
    if "." not in key:
        return scope.exec_name
    binding = scope.lookup(key.split(".", 1)[0])
    if binding is not None and binding[0] == "self":
        return f"class {binding[1]}"
    return "*"


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _all_params(params: cst.Parameters) -> list[cst.Param]:
    out = list(params.posonly_params) + list(params.params) + list(params.kwonly_params)
    if isinstance(params.star_arg, cst.Param):
        out.append(params.star_arg)
    if params.star_kwarg is not None:
        out.append(params.star_kwarg)
    return out


def is_main_guard(test: cst.BaseExpression) -> bool:
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    comp = test.comparisons[0]
    if not isinstance(comp.operator, cst.Equal):
        return False
    sides = [test.left, comp.comparator]
    names = [s for s in sides if isinstance(s, cst.Name) and s.value == "__name__"]
    strings = [
        s
        for s in sides
        if isinstance(s, cst.SimpleString) and literal_value(s) in ("__main__", b"__main__")
    ]
    return len(names) == 1 and len(strings) == 1


# --- entry points -------------------------------------------------------------------------------


class _HasCall(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found = False

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.Call):
            self.found = True
        return not self.found


def _contains_call(node: cst.CSTNode) -> bool:
    v = _HasCall()
    walk(node, v)
    return v.found


def _is_work(stmt: cst.CSTNode) -> bool:
    """Script code: a bare call, or a for/while/with/try/if block doing work."""
    if isinstance(stmt, cst.SimpleStatementLine):
        return any(
            isinstance(s, cst.Expr) and isinstance(s.value, (cst.Call, cst.Await))
            for s in stmt.body
        )
    if isinstance(stmt, (cst.For, cst.While, cst.With)):
        return _contains_call(stmt)
    if isinstance(stmt, cst.Try):
        blocks: list[Optional[cst.BaseSuite]] = [stmt.body]
        blocks += [stmt.orelse.body if stmt.orelse else None]
        blocks += [stmt.finalbody.body if stmt.finalbody else None]
        return any(b is not None and _suite_is_work(b) for b in blocks)
    if isinstance(stmt, cst.If):
        if is_main_guard(stmt.test):
            return False
        other: Optional[Union[cst.If, cst.Else]] = stmt.orelse
        if _suite_is_work(stmt.body):
            return True
        if isinstance(other, cst.If):
            return _is_work(other)
        return other is not None and _suite_is_work(other.body)
    return False


def _suite_is_work(suite: cst.BaseSuite) -> bool:
    if isinstance(suite, cst.IndentedBlock):
        return any(_is_work(s) for s in suite.body)
    if isinstance(suite, cst.SimpleStatementSuite):
        return any(isinstance(s, cst.Expr) and isinstance(s.value, cst.Call) for s in suite.body)
    return False


def entry_reason(module: cst.Module, path: str, line_of: Any) -> Optional[str]:
    filename = path.replace("\\", "/").rsplit("/", 1)[-1]
    if filename.lower().endswith(".ipynb"):
        return "a notebook"  # its cells run in order, as one program
    if filename == "__main__.py":
        return "a __main__.py"
    for stmt in module.body:
        if isinstance(stmt, cst.If) and is_main_guard(stmt.test):
            return "a __main__ guard"
    if filename == "__init__.py":
        return None  # a package's __init__ runs on import, never as a script
    for i, stmt in enumerate(module.body):
        if _is_work(stmt):
            return f"script code at line {line_of(i, stmt)}"
    return None


# --- the analysis of one file -------------------------------------------------------------------


def analyse_module(
    module: cst.Module,
    path: str,
    settings: Settings,
    rules: Sequence[Rule],
    data: Optional[bytes] = None,
) -> FileFacts:
    facts = FileFacts(path)
    watched: frozenset[str] = frozenset().union(*(r.watches_attributes for r in rules))
    collector = _Collector(watched)
    walk(module, collector)
    ctx = FileContext(
        path,
        module,
        settings,
        facts,
        collector.module_scope,
        calls=collector.calls,
        stored_into=collector.stored_into,
        escapes=collector.escapes,
        imports_torch=collector.imports_torch,
        attr_assigns=collector.attr_assigns,
        writes=collector.writes,
        item_writes=collector.item_writes,
        data=data,
        call_index={id(site.node): i for i, site in enumerate(collector.calls)},
    )
    facts.guard_orders = collector.guard
    for qual, bases, scope in collector.pending_bases:
        targets: list[Target] = []
        for b in bases:
            if isinstance(b, cst.Subscript):
                b = b.value  # ``Dataset[int]``, ``IterableDataset[T]``
            r = resolve(b, scope)
            if r is not None and r[0] in ("local", "import"):
                targets.append(r)
        collector.classes[qual].bases = targets
    facts.classes = collector.classes
    scopes: dict[str, ScopeFacts] = {"": ScopeFacts("")}
    for name, imp in collector.imports:
        scopes.setdefault(name, ScopeFacts(name)).events.append(imp)
    for qual, cls in collector.classes.items():
        for m in cls.methods:
            scopes.setdefault(f"{qual}.{m}", ScopeFacts(f"{qual}.{m}"))

    def line_of(i: int, node: cst.CSTNode) -> int:
        known = ctx.call_positions
        return known.top_lines[i] if known is not None else ctx._cst_span(node).line

    facts.entry_reason = entry_reason(module, path, line_of)
    ctx.entry = facts.entry_reason is not None
    call_rules = [r for r in rules if r.wants_calls]
    seed_functions = settings.seed_functions
    for site in collector.calls:
        site.resolved = resolve(site.node.func, site.scope)
        site.qualname = external(site.resolved)
        events = scopes.setdefault(site.scope.exec_name, ScopeFacts(site.scope.exec_name)).events
        _events_for_call(ctx, site, events, seed_functions)
        for rule in call_rules:
            rule.check_call(ctx, site)
    for expr, scope, order in collector.decorator_calls:
        target = resolve(expr, scope)
        if target is not None and target[0] in ("local", "import", "self"):
            events = scopes.setdefault(scope.exec_name, ScopeFacts(scope.exec_name)).events
            events.append(Call(target, order, args=((0, "other", None),)))
    for rule in rules:
        rule.check_file(ctx)
    for scope_facts in scopes.values():
        scope_facts.events.sort(key=lambda e: e.order)
    facts.scopes = scopes
    facts.star_exports = list(collector.module_scope.star_imports)
    for qual, (params, defaults) in collector.signatures.items():
        if qual in scopes:
            scopes[qual].params = params
            scopes[qual].defaults = defaults
            scopes[qual].reassigned = collector.reassigned.get(qual, frozenset())
    if collector.conditions_at:
        for scope_facts in scopes.values():
            scope_facts.conditions = {
                e.order: collector.conditions_at[e.order]
                for e in scope_facts.events
                if e.order in collector.conditions_at
            }
    facts.exports = {
        name: (int(b[1]), str(b[2]))
        for name, b in collector.module_scope.bindings.items()
        if b[0] == "import"
    }
    return facts


def _events_for_call(
    ctx: FileContext, site: CallSite, events: list[Any], seed_functions: frozenset[str]
) -> None:
    q = site.qualname
    node = site.node
    if q is not None:
        if q in apis.DETERMINISM_ENABLERS and _enables(site, apis.DETERMINISM_ENABLERS[q]):
            events.append(
                Seed(frozenset({apis.DETERMINISM}), q, site.order, span=ctx.span(node, site.stmt))
            )
        lib = apis.draw_library(q)
        if lib is not None:
            if not site.has_keyword("generator") and not _training_off(site, apis.normalize(q)):
                events.append(Draw(lib, apis.normalize(q), ctx.span(node, site.stmt), site.order))
            return
        seeder = apis.seeder(q)
        if seeder is not None or q in seed_functions:
            libs = seeder.libs if seeder is not None else apis.ALL_LIBRARIES
            fixed = seeder is None or values.seeds_deterministically(seeder, site)
            param = None
            if seeder is not None and seeder.none_is_entropy:
                arg = site.arg(seeder.arg, seeder.keyword)
                if arg is not None and isinstance(arg.value, cst.Name):
                    name = arg.value.value
                    param = name if name in site.scope.params else None
            events.append(
                Seed(
                    libs,
                    q,
                    site.order,
                    deterministic=fixed,
                    none_param=param,
                    span=ctx.span(node, site.stmt),
                )
            )
            return
        if q in apis.ENTROPY_RESEEDS or apis.numpy_constructor(q):
            return
    else:
        method = site.method
        if method in apis.SEEDING_METHODS and site.resolved is None:
            fixed = values.seeds_deterministically(apis.SEEDING_METHOD, site)
            events.append(
                Seed(
                    apis.ALL_LIBRARIES,
                    f"<object>.{method}",
                    site.order,
                    deterministic=fixed,
                    span=ctx.span(node, site.stmt),
                )
            )
            return
        if (
            method in apis.TORCH_TENSOR_SAMPLERS
            and ctx.imports_torch
            and not site.has_keyword("generator")
            and (site.resolved is None or site.resolved[0] != "import")
        ):
            events.append(
                Draw(apis.TORCH, f"Tensor.{method}", ctx.span(node, site.stmt), site.order)
            )
            return
        if method in apis.TORCH_DISTRIBUTION_SAMPLERS and site.receiver is not None:
            dist = _distribution(site.receiver, site)
            if dist is not None:
                events.append(
                    Draw(apis.TORCH, f"{dist}.{method}", ctx.span(node, site.stmt), site.order)
                )
                return
    r = site.resolved
    if r is None and isinstance(node.func, cst.Attribute):
        r = ("attr", node.func.attr.value)
    if r is not None and r[0] != "var":
        seedlike = r[0] == "import" and _seedlike(str(r[-1])) and bool(node.args)
        events.append(
            Call(
                r if not seedlike else (*r, "seedlike"),
                site.order,
                args=call_arguments(node, site.scope, site.order),
                span=ctx.span(node, site.stmt) if ctx.entry else None,
            )
        )
    # Functions passed as values (callbacks, ``target=``, ``collate_fn=``) may run later.
    for a in node.args:
        if isinstance(a.value, (cst.Name, cst.Attribute)):
            v = resolve(a.value, site.scope)
            if v is not None and v[0] in ("local", "import", "self"):
                events.append(Call(v, site.order, value=True))


def _enables(site: CallSite, flag: tuple[Optional[int], Optional[str]]) -> bool:
    """Does this call turn the flag on (absent flag: only when the call always does)?"""
    position, keyword = flag
    if position is None and keyword is None:
        return True
    arg = site.arg(position, keyword)
    if arg is None or arg.star:
        return False
    known, value = _literal(arg.value)
    return not known or bool(value)


def _training_off(site: CallSite, qualname: str) -> bool:
    """A training-mode-only draw called with ``training=False`` (or left at a False default)."""
    flag = apis.TORCH_TRAINING_FLAGS.get(qualname)
    if flag is None:
        return False
    position, default = flag
    arg = site.arg(position, "training")
    if arg is None:
        return not default
    known, value = _literal(arg.value)
    return not arg.star and known and value is False


def _distribution(receiver: cst.BaseExpression, site: CallSite) -> Optional[str]:
    """``distributions.X`` when ``receiver`` is (a name bound to) a ``torch.distributions.X``."""
    q = site.constructor_of(receiver)
    if q is not None and q.startswith(apis.TORCH_DISTRIBUTIONS + "."):
        return q.replace("torch.distributions.", "distributions.", 1)
    return None


def _seedlike(dotted_name: str) -> bool:
    last = dotted_name.rsplit(".", 1)[-1].lower()
    return "seed" in last and last not in ("seed", "initial_seed")
