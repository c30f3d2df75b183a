"""Incremental analysis gives the result of a cold one.

An analysis keeps each entry point's run with the files it read (``engine.runstore``) and runs
again only the entry points whose files changed. These tests edit real code, installed with the
test dependencies (torch's ``utils/data``, scikit-learn's ``model_selection`` with its tests,
torchvision), in random sequences of edits of the kinds people make, and compare after every
edit the incremental result with a cold analysis of the same tree: the same findings (paths,
spans, messages, contexts, related locations, fixes), the same errors, the same hidden counts.
"""

from __future__ import annotations

import importlib.util
import random
import shutil
from pathlib import Path

import pytest

from seedlint.config import Settings
from seedlint.engine.runner import discover, lint
from seedlint.findings import Report
from seedlint.rules.base import all_rules

CODES = frozenset(all_rules())


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name.split(".")[0])
    if spec is None or not spec.submodule_search_locations:
        pytest.skip(f"{name} is not installed")
    return Path(next(iter(spec.submodule_search_locations))).joinpath(*name.split(".")[1:])


def _copy(name: str, dst: Path) -> Path:
    src = _package_dir(name)
    root = dst / name.replace(".", "_")
    shutil.copytree(src, root / "src", ignore=shutil.ignore_patterns("__pycache__", "*.so"))
    return root


def _analyse(root: Path, cache: bool) -> Report:
    settings = Settings(root=str(root))
    return lint(discover([str(root / "src")], settings), settings, CODES, use_cache=cache)


def _result(report: Report) -> tuple[object, ...]:
    return (
        list(report.findings),  # every field: span, message, context, related, fixes
        sorted((e.path, e.message) for e in report.errors),
        report.hidden,
    )


# --- the edits -----------------------------------------------------------------------------------


def _modules(root: Path) -> list[Path]:
    return sorted(p for p in (root / "src").rglob("*.py"))


def _dotted(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root / "src").with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(["src", *parts])


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n" + text)


def _edit_constant(rng: random.Random, root: Path, step: int) -> str:
    path = rng.choice(_modules(root))
    _append(path, f"_EDITED_{step} = {step}\n")
    return f"constant appended to {path.name}"


def _edit_drawing_function(rng: random.Random, root: Path, step: int) -> str:
    path = rng.choice(_modules(root))
    _append(path, f"def _draw_{step}():\n    import random\n\n    return random.random()\n")
    return f"drawing function appended to {path.name}"


def _edit_entry_point(rng: random.Random, root: Path, step: int) -> str:
    """A ``__main__`` block that imports another module of the tree and calls what it
    defines last (an entry point whose run reads that module)."""
    path, other = rng.choice(_modules(root)), rng.choice(_modules(root))
    module = _dotted(root, other)
    _append(
        path,
        "if __name__ == '__main__':\n"
        f"    import {module} as _other\n"
        "    import numpy as np\n"
        "\n"
        "    print(np.random.rand(2), [getattr(_other, n) for n in dir(_other)][-1:])\n"
        f"    _draw = getattr(_other, '_draw_{step - 1}', None)\n"
        "    print(_draw() if _draw else None)\n",
    )
    return f"entry point appended to {path.name} (imports {module})"


def _edit_seed_on_top(rng: random.Random, root: Path, step: int) -> str:
    """Seeding lines before everything else: every span of the file moves."""
    path = rng.choice(_modules(root))
    text = path.read_text(encoding="utf-8")
    head = "from __future__ import annotations\n" if text.startswith("from __future__") else ""
    body = text[len(head) :] if head else text
    path.write_text(head + "import random\nrandom.seed(0)\n" + body)
    return f"seed put on top of {path.name}"


def _edit_delete_line(rng: random.Random, root: Path, step: int) -> str:
    """An indented line replaced by ``pass`` at its indentation (it may not parse: an RNG999)."""
    path = rng.choice(_modules(root))
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    body = [i for i, ln in enumerate(lines) if ln.startswith("    ") and ln.strip()]
    if not body:
        return _edit_constant(rng, root, step)
    i = rng.choice(body)
    indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
    lines[i] = indent + "pass\n"
    path.write_text("".join(lines))
    return f"line {i + 1} of {path.name} replaced by pass"


def _edit_new_file(rng: random.Random, root: Path, step: int) -> str:
    folder = rng.choice(_modules(root)).parent
    other = _dotted(root, rng.choice(_modules(root)))
    (folder / f"new_script_{step}.py").write_text(
        f"import {other}\nimport torch\n\nif __name__ == '__main__':\n    print(torch.rand(3))\n"
    )
    return f"new script in {folder.name}/"


def _edit_revert(rng: random.Random, root: Path, step: int, saved: dict[Path, str]) -> str:
    """A file put back as it was before the sequence (a run stored before is valid again)."""
    path = rng.choice(sorted(saved))
    path.write_text(saved[path])
    return f"{path.name} reverted"


EDITS = [
    _edit_constant,
    _edit_drawing_function,
    _edit_entry_point,
    _edit_entry_point,
    _edit_seed_on_top,
    _edit_delete_line,
    _edit_new_file,
]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("package", "seed"),
    [("torch.utils.data", 1), ("sklearn.model_selection", 2), ("torchvision", 3)],
)
def test_incremental_equals_cold_on_random_edits(tmp_path: Path, package: str, seed: int) -> None:
    root = _copy(package, tmp_path)
    saved = {p: p.read_text(encoding="utf-8") for p in _modules(root)}
    first = _analyse(root, cache=True)
    assert _result(first) == _result(_analyse(root, cache=False))
    rng = random.Random(seed)
    reused = 0
    done: list[str] = []
    for step in range(1, 9):
        if step % 4 == 0:
            done.append(_edit_revert(rng, root, step, saved))
        else:
            done.append(rng.choice(EDITS)(rng, root, step))
        incremental = _analyse(root, cache=True)
        cold = _analyse(root, cache=False)
        assert _result(incremental) == _result(cold), f"after: {'; '.join(done)}"
        assert incremental.runs == cold.runs
        assert cold.runs_reused == 0
        reused += incremental.runs_reused
    # the sequence exercised reuse (else it tested nothing)
    assert reused > 0, f"no run was reused: {'; '.join(done)}"


#: Two entry points: train.py reads common.py, evaluate.py reads nothing else.
TWO_ENTRIES = {
    "src/common.py": "def helper():\n    return 1\n",
    "src/train.py": (
        "import numpy as np\nfrom common import helper\n\n"
        "if __name__ == '__main__':\n    print(helper(), np.random.rand())\n"
    ),
    "src/evaluate.py": (
        "import random\n\nif __name__ == '__main__':\n    print(random.random())\n"
    ),
}


def test_edit_reruns_only_the_entry_points_that_read_the_file(tree) -> None:
    root = tree(TWO_ENTRIES)
    first = _analyse(root, cache=True)
    assert (first.runs, first.runs_reused) == (2, 0)
    _append(root / "src/common.py", "def other():\n    return 2\n")
    again = _analyse(root, cache=True)
    assert (again.runs, again.runs_reused) == (2, 1)  # evaluate.py never read common.py
    assert _result(again) == _result(_analyse(root, cache=False))
    _append(root / "src/evaluate.py", "X = 1\n")
    third = _analyse(root, cache=True)
    assert (third.runs, third.runs_reused) == (2, 1)  # train.py is kept this time
    assert _result(third) == _result(_analyse(root, cache=False))


def test_seeding_helper_edit_reruns_its_callers(tree) -> None:
    """A run depends on what a helper seeds (transitively) through the helper's files."""
    root = tree(
        {
            "src/seeding.py": "import utils\n\ndef set_seed(s):\n    utils.inner(s)\n",
            "src/utils.py": "import numpy as np\n\ndef inner(s):\n    np.random.seed(s)\n",
            "src/train.py": (
                "import numpy as np\nfrom seeding import set_seed\n\n"
                "if __name__ == '__main__':\n    set_seed(0)\n    print(np.random.rand())\n"
            ),
        }
    )
    assert _analyse(root, cache=True).findings == []
    (root / "src/utils.py").write_text("import numpy as np\n\ndef inner(s):\n    pass\n")
    again = _analyse(root, cache=True)
    assert [f.code for f in again.findings] == ["RNG002"]
    assert _result(again) == _result(_analyse(root, cache=False))


def test_going_back_to_an_analysed_version_restores_its_runs(tree) -> None:
    """Undo an edit (a cache hit for the whole run), then edit another file: the runs of the
    version gone back to are the ones compared with, not those of the undone edit."""
    root = tree(TWO_ENTRIES)
    common = (root / "src/common.py").read_text()
    _analyse(root, cache=True)
    _append(root / "src/common.py", "X = 1\n")
    _analyse(root, cache=True)
    (root / "src/common.py").write_text(common)  # undone: the first version again
    back = _analyse(root, cache=True)
    assert (back.runs, back.runs_reused) == (2, 2)  # the whole result came from the cache
    _append(root / "src/evaluate.py", "Y = 2\n")
    after = _analyse(root, cache=True)
    assert (after.runs, after.runs_reused) == (2, 1)  # train.py read nothing that changed
    assert _result(after) == _result(_analyse(root, cache=False))
