"""The fast traversal visits exactly what libcst's ``visit`` visits, in the same order."""

from __future__ import annotations

import os
import random
from pathlib import Path

import libcst as cst
import pytest

from seedlint.engine.walk import walk

ROOT = Path(__file__).resolve().parent.parent


class _Recorder(cst.CSTVisitor):
    def __init__(self) -> None:
        self.events: list[tuple[str, int]] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.events.append(("enter", id(node)))
        # Prune somewhere, as the collector does, to check that pruning is honoured.
        return not isinstance(node, cst.Lambda)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.events.append(("leave", id(original_node)))


def _files() -> list[Path]:
    files = sorted(ROOT.glob("seedlint/**/*.py")) + sorted(ROOT.glob("tests/corpus/**/*.py"))
    files += sorted(ROOT.glob("examples/**/*.py")) + sorted(ROOT.glob("tests/data/*.py"))
    torch = pytest.importorskip("torch")
    torch_files = sorted(Path(os.path.dirname(torch.__file__)).glob("**/*.py"))
    files += random.Random(0).sample(torch_files, min(30, len(torch_files)))
    return files


def test_walk_visits_like_libcst() -> None:
    checked = 0
    for path in _files():
        try:
            module = cst.parse_module(path.read_bytes())
        except cst.ParserSyntaxError:
            continue
        expected, got = _Recorder(), _Recorder()
        module.visit(expected)
        walk(module, got)
        assert got.events == expected.events, path
        checked += 1
    assert checked > 100


def test_every_syntax_construct() -> None:
    source = """
@deco(1)
async def f[T](a: int = 1, /, *args: T, b=lambda x: x, **kw) -> "T":
    global g
    async with a as (b, c), d:
        async for x in y:
            await z
    try:
        pass
    except* ValueError as e:
        raise e from None
    finally:
        del a[1:2, ::3]
    match p:
        case {"k": [1, *rest]} | Point(x=0) if rest:
            pass
        case _:
            pass
    return (yield from g)
type Alias[K] = dict[K, int]
class C(B, metaclass=M):
    x: int = 1
    def m(self): return [i for i in range(3) if i] + {k: v for k, v in d} and {*s} or f"{a!r:>{w}}"
while not a is b < c <= d:
    print(*a, **k); a @= b; a += 1; break
else:
    assert a, "m"
if (n := 10) > 5: ...
elif a: import os.path as p
else: from . import (x as y, z)
nonlocal_ = a if b else c
lam = lambda: (yield)
"""
    module = cst.parse_module(source)
    expected, got = _Recorder(), _Recorder()
    module.visit(expected)
    walk(module, got)
    assert got.events == expected.events


class _Literals(cst.CSTVisitor):
    def __init__(self) -> None:
        self.nodes: list[cst.BaseExpression] = []

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self.nodes.append(node)

    def visit_Integer(self, node: cst.Integer) -> None:
        self.nodes.append(node)

    def visit_Float(self, node: cst.Float) -> None:
        self.nodes.append(node)


def test_literal_values_equal_libcsts() -> None:
    from seedlint.engine.names import literal_value

    source = "\n".join(
        [
            "a = ['x', \"y\", r'\\d', b'q', rb'w', u'u', '''t''', 'é', '\\n', f'{x}']",
            "b = [0, 00, 1_000, 0x1F, 0o7, 0b1, 10, 1.5, 1e3, 2j, 1_0.5, .5, 5., 1E-3]",
        ]
    )
    visitor = _Literals()
    cst.parse_module(source).visit(visitor)
    for path in _files()[:80]:
        try:
            cst.parse_module(path.read_bytes()).visit(visitor)
        except cst.ParserSyntaxError:
            continue
    assert len(visitor.nodes) > 1000
    for node in visitor.nodes:
        assert isinstance(node, (cst.SimpleString, cst.Integer, cst.Float))
        expected = node.evaluated_value
        got = literal_value(node)
        assert got == expected and type(got) is type(expected), node.value
