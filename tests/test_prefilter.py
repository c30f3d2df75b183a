"""The textual prefilter is conservative: with it, every fixture and real code give exactly the
findings of the full analysis (file scope, where it is on, and project scope, where it is off by
default but can be asked for)."""

from __future__ import annotations

import os
import random
import textwrap
from pathlib import Path
from typing import Optional

import pytest

from seedlint.config import Settings
from seedlint.engine import prefilter
from seedlint.engine.runner import SourceFile, discover, lint, prefilter_for
from seedlint.findings import Finding
from seedlint.rules.base import all_rules

ROOT = Path(__file__).resolve().parent.parent
CODES = frozenset(all_rules())  # every rule, the default-off ones too


def _findings(files: list[SourceFile], settings: Settings, mode: Optional[str]) -> list[Finding]:
    report = lint(files, settings, CODES, jobs=1, prefilter_mode=mode)
    assert not report.errors, report.errors
    return report.findings


def _compare(paths: list[str], root: str, scopes: tuple[str, ...] = ("file", "project")) -> int:
    """Lint ``paths`` with and without the prefilter in each scope; return how many files the
    prefilter cleared in file scope (so callers can check it did something)."""
    cleared = 0
    for scope in scopes:
        settings = Settings(root=root, scope=scope)
        files = discover(paths, settings)
        full = _findings(files, settings, None)
        filtered = _findings(files, settings, scope)
        assert filtered == full, (scope, set(full) ^ set(filtered))
        if scope == "file":
            trig = prefilter.triggers(settings.seed_functions)
            cleared = sum(
                1
                for f in files
                if not prefilter.always_full(f.path)
                and not trig.triggered(data := Path(f.path).read_bytes(), prefilter.mentions(data))
            )
    return cleared


def test_corpus_cases_and_examples_are_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    cases = sorted(p for p in (ROOT / "tests" / "corpus").iterdir() if p.is_dir())
    assert len(cases) > 60
    for case in cases:
        monkeypatch.chdir(case)
        _compare(["."], str(case))
    monkeypatch.chdir(ROOT)
    _compare(["examples"], str(ROOT))


def test_rule_examples_are_unchanged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    n = 0
    for code, rule in all_rules().items():
        for i, example in enumerate([*rule.invalid, *rule.valid]):
            case = tmp_path / f"{code}_{i}"
            case.mkdir()
            (case / "main.py").write_text(textwrap.dedent(example.code))
            for rel, src in (example.files or {}).items():
                (case / rel).parent.mkdir(parents=True, exist_ok=True)
                (case / rel).write_text(textwrap.dedent(src))
            monkeypatch.chdir(case)
            _compare(["."], str(case))
            n += 1
    assert n > 50


def test_real_code_is_unchanged_and_files_are_cleared(monkeypatch: pytest.MonkeyPatch) -> None:
    torch = pytest.importorskip("torch")
    base = Path(os.path.dirname(torch.__file__))
    monkeypatch.chdir(base.parent)
    cleared = 0
    for sub in ("torch/utils/data", "torch/distributions", "torch/nn/modules"):
        cleared += _compare([sub], str(base.parent))
    assert cleared > 10  # the prefilter does clear files in real code


def test_a_sample_of_the_torch_tree_in_file_scope(monkeypatch: pytest.MonkeyPatch) -> None:
    torch = pytest.importorskip("torch")
    base = Path(os.path.dirname(torch.__file__))
    files = sorted(base.glob("**/*.py"))
    sample = random.Random(7).sample(files, min(150, len(files)))
    monkeypatch.chdir(base.parent)
    rel = [str(p.relative_to(base.parent)) for p in sample]
    cleared = _compare(rel, str(base.parent), scopes=("file",))
    assert cleared > len(sample) // 4


def test_a_cleared_file_with_a_syntax_error_is_still_reported(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("def f(:\n    pass\n")
    (tmp_path / "ok.py").write_text("x = 1\n")
    settings = Settings(root=str(tmp_path), scope="file")
    files = discover([str(tmp_path)], settings)
    findings = _findings(files, settings, "file")
    assert [(Path(f.path).name, f.code) for f in findings] == [("broken.py", "RNG999")]
    assert findings == _findings(files, settings, None)


def test_the_prefilter_is_on_in_file_scope_only() -> None:
    assert prefilter_for(Settings(scope="file")) == "file"
    assert prefilter_for(Settings(scope="project")) is None
    assert prefilter_for(Settings(scope="file"), enabled=False) is None


def test_configured_seed_functions_make_a_file_relevant(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(
        "from labtools import reseed\nimport helpers\nreseed(1)\nhelpers.go()\n"
    )
    trig = prefilter.triggers(frozenset({"labtools.reseed"}))
    data = (tmp_path / "train.py").read_bytes()
    assert trig.triggered(data, prefilter.mentions(data))
    assert not prefilter.triggers().triggered(
        b"import helpers\nhelpers.go()\n", prefilter.mentions(b"import helpers\nhelpers.go()\n")
    )


def test_project_closure_follows_mentions(tmp_path: Path) -> None:
    files = {
        "train.py": b"import engine\nengine.fit()\n",  # reaches a draw through engine.fit
        "engine.py": b"from aug import jitter\ndef fit():\n    jitter()\n",
        "aug.py": b"import numpy as np\ndef jitter():\n    return np.random.rand()\n",
        "unrelated.py": b"def forward(x):\n    return x\n",
    }
    contents = {k: (str(tmp_path / k), v) for k, v in files.items()}
    assert prefilter.relevant(contents, frozenset()) == {"train.py", "engine.py", "aug.py"}


def test_valid_python_libcst_rejects_is_reported_only_where_it_could_matter(
    tmp_path: Path,
) -> None:
    """Deliberate: a file CPython parses but libcst cannot (its parser gives up on 10,000
    implicitly concatenated strings) is RNG999 ("not checked") only when it could hold a
    finding; without any randomness vocabulary it is fully checked by the prefilter in file
    scope (the project analysis, which runs no prefilter, still reports it)."""
    deep = "x = (" + " ".join(['"a"'] * 10_000) + ")\n"
    (tmp_path / "plain.py").write_text(deep)
    (tmp_path / "randomish.py").write_text("import random\n" + deep)
    settings = Settings(root=str(tmp_path), scope="file")
    files = discover([str(tmp_path)], settings)
    found = [(Path(f.path).name, f.code) for f in _findings(files, settings, "file")]
    assert found == [("randomish.py", "RNG999")]
    full = [(Path(f.path).name, f.code) for f in _findings(files, settings, None)]
    assert full == [("plain.py", "RNG999"), ("randomish.py", "RNG999")]
