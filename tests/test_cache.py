"""The per-file cache: warm runs give the same findings, edits and setting changes miss."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from seedlint.config import Settings
from seedlint.engine import runner
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


PROJECT = {f"src/m{i}.py": f"import numpy as np\nprint(np.random.rand({i}))\n" for i in range(40)}


def _cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "seedlint", "--format", "json", *args, "src"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_concurrent_runs_share_the_cache_safely(tree) -> None:
    root = tree(PROJECT)
    (root / "pyproject.toml").write_text("[tool.seedlint]\n")
    expected = _cli(root, "--no-cache")
    assert expected.returncode == 1, expected.stderr
    assert not (root / ".seedlint_cache").exists()
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "seedlint", "--format", "json", "-j", "2", "src"],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 1, err
        assert json.loads(out) == json.loads(expected.stdout)
    cache = root / ".seedlint_cache"
    assert len(list(cache.rglob("*.pickle"))) == len(PROJECT)
    assert not list(cache.rglob("*.tmp"))  # every write was renamed into place
    warm = _cli(root)
    assert json.loads(warm.stdout) == json.loads(expected.stdout)


def test_an_edit_is_never_served_stale(tree) -> None:
    root = tree({"src/train.py": "import random\nprint(random.random())\n"})
    path = root / "src/train.py"
    assert _run(root) == ["train.py:2: RNG001"]
    stat = path.stat()
    # Same size, same modification time: only the content tells the edit apart.
    path.write_text("import random\nprint(random.randint)\n"[: stat.st_size].ljust(stat.st_size))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size
    assert _run(root) == []


def test_a_warm_run_starts_no_worker_processes(tree, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tree(PROJECT)
    settings = Settings(root=str(root))
    codes = frozenset(all_rules())
    files = discover([str(root / "src")], settings)
    cold = lint(files, settings, codes, jobs=2, use_cache=True)

    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("a warm run needs no worker process")

    monkeypatch.setattr(runner, "ProcessPoolExecutor", no_pool)
    warm = lint(files, settings, codes, jobs=2, use_cache=True)
    assert warm.findings == cold.findings and len(cold.findings) == 40


def test_parallel_and_serial_runs_agree_in_order(tree) -> None:
    root = tree(PROJECT)
    settings = Settings(root=str(root))
    codes = frozenset(all_rules())
    files = discover([str(root / "src")], settings)
    serial = lint(files, settings, codes, jobs=1)
    parallel = lint(files, settings, codes, jobs=2)
    assert serial.findings == parallel.findings
    analysed = runner.analyse_files(files, settings, codes, jobs=2)
    assert [src.path for src, _, _ in analysed] == [f.path for f in files]


def test_stale_entries_are_pruned_and_used_ones_kept(tree) -> None:
    root = tree({"src/train.py": "import random\nprint(random.random())\n"})
    assert _run(root) == ["train.py:2: RNG001"]
    cache_dir = root / ".seedlint_cache"
    (used,) = list(cache_dir.rglob("*.pickle"))
    old = time.time() - 3 * 24 * 3600
    for n in range(400):
        stale = cache_dir / "ff" / f"{n:038x}.pickle"
        stale.parent.mkdir(exist_ok=True)
        stale.write_bytes(b"x")
        os.utime(stale, (old, old))
    os.utime(used, (old, old))
    assert _run(root) == ["train.py:2: RNG001"]
    assert list(cache_dir.rglob("*.pickle")) == [used]
    assert used.stat().st_mtime > old + 3600  # touched by the hit


def test_cache_key_depends_on_code_and_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    from seedlint.engine import cache as cache_module

    settings = Settings(root="/x")
    everything = frozenset(all_rules())
    a = make_cache(settings, everything).key("a.py", b"x")
    assert make_cache(settings, everything - {"RNG301"}).key("a.py", b"x") != a
    assert make_cache(replace(settings, scope="file"), everything).key("a.py", b"x") != a
    monkeypatch.setattr(cache_module, "_code_fingerprint", lambda: "another seedlint version")
    assert make_cache(settings, everything).key("a.py", b"x") != a


def test_an_unchanged_run_reuses_its_result_and_any_change_recomputes(tree) -> None:
    root = tree(
        {
            "src/train.py": "import helpers\nhelpers.draw()\n",
            "src/helpers.py": "import random\ndef draw():\n    return random.random()\n",
        }
    )
    (root / "pyproject.toml").write_text("[tool.seedlint]\n")
    first = _cli(root)
    assert first.returncode == 1 and json.loads(first.stdout), first.stderr
    runs_before = len(list((root / ".seedlint_cache").rglob("*.pickle")))
    again = _cli(root)  # a new process: the key must not depend on set order or hashing
    assert again.stdout == first.stdout and again.returncode == 1
    assert len(list((root / ".seedlint_cache").rglob("*.pickle"))) == runs_before
    # A change anywhere (here: the file that seeds nothing, in another module) recomputes.
    (root / "src/train.py").write_text(
        "import random\nimport helpers\nrandom.seed(0)\nhelpers.draw()\n"
    )
    assert json.loads(_cli(root).stdout) == []
    # A setting that changes the result recomputes too.
    (root / "src/train.py").write_text("import helpers\nhelpers.draw()\n")
    assert json.loads(_cli(root).stdout) == json.loads(first.stdout)
    (root / "pyproject.toml").write_text('[tool.seedlint]\nignore = ["RNG001"]\n')
    assert json.loads(_cli(root).stdout) == []
