"""Jupyter notebooks: cells analysed in order as one entry point, findings located by cell,
fixes written back into the cells with the rest of the JSON untouched."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Optional

import pytest

from seedlint.cli import main


def make_nb(
    cells: list[Any],
    *,
    language: str = "python",
    indent: Optional[int] = 1,
    ensure_ascii: bool = False,
    as_lists: bool = True,
) -> str:
    out = []
    for i, cell in enumerate(cells):
        kind, src = ("code", cell) if isinstance(cell, str) else cell
        lines: Any = src.splitlines(keepends=True) if as_lists else src
        entry: dict[str, Any] = {
            "cell_type": kind,
            "metadata": {"tags": [f"t{i}"]},
            "source": lines,
        }
        if kind == "code":
            entry["execution_count"] = i
            entry["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["out é\n"]}]
        out.append(entry)
    nb = {
        "cells": out,
        "metadata": {
            "kernelspec": {"display_name": "K", "language": language, "name": "k"},
            "language_info": {"name": language},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(nb, indent=indent, sort_keys=True, ensure_ascii=ensure_ascii) + "\n"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    # RNG305 (every loader with workers, default off) is on: the fixes of a notebook's
    # single-process loaders are what these tests write back into cells
    code = main(["--isolated", "--no-cache", "--extend-select", "RNG305", *args])
    out, err = capsys.readouterr()
    return code, out, err


def lint_json(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, Any]]:
    main(["--isolated", "--no-cache", "--format", "json", *args])
    out, _ = capsys.readouterr()
    result: list[dict[str, Any]] = json.loads(out)
    return result


DRAW_NB = [
    ("markdown", "# An experiment\nSome words.\n"),
    "%matplotlib inline\nimport numpy as np\nimport torch",
    "x = np.random.rand(3)\n!nvidia-smi\nprint(x)",
    "y = torch.rand(2)",
]


def test_findings_are_located_by_cell(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    nb = tmp_path / "exp.ipynb"
    nb.write_text(make_nb(DRAW_NB), encoding="utf-8")
    code, out, _ = run(capsys, str(nb))
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith(f"{nb}:cell 3:1:5: RNG002 `np.random.rand(3)`")  # unsafe fix: no [*]
    assert lines[1].startswith(f"{nb}:cell 4:1:5: RNG003 `torch.rand(2)`")
    data = lint_json(capsys, str(nb))
    assert [(d["code"], d["cell"], d["line"], d["column"]) for d in data] == [
        ("RNG002", 3, 1, 5),
        ("RNG003", 4, 1, 5),
    ]
    assert data[0]["end_line"] == 1 and data[0]["end_column"] == 22
    assert data[0]["entry_point"] == str(nb)


def test_json_cell_is_null_for_python_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "s.py").write_text("import random\nrandom.random()\n")
    data = lint_json(capsys, str(tmp_path / "s.py"))
    assert data and data[0]["cell"] is None


def test_a_seed_in_an_earlier_cell_covers_later_cells(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nb = tmp_path / "seeded.ipynb"
    cells = [
        "import numpy as np\nimport torch\nimport random",
        "np.random.seed(0)\ntorch.manual_seed(0)",
        "x = np.random.rand(3)",
        "y = torch.rand(2)\nz = random.random()",
    ]
    nb.write_text(make_nb(cells))
    data = lint_json(capsys, str(nb))
    assert [(d["code"], d["cell"], d["line"]) for d in data] == [("RNG001", 4, 2)]


def test_a_seed_in_a_later_cell_does_not_cover_earlier_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nb = tmp_path / "late.ipynb"
    nb.write_text(make_nb(["import numpy as np\nx = np.random.rand(2)", "np.random.seed(0)"]))
    data = lint_json(capsys, str(nb))
    assert [(d["code"], d["cell"], d["line"]) for d in data] == [("RNG002", 1, 2)]
    assert "only after" in data[0]["message"] or "before" in data[0]["message"]


def test_ipython_syntax_and_non_python_cells(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nb = tmp_path / "magic.ipynb"
    cells = [
        "%load_ext autoreload\n%autoreload 2\nimport numpy as np",
        "%%bash\necho $RANDOM\n",
        "files = !ls\nnp.random.rand?\nfor i in range(2):\n    %time np.random.rand(1)\n    a = np.random.rand(1)",
        "%%time\nb = np.random.rand(4)",
    ]
    nb.write_text(make_nb(cells))
    data = lint_json(capsys, str(nb))
    assert [(d["code"], d["cell"], d["line"]) for d in data] == [("RNG002", 3, 5)]
    # one missing seed: the draw of cell 4 is a related location, in its cell's coordinates
    assert [(r["cell"], r["line"]) for r in data[0]["related"]] == [(4, 2)]


def test_shell_escapes_continued_with_a_backslash_are_ipython_not_syntax_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the Colab pattern from fairseq's MMS tutorials and diffusers' SD3 notebook
    nb = tmp_path / "colab.ipynb"
    cells = [
        "!pip install -q -U \\\n    transformers \\\n    accelerate\nimport numpy as np",
        "out = !ls \\\n  -la\nif True:\n    %pip install \\\n        x\n    a = np.random.rand(1)",
    ]
    nb.write_text(make_nb(cells))
    data = lint_json(capsys, str(nb))
    assert [(d["code"], d["cell"], d["line"]) for d in data] == [("RNG002", 2, 6)]
    # --fix writes the escapes back exactly as they were
    main(["--isolated", "--no-cache", "--fix", "--unsafe-fixes", str(nb)])
    capsys.readouterr()
    fixed = json.loads(nb.read_text())
    sources = ["".join(c["source"]) for c in fixed["cells"]]
    assert "!pip install -q -U \\\n    transformers \\\n    accelerate\n" in sources[0]
    assert "    %pip install \\\n        x\n" in sources[1]
    assert lint_json(capsys, str(nb)) == []


def test_a_cell_that_does_not_parse_is_reported_and_the_rest_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nb = tmp_path / "broken.ipynb"
    nb.write_text(make_nb(["import random", "def f(:\n    pass", "random.random()"]))
    code, out, _ = run(capsys, str(nb))
    assert code == 1
    assert f"{nb}:cell 2:1:7: RNG999 cell cannot be parsed" in out
    assert f"{nb}:cell 3:1:1: RNG001" in out


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "not valid JSON"),
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "not an object"),
        (b'{"metadata": {}}', 'no "cells"'),
        (b'{"worksheets": [], "nbformat": 3}', "nbformat 3"),
        (b'{"cells": {}}', "not a list"),
        (b'{"cells": [3]}', "cell 1 is not an object"),
        (b'{"cells": [{"cell_type": "code", "source": 5}]}', "neither a string"),
        (b"\xff\xfe{", "not UTF-8"),
        (b"[" * 100000, "nested too deeply"),
    ],
)
def test_malformed_notebooks_are_reported_not_crashed_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, expected: str
) -> None:
    bad = tmp_path / "bad.ipynb"
    bad.write_bytes(content)
    good = tmp_path / "good.py"
    good.write_text("import random\nrandom.random()\n")
    code, out, err = run(capsys, str(tmp_path))
    assert code == 1, err
    assert "Traceback" not in err
    bad_lines = [line for line in out.splitlines() if line.startswith(str(bad))]
    assert len(bad_lines) == 1 and "RNG999" in bad_lines[0] and expected in bad_lines[0]
    assert any(line.startswith(f"{good}:2:1: RNG001") for line in out.splitlines())


def test_json_error_is_located_in_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.ipynb"
    bad.write_text('{\n  "cells": [\n    oops\n  ]\n}\n')
    code, out, _ = run(capsys, str(bad))
    assert code == 1
    assert out.startswith(f"{bad}:3:5: RNG999")


def test_notebooks_in_other_languages_are_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nb = tmp_path / "r.ipynb"
    nb.write_text(make_nb(["x <- rnorm(10)", "set.seed(1)"], language="R"))
    code, out, err = run(capsys, str(nb))
    assert code == 0, out + err


def test_folders_include_notebooks_but_not_checkpoints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "nbs").mkdir()
    (tmp_path / "nbs" / "a.ipynb").write_text(make_nb(["import random\nrandom.random()"]))
    (tmp_path / "nbs" / ".ipynb_checkpoints").mkdir()
    (tmp_path / "nbs" / ".ipynb_checkpoints" / "a-checkpoint.ipynb").write_text(
        make_nb(["import random\nrandom.random()"])
    )
    data = lint_json(capsys, str(tmp_path))
    assert [(Path(d["path"]).name, d["cell"]) for d in data] == [("a.ipynb", 1)]


def test_noqa_in_a_cell(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    nb = tmp_path / "q.ipynb"
    # DESIGN: the noqa on the reported line silences the finding and its related locations
    nb.write_text(make_nb(["import random", "random.random()  # noqa: RNG001\nrandom.random()"]))
    assert lint_json(capsys, str(nb)) == []
    # a noqa on a related location does not hide the cause
    nb.write_text(make_nb(["import random", "random.random()\nrandom.random()  # noqa: RNG001"]))
    data = lint_json(capsys, str(nb))
    assert [(d["cell"], d["line"]) for d in data] == [(2, 1)]


def test_a_notebook_is_the_entry_point_of_the_project_modules_it_imports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "helpers.py").write_text("import numpy as np\nNOISE = np.random.rand(3)\n")
    (tmp_path / "run.ipynb").write_text(
        make_nb(["import numpy as np\nimport helpers", "np.random.seed(0)\nhelpers.NOISE"])
    )
    data = lint_json(capsys, str(tmp_path))
    assert [(Path(d["path"]).name, d["code"], d["cell"]) for d in data] == [
        ("helpers.py", "RNG002", None)
    ]
    assert data[0]["entry_point"].endswith("run.ipynb")
    assert "import time" in data[0]["message"]
    # Seeded in an earlier cell than the import: the import-time draw is seeded.
    (tmp_path / "run.ipynb").write_text(
        make_nb(["import numpy as np\nnp.random.seed(0)", "import helpers\nhelpers.NOISE"])
    )
    assert lint_json(capsys, str(tmp_path)) == []


def _sources(path: Path) -> list[Any]:
    return [c["source"] for c in json.loads(path.read_text(encoding="utf-8"))["cells"]]


@pytest.mark.parametrize(
    "style",
    [
        {"indent": 1},
        {"indent": 2},
        {"indent": 4, "ensure_ascii": True},
        {"indent": None},
        {"indent": 1, "as_lists": False},
    ],
)
def test_fix_rewrites_cells_and_keeps_the_rest_of_the_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], style: dict[str, Any]
) -> None:
    cells = [
        ("markdown", "# Title é\n"),
        "%matplotlib inline\nimport torch\nfrom torch.utils.data import DataLoader",
        "loader = DataLoader(list(range(8)), num_workers=2, shuffle=True)\n!ls\nprint('é')",
        "",
    ]
    nb = tmp_path / "fixme.ipynb"
    original = make_nb(cells, **style)
    nb.write_text(original, encoding="utf-8")
    code, _, err = run(capsys, "--fix", str(nb))
    assert code == 0, err
    assert "Applied 2 fixes in 1 file." in err
    new = nb.read_text(encoding="utf-8")
    old_nb, new_nb = json.loads(original), json.loads(new)
    # Everything but the fixed cell's source is unchanged: outputs, metadata, other cells.
    fixed = "".join(new_nb["cells"][2]["source"])
    assert "worker_init_fn=seed_worker" in fixed and "generator=seeded_generator()" in fixed
    assert "!ls" in fixed and "print('é')" in fixed
    head = "".join(new_nb["cells"][1]["source"])
    assert "%matplotlib inline" in head and "seedlint_runtime import" in head
    for i in (0, 3):
        assert new_nb["cells"][i] == old_nb["cells"][i]
    for i in (1, 2):
        assert {k: v for k, v in new_nb["cells"][i].items() if k != "source"} == {
            k: v for k, v in old_nb["cells"][i].items() if k != "source"
        }
    assert new_nb["metadata"] == old_nb["metadata"]
    # The JSON keeps its formatting: re-dumping in the notebook's own style reproduces it.
    redumped = json.dumps(
        new_nb,
        sort_keys=True,
        indent=style["indent"],
        ensure_ascii=style.get("ensure_ascii", False),
    )
    assert new == redumped + "\n"
    if style.get("ensure_ascii"):
        assert new.isascii()
    assert isinstance(new_nb["cells"][2]["source"], type(old_nb["cells"][2]["source"]))
    # Idempotent: a second run changes nothing.
    code, _, err = run(capsys, "--fix", str(nb))
    assert code == 0 and nb.read_text(encoding="utf-8") == new


def test_unsafe_seed_fix_lands_in_the_import_cell_and_then_the_notebook_is_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nb = tmp_path / "exp.ipynb"
    nb.write_text(make_nb(DRAW_NB))
    code, _, err = run(capsys, "--fix", "--unsafe-fixes", str(nb))
    assert code == 0, err
    cells = ["".join(s) if isinstance(s, list) else s for s in _sources(nb)]
    assert cells[1].splitlines() == [
        "%matplotlib inline",
        "import numpy as np",
        "import torch",
        "from seedlint_runtime import seed_everything",  # sorted into the cell's imports
        "",
        "seed_everything(0)",
    ]
    assert cells[2] == "x = np.random.rand(3)\n!nvidia-smi\nprint(x)"
    code, out, _ = run(capsys, str(nb))
    assert code == 0, out


def test_diff_shows_cells_not_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    nb = tmp_path / "d.ipynb"
    nb.write_text(
        make_nb(["from torch.utils.data import DataLoader\nDataLoader([1], num_workers=2)"])
    )
    before = nb.read_bytes()
    code, out, _ = run(capsys, "--diff", str(nb))
    assert code == 1
    assert f"--- a/{nb}:cell 1\n+++ b/{nb}:cell 1\n" in out
    assert "+DataLoader([1], num_workers=2, worker_init_fn=seed_worker)" in out
    assert '"source"' not in out
    assert nb.read_bytes() == before


def test_fix_keeps_bom_and_crlf_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    nb = tmp_path / "w.ipynb"
    text = make_nb(["from torch.utils.data import DataLoader\nDataLoader([1], num_workers=2)"])
    nb.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    code, _, err = run(capsys, "--fix", str(nb))
    assert code == 0, err
    data = nb.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert b"worker_init_fn=seed_worker" in data


def test_stdin_notebook(tmp_path: Path) -> None:
    text = make_nb(["import random\nrandom.random()"])
    proc = subprocess.run(
        [sys.executable, "-m", "seedlint", "--isolated", "--stdin-filename", "x.ipynb", "-"],
        input=text.encode(),
        capture_output=True,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stdout.decode().startswith("x.ipynb:cell 1:2:1: RNG001")
