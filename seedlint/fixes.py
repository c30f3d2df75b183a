"""Edits: turn fixable findings into new source, and write files safely.

Fix machinery runs only on files that have fixes to apply: the analysis attaches a small,
picklable :class:`~seedlint.findings.Fix` (what to do, where) to a finding; here the file is parsed
again, the nodes are found by position, and libcst rewrites only them, so comments, blank lines
and formatting elsewhere stay as they were. Imports a fix needs are added once, next to the
file's other imports, reusing an existing ``import seedlint_runtime`` (or alias) or
``from seedlint_runtime import …``. The new source must parse, or nothing is written; files are
replaced atomically (temporary file in the same directory, same mode, ``os.replace``), in their
encoding, BOM and line endings.
"""

from __future__ import annotations

import ast
import contextlib
import os
import stat
import sys
import tempfile
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any, Optional

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from seedlint.engine import notebook
from seedlint.findings import Finding, Fix

RUNTIME = "seedlint_runtime"
SEED_STATEMENT = "seed_everything(0)"


def applicable(finding: Finding, unsafe: bool) -> bool:
    fix = finding.fix
    return fix is not None and (fix.applicability == "safe" or unsafe)


def group(findings: Iterable[Finding], unsafe: bool) -> dict[str, list[Fix]]:
    """Fixes by the path of the file they edit (an entry point's seed edits the entry point)."""
    out: dict[str, list[Fix]] = {}
    for f in findings:
        if applicable(f, unsafe):
            assert f.fix is not None
            fixes = out.setdefault(f.fix.target or f.path, [])
            if f.fix in fixes:
                continue  # RNG301 and RNG305 on one loader: one `worker_init_fn`
            fixes.append(f.fix)
            if f.fix.kind == "seed-args":
                # one ``random_state=derive_seed(…)`` per library call, in the files holding them
                fixes.pop()
                for path, line, column, end_line, end_column, key, keyword, position in f.fix.data:
                    edit = Fix(
                        "unsafe",
                        f.fix.message,
                        "seed-arg",
                        line,
                        column,
                        (key, keyword, True, position),
                        end_line=end_line,
                        end_column=end_column,
                    )
                    here = out.setdefault(path, [])
                    if edit not in here:
                        here.append(edit)
                continue
            if f.fix.kind == "seed-entry" and len(f.fix.data) > 1:
                for path, place in f.fix.data[1]:  # the other entry points running the draw
                    out.setdefault(path, []).append(replace(f.fix, data=(place,), target=path))
    for fixes in out.values():
        # keywords added to one call go in the order of DataLoader's parameters
        fixes.sort(key=lambda x: x.data[2] if x.kind == "add-keyword" and len(x.data) > 2 else -1)
    return out


class FixError(Exception):
    """A fix that cannot be applied safely (the file is left as it was)."""


def fix_file(path: str, data: bytes, fixes: Sequence[Fix]) -> Optional[bytes]:
    """The fixed content of the file ``path`` (a ``.py`` file or a notebook), or None when nothing
    changes. Raises FixError when the fix cannot be written safely."""
    if not notebook.is_notebook(path):
        return fix_source(data, fixes, path)
    try:
        vm = notebook.virtual(data, path)
        fixed = fix_source(vm.source, fixes, path)
        return None if fixed is None else notebook.write_back(data, vm, fixed)
    except notebook.NotebookError as exc:
        raise FixError(str(exc)) from None


def fix_source(data: bytes, fixes: Sequence[Fix], path: Optional[str] = None) -> Optional[bytes]:
    """The fixed source, or None when nothing changes. Raises FixError when the result would
    not be valid Python (nothing is written then). ``path`` (where the file lies) tells the
    project's own modules from installed ones when an import is sorted in."""
    try:
        module = cst.parse_module(data)
    except cst.ParserSyntaxError as exc:
        raise FixError(f"cannot parse: {exc}") from None
    if module.bytes != data:
        raise FixError("libcst does not reproduce this file exactly; not fixing it")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        positions = wrapper.resolve(PositionProvider)
    editor = _Editor(module, positions, fixes, path)
    new = editor.run()
    if new is None:
        return None
    try:
        out = new.bytes
    except UnicodeError as exc:  # an added name the file's coding cannot hold
        raise FixError(f"the fixed source cannot be encoded as {module.encoding}: {exc}") from None
    if out == data:
        return None
    try:
        cst.parse_module(out)
        compile(out, "<fixed>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except (SyntaxError, ValueError, cst.ParserSyntaxError) as exc:
        raise FixError(f"the fixed source would not parse ({exc}); not fixing it") from None
    return out


class _Editor:
    def __init__(
        self,
        module: cst.Module,
        positions: object,
        fixes: Sequence[Fix],
        path: Optional[str] = None,
    ) -> None:
        self.module = module
        self.path = path
        #: "top": the module whose import runs the draw (the seed goes before that import).
        self.seed_import_of: Optional[str] = None
        #: The program's own seed: (function, line after which it is known, expression).
        self.seed_program: Optional[tuple[str, int, str]] = None
        #: Seeding helpers to complete: (function, seed parameter, library, line after which).
        self.extend: list[tuple[str, str, str, int]] = []
        #: Library imports those additions need (``import torch``).
        self.library_imports: list[str] = []
        self.positions = positions
        self.fixes = fixes
        self.needed: list[str] = []  # names from seedlint_runtime the edits use
        #: node → the fixes to apply to it, in order (applied to the node as rewritten below
        #: it, so a fix inside a fixed call is kept, and RNG301 + RNG302 on one call compose).
        self.pending: dict[cst.CSTNode, list[Fix]] = {}
        self.seed_at: Optional[str] = None  # "top" | "imports" | "main"
        #: A draw on this line of the file's own top level must come after the seed.
        self.seed_before: Optional[int] = None
        self._access: dict[str, str] = {}
        self._starts: Optional[dict[tuple[int, int], list[tuple[cst.CSTNode, Any]]]] = None

    # --- names from the runtime -----------------------------------------------------------

    def runtime_name(self, name: str) -> cst.BaseExpression:
        """An expression for ``seedlint_runtime.<name>`` in this file."""
        if name not in self.needed:
            self.needed.append(name)
        return cst.parse_expression(self.access(name))

    def access(self, name: str) -> str:
        """Decided once, on the file as it was (before any edit added names)."""
        if name not in self._access:
            self._access[name] = _runtime_access(self.module, name)
        return self._access[name]

    # --- locating nodes ---------------------------------------------------------------------

    def _node_at(
        self, line: int, column: int, kind: type, end: Optional[tuple[int, int]] = None
    ) -> Optional[cst.CSTNode]:
        """The outermost node of ``kind`` starting at ``line``:``column`` (1-based column),
        ending at ``end`` when given."""
        if self._starts is None:
            positions: Mapping[cst.CSTNode, Any] = self.positions  # type: ignore[assignment]
            self._starts = {}
            for node, rng in positions.items():
                self._starts.setdefault((rng.start.line, rng.start.column), []).append(
                    (node, (rng.end.line, rng.end.column + 1))
                )
        best: Optional[cst.CSTNode] = None
        for node, node_end in self._starts.get((line, column - 1), ()):
            if (
                isinstance(node, kind)
                and (end is None or node_end == end)
                and (best is None or _contains(node, best))
            ):
                best = node
        return best

    def run(self) -> Optional[cst.Module]:
        calls: dict[tuple[Any, ...], Optional[cst.CSTNode]] = {}
        for fix in self.fixes:
            if fix.kind == "extend-helper":
                self.extend.append(
                    (str(fix.data[0]), str(fix.data[1]), str(fix.data[2]), int(fix.data[3]))
                )
                continue
            if fix.kind == "seed-entry":
                # the earliest placement any finding needs wins: top < imports < main
                place = str(fix.data[0]) if fix.data else "main"
                if place.startswith("seed:"):
                    # the program's own seed: ``seed_everything(args.seed)`` in a function
                    _, func, after, expr = place.split(":", 3)
                    self.seed_program = (func, int(after), expr)
                    continue
                place, _, import_of = place.partition(":")
                order = ("top", "imports", "main")
                if self.seed_at is None or order.index(place) < order.index(self.seed_at):
                    self.seed_at = place
                    self.seed_import_of = import_of or None
                if len(fix.data) > 2 and fix.data[2]:
                    line = int(fix.data[2])
                    self.seed_before = min(self.seed_before or line, line)
                continue
            end = (fix.end_line, fix.end_column) if fix.end_line else None
            kind: type = cst.Call if fix.kind != "assign-false" else cst.Assign
            if fix.kind == "replace-expr":
                kind = cst.BaseExpression
                end = (int(fix.data[1]), int(fix.data[2]))
            key = (fix.line, fix.column, end, kind)
            if key not in calls:
                calls[key] = self._node_at(fix.line, fix.column, kind, end)
            node = calls[key]
            if node is not None:
                self.pending.setdefault(node, []).append(fix)
        module = self.module
        if self.pending:
            module = module.visit(_Replace(self))
            if not isinstance(module, cst.Module):
                return None
        import_limit: Optional[int] = None
        for func, param, lib, last in self.extend:
            module = self._extend_helper(module, func, param, lib, last)
        if self.seed_program is not None:
            # first: top-level statement indexes still those of the file as it was
            self.runtime_name("seed_everything")
            module = self._seed_in_function(
                module, self.access("seed_everything"), *self.seed_program
            )
        if self.seed_at is not None:
            access = self.access("seed_everything")
            self.runtime_name("seed_everything")
            limit = len(module.body)
            if self.seed_before is not None:
                positions: Mapping[cst.CSTNode, Any] = self.positions  # type: ignore[assignment]
                limit = next(
                    (
                        i
                        for i, stmt in enumerate(self.module.body)
                        if stmt in positions and positions[stmt].end.line >= self.seed_before
                    ),
                    limit,
                )
            module, import_limit = _insert_seed(
                module, self.seed_at, access, limit, self.seed_import_of
            )
        if self.needed:
            module = _add_imports(
                module, {n: self.access(n) for n in self.needed}, import_limit, self.path
            )
        for imported in self.library_imports:
            module = module.with_changes(
                body=_insert_import(list(module.body), _statement(imported), None, self.path)
            )
        return module

    def _extend_helper(
        self, module: cst.Module, func: str, param: str, lib: str, last: int
    ) -> cst.Module:
        """The program's seeding helper ``func`` seeds ``lib`` too: ``torch.manual_seed(seed)``
        (``np.random.seed``, ``random.seed``) after its last seeding call, importing the library
        when the file does not."""
        module_name, default_alias, template = {
            "python": ("random", "random", "{}.seed({})"),
            "numpy": ("numpy", "np", "{}.random.seed({})"),
            "torch": ("torch", "torch", "{}.manual_seed({})"),
        }[lib]
        alias = None
        for st in module.body:
            if isinstance(st, cst.SimpleStatementLine):
                for imp in st.body:
                    if isinstance(imp, cst.Import):
                        for a in imp.names:
                            if _dotted(a.name) == module_name:
                                alias = _alias_name(a) or module_name
        line = template.format(alias or default_alias, param)
        module = self._seed_in_function(module, "", func, last, line, raw=True)
        if alias is None:
            # added with the other imports, last (top-level indexes must not move before)
            imp_line = (
                f"import {module_name}"
                if default_alias == module_name
                else f"import {module_name} as {default_alias}"
            )
            if imp_line not in self.library_imports:
                self.library_imports.append(imp_line)
        return module

    def _seed_in_function(
        self,
        module: cst.Module,
        call: str,
        func: str,
        after: int,
        expr: str,
        raw: bool = False,
    ) -> cst.Module:
        """``seed_everything(expr)`` in ``func`` (``main`` or ``Class.method``): first in its
        body (``after`` 0), else right after the statement of its body that ends on line
        ``after`` (where the seed's value is set). ``raw``: ``expr`` is the whole statement."""
        positions: Mapping[cst.CSTNode, Any] = self.positions  # type: ignore[assignment]
        path: list[int] = []
        body: Sequence[cst.CSTNode] = self.module.body
        for name in func.split(".") if func else ():  # "": the module's top level
            index = next(
                (
                    i
                    for i, st in enumerate(body)
                    if isinstance(st, (cst.FunctionDef, cst.ClassDef)) and st.name.value == name
                ),
                None,
            )
            if index is None:
                return module
            path.append(index)
            node = body[index]
            inner = node.body  # type: ignore[attr-defined]
            if not isinstance(inner, cst.IndentedBlock):
                return module
            body = inner.body
        start = 1 if body and _is_docstring(body[0]) else 0
        at = start
        if after:
            at = next(
                (
                    i + 1
                    for i, st in enumerate(body)
                    if st in positions
                    and positions[st].start.line <= after <= positions[st].end.line
                ),
                -1,
            )
            if at < 0:
                return module
        stmt = cst.parse_statement((expr if raw else f"{call}({expr})") + "\n")

        def insert(nodes: Sequence[Any], depth: int) -> list[Any]:
            out = list(nodes)
            target = out[path[depth]]
            block = target.body
            if depth + 1 < len(path):
                return [
                    *out[: path[depth]],
                    target.with_changes(
                        body=block.with_changes(body=insert(block.body, depth + 1))
                    ),
                    *out[path[depth] + 1 :],
                ]
            stmts = list(block.body)
            if at < len(stmts) and (
                _already_seeds(stmts[at], call) if not raw else stmts[at].deep_equals(stmt)
            ):
                return out
            stmts.insert(at, stmt)
            out[path[depth]] = target.with_changes(body=block.with_changes(body=stmts))
            return out

        if not path:  # the script's top level
            stmts = list(module.body)
            if at < len(stmts) and (
                _already_seeds(stmts[at], call) if not raw else stmts[at].deep_equals(stmt)
            ):
                return module
            return module.with_changes(body=[*stmts[:at], stmt, *stmts[at:]])
        return module.with_changes(body=insert(module.body, 0))


def _contains(outer: cst.CSTNode, inner: cst.CSTNode) -> bool:
    """Prefer the outermost node starting at a position (``a.b()`` over ``a.b``)."""
    return any(n is inner for n in _children(outer))


def _children(node: cst.CSTNode) -> Iterable[cst.CSTNode]:
    stack = list(node.children)
    while stack:
        n = stack.pop()
        yield n
        stack.extend(n.children)


class _Replace(cst.CSTTransformer):
    def __init__(self, editor: _Editor) -> None:
        self.editor = editor

    def on_leave(self, original_node: Any, updated_node: Any) -> Any:
        for fix in self.editor.pending.get(original_node, ()):
            new = _apply(self.editor, fix, updated_node)
            if new is not None:
                updated_node = new
        return updated_node


# --- the edits ------------------------------------------------------------------------------


def _apply(editor: _Editor, fix: Fix, node: cst.CSTNode) -> Optional[cst.CSTNode]:
    if fix.kind == "add-keyword" and isinstance(node, cst.Call):
        keyword, helper, position = fix.data[0], fix.data[1], fix.data[2]
        value = editor.runtime_name(helper)
        if helper == "seeded_generator":
            value = cst.Call(value)
        return set_argument(node, str(keyword), value, position if position != -1 else None)
    if fix.kind == "seed-arg" and isinstance(node, cst.Call):
        value = cst.Call(editor.runtime_name("derive_seed"), [cst.Arg(_string(str(fix.data[0])))])
        position = int(fix.data[3]) if len(fix.data) > 3 else 0
        if len(fix.data) > 4 and fix.data[4]:
            # keep the program's seed: ``seed if seed is not None else derive_seed(…)``
            from seedlint.engine.collect import argument

            found = argument(node, position if position >= 0 else None, str(fix.data[1]))
            if found is None or found.star:
                return None
            kept = found.value
            value = cst.IfExp(
                test=cst.Comparison(kept, [cst.ComparisonTarget(cst.IsNot(), cst.Name("None"))]),
                body=kept,
                orelse=value,
            )
        return set_argument(
            node,
            str(fix.data[1]),
            value,
            position if position >= 0 else None,
            keyword_allowed=bool(fix.data[2]),
        )
    if fix.kind == "chain-manual-seed" and isinstance(node, cst.Call):
        value = cst.Call(editor.runtime_name("derive_seed"), [cst.Arg(_string(str(fix.data[0])))])
        return cst.Call(cst.Attribute(node, cst.Name("manual_seed")), [cst.Arg(value)])
    if fix.kind == "draw-on-cpu" and isinstance(node, cst.Call):
        return draw_on_cpu(node)
    if fix.kind == "replace-expr" and isinstance(node, cst.BaseExpression):
        return cst.Call(editor.runtime_name("derive_seed"), [cst.Arg(_string(str(fix.data[0])))])
    if fix.kind == "assign-false" and isinstance(node, cst.Assign):
        return node.with_changes(value=cst.Name("False"))
    return None


def _string(text: str) -> cst.SimpleString:
    return cst.SimpleString('"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"')


def set_argument(
    call: cst.Call,
    keyword: str,
    value: cst.BaseExpression,
    position: Optional[int],
    keyword_allowed: bool = True,
) -> cst.Call:
    """``call`` with ``keyword`` set to ``value``: an explicit ``keyword=None`` (or ``None`` at
    ``position``) is replaced, else the argument is appended in the call's own style."""
    args = list(call.args)
    for i, a in enumerate(args):
        if a.keyword is not None and a.keyword.value == keyword:
            args[i] = a.with_changes(value=value)
            return call.with_changes(args=args)
    if position is not None:
        positional = [i for i, a in enumerate(args) if a.keyword is None and not a.star]
        if position < len(positional) and all(not a.star for a in args[: positional[-1] + 1]):
            i = positional[position]
            args[i] = args[i].with_changes(value=value)
            return call.with_changes(args=args)
    if keyword_allowed:
        new = cst.Arg(value=value, keyword=cst.Name(keyword), equal=_EQUAL)
    else:
        new = cst.Arg(value=value)
        # a positional argument goes before every keyword and star argument
        first_kw = next((i for i, a in enumerate(args) if a.keyword is not None or a.star), None)
        if first_kw is not None:
            args.insert(first_kw, new.with_changes(comma=_COMMA))
            return call.with_changes(args=args)
    return call.with_changes(args=_append(args, new))


_EQUAL = cst.AssignEqual(
    whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
)
_COMMA = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def _append(args: list[cst.Arg], new: cst.Arg) -> list[cst.Arg]:
    """Append ``new`` keeping the call's layout: a trailing comma stays trailing, one argument
    per line stays one argument per line."""
    if not args:
        return [new]
    last = args[-1]
    if isinstance(last.comma, cst.Comma):
        between = (
            args[-2].comma if len(args) > 1 and isinstance(args[-2].comma, cst.Comma) else None
        )
        if between is None:
            between = last.comma
        own = last.comma.whitespace_after
        sep = between.whitespace_after
        if isinstance(own, cst.ParenthesizedWhitespace) and isinstance(
            sep, cst.ParenthesizedWhitespace
        ):
            # one argument per line: the last argument keeps its comment (a noqa comment), the new
            # one gets the arguments' indentation and the closing layout without the comment
            keep = last.comma.with_changes(
                whitespace_after=sep.with_changes(first_line=own.first_line)
            )
            closing = last.comma.with_changes(
                whitespace_after=own.with_changes(
                    first_line=cst.TrailingWhitespace(newline=own.first_line.newline)
                )
            )
            return [*args[:-1], last.with_changes(comma=keep), new.with_changes(comma=closing)]
        return [*args[:-1], last.with_changes(comma=between), new.with_changes(comma=last.comma)]
    # ``f(\n    a, b\n)``: the new argument goes after ``b`` on its line; the layout before
    # the closing parenthesis moves to the new last argument
    return [
        *args[:-1],
        last.with_changes(comma=_COMMA, whitespace_after_arg=cst.SimpleWhitespace("")),
        new.with_changes(whitespace_after_arg=last.whitespace_after_arg),
    ]


def draw_on_cpu(call: cst.Call) -> Optional[cst.Call]:
    """``torch.randn(3, device=d, requires_grad=True)`` → ``torch.randn(3).to(d).requires_grad_()``;
    ``*_like(x, device=d)`` keeps ``device="cpu"`` (it would follow ``x`` otherwise)."""
    args = list(call.args)
    device = next((a for a in args if a.keyword is not None and a.keyword.value == "device"), None)
    if device is None or any(a.star for a in args):
        return None
    if any(a.keyword is not None and a.keyword.value in ("out", "pin_memory") for a in args):
        return None
    grad = next(
        (a for a in args if a.keyword is not None and a.keyword.value == "requires_grad"), None
    )
    name = call.func.attr.value if isinstance(call.func, cst.Attribute) else ""
    if isinstance(call.func, cst.Name):
        name = call.func.value
    kept: list[cst.Arg] = []
    for a in args:
        if a is device:
            if name.endswith("_like"):
                kept.append(a.with_changes(value=cst.SimpleString('"cpu"')))
            continue
        if a is grad:
            continue
        kept.append(a)
    if kept and kept[-1] is not args[-1]:
        # the removed argument was last: the new last one takes its comma (the layout before
        # the closing parenthesis), unless its own comma holds a comment (a noqa comment)
        own = kept[-1].comma
        has_comment = isinstance(own, cst.Comma) and "#" in cst.Module([]).code_for_node(own)
        if not has_comment:
            kept[-1] = kept[-1].with_changes(comma=args[-1].comma)
    on_cpu = call.with_changes(args=kept)
    moved: cst.BaseExpression = cst.Call(
        cst.Attribute(on_cpu, cst.Name("to")), [cst.Arg(device.value)]
    )
    if grad is not None:
        flag = grad.value
        literal_true = isinstance(flag, cst.Name) and flag.value == "True"
        literal_false = isinstance(flag, cst.Name) and flag.value == "False"
        if not literal_false:
            moved = cst.Call(
                cst.Attribute(moved, cst.Name("requires_grad_")),
                [] if literal_true else [cst.Arg(flag)],
            )
    assert isinstance(moved, cst.Call)
    return moved


# --- imports and the entry point's seed --------------------------------------------------------


def _runtime_access(module: cst.Module, name: str) -> str:
    """How this file can name ``seedlint_runtime.<name>``: an existing ``from seedlint_runtime
    import name`` (or alias), an existing module import or alias, else the bare name (imported
    by ``_add_imports``) — or ``seedlint_runtime.name`` when the bare name is taken."""
    module_alias = None
    for alias in _runtime_from_aliases(module):
        if _dotted(alias.name) == name:
            return _alias_name(alias) or name
    for stmt in _top_imports(module):
        for imp in stmt.body:
            if isinstance(imp, cst.Import):
                for alias in imp.names:
                    if _dotted(alias.name) == RUNTIME:
                        module_alias = _alias_name(alias) or RUNTIME
    if module_alias is not None:
        return f"{module_alias}.{name}"
    if name in _bound_names(module):
        return f"{RUNTIME}.{name}"
    return name


def _alias_name(alias: cst.ImportAlias) -> Optional[str]:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return None


def _dotted(node: Optional[cst.BaseExpression]) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


def _bound_names(module: cst.Module) -> set[str]:
    """Every name the file binds anywhere (definitions, assignments, imports, parameters)."""
    names: set[str] = set()

    class V(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            names.add(node.value)

    module.visit(V())
    return names


def _top_imports(module: cst.Module) -> list[cst.SimpleStatementLine]:
    """The header's import statements (an import further down may run after a use)."""
    header = module.body[: _import_block_end(module.body)]
    return [
        s
        for s in header
        if isinstance(s, cst.SimpleStatementLine)
        and any(isinstance(x, (cst.Import, cst.ImportFrom)) for x in s.body)
    ]


def _add_imports(
    module: cst.Module,
    access: dict[str, str],
    limit: Optional[int] = None,
    path: Optional[str] = None,
) -> cst.Module:
    """Import what the edits use, once: extend an existing ``from seedlint_runtime import``,
    else add one in the file's import block, where isort/ruff would sort it (``limit``: before
    that top-level statement, a seed placed above an import); ``import seedlint_runtime`` for
    names reached through the module."""
    wanted = sorted(n for n, how in access.items() if how == n and not _imported(module, n))
    qualified = [n for n, how in access.items() if how == f"{RUNTIME}.{n}"]
    body: list[Any] = list(module.body)
    if wanted:
        for i, stmt in enumerate(body[: _import_block_end(body)]):
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for j, imp in enumerate(stmt.body):
                if (
                    isinstance(imp, cst.ImportFrom)
                    and _dotted(imp.module) == RUNTIME
                    and isinstance(imp.names, Sequence)
                    and imp.relative == ()
                ):
                    aliases = list(imp.names)
                    last = aliases[-1]
                    aliases[-1] = last.with_changes(comma=_COMMA)
                    aliases += [cst.ImportAlias(cst.Name(n)) for n in wanted]
                    aliases[-1] = aliases[-1].with_changes(comma=last.comma)
                    new_stmt = stmt.with_changes(
                        body=[*stmt.body[:j], imp.with_changes(names=aliases), *stmt.body[j + 1 :]]
                    )
                    body[i] = new_stmt
                    return module.with_changes(body=body)
        line = f"from {RUNTIME} import {', '.join(wanted)}"
        body = _insert_import(body, _statement(line), limit, path)
    if qualified and not any(
        isinstance(imp, cst.Import) and any(_dotted(a.name) == RUNTIME for a in imp.names)
        for s in _top_imports(module)
        for imp in s.body
    ):
        body = _insert_import(body, _statement(f"import {RUNTIME}"), limit, path)
    return module.with_changes(body=body)


# --- sorting an import in (ruff's isort defaults) ------------------------------------------------


def _statement(line: str) -> cst.SimpleStatementLine:
    stmt = cst.parse_statement(line + "\n")
    assert isinstance(stmt, cst.SimpleStatementLine)
    return stmt


_STDLIB: frozenset[str] = frozenset(getattr(sys, "stdlib_module_names", ())) | frozenset(
    sys.builtin_module_names
)


def _import_key(stmt: cst.CSTNode) -> Optional[tuple[int, str]]:
    """(0 for ``import x``, 1 for ``from x import y``; the module, lowercased) — isort's order
    within a section — or None for a statement that is not one import."""
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return None
    imp = stmt.body[0]
    if isinstance(imp, cst.Import):
        return 0, (_dotted(imp.names[0].name) or "").lower()
    if isinstance(imp, cst.ImportFrom):
        dots = "." * len(imp.relative)
        return 1, dots + (_dotted(imp.module) if imp.module is not None else "").lower()
    return None


def _section(module: str, path: Optional[str]) -> str:
    """ "future", "stdlib", "first" (the project's own, found next to the file or above it),
    "local" (relative) or "third"."""
    if module.startswith("."):
        return "local"
    top = module.split(".", 1)[0]
    if top == "__future__":
        return "future"
    if top in _STDLIB:
        return "stdlib"
    if path is not None:
        folder = os.path.dirname(os.path.abspath(path))
        for _ in range(8):
            if os.path.exists(os.path.join(folder, top + ".py")) or os.path.isdir(
                os.path.join(folder, top)
            ):
                return "first"
            if os.path.exists(os.path.join(folder, "pyproject.toml")) or os.path.isdir(
                os.path.join(folder, ".git")
            ):
                break
            parent = os.path.dirname(folder)
            if parent == folder:
                break
            folder = parent
    return "third"


_ORDER = ("future", "stdlib", "third", "first", "local")


def _insert_import(
    body: list[Any], stmt: cst.SimpleStatementLine, limit: Optional[int], path: Optional[str]
) -> list[Any]:
    """``body`` with the import ``stmt`` added to the file's import block (before ``limit``):
    in its section (a blank line between sections) at its sorted place, so that ruff's isort
    rule (I001) finds the block as sorted as it was."""
    key = _import_key(stmt)
    assert key is not None
    mine = _ORDER.index(_section(key[1], path))
    start = _future_end(body)
    while start < len(body) and (_guarded_imports(body[start]) or _is_pass(body[start])):
        start += 1  # ``try: import x / except ImportError: …`` before the plain imports
    end = start
    while end < len(body) and (_import_key(body[end]) is not None or _is_pass(body[end])):
        end += 1  # (``pass``: a notebook's ``%magic`` line in the virtual module)
    if limit is not None:
        end = min(end, limit)
        start = min(start, end)
    block = [(i, _import_key(body[i])) for i in range(start, end) if not _is_pass(body[i])]
    if not block or any(k is None for _, k in block):
        # no plain import block (only ``__future__``, or guarded imports): its own section
        rest = list(body[end:])
        if rest and _import_key(rest[0]) is None and not _blank_before(rest[0]):
            rest[0] = rest[0].with_changes(leading_lines=(cst.EmptyLine(), *rest[0].leading_lines))
        return [*body[:end], _after_imports(body, end, stmt), *rest]
    # sections: runs of imports separated by blank lines
    groups: list[list[int]] = []
    for i, _ in block:
        if not groups or _blank_before(body[i]):
            groups.append([i])
        else:
            groups[-1].append(i)

    def rank(group: list[int]) -> int:
        sections = {_section(_import_key(body[i])[1], path) for i in group}  # type: ignore[index]
        return min(_ORDER.index(x) for x in sections)

    for group in groups:
        r = rank(group)
        if r == mine:
            for i in group:
                if _import_key(body[i]) > key:  # type: ignore[operator]
                    first = i == group[0]
                    new = stmt.with_changes(leading_lines=body[i].leading_lines) if first else stmt
                    moved = body[i].with_changes(leading_lines=()) if first else body[i]
                    return [*body[:i], new, moved, *body[i + 1 :]]
            last = group[-1]
            return [*body[: last + 1], stmt, *body[last + 1 :]]
        if r > mine:
            # a section of its own, before this one
            i = group[0]
            new = stmt.with_changes(leading_lines=body[i].leading_lines)
            moved = body[i].with_changes(leading_lines=(cst.EmptyLine(),))
            return [*body[:i], new, moved, *body[i + 1 :]]
    last = groups[-1][-1]
    new = stmt.with_changes(leading_lines=(cst.EmptyLine(),))
    return [*body[: last + 1], new, *body[last + 1 :]]


def _is_pass(stmt: cst.CSTNode) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.Pass)
    )


def _guarded_imports(stmt: cst.CSTNode) -> bool:
    """A ``try:`` (or ``if``) at the top whose blocks only import (or ``pass``/``raise``)."""
    if not isinstance(stmt, (cst.Try, cst.If)):
        return False
    simple = [n for n in _children(stmt) if isinstance(n, cst.SimpleStatementLine)]
    return bool(simple) and all(
        all(
            isinstance(x, (cst.Import, cst.ImportFrom, cst.Pass, cst.Raise, cst.Expr))
            for x in n.body
        )
        for n in simple
    )


def _blank_before(stmt: cst.CSTNode) -> bool:
    return any(
        isinstance(line, cst.EmptyLine) and line.comment is None
        for line in getattr(stmt, "leading_lines", ())
    )


def _imported(module: cst.Module, name: str) -> bool:
    return any(_dotted(a.name) == name and a.asname is None for a in _runtime_from_aliases(module))


def _runtime_from_aliases(module: cst.Module) -> Iterator[cst.ImportAlias]:
    """The names of the header's ``from seedlint_runtime import …`` statements."""
    for stmt in _top_imports(module):
        for imp in stmt.body:
            if (
                isinstance(imp, cst.ImportFrom)
                and _dotted(imp.module) == RUNTIME
                and isinstance(imp.names, Sequence)
            ):
                yield from imp.names


def _import_block_end(body: Sequence[cst.CSTNode]) -> int:
    """Index after the docstring and the imports that open the file (before any other
    statement): imports placed or reused there run before every use at module level."""
    i = 1 if body and _is_docstring(body[0]) else 0
    while (
        i < len(body)
        and isinstance(body[i], cst.SimpleStatementLine)
        and all(isinstance(x, (cst.Import, cst.ImportFrom)) for x in body[i].body)  # type: ignore[attr-defined]
    ):
        i += 1
    return i


def _leading_end(body: Sequence[cst.CSTNode]) -> int:
    """Index after the file's header imports: the last import among the simple statements
    before the first definition or block (so environment set-up between imports, such as
    ``os.environ["OMP_NUM_THREADS"] = "1"`` before ``import torch``, stays before the seed)."""
    end = 1 if body and _is_docstring(body[0]) else 0
    for i, stmt in enumerate(body):
        if not isinstance(stmt, cst.SimpleStatementLine):
            break
        if any(isinstance(x, (cst.Import, cst.ImportFrom)) for x in stmt.body):
            end = i + 1
    return end


def _future_end(body: Sequence[cst.CSTNode]) -> int:
    i = 1 if body and _is_docstring(body[0]) else 0
    while i < len(body):
        stmt = body[i]
        if (
            isinstance(stmt, cst.SimpleStatementLine)
            and stmt.body
            and isinstance(stmt.body[0], cst.ImportFrom)
            and _dotted(stmt.body[0].module) == "__future__"
        ):
            i += 1
            continue
        break
    return i


def _is_docstring(stmt: cst.CSTNode) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _insert_after_imports(module: cst.Module, body: list[Any], stmts: list[Any]) -> list[Any]:
    at = _import_block_end(body)
    if at == 0 or (at == 1 and _is_docstring(body[0])):
        at = _future_end(body)
    return [*body[:at], *stmts, *body[at:]]


def _insert_seed(
    module: cst.Module, where: str, call: str, limit: int, import_of: Optional[str] = None
) -> tuple[cst.Module, Optional[int]]:
    """Insert the seed: at the start of the ``__main__`` guard ("main"), after the header
    imports ("imports"; never after top-level statement ``limit``), or ("top") right before
    the import that runs the draw at import time (``import_of``: that module's path; else
    before the first import). Returns the module and, for "top", the index of the seed
    statement (the runtime import must come before it)."""
    stmt = cst.parse_statement(f"{call}(0)\n")
    body: list[Any] = list(module.body)
    if where == "top":
        return _seed_before_import(module, body, stmt, call, import_of)
    return _insert_seed_in(module, body, stmt, where, call, limit), None


def _insert_seed_in(
    module: cst.Module, body: list[Any], stmt: Any, where: str, call: str, limit: int
) -> cst.Module:
    if where in ("main", "imports"):
        for i, s in enumerate(body if where == "main" else ()):
            if isinstance(s, cst.If) and _is_main_guard(s.test):
                block = s.body
                if isinstance(block, cst.IndentedBlock):
                    if block.body and _already_seeds(block.body[0], call):
                        return module
                    new_block = block.with_changes(body=[stmt, *block.body])
                    body[i] = s.with_changes(body=new_block)
                    return module.with_changes(body=body)
                if isinstance(block, cst.SimpleStatementSuite):
                    # ``if __name__ == "__main__": main()`` → ``…: seed_everything(0); main()``
                    first = block.body[0] if block.body else None
                    if first is not None and _already_seeds(
                        cst.SimpleStatementLine(body=[first]), call
                    ):
                        return module
                    seed = cst.Expr(cst.parse_expression(f"{call}(0)"))
                    new_suite = block.with_changes(body=[seed, *block.body])
                    body[i] = s.with_changes(body=new_suite)
                    return module.with_changes(body=body)
    at = min(_leading_end(body), limit)
    if at < len(body) and _already_seeds(body[at], call):
        return module
    return module.with_changes(body=[*body[:at], _after_imports(body, at, stmt), *body[at:]])


def _after_imports(body: Sequence[Any], at: int, stmt: Any) -> Any:
    """``stmt`` to go at ``at``: a blank line before it when it follows an import (isort wants
    one after an import block)."""
    if at > 0 and _import_key(body[at - 1]) is not None and not stmt.leading_lines:
        return stmt.with_changes(leading_lines=(cst.EmptyLine(),))
    return stmt


def _seed_before_import(
    module: cst.Module, body: list[Any], stmt: Any, call: str, import_of: Optional[str]
) -> tuple[cst.Module, Optional[int]]:
    """The seed right before the top-level import that runs the draw; that import and the
    module-level imports after it get ``# noqa: E402`` (they follow a statement on purpose)."""
    first_import = next(
        (i for i in range(_future_end(body), len(body)) if _import_key(body[i]) is not None),
        _future_end(body),
    )
    at = first_import
    if import_of:
        for i in range(_future_end(body), len(body)):
            if _imports_path(body[i], import_of):
                at = i
                break
    if at > 0 and _already_seeds(body[at - 1], call):
        return module, at - 1
    seeded = stmt.with_changes(leading_lines=body[at].leading_lines) if at < len(body) else stmt
    seeded = _after_imports(body, at, seeded)
    rest = [body[at].with_changes(leading_lines=())] if at < len(body) else []
    after = [_noqa_e402(s) for s in [*rest, *body[at + 1 :]]]
    return module.with_changes(body=[*body[:at], seeded, *after]), at


def _imports_path(stmt: cst.CSTNode, path: str) -> bool:
    """Does this top-level statement import the module at ``path`` (``from data import X``
    for ``…/data.py``, ``import pkg.data``, ``from pkg import data``)?"""
    if not isinstance(stmt, cst.SimpleStatementLine):
        return False
    stem = os.path.splitext(path.replace(os.sep, "/"))[0]
    if stem.endswith("/__init__"):
        stem = stem[: -len("/__init__")]
    candidates: list[str] = []
    for imp in stmt.body:
        if isinstance(imp, cst.Import):
            candidates += [_dotted(a.name) or "" for a in imp.names]
        elif isinstance(imp, cst.ImportFrom):
            base = _dotted(imp.module) if imp.module is not None else ""
            candidates.append(base or "")
            if isinstance(imp.names, Sequence):
                candidates += [f"{base}.{_dotted(a.name)}".lstrip(".") for a in imp.names]
    return any(name and ("/" + stem).endswith("/" + name.replace(".", "/")) for name in candidates)


def _noqa_e402(stmt: Any) -> Any:
    """A top-level import below the seed, with ``# noqa: E402`` (unless a noqa covers it)."""
    if not (
        isinstance(stmt, cst.SimpleStatementLine)
        and stmt.body
        and all(isinstance(x, (cst.Import, cst.ImportFrom)) for x in stmt.body)
    ):
        return stmt
    trailing = stmt.trailing_whitespace
    comment = trailing.comment.value if trailing.comment is not None else ""
    lowered = comment.lower()
    if "noqa" in lowered:
        codes = lowered.split("noqa", 1)[1]
        if not codes.startswith(":") or "e402" in codes:
            return stmt  # a bare noqa, or one that names E402
        new = comment + ", E402"
    else:
        new = f"{comment}  # noqa: E402" if comment else "# noqa: E402"
    return stmt.with_changes(
        trailing_whitespace=trailing.with_changes(
            whitespace=trailing.whitespace if comment else cst.SimpleWhitespace("  "),
            comment=cst.Comment(new),
        )
    )


def _already_seeds(stmt: cst.CSTNode, call: str) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, cst.Call)
        and _dotted(stmt.body[0].value.func) == call
    )


def _is_main_guard(test: cst.BaseExpression) -> bool:
    from seedlint.engine.collect import is_main_guard

    return is_main_guard(test)


def unified_diff(path: str, old: bytes, new: bytes) -> str:
    import difflib

    if notebook.is_notebook(path):  # the changed cells' code, not the JSON
        return "".join(
            unified_diff(f"{path}:cell {cell}", a.encode(), b.encode())
            for cell, a, b in notebook.changed_cells(old, new)
        )

    def text(data: bytes) -> list[str]:
        try:
            decoded = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            decoded = data.decode("latin-1")
        return decoded.splitlines(keepends=True)

    lines = difflib.unified_diff(text(old), text(new), f"a/{path}", f"b/{path}")
    return "".join(x if x.endswith("\n") else x + "\n" for x in lines)


# --- writing ------------------------------------------------------------------------------------


def write_atomic(path: str, data: bytes, expected: Optional[bytes] = None) -> None:
    """Replace ``path`` with ``data`` atomically, keeping its permission bits and, where
    allowed, its owner and group. A symlink is written through to its target. ``expected``:
    the content the new one was computed from; a file changed since is left alone (OSError),
    so that an edit saved while seedlint was fixing is not overwritten."""
    real = os.path.realpath(path)
    directory = os.path.dirname(real) or "."
    st = os.stat(real)
    mode = stat.S_IMODE(st.st_mode)
    fd, tmp = tempfile.mkstemp(prefix=".seedlint-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if hasattr(os, "chown"):
            # the new file would belong to whoever runs seedlint (root fixing a user's file);
            # before chmod, which chown may reset. Not allowed (another owner): mode only.
            with contextlib.suppress(OSError):
                os.chown(tmp, st.st_uid, st.st_gid)
        os.chmod(tmp, mode)
        if expected is not None:
            with open(real, "rb") as current:
                if current.read() != expected:
                    raise OSError("the file changed while it was being fixed; run seedlint again")
        os.replace(tmp, real)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
