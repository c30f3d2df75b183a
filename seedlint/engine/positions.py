"""Source positions of calls, from CPython's ``ast`` instead of libcst's PositionProvider.

PositionProvider re-generates the whole module's code to learn positions and costs about twice
the libcst parse itself; ``ast.parse`` costs a fraction of it. The collector visits calls in
source order (pre-order: an outer call before the calls inside it), so the i-th call libcst sees
is the i-th ``ast.Call`` sorted by (start, -end). The match is checked (same count, same callee
names); when anything disagrees the caller falls back to PositionProvider.
"""

from __future__ import annotations

import ast
import io
import tokenize
from collections.abc import Sequence
from typing import Optional

import libcst as cst

from seedlint.findings import Span


class CallPositions:
    def __init__(
        self,
        spans: list[Span],
        names: list[Optional[str]],
        top_lines: list[int],
        function_lines: Optional[dict[str, tuple[int, int]]] = None,
    ):
        self.spans = spans
        self.names = names
        #: First line of each top-level statement (decorators included).
        self.top_lines = top_lines
        #: Functions by qualified name ("f", "C.m", "f.g"): (first line, last line).
        self.function_lines = function_lines or {}


def function_lines(tree: ast.AST) -> dict[str, tuple[int, int]]:
    """Every function's (first line, last line), by the qualified name the collector gives its
    scope: a finding inside it belongs to that scope (lambdas belong to the function around
    them)."""
    out: dict[str, tuple[int, int]] = {}
    stack: list[tuple[ast.AST, str]] = [(tree, "")]
    while stack:
        node, prefix = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                qual = f"{prefix}.{child.name}" if prefix else child.name
                if not isinstance(child, ast.ClassDef):
                    out.setdefault(qual, (child.lineno, child.end_lineno or child.lineno))
                stack.append((child, qual))
            else:
                stack.append((child, prefix))
    return out


def function_lines_of(data: bytes) -> dict[str, tuple[int, int]]:
    try:
        return function_lines(ast.parse(data))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {}


def _callee_name(func: object) -> Optional[str]:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _cst_callee_name(func: cst.BaseExpression) -> Optional[str]:
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return None


def _stmt_line(node: ast.stmt) -> int:
    decorators = getattr(node, "decorator_list", None)
    if decorators:
        return min([node.lineno, *(int(d.lineno) for d in decorators)])
    return node.lineno


def compute(data: bytes) -> Optional[CallPositions]:
    try:
        tree = ast.parse(data)
        encoding = tokenize.detect_encoding(io.BytesIO(data).readline)[0]
    except (SyntaxError, ValueError, RecursionError, MemoryError, LookupError):
        return None
    if encoding == "utf-8-sig":
        encoding = "utf-8"
    lines = data.splitlines()
    if lines and lines[0].startswith(b"\xef\xbb\xbf"):
        lines[0] = lines[0][3:]
    found: list[tuple[int, int, int, int, int, Optional[str]]] = []
    stack: list[tuple[ast.AST, int]] = [(tree, 1)]
    while stack:
        node, stmt_line = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                stack.append((child, _stmt_line(child)))
                continue
            if isinstance(child, ast.Call):
                end_line = child.end_lineno or child.lineno
                end_col = child.end_col_offset if child.end_col_offset is not None else 0
                found.append(
                    (
                        child.lineno,
                        child.col_offset,
                        end_line,
                        end_col,
                        stmt_line,
                        _callee_name(child.func),
                    )
                )
            stack.append((child, stmt_line))
    found.sort(key=lambda f: (f[0], f[1], -f[2], -f[3]))
    cache: dict[int, Optional[str]] = {}

    def column(line: int, offset: int) -> int:
        """ast offsets count UTF-8 bytes; libcst (and editors) count characters."""
        if line - 1 >= len(lines):
            return offset + 1
        raw = lines[line - 1]
        if raw.isascii() and encoding in ("utf-8", "ascii"):
            return offset + 1
        if line not in cache:
            try:
                cache[line] = raw.decode(encoding)
            except (UnicodeDecodeError, LookupError):
                cache[line] = None
        text = cache[line]
        if text is None:
            return offset + 1
        return len(text.encode("utf-8")[:offset].decode("utf-8", errors="ignore")) + 1

    spans = [
        Span(line, column(line, col), end_line, column(end_line, end_col), min(stmt, line))
        for line, col, end_line, end_col, stmt, _ in found
    ]
    names = [f[5] for f in found]
    top_lines: list[int] = []
    for stmt in tree.body:  # ``a(); b()`` is one libcst statement line, two ast statements
        line = _stmt_line(stmt)
        if not top_lines or top_lines[-1] != line:
            top_lines.append(line)
    return CallPositions(spans, names, top_lines, function_lines(tree))


def matches(positions: CallPositions, calls: Sequence[cst.Call], top_level: int) -> bool:
    """Do the ast calls line up one-to-one with the calls libcst visited?"""
    if len(positions.spans) != len(calls) or len(positions.top_lines) != top_level:
        return False
    return all(name == _cst_callee_name(call.func) for name, call in zip(positions.names, calls))
