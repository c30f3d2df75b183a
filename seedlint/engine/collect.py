"""One pass over one file's CST: scopes, bindings, call sites — then facts and per-file findings.

The visitor only records (it is the single traversal of the tree); resolution and the rules run
afterwards, when every scope's bindings are known, so a function may use a module-level import
written below it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Optional, Protocol, Union

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from seedlint import apis
from seedlint.engine import positions, values
from seedlint.engine.facts import (
    Bind,
    Call,
    ClassFacts,
    Condition,
    Draw,
    FileFacts,
    Import,
    Literal,
    Return,
    ScopeFacts,
    Seed,
    Target,
    VExpr,
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
    variable_values,
)
from seedlint.engine.streams import derive_key
from seedlint.engine.vexpr import Builder, Loop, arguments, literal, render
from seedlint.engine.walk import walk
from seedlint.findings import Finding, Fix, Span

if TYPE_CHECKING:
    from seedlint.config import Settings


class FileCheck(Protocol):
    """What the collector asks of a per-file check (each rule of ``seedlint.rules`` is one):
    the engine hands checks the facts of a file and knows nothing else of the rules."""

    #: Call every ``check_call`` with each call of the file.
    wants_calls: ClassVar[bool]
    #: Attribute names whose assignments the check reads (``ctx.attr_assigns``).
    watches_attributes: ClassVar[frozenset[str]]

    def check_call(self, ctx: FileContext, site: CallSite) -> None: ...

    def check_file(self, ctx: FileContext) -> None: ...


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
    #: Builds value expressions for the project analysis (set once the file is visited).
    builder: Optional[Builder] = None
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
        #: The conditions (``if``/``while`` tests, loop bodies, handlers) around this point,
        #: innermost last; built into value conditions once every binding is known.
        self.conditions: list[_Pending] = []
        self.block_marks: list[int] = []
        self.type_checking = 0
        #: ``@deco`` applications: (decorator expression, scope, order).
        #: Decorator applications: (decorator expression, scope, order, decorated qualname).
        self.decorator_calls: list[tuple[cst.BaseExpression, NameScope, int, str]] = []
        #: pytest fixtures: qualname → "autouse" | "fixture".
        self.fixtures: dict[str, str] = {}
        #: order → the conditions an event sits under (see ScopeFacts.conditions).
        self.conditions_at: dict[int, tuple[_Pending, ...]] = {}
        #: function qualname → its signature (see ``_Signature``).
        self.signatures: dict[str, _Signature] = {}
        #: function qualname → parameters assigned in its body (their entry value is not kept).
        self.reassigned: dict[str, frozenset[str]] = {}
        #: Qualnames of the classes whose body (methods included) is being visited.
        self.class_stack: list[str] = []
        self.watched_attributes = watched_attributes
        self.attr_assigns: list[AttrAssign] = []
        self.writes: set[tuple[str, str]] = set()
        self.item_writes: list[ItemWrite] = []
        #: Assignments and returns, turned into events once every binding is known:
        #: (kind, name, value node, scope, order); kind "return" for returns.
        #: (kind, name, value node — or ("iter", node) / ("item", node, i) for loop variables —,
        #: scope, order).
        self.pending_binds: list[tuple[str, str, Any, NameScope, int]] = []
        #: Loops by execution scope, and the ones open around this point.
        self.loops: dict[str, list[Loop]] = {}
        self.open_loops: list[tuple[str, Loop]] = []
        #: Execution scopes whose body yields.
        self.generators: set[str] = set()
        #: id(call node of a ``with`` item) → the order at which its block ends.
        self.with_ends: dict[int, int] = {}
        #: pandas / Hugging Face ``datasets`` among this file's imports (computed when needed).
        self.library_imports: Optional[frozenset[str]] = None
        #: id(lambda node) → its scope's qualname.
        self.lambdas: dict[int, str] = {}
        #: argparse ``add_argument`` calls.
        self.add_arguments: list[cst.Call] = []
        #: Calls being visited (their order is given when they are left).
        self.open_calls: list[CallSite] = []
        self.lambda_count = 0

    # --- scopes -----------------------------------------------------------------------------

    def _push(self, kind: str, name: str = "") -> NameScope:
        parent = self.scope
        qual = (
            f"{parent.qualname}.{name}" if parent.qualname and name else (name or parent.qualname)
        )
        exec_name = qual if kind in ("function", "lambda") else parent.exec_name
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
        self._decorators(node.decorators, _join(parent.qualname, node.name.value))
        fixture = _fixture_kind(node.decorators)
        if fixture:
            self.fixtures[_join(parent.qualname, node.name.value)] = fixture
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
            if p.annotation is not None and _is_string_annotation(p.annotation.annotation):
                scope.strings.add(p.name.value)
        self.signatures[scope.qualname] = _Signature(
            node.params,
            parent,
            self.order,
            skip_self=scope.method_of is not None and not static_method(node),
            method_of=scope.method_of or "",
            static=static_method(node),
        )
        if parent.kind == "class":
            for deco in node.decorators:
                d = deco.decorator
                name = d.attr.value if isinstance(d, cst.Attribute) else getattr(d, "value", "")
                if name in ("property", "cached_property"):
                    self.classes[parent.qualname].properties.append(node.name.value)
        outer, self.conditions = self.conditions, []
        outer_loops, self.open_loops = self.open_loops, []
        walk(node.body, self)
        self.conditions = outer
        self.open_loops = outer_loops
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
                walk(node.test, self)
                pending = _Pending(node.test, self.scope, self.order)
                self.conditions.append(pending)
                walk(node.body, self)
                self.conditions[-1] = pending.negated()
                if node.orelse is not None:
                    walk(node.orelse, self)
                self.conditions.pop()
                if node.orelse is None and _leaves(node.body):
                    # ``if not flag: return`` — the rest of the block needs ``flag``.
                    self.conditions.append(pending.negated())
                return False
            if t is cst.For or t is cst.While:
                self._visit_loop(node)  # type: ignore[arg-type]
                self.stmts.pop()
                return False
            if t is cst.With:
                self._visit_with(node)  # type: ignore[arg-type]
                self.stmts.pop()
                return False
            if t is cst.Try or t is cst.TryStar:
                self._visit_try(node)  # type: ignore[arg-type]
                self.stmts.pop()
                return False
            if t is cst.Match:
                assert isinstance(node, cst.Match)
                walk(node.subject, self)
                self.conditions.append(_MAY)
                for case in node.cases:
                    walk(case, self)
                self.conditions.pop()
                self.stmts.pop()
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
            parent = self.scope
            self.lambda_count += 1
            scope = self._push("lambda", f"<lambda{self.lambda_count}>")
            self.lambdas[id(node)] = scope.qualname
            for p in _all_params(node.params):
                scope.bind(p.name.value, VAR)
                scope.params.add(p.name.value)
            self.signatures[scope.qualname] = _Signature(node.params, parent, self.order, False)
            outer, self.conditions = self.conditions, []
            outer_loops, self.open_loops = self.open_loops, []
            walk(node.body, self)
            self.order += 1
            self.pending_binds.append(("return", "", node.body, scope, self.order))
            self.conditions, self.open_loops = outer, outer_loops
            self._pop()
            return False
        if t in _COMPREHENSIONS:
            self._visit_comp(node)  # type: ignore[arg-type]
            return False
        if t is cst.IfExp:
            assert isinstance(node, cst.IfExp)
            # Source order (positions.py relies on it): body, test, orelse.
            pending = _Pending(node.test, self.scope, self.order)
            self.conditions.append(pending)
            walk(node.body, self)
            self.conditions.pop()
            walk(node.test, self)
            self.conditions.append(pending.negated())
            walk(node.orelse, self)
            self.conditions.pop()
            return False
        if t is cst.BooleanOperation:
            assert isinstance(node, cst.BooleanOperation)
            walk(node.left, self)
            pending = _Pending(node.left, self.scope, self.order)
            # ``p > 0 and random.random() < p``: the right side runs only when the left allows
            self.conditions.append(
                pending if isinstance(node.operator, cst.And) else pending.negated()
            )
            walk(node.right, self)
            self.conditions.pop()
            return False
        handler = _HANDLERS.get(t)
        if handler is not None:
            handler(self, node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        t = type(original_node)
        if t is cst.Call:
            self.order += 1
            site = self.open_calls.pop()
            site.order = self.order
            self._note_conditions()
            return
        if t in _BINDING_STATEMENTS:
            self._leave_binding(original_node)
        if t in _STATEMENTS and self.stmts and self.stmts[-1] is original_node:
            self.stmts.pop()
        elif t is cst.IndentedBlock and self.block_marks:
            del self.conditions[self.block_marks.pop() :]

    def _leave_binding(self, node: cst.CSTNode) -> None:
        """Assignments and returns take effect after their value is computed: their events get
        an order after the value's calls."""
        if isinstance(node, cst.Return):
            self.order += 1
            self._note_conditions()
            self.pending_binds.append(("return", "", node.value, self.scope, self.order))
            return
        if isinstance(node, cst.Yield):
            self.generators.add(self.scope.exec_name)
            return
        targets: list[tuple[cst.BaseExpression, Optional[cst.BaseExpression]]] = []
        if isinstance(node, cst.Assign):
            targets = [(t.target, node.value) for t in node.targets]
        elif isinstance(node, cst.AnnAssign):
            if node.value is None:
                return
            targets = [(node.target, node.value)]
        elif isinstance(node, cst.AugAssign):
            targets = [(node.target, None)]
        elif isinstance(node, cst.NamedExpr):
            targets = [(node.target, node.value)]
        self.order += 1
        self._note_conditions()
        for target, value in targets:
            self._bind_event(target, value)

    def _bind_event(self, target: cst.BaseExpression, value: Optional[cst.BaseExpression]) -> None:
        order = self.order
        if isinstance(target, (cst.Tuple, cst.List)):
            values = (
                [e.value for e in value.elements]
                if isinstance(value, (cst.Tuple, cst.List))
                and len(value.elements) == len(target.elements)
                and not any(isinstance(e, cst.StarredElement) for e in value.elements)
                else None
            )
            for i, el in enumerate(target.elements):
                starred = isinstance(el, cst.StarredElement)
                given = values[i] if values is not None and not starred else None
                self._bind_event(el.value, given)
            return
        if isinstance(target, cst.StarredElement):
            self._bind_event(target.value, None)
            return
        if isinstance(target, cst.Name):
            name = target.value
            glob = name in self.scope.globals or self.scope.exec_name == ""
            if self.scope.kind == "class":
                return  # a class attribute
            self._loop_bind(name)
            self.pending_binds.append(
                ("global" if glob else "local", name, value, self.scope, order)
            )
            return
        if isinstance(target, cst.Subscript):
            # ``REGISTRY[name] = fn``, ``self._module_dict[name] = cls``: the mapping holds it
            index = target.slice[0].slice if len(target.slice) == 1 else None
            if not isinstance(index, cst.Index) or value is None:
                return
            kind = ""
            base_node = target.value
            if isinstance(base_node, cst.Name):
                base = base_node.value
                glob = base in self.scope.globals or self.scope.exec_name == ""
                if self.scope.binder(base) is self.scope.module() and self.scope.exec_name:
                    glob = True
                kind = "item-global" if glob else "item-local"
            elif (
                isinstance(base_node, cst.Attribute)
                and isinstance(base_node.value, cst.Name)
                and (self.scope.lookup(base_node.value.value) or ("",))[0] == "self"
            ):
                base, kind = base_node.attr.value, "item-self"
            if kind:
                self.pending_binds.append(
                    (kind, base, ("item-of", index.value, value), self.scope, order)
                )
            return
        if isinstance(target, cst.Attribute):
            key = dotted(target)
            if key is None or "." not in key:
                return
            head, rest = key.split(".", 1)
            binding = self.scope.lookup(head)
            if binding is not None and binding[0] == "self" and "." not in rest:
                cls = self.classes.get(str(binding[1]))
                if cls is not None:
                    extra = 2 if any(self.scope.exec_name == e for e, _ in self.open_loops) else 1
                    cls.attr_writes[rest] = cls.attr_writes.get(rest, 0) + extra
                self.pending_binds.append(("self", rest, value, self.scope, order))
            elif "." not in rest:
                self.pending_binds.append(("attr", key, value, self.scope, order))

    def _loop_bind(self, name: str) -> None:
        for exec_name, loop in self.open_loops:
            if exec_name == self.scope.exec_name:
                loop.names.add(name)

    def _open_loop(self) -> Loop:
        loop = Loop(self.order)
        self.loops.setdefault(self.scope.exec_name, []).append(loop)
        self.open_loops.append((self.scope.exec_name, loop))
        return loop

    def _close_loop(self, loop: Loop) -> None:
        loop.end = self.order + 1
        self.open_loops.pop()

    def _visit_loop(self, node: Union[cst.For, cst.While]) -> None:
        if isinstance(node, cst.For):
            walk(node.iter, self)
            loop = self._open_loop()
            self.visit_For(node)
            walk(node.target, self)
            self.order += 1
            # The loop variable holds an item of what is iterated (``for cb in callbacks:``);
            # it is not "assigned in the loop" (each iteration starts from an item).
            kind = "global" if self.scope.exec_name == "" else "local"
            if isinstance(node.target, cst.Name):
                self.pending_binds.append(
                    (kind, node.target.value, ("iter", node.iter), self.scope, self.order)
                )
            elif isinstance(node.target, (cst.Tuple, cst.List)):
                for i, el in enumerate(node.target.elements):
                    if isinstance(el.value, cst.Name) and not isinstance(el, cst.StarredElement):
                        self.pending_binds.append(
                            (kind, el.value.value, ("item", node.iter, i), self.scope, self.order)
                        )
            self.conditions.append(_MAY)
        else:
            loop = self._open_loop()
            walk(node.test, self)
            self.conditions.append(_Pending(node.test, self.scope, self.order))
        walk(node.body, self)
        self.conditions.pop()
        self._close_loop(loop)
        if node.orelse is not None:
            self.conditions.append(_MAY)
            walk(node.orelse, self)
            self.conditions.pop()

    def _visit_with(self, node: cst.With) -> None:
        items: list[cst.Call] = []
        for item in node.items:
            walk(item, self)
            if isinstance(item.item, cst.Call):
                items.append(item.item)
            if item.asname is not None:
                self.order += 1
                self._note_conditions()
                self._bind_event(item.asname.name, None)
        walk(node.body, self)
        for call in items:
            self.with_ends[id(call)] = self.order + 1

    def _visit_try(self, node: Union[cst.Try, cst.TryStar]) -> None:
        walk(node.body, self)
        self.conditions.append(_MAY)
        for handler in node.handlers:
            walk(handler, self)
        if node.orelse is not None:
            walk(node.orelse, self)
        self.conditions.pop()
        if node.finalbody is not None:
            walk(node.finalbody, self)

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        return None

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        return None

    def _decorators(self, decorators: Sequence[cst.Decorator], decorated: str) -> None:
        """Decorators run when the definition runs: each is evaluated, then applied to the
        definition, innermost first (``@register_model`` stores the function in a registry)."""
        for deco in decorators:
            walk(deco, self)
        for deco in reversed(decorators):
            self.order += 1
            self.decorator_calls.append((deco.decorator, self.scope, self.order, decorated))

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
        self._decorators(node.decorators, qual)
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
        if isinstance(node.target, cst.Name) and _is_string_annotation(node.annotation.annotation):
            self.scope.strings.add(node.target.value)
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
        plain = isinstance(node.target, cst.Name) or (
            isinstance(node.target, (cst.Tuple, cst.List))
            and all(
                isinstance(el.value, cst.Name) and not isinstance(el, cst.StarredElement)
                for el in node.target.elements
            )
        )
        for name in target_names(node.target):
            self.scope.bind(name, VAR, self._conditional())
            if plain:
                # its values are the items iterated (``Bind`` events say so); for the rules
                # that need every value assigned it is not known
                scope = self.scope.module() if name in self.scope.globals else self.scope
                scope.loop_targets.add(name)
            else:
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
        # The call's order is given when it is left: its arguments' calls run first.
        stmt = self.stmts[-1] if self.stmts else node
        site = CallSite(node, self.scope, stmt, 0)
        self.calls.append(site)
        self.open_calls.append(site)
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "add_argument":
            self.add_arguments.append(node)
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
_BINDING_STATEMENTS = frozenset(
    {cst.Assign, cst.AnnAssign, cst.AugAssign, cst.NamedExpr, cst.Return, cst.Yield}
)


class _Pending:
    """A branch condition, built into a value condition once every binding is known."""

    __slots__ = ("negate", "order", "scope", "test")

    def __init__(
        self,
        test: Optional[cst.BaseExpression],
        scope: Optional[NameScope],
        order: int,
        negate: bool = False,
    ) -> None:
        self.test, self.scope, self.order, self.negate = test, scope, order, negate

    def negated(self) -> _Pending:
        return _Pending(self.test, self.scope, self.order, not self.negate)

    def build(self, builder: Builder) -> Condition:
        if self.test is None or self.scope is None:
            return ("unknown",)
        cond = builder.condition(self.test, self.scope, self.order)
        if cond == ("unknown",):
            return cond
        return ("not", cond) if self.negate else cond


#: A block that may or may not run (a loop body, an exception handler, a ``match`` case).
_MAY = _Pending(None, None, 0)


class _Signature:
    """A function's parameters, kept until every binding is known (defaults are value
    expressions in the scope that defines the function)."""

    def __init__(
        self,
        params: cst.Parameters,
        parent: NameScope,
        order: int,
        skip_self: bool,
        method_of: str = "",
        static: bool = False,
    ) -> None:
        self.params, self.parent, self.order = params, parent, order
        self.skip_self, self.method_of, self.static = skip_self, method_of, static

    def apply(self, scope: ScopeFacts, builder: Builder) -> None:
        params = self.params
        positional = list(params.posonly_params) + list(params.params)
        if self.skip_self and positional:
            positional = positional[1:]
        defaults: dict[str, VExpr] = {}
        for p in [*positional, *params.kwonly_params]:
            if p.default is not None:
                defaults[p.name.value] = builder.value(p.default, self.parent, self.order)
        scope.params = tuple(p.name.value for p in positional)
        scope.kwonly = tuple(p.name.value for p in params.kwonly_params)
        scope.defaults = defaults
        if isinstance(params.star_arg, cst.Param):
            scope.star = params.star_arg.name.value
        if params.star_kwarg is not None:
            scope.starstar = params.star_kwarg.name.value
        scope.method_of, scope.static = self.method_of, self.static


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


def _fixture_kind(decorators: Sequence[cst.Decorator]) -> str:
    """ "autouse" for ``@pytest.fixture(autouse=True)``, "fixture" for another pytest fixture
    (``@pytest.fixture``, ``@fixture(scope=…)``, ``@pytest_asyncio.fixture``), else ""."""
    for deco in decorators:
        expr = deco.decorator
        call = expr if isinstance(expr, cst.Call) else None
        head = call.func if call is not None else expr
        name = dotted(head) or ""
        if name.rsplit(".", 1)[-1] != "fixture":
            continue
        if call is not None:
            for arg in call.args:
                if (
                    arg.keyword is not None
                    and arg.keyword.value == "autouse"
                    and isinstance(arg.value, cst.Name)
                    and arg.value.value == "True"
                ):
                    return "autouse"
        return "fixture"
    return ""


def static_method(node: cst.FunctionDef) -> bool:
    return any(
        isinstance(d.decorator, cst.Name) and d.decorator.value == "staticmethod"
        for d in node.decorators
    )


def _is_string_annotation(node: cst.BaseExpression) -> bool:
    """``str``, ``bytes``, ``Optional[str]``, ``str | None``, ``"str"``."""
    if isinstance(node, cst.Name):
        return node.value in ("str", "bytes")
    if isinstance(node, cst.SimpleString):
        return literal_value(node) in ("str", "bytes")
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        return _is_string_annotation(node.left) or _is_string_annotation(node.right)
    if isinstance(node, cst.Subscript) and dotted(node.value) in ("Optional", "typing.Optional"):
        inner = node.slice[0].slice if len(node.slice) == 1 else None
        return isinstance(inner, cst.Index) and _is_string_annotation(inner.value)
    return False


def _is_type_checking(test: cst.BaseExpression) -> bool:
    """``if TYPE_CHECKING:``, also ``if TYPE_CHECKING or SLOW_IMPORT:`` (the lazy-module
    pattern of diffusers and transformers: at run time these imports happen on attribute
    access, not when the package is imported)."""
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.Or):
        return _is_type_checking(test.left)
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
    rules: Sequence[FileCheck],
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
            if r is not None and r[0] in ("local", "import", "stars"):
                targets.append(r)
        collector.classes[qual].bases = targets
    facts.classes = collector.classes
    builder = Builder(
        {id(site.node): site.order for site in collector.calls},
        collector.loops,
        {name for scope, name in collector.writes if scope and "." not in name},
        collector.lambdas,
    )
    ctx.builder = builder
    scopes: dict[str, ScopeFacts] = {"": ScopeFacts("")}

    def scope_of(name: str) -> ScopeFacts:
        found = scopes.get(name)
        if found is None:
            found = scopes[name] = ScopeFacts(name)
        return found

    for name, imp in collector.imports:
        scope_of(name).events.append(imp)
    for qual, cls in collector.classes.items():
        for m in cls.methods:
            scope_of(f"{qual}.{m}")
    for qual in collector.signatures:
        scope_of(qual)

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
        events = scope_of(site.scope.exec_name).events
        _events_for_call(ctx, site, events, seed_functions, collector)
        for rule in call_rules:
            rule.check_call(ctx, site)
    for expr, scope, order, decorated in collector.decorator_calls:
        applied = ((0, ("ref", ("local", decorated))),)
        if isinstance(expr, (cst.Name, cst.Attribute)):
            target = resolve(expr, scope)
            if target is not None and target[0] in ("local", "import", "self", "stars"):
                scope_of(scope.exec_name).events.append(
                    Call(target, order, args=applied, decorator=True)
                )
        elif isinstance(expr, cst.Call):  # ``@registry.register("name")``: apply its result
            callee = builder.value(expr, scope, order)
            scope_of(scope.exec_name).events.append(
                Call(("value",), order, args=applied, receiver=callee, decorator=True)
            )
    for kind, name, value, scope, order in collector.pending_binds:
        events = scope_of(scope.exec_name).events
        if kind == "return":
            events.append(Return(builder.value(value, scope, order), order))
        elif isinstance(value, tuple) and value[0] == "item-of":  # ``d[key] = value``
            key_v = builder.value(value[1], scope, order)
            item_v = builder.value(value[2], scope, order)
            events.append(Bind(kind, name, ("seq", (key_v, item_v)), order))
        elif isinstance(value, tuple):  # a loop variable: ("iter", node) / ("item", node, i)
            iterated = ("iter", builder.value(value[1], scope, order))
            v = iterated if value[0] == "iter" else ("sub", iterated, ("lit", value[2]))
            events.append(Bind(kind, name, v, order))
        else:
            events.append(Bind(kind, name, builder.value(value, scope, order), order))
    for rule in rules:
        rule.check_file(ctx)
    for scope_facts in scopes.values():
        scope_facts.events.sort(key=lambda e: e.order)
        scope_facts.generator = scope_facts.name in collector.generators
    facts.scopes = scopes
    facts.star_exports = list(collector.module_scope.star_imports)
    for qual, signature in collector.signatures.items():
        signature.apply(scopes[qual], builder)
        scopes[qual].reassigned = collector.reassigned.get(qual, frozenset())
    if collector.conditions_at:
        built: dict[int, Condition] = {}

        def condition(p: _Pending) -> Condition:
            c = built.get(id(p))
            if c is None:
                c = built[id(p)] = p.build(builder)
            return c

        for scope_facts in scopes.values():
            scope_facts.conditions = {
                e.order: tuple(condition(p) for p in collector.conditions_at[e.order])
                for e in scope_facts.events
                if e.order in collector.conditions_at
            }
    facts.exports = {
        name: (int(b[1]), str(b[2]))
        for name, b in collector.module_scope.bindings.items()
        if b[0] == "import"
    }
    facts.argparse = _argparse_defaults(collector.add_arguments)
    facts.program_seeds = [
        found for site in collector.calls if (found := _program_seed(ctx, site)) is not None
    ]
    facts.program_seeds += _option_seeds(ctx, collector.calls, facts.argparse)
    for qual, kind in collector.fixtures.items():
        if qual in facts.scopes:
            facts.scopes[qual].fixture = kind
    known = ctx.call_positions
    if known is not None:
        facts.function_lines = known.function_lines
    elif data is not None:
        facts.function_lines = positions.function_lines_of(data)
    return facts


def _argparse_defaults(calls: Sequence[cst.Call]) -> dict[str, tuple[Literal, bool]]:
    """``add_argument("--seed", type=int, default=0)`` → {"seed": (0, False)}: each option's
    default (``None`` when absent; False / True for ``store_true`` / ``store_false``) and
    whether a value given on the command line is a string (no ``type=``, or ``type=str``).
    An option defined twice with different defaults is left out."""
    out: dict[str, tuple[Literal, bool]] = {}
    conflicts: set[str] = set()
    for node in calls:
        names: list[str] = []
        keywords: dict[str, cst.BaseExpression] = {}
        for a in node.args:
            if a.star:
                break
            if a.keyword is None:
                known, value = literal(a.value)
                if known and isinstance(value, str):
                    names.append(value)
            else:
                keywords[a.keyword.value] = a.value
        if not names:
            continue
        dest: Optional[str] = None
        if "dest" in keywords:
            known, value = literal(keywords["dest"])
            dest = value if known and isinstance(value, str) else None
        else:
            longs = [n for n in names if n.startswith("--")]
            first = longs[0] if longs else names[0]
            dest = first.lstrip("-").replace("-", "_")
        if not dest:
            continue
        action: object = None
        if "action" in keywords:
            action = literal(keywords["action"])[1]
        default: Literal
        if "default" in keywords:
            known, value = literal(keywords["default"])
            if not known or isinstance(value, tuple):
                conflicts.add(dest)
                continue
            default = value  # type: ignore[assignment]
        elif action == "store_true":
            default = False
        elif action == "store_false":
            default = True
        else:
            default = None
        type_text = dotted(keywords["type"]) if "type" in keywords else None
        strish = action in (None, "store", "append") and type_text in (None, "str")
        if dest in out and out[dest][0] != default:
            conflicts.add(dest)
        out[dest] = (default, strish)
    for dest in conflicts:
        out.pop(dest, None)
    return out


def _events_for_call(
    ctx: FileContext,
    site: CallSite,
    events: list[Any],
    seed_functions: frozenset[str],
    collector: _Collector,
) -> None:
    q = site.qualname
    node = site.node
    builder = ctx.builder
    assert builder is not None

    def span() -> Span:
        return ctx.span(node, site.stmt)

    text = render(node)
    library: Optional[Draw] = None
    library_of = ""
    if q is not None:
        spec = apis.library_call(q)
        if spec is not None:
            library = _library_draw(ctx, site, spec, text)
    elif site.method is not None and (site.resolved is None or site.resolved[0] == "var"):
        found = apis.library_method(site.method or "")
        if found is not None and found[0] in _imported_libraries(ctx, collector):
            library_of = found[0]
            library = _library_draw(ctx, site, found[1], text)
    if q is not None:
        if q in apis.DETERMINISM_ENABLERS and _enables(site, apis.DETERMINISM_ENABLERS[q]):
            events.append(Seed(frozenset({apis.DETERMINISM}), q, site.order, span=span()))
        lib = apis.draw_library(q)
        if lib is not None:
            if not site.has_keyword("generator") and not _training_off(site, apis.normalize(q)):
                kind = "training" if _training_dependent(site, apis.normalize(q)) else "draw"
                events.append(Draw(lib, apis.normalize(q), span(), site.order, text, kind))
            return
        layer = apis.layer_kind(q)
        if layer is not None and not _on_meta_device(site):
            events.append(Draw(apis.TORCH, apis.normalize(q), span(), site.order, text, layer))
        seeder = apis.seeder(q)
        if seeder is not None or q in seed_functions:
            events.append(_seed_event(ctx, site, seeder, q, text))
            return
        if q in apis.ENTROPY_RESEEDS or apis.numpy_constructor(q):
            return
    else:
        method = site.method
        if method in apis.SEEDING_METHODS and site.resolved is None:
            events.append(_seed_event(ctx, site, apis.SEEDING_METHOD, f"<object>.{method}", text))
            return
        if (
            method in apis.TORCH_TENSOR_SAMPLERS
            and ctx.imports_torch
            and not site.has_keyword("generator")
            and (site.resolved is None or site.resolved[0] != "import")
        ):
            events.append(Draw(apis.TORCH, f"Tensor.{method}", span(), site.order, text))
            return
        if method in apis.TORCH_DISTRIBUTION_SAMPLERS and site.receiver is not None:
            dist = _distribution(site.receiver, site)
            if dist is not None:
                events.append(Draw(apis.TORCH, f"{dist}.{method}", span(), site.order, text))
                return
    r = site.resolved
    receiver: Optional[VExpr] = None
    func = node.func
    if r is not None and r[0] == "super" and r[2] == "__init__":
        # ``super().__init__(4, 2)`` in a subclass of ``nn.Linear``: the base draws its weights
        for base in collector.classes.get(str(r[1]), ClassFacts("")).bases:
            base_q = external(base)
            layer = apis.layer_kind(base_q) if base_q is not None else None
            if base_q is not None and layer == "construct":
                events.append(
                    Draw(apis.TORCH, apis.normalize(base_q), span(), site.order, text, layer)
                )
    if r is None or r[0] == "var":
        if isinstance(func, cst.Attribute):
            r = ("attr", func.attr.value)
            receiver = builder.value(func.value, site.scope, site.order)
        elif isinstance(func, cst.Name) and r is None:
            if func.value not in _BUILTIN_HANDOFFS:
                return
            r = ("import", 0, f"builtins.{func.value}")
            q = str(r[2])
        else:
            r = ("value",)
            receiver = builder.value(func, site.scope, site.order)
    seedlike = r[0] == "import" and _seedlike(str(r[-1])) and bool(node.args)
    events.append(
        Call(
            r if not seedlike else (*r, "seedlike"),
            site.order,
            args=arguments(builder, node, site.scope, site.order),
            span=span(),
            text=text,
            receiver=receiver,
            with_end=collector.with_ends.get(id(node), 0),
            external=q,
            library=library,
            library_of=library_of if library is not None else "",
        )
    )
    # Functions passed as values (callbacks, ``target=``, ``collate_fn=``): for the per-file
    # rules that follow what a function may run.
    for a in node.args:
        if isinstance(a.value, (cst.Name, cst.Attribute)):
            v = resolve(a.value, site.scope)
            if v is not None and v[0] in ("local", "import", "self"):
                events.append(Call(v, site.order, value=True))


#: Builtins that call what they are given (``map(f, xs)``, ``sorted(xs, key=f)``) or use an
#: object's protocol (``iter(ds)``, ``next(it)``).
_BUILTIN_HANDOFFS = frozenset({"map", "filter", "sorted", "min", "max", "iter", "next", "dict"})


#: Names that only Hugging Face's ``datasets`` exports (a project package named ``datasets``
#: exports its own builders).
_HF_DATASETS_NAMES = frozenset(
    {
        "load_dataset",
        "load_from_disk",
        "load_dataset_builder",
        "Dataset",
        "DatasetDict",
        "IterableDataset",
        "IterableDatasetDict",
        "concatenate_datasets",
        "interleave_datasets",
    }
)


def _imported_libraries(ctx: FileContext, collector: _Collector) -> frozenset[str]:
    """Which of pandas and Hugging Face ``datasets`` this file uses (their objects' methods
    draw: ``df.sample()``, ``ds.shuffle()``)."""
    found = collector.library_imports
    if found is None:
        libs: set[str] = set()
        for _, imp in collector.imports:
            root = imp.module.split(".", 1)[0] if imp.level == 0 else ""
            if root == "pandas":
                libs.add("pandas")
            elif root == "datasets" and (
                set(imp.names) & _HF_DATASETS_NAMES or imp.module != "datasets"
            ):
                libs.add("datasets")
        if "datasets" not in libs:
            for call in ctx.calls:
                q = call.qualname or ""
                if q.startswith("datasets.") and q.split(".")[1] in _HF_DATASETS_NAMES:
                    libs.add("datasets")
                    break
        found = collector.library_imports = frozenset(libs)
    return found


def _library_draw(
    ctx: FileContext, site: CallSite, spec: apis.LibraryCall, text: str
) -> Optional[Draw]:
    """The draw a library call makes for the user, or None when its arguments show it draws
    nothing (a seed passed, a configuration that does not draw)."""
    if spec.alternatives and not any(
        all(_param_test(site, *cond) for cond in alt) for alt in spec.alternatives
    ):
        return None
    for name in spec.also:
        if site.has_keyword(name):
            return None  # ``generator=rng``
    seed: Optional[VExpr] = None
    fix: tuple[Any, ...] = ()
    if spec.param:
        if site.method is not None and spec.api.startswith(("pandas.", "datasets.")):
            # a private generator's ``rng.shuffle(x)`` is RNG1xx's business
            made_by = site.constructor_of(site.receiver) if site.receiver is not None else None
            if made_by is not None and made_by in apis.PRIVATE_GENERATOR_CONSTRUCTORS:
                return None
            receiver = dotted(site.receiver) if site.receiver is not None else None
            if receiver is not None and _OTHER_SAMPLERS.search(receiver.rsplit(".", 1)[-1]):
                return None  # ``env.action_space.sample()``, ``rng.shuffle(x)``
        arg = site.arg(spec.position if spec.position >= 0 else None, spec.param)
        if arg is None:
            if spec.default is not None:
                return None  # a fixed default seed (``fetch_20newsgroups``)
        elif arg.star:
            return None  # ``**kwargs`` may pass it
        else:
            known, value = literal(arg.value)
            if known and value is not None:
                return None
            if not known:
                builder = ctx.builder
                assert builder is not None
                seed = builder.value(arg.value, site.scope, site.order)
        if not any(a.star for a in site.node.args):
            fix = (derive_key(ctx, site, spec.api.rsplit(".", 1)[-1]), spec.param, spec.position)
    kind = {"call": "library", "use": "fit", "apply": "apply"}[spec.when]
    return Draw(
        spec.lib,
        spec.api,
        ctx.span(site.node, site.stmt),
        site.order,
        text,
        kind,
        param=spec.param,
        seed=seed,
        fix=fix,
    )


#: Receivers whose ``sample``/``shuffle`` methods are not pandas' or ``datasets``' even in a file
#: that imports them: generators, spaces, distributions, replay buffers, generative models.
_OTHER_SAMPLERS = re.compile(
    r"rng|random|generator|^gen$|space|env|dist|policy|buffer|memory|replay|sampler|noise|"
    r"prior|posterior|model|vae|diffusion|scheduler|pipe|flow|process",
    re.IGNORECASE,
)


def _program_seed(
    ctx: FileContext, site: CallSite
) -> Optional[tuple[str, int, int, str, Optional[Target]]]:
    """``set_seed(args.seed)`` in a function: the program seeds from its own seed (a command
    line option, a config entry, a parameter); where that value is known, for the seed fix
    (issue: fixes use the program's seed, not 0)."""
    func = site.node.func
    name = site.qualname or (dotted(func) or "")
    if "seed" not in name.rsplit(".", 1)[-1].lower() or site.scope.kind not in (
        "function",
        "module",
    ):
        return None
    arg = site.arg(0, "seed")
    if arg is None or arg.star:
        return None
    known, _ = literal(arg.value)
    text = ctx.module.code_for_node(arg.value)
    if known or "seed" not in text.lower() or "\n" in text:
        return None
    root: cst.BaseExpression = arg.value
    while isinstance(root, (cst.Attribute, cst.Subscript)):
        root = root.value
    if not isinstance(root, cst.Name):
        return None
    scope = site.scope
    line = ctx.span(site.node, site.stmt).line
    target: Optional[Target] = None
    if site.resolved is not None and site.resolved[0] in ("import", "local"):
        target = tuple(site.resolved)
    if root.value in scope.params:
        return scope.qualname, line, 0, text, target
    values = [v for o, v in scope.assigns.get(root.value, []) if o < site.order]
    if not values:
        if root.value in scope.module().assigns and root.value not in scope.assigns:
            return scope.qualname, line, 0, text, target  # a module constant (``SEED = 42``)
        return None
    return scope.qualname, line, ctx.span(values[-1], values[-1]).end_line, text, target


def _option_seeds(
    ctx: FileContext, calls: Sequence[CallSite], options: dict[str, tuple[Literal, bool]]
) -> list[tuple[str, int, int, str, Optional[Target]]]:
    """``args = parser.parse_args()`` in a function of a program with a ``--seed`` option that
    it may never use for seeding: ``args.seed`` is the program's seed from that line on."""
    dests = [d for d in options if "seed" in d.lower()]
    if not dests:
        return []
    out: list[tuple[str, int, int, str, Optional[Target]]] = []
    for site in calls:
        if site.method not in ("parse_args", "parse_known_args") or site.scope.kind not in (
            "function",
            "module",
        ):
            continue
        target = ctx.stored_into.get(id(site.node))
        name = dotted(target) if target is not None else None
        if name is None or "." in name:
            continue
        span = ctx.span(site.node, site.stmt)
        out.append((site.scope.qualname, span.line, span.end_line, f"{name}.{dests[0]}", None))
    return out


def _param_test(site: CallSite, name: str, position: int, default: object, test: object) -> bool:
    """Does the argument ``name`` make the call draw? Values not known here may."""
    arg = site.arg(position if position >= 0 else None, name)
    if arg is None:
        known, value = True, default
    elif arg.star:
        return True
    else:
        known, value = literal(arg.value)
    if not known:
        return True
    if test == "true":
        return bool(value)
    if test == "notnone":
        return value is not None
    if test == "int":
        return isinstance(value, int) and not isinstance(value, bool) and value >= 1
    return isinstance(test, tuple) and value in test


def _seed_event(
    ctx: FileContext, site: CallSite, seeder: Optional[apis.Seeder], q: str, text: str
) -> Seed:
    builder = ctx.builder
    assert builder is not None
    libs = seeder.libs if seeder is not None else apis.ALL_LIBRARIES
    fixed = seeder is None or values.seeds_deterministically(seeder, site)
    value: Optional[VExpr] = None
    restores = seeder is not None and seeder.arg is None and seeder.keyword is None
    none_entropy = False
    if seeder is None:
        arg = site.arg(0, "seed")
    elif restores:
        arg = None
    else:
        arg = site.arg(seeder.arg, seeder.keyword)
        none_entropy = seeder.none_is_entropy
    per_rank = False
    if arg is not None and not arg.star:
        value = builder.value(arg.value, site.scope, site.order)
        exprs: list[cst.BaseExpression] = [arg.value]
        if isinstance(arg.value, cst.Name):
            exprs += variable_values(arg.value.value, site.scope) or []
        per_rank = any(apis.PER_RANK_SEED.search(ctx.module.code_for_node(e)) for e in exprs)
    per_rank = per_rank or any(
        a.keyword is not None
        and a.keyword.value in ("per_rank", "device_specific")
        and not (isinstance(a.value, cst.Name) and a.value.value in ("False", "None"))
        for a in site.node.args
    )
    return Seed(
        libs,
        q,
        site.order,
        deterministic=fixed,
        span=ctx.span(site.node, site.stmt),
        value=value,
        none_entropy=none_entropy,
        restores=restores,
        text=text,
        per_rank=per_rank,
    )


def _on_meta_device(site: CallSite) -> bool:
    arg = site.arg(None, "device")
    if arg is None or arg.star:
        return False
    known, value = literal(arg.value)
    return known and value == "meta"


def _enables(site: CallSite, flag: tuple[Optional[int], Optional[str]]) -> bool:
    """Does this call turn the flag on (absent flag: only when the call always does)?"""
    position, keyword = flag
    if position is None and keyword is None:
        return True
    arg = site.arg(position, keyword)
    if arg is None or arg.star:
        return False
    known, value = literal(arg.value)
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
    known, value = literal(arg.value)
    return not arg.star and known and value is False


def _training_dependent(site: CallSite, qualname: str) -> bool:
    """Functional dropout given ``self.training`` (or another non-literal flag): it draws
    only while the model is in training mode."""
    flag = apis.TORCH_TRAINING_FLAGS.get(qualname)
    if flag is None:
        return False
    arg = site.arg(flag[0], "training")
    return arg is not None and not arg.star and not literal(arg.value)[0]


def _distribution(receiver: cst.BaseExpression, site: CallSite) -> Optional[str]:
    """``distributions.X`` when ``receiver`` is (a name bound to) a ``torch.distributions.X``."""
    q = site.constructor_of(receiver)
    if q is not None and q.startswith(apis.TORCH_DISTRIBUTIONS + "."):
        return q.replace("torch.distributions.", "distributions.", 1)
    return None


def _seedlike(dotted_name: str) -> bool:
    last = dotted_name.rsplit(".", 1)[-1].lower()
    return "seed" in last and last not in ("seed", "initial_seed")
