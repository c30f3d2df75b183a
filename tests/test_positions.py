"""Call positions from ``ast`` must equal libcst's PositionProvider, or not be used at all."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from seedlint.engine import positions
from seedlint.engine.collect import _Collector

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted(
    [
        *ROOT.glob("seedlint/**/*.py"),
        *ROOT.glob("tests/corpus/**/*.py"),
        *ROOT.glob("tests/data/*.py"),
    ]
)


def _calls(module: cst.Module) -> list[cst.Call]:
    collector = _Collector()
    module.visit(collector)
    return [site.node for site in collector.calls]


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(ROOT)) for p in FILES])
def test_ast_positions_equal_libcst_positions(path: Path) -> None:
    data = path.read_bytes()
    try:
        module = cst.parse_module(data)
    except cst.ParserSyntaxError:
        pytest.skip("does not parse (an RNG999 case)")
    calls = _calls(module)
    computed = positions.compute(data)
    if computed is None or not positions.matches(computed, calls, len(module.body)):
        return  # the engine falls back to PositionProvider: nothing to compare
    ranges = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    for call, span in zip(calls, computed.spans):
        r = ranges[call]
        assert (r.start.line, r.start.column + 1, r.end.line, r.end.column + 1) == (
            span.line,
            span.column,
            span.end_line,
            span.end_column,
        )


def test_non_ascii_columns_count_characters() -> None:
    data = 'import random\nx = "héllo"; y = random.random()\n'.encode()
    module = cst.parse_module(data)
    computed = positions.compute(data)
    assert computed is not None and positions.matches(computed, _calls(module), 2)
    assert (computed.spans[0].line, computed.spans[0].column) == (2, 18)
