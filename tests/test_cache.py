"""The per-file cache: warm runs give the same findings, edits and setting changes miss."""

from __future__ import annotations

from pathlib import Path

from seedlint.config import Settings
from seedlint.engine.runner import discover, lint, make_cache
from seedlint.rules.base import all_rules


def _run(root: Path, **kw: object) -> list[str]:
    settings = Settings(root=str(root), **kw)  # type: ignore[arg-type]
    codes = frozenset(all_rules())
    report = lint(discover([str(root / "src")], settings), settings, codes, use_cache=True)
    return [f"{Path(f.path).name}:{f.span.line}: {f.code}" for f in report.findings]


def test_warm_run_reuses_facts_and_edits_miss(tree) -> None:
    root = tree({"src/train.py": "import random\nprint(random.random())\n"})
    assert _run(root) == ["train.py:2: RNG001"]
    entries = list((root / ".seedlint_cache").rglob("*.pickle"))
    assert len(entries) == 1
    assert (root / ".seedlint_cache" / ".gitignore").read_text().strip().endswith("*")
    assert _run(root) == ["train.py:2: RNG001"]
    assert list((root / ".seedlint_cache").rglob("*.pickle")) == entries  # a hit writes nothing

    (root / "src/train.py").write_text("import random\nrandom.seed(0)\nprint(random.random())\n")
    assert _run(root) == []
    assert _run(root, seed_functions=frozenset({"x.y"})) == []
    assert len(list((root / ".seedlint_cache").rglob("*.pickle"))) == 3


def test_damaged_entry_is_a_miss(tree) -> None:
    root = tree({"src/train.py": "import random\nprint(random.random())\n"})
    assert _run(root) == ["train.py:2: RNG001"]
    for entry in (root / ".seedlint_cache").rglob("*.pickle"):
        entry.write_bytes(b"not a pickle")
    assert _run(root) == ["train.py:2: RNG001"]


def test_cache_key_depends_on_settings() -> None:
    codes = frozenset(all_rules())
    a = make_cache(Settings(root="/x"), codes).key("a.py", b"x")
    b = make_cache(Settings(root="/x", seed_functions=frozenset({"m.f"})), codes).key("a.py", b"x")
    assert a != b
