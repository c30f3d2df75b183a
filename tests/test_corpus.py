"""Labelled multi-file projects (tests/corpus/<case>/, each with expected.txt): every case must
give exactly the labelled findings and related locations. ``python tests/corpus/score.py``
prints precision/recall."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from seedlint import config
from seedlint.config import Settings
from seedlint.engine import contexts
from seedlint.engine.runner import lint_paths
from seedlint.findings import Finding
from seedlint.rules.base import all_rules

CORPUS = Path(__file__).resolve().parent / "corpus"
CASES = sorted(p for p in CORPUS.iterdir() if (p / "expected.txt").is_file())


def _expected(case: Path) -> list[str]:
    lines = (case / "expected.txt").read_text().splitlines()
    return sorted({line.strip() for line in lines if line.strip()})


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(case)
    found = config.find_config(str(case))
    inside = found is not None and Path(found).parent == case
    settings = config.load(found, list(all_rules())) if inside else Settings(root=str(case))
    # every context: the labels say which findings are not shown by default
    report = lint_paths(["."], replace(settings, contexts=contexts.CONTEXTS))
    assert sorted(labels(report.findings)) == _expected(case)


def labels(findings: list[Finding]) -> set[str]:
    """``path:LINE: CODE`` for every finding, ``path:LINE: CODE (related)`` for the other
    draws a finding covers (one cause, one finding); `` [test]`` (or demo, benchmark) after
    the code of a finding not shown by default."""
    out = set()
    for f in findings:
        tag = f" [{f.context}]" if f.context and f.context != contexts.PROGRAM else ""
        out.add(f"{os.path.normpath(f.path)}:{f.span.line}: {f.code}{tag}")
        for loc in f.related:
            out.add(f"{os.path.normpath(loc.path)}:{loc.span.line}: {f.code}{tag} (related)")
    return out


def test_corpus_is_substantial() -> None:
    assert len(CASES) >= 60
