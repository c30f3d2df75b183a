"""Every rule's documented examples are its tests: invalid ones must report (on the given lines),
valid ones must not. The same examples are what ``seedlint --explain`` prints."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from seedlint.config import Settings
from seedlint.engine.runner import lint_paths
from seedlint.rules.base import Rule, all_rules
from tests.conftest import write_tree

RULES = all_rules()
CASES = [
    pytest.param(rule, kind, i, id=f"{code}-{kind}-{i}")
    for code, rule in RULES.items()
    for kind, examples in (("invalid", rule.invalid), ("valid", rule.valid))
    for i in range(len(examples))
]


def _lint(tmp_path: Path, code: str, extra: dict[str, str] | None, rule_code: str):
    files = {"main.py": textwrap.dedent(code).strip("\n") + "\n"}
    for rel, text in (extra or {}).items():
        files[rel] = textwrap.dedent(text).strip("\n") + "\n"
    write_tree(tmp_path, files)
    report = lint_paths([str(tmp_path)], Settings(root=str(tmp_path)), codes=RULES)
    assert not report.errors
    return [f for f in report.findings if f.code == rule_code and f.path.endswith("main.py")]


@pytest.mark.parametrize(("rule", "kind", "index"), CASES)
def test_example(rule: type[Rule], kind: str, index: int, tmp_path: Path) -> None:
    example = (rule.invalid if kind == "invalid" else rule.valid)[index]
    found = _lint(tmp_path, example.code, example.files, rule.code)
    if kind == "valid":
        assert found == [], [f"{f.span.line}: {f.message}" for f in found]
        return
    assert found, f"{rule.code} did not report on its invalid example {index}"
    if example.lines:  # type: ignore[union-attr]
        assert sorted({f.span.line for f in found}) == sorted(example.lines)  # type: ignore[union-attr]
    related = example.related  # type: ignore[union-attr]
    if related is not None:
        got = sorted(
            loc.span.line for f in found for loc in f.related if loc.path.endswith("main.py")
        )
        assert got == sorted(related)


def test_every_rule_is_documented() -> None:
    for code, rule in RULES.items():
        assert rule.invalid and rule.valid, code
        text = rule.explain()
        for section in (
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## Use instead",
            "## How to fix",
        ):
            assert section in text, (code, section)
        assert textwrap.dedent(rule.invalid[0].code).strip() in text


def test_rng103_tracks_generators_per_function_and_per_class(tmp_path: Path) -> None:
    code = """
        import torch

        def d():
            g = torch.Generator()
            return torch.rand(3, generator=g)

        def k():
            g = torch.Generator()
            g.manual_seed(1)
            return g

        class A:
            def __init__(self):
                self.g = torch.Generator()
            def reset(self):
                self.g.manual_seed(0)

        class B:
            def __init__(self):
                self.g = torch.Generator()
    """
    found = _lint(tmp_path, code, None, "RNG103")
    assert sorted(f.span.line for f in found) == [4, 20]
