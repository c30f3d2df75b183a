"""A fast read-only traversal of a libcst tree, equivalent to ``node.visit(visitor)``.

libcst's ``visit`` rebuilds every node it passes (``_visit_and_replace_children`` constructs a
new node, validated in ``__post_init__``), even for a read-only ``CSTVisitor``: on real code
that costs as much as parsing the file. :func:`walk` calls the same ``on_visit`` / ``on_leave``
hooks in the same order — children in the order libcst visits them, read once per node class
from that class's ``_visit_and_replace_children`` — and builds nothing.

``on_visit_attribute`` / ``on_leave_attribute`` are not called: the visitors walked here do not
use them. ``tests/test_walk.py`` checks the visiting order against libcst's on real files.
"""

from __future__ import annotations

import inspect
import re
from typing import Any, Protocol

import libcst as cst

_FIELD = re.compile(
    r"visit_(?:required|optional|sequence|body_sequence|sentinel|iterable|body_iterable)"
    r"\(\s*self,\s*\"(\w+)\""
)
_ORDER: dict[type, tuple[str, ...]] = {}


class Visitor(Protocol):
    def on_visit(self, node: cst.CSTNode) -> bool: ...

    def on_leave(self, original_node: cst.CSTNode) -> None: ...


def _fields(cls: type) -> tuple[str, ...]:
    order = _ORDER.get(cls)
    if order is None:
        source = inspect.getsource(cls._visit_and_replace_children)  # type: ignore[attr-defined]
        order = tuple(dict.fromkeys(_FIELD.findall(source)))
        _ORDER[cls] = order
    return order


def walk(node: cst.CSTNode, visitor: Any) -> None:
    """``node.visit(visitor)`` for a read-only visitor, without rebuilding the tree."""
    if visitor.on_visit(node):
        for name in _ORDER.get(type(node)) or _fields(type(node)):
            child = getattr(node, name)
            if isinstance(child, cst.CSTNode):
                walk(child, visitor)
            elif type(child) in (list, tuple):
                for item in child:
                    if isinstance(item, cst.CSTNode):
                        walk(item, visitor)
    visitor.on_leave(node)
