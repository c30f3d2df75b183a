"""The flake8 plugin (DESIGN.md, "flake8 and pre-commit"), run through the real ``flake8``.

Every case runs ``python -m flake8`` in a subprocess, so flake8's own plugin loading, option
handling, decision engine (``--select`` / ``--ignore`` / default ignore list) and ``# noqa``
handling are what is tested. The subprocesses run in ``tmp_path``, never in the repository
root, where a stale ``seedlint.egg-info`` left by an old build could shadow the installed entry
points. A few in-process cases call ``SeedlintChecker`` directly for what a subprocess cannot
show (an internal error, caching).
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from seedlint.rules.base import all_rules
from tests.conftest import run_cli, write_tree

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
CORPUS = REPO / "tests" / "corpus"

Key = tuple[str, int, int, str]  # (path, line, column, code), 1-based as printed

_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+[0-9]+) ")

# One finding of many different rules, at known (1-based) positions, in one entry point.
TRAIN = """\
import random
import time

import numpy as np
import torch
from torch.utils.data import DataLoader, random_split


def make_batches(n):
    order = np.random.permutation(n)
    return [order[i : i + 8] for i in range(0, n, 8)]


def main(ds, device):
    random.seed(time.time())
    torch.manual_seed(0)
    gen = torch.Generator()
    noise = torch.randn(4, generator=gen)
    aug = random.Random()
    rng = np.random.default_rng()
    torch.cuda.seed_all()
    train, val = random_split(ds, [0.9, 0.1])
    loader = DataLoader(train, batch_size=8, shuffle=True, num_workers=4)
    z = torch.randn(16, 100, device="cuda")
    torch.backends.cudnn.benchmark = True
    batches = make_batches(64)
    print(noise, aug.random(), rng.normal(), batches, loader, val, z)


if __name__ == "__main__":
    torch.distributed.init_process_group("nccl")  # one process per GPU: RNG301 matters
    main(list(range(100)), "cuda")
"""

# RNG502 (off by default): an entry point that seeds torch and never asks for determinism.
DETERMINISM = """\
import torch


def main():
    torch.manual_seed(0)
    model = torch.nn.Linear(4, 2)
    print(model(torch.zeros(1, 4)))


if __name__ == "__main__":
    main()
"""

# A draw seeded by a project helper seedlint cannot see unless `seed-functions` names it.
EXTERNAL_SEED = """\
import random

from labtools import reseed


def main():
    reseed(7)
    print(random.random())


if __name__ == "__main__":
    main()
"""


def run_flake8(
    *args: str, cwd: os.PathLike[str] | str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m flake8 --isolated ARGS`` in ``cwd`` (``--isolated``: no flake8 config file
    of the machine running the tests can leak in; ``[tool.seedlint]`` is still read)."""
    return subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


def flake8_keys(out: str, prefix: str = "RNG") -> set[Key]:
    keys = set()
    for line in out.splitlines():
        m = _LINE.match(line)
        assert m is not None, f"not a flake8 result line: {line!r}"
        if m["code"].startswith(prefix):
            keys.add((_norm(m["path"]), int(m["line"]), int(m["col"]), m["code"]))
    return keys


def seedlint_keys(*args: str, cwd: os.PathLike[str] | str) -> set[Key]:
    proc = run_cli("--scope", "file", "--no-cache", "--format", "json", *args, cwd=cwd)
    assert proc.returncode in (0, 1), proc.stderr
    return {(_norm(f["path"]), f["line"], f["column"], f["code"]) for f in json.loads(proc.stdout)}


def _norm(path: str) -> str:
    return os.path.normpath(path)


def _parses(path: Path) -> bool:
    try:
        ast.parse(path.read_bytes())
    except (SyntaxError, ValueError):
        return False
    return True


def _codes(keys: set[Key]) -> set[str]:
    return {k[3] for k in keys}


def _at(keys: set[Key]) -> set[tuple[int, str]]:
    return {(k[1], k[3]) for k in keys}


# --- (1) the same findings at the same line:column as `seedlint --scope file` -----------------


def test_same_positions_as_cli_file_scope(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "train.py": TRAIN,
            "det.py": DETERMINISM,
            "pkg/__init__.py": "",
            "pkg/data.py": """\
                import numpy as np

                NOISE = np.random.randn(3)  # a library module: silent in file scope


                def sample(n):
                    return np.random.default_rng().normal(size=n)
                """,
            "unicode.py": """\
                import numpy as np

                if __name__ == "__main__":
                    été = "ünïcödé"; x = np.random.rand(3)
                    print(été, x)
                """,
        },
    )
    # `--select RNG` selects the rules that are off by default too, in both front-ends.
    flake8 = run_flake8("--select", "RNG", ".", cwd=tmp_path)
    assert flake8.returncode == 1, flake8.stdout + flake8.stderr
    assert flake8.stderr == ""
    got = flake8_keys(flake8.stdout)
    want = seedlint_keys("--select", "RNG", ".", cwd=tmp_path)
    assert got == want
    train = {(line, col, code) for path, line, col, code in got if path == "train.py"}
    assert train >= {
        (10, 13, "RNG002"),
        (15, 5, "RNG201"),
        (17, 11, "RNG103"),
        (19, 11, "RNG102"),
        (20, 11, "RNG101"),
        (21, 5, "RNG202"),
        (22, 18, "RNG303"),
        (23, 14, "RNG301"),
        (23, 14, "RNG302"),
        (24, 9, "RNG401"),
        (25, 5, "RNG501"),
    }
    assert ("unicode.py", 4, 26, "RNG002") in got  # columns count characters, not UTF-8 bytes
    assert "RNG502" in _codes(got)
    assert not any(path.startswith("pkg") and code == "RNG002" for path, _, _, code in got)


def test_same_positions_on_examples(tmp_path: Path) -> None:
    flake8 = run_flake8("--select", "RNG", str(EXAMPLES), cwd=tmp_path)
    assert flake8.stderr == ""
    got = flake8_keys(flake8.stdout)
    assert got, "examples/ has findings in file scope too"
    want = seedlint_keys("--select", "RNG", str(EXAMPLES), cwd=tmp_path)
    assert got == {k for k in want if k[0].endswith(".py")}  # flake8 does not read notebooks


def test_same_positions_on_every_rule_example(tmp_path: Path) -> None:
    """Each rule's single-file invalid examples, each as ``main.py`` of its own folder: every
    rule fires under flake8 at the place the CLI reports (RNG999's examples are real syntax
    errors, which flake8 reports as E999: see the tests of unparsable files)."""
    files: dict[str, str] = {}
    for code, rule in all_rules().items():
        for i, example in enumerate(rule.invalid):
            source = textwrap.dedent(example.code).lstrip("\n")
            if example.files is None and _compiles(source):
                files[f"{code.lower()}_{i}/main.py"] = source
    write_tree(tmp_path, files)
    flake8 = run_flake8("--select", "RNG", ".", cwd=tmp_path)
    assert flake8.stderr == ""
    got = flake8_keys(flake8.stdout)
    assert got == seedlint_keys("--select", "RNG", ".", cwd=tmp_path)
    assert _codes(got) == set(all_rules()) - {"RNG999"}


def test_same_positions_on_corpus(tmp_path: Path) -> None:
    """The precision corpus (cases without their own configuration: the CLI reads one
    configuration for a run, the plugin the nearest one for each file)."""
    cases = sorted(
        str(d) for d in CORPUS.iterdir() if d.is_dir() and not (d / "pyproject.toml").exists()
    )
    flake8 = run_flake8("--select", "RNG,E999", *cases, cwd=tmp_path)
    assert flake8.stderr == ""
    got = flake8_keys(flake8.stdout, prefix="")
    want = seedlint_keys("--select", "RNG", *cases, cwd=tmp_path)
    want = {k for k in want if k[0].endswith(".py")}  # flake8 does not read notebooks
    unparsable = {k[0] for k in want if not _parses(Path(k[0]))}
    assert unparsable, "the corpus has files with syntax errors"
    assert {k for k in got if k[3] != "E999"} == {k for k in want if k[0] not in unparsable}
    # Python's syntax errors are flake8's E999, on the line where seedlint reports RNG999.
    assert {(k[0], k[1]) for k in got if k[3] == "E999"} == {
        (k[0], k[1]) for k in want if k[0] in unparsable
    }


def _compiles(source: str) -> bool:
    try:
        ast.parse(source)
    except SyntaxError:
        return False
    return True


# --- (2) noqa comments are flake8's -----------------------------------------------------------

NOQA = """\
import numpy as np

a = np.random.default_rng()
b = np.random.default_rng()  # noqa
c = np.random.default_rng()  # noqa: RNG101
d = np.random.default_rng()  # noqa: RNG1
e = np.random.default_rng()  # noqa: RNG301
f = np.random.default_rng()  # noqa: E501,RNG101 because reasons
"""


def test_noqa_is_applied_by_flake8(tmp_path: Path) -> None:
    write_tree(tmp_path, {"m.py": NOQA})
    shown = run_flake8("--select", "RNG", "m.py", cwd=tmp_path)
    assert _at(flake8_keys(shown.stdout)) == {(3, "RNG101"), (7, "RNG101")}
    everything = run_flake8("--select", "RNG", "--disable-noqa", "m.py", cwd=tmp_path)
    assert _at(flake8_keys(everything.stdout)) == {(n, "RNG101") for n in range(3, 9)}


MULTILINE = """\
import numpy as np

a = dict(  # noqa
    r=np.random.default_rng(),
)
b = dict(
    r=np.random.default_rng(),
)  # noqa
c = dict(
    r=np.random.default_rng(),  # noqa
)
d = dict(  # noqa: RNG101
    r=np.random.default_rng(),
)
e = dict(t=\"\"\"
\"\"\", r=np.random.default_rng())
f = dict(t=\"\"\"  # noqa
\"\"\", r=np.random.default_rng())
g = dict(t=\"\"\"  # noqa: E501
\"\"\", r=np.random.default_rng())  # noqa: RNG101
h = np.random.default_rng() + \\
    1  # noqa
i = np.random.default_rng()  #noqa
"""


def test_noqa_on_multiline_statements_follows_flake8(tmp_path: Path) -> None:
    """What flake8 does (pinned here because the README describes it): a `# noqa` counts on the
    reported line only, where a "line" is widened to every line of a triple-quoted string or a
    backslash continuation that crosses it, and in such a range only the first `# noqa` text
    counts, even one inside the string. Inside brackets each line stands alone, so `# noqa` on
    the first line of a call or on its closing line does not reach a finding on line 2.
    seedlint's own `# noqa` also looks at the first line of the statement (a, d); the plugin
    applies that reading too, so flake8 never shows what the CLI suppresses."""
    write_tree(tmp_path, {"m.py": MULTILINE})
    cli = run_cli("--scope", "file", "--no-cache", "--format", "json", "m.py", cwd=tmp_path)
    assert {(f["line"], f["code"]) for f in json.loads(cli.stdout)} == {
        (7, "RNG101"),  # b: the closing line is neither the reported line nor the first
        (16, "RNG101"),  # e: no noqa
        (18, "RNG101"),  # f: a noqa inside a string is not a comment
        (21, "RNG101"),  # g: likewise
    }
    # Under flake8 the plugin applies seedlint's reading (so a, c, d, i are silenced as in the
    # CLI) and flake8 applies its own on top (f: the noqa inside the string spanning the line;
    # h: a backslash continuation): never more than the CLI shows.
    shown = _at(flake8_keys(run_flake8("--select", "RNG", "m.py", cwd=tmp_path).stdout))
    assert shown == {(7, "RNG101"), (16, "RNG101")}
    everything = run_flake8("--select", "RNG", "--disable-noqa", "m.py", cwd=tmp_path)
    assert len(_at(flake8_keys(everything.stdout))) == 9


# --- (3) flake8's selection options -----------------------------------------------------------


def test_flake8_select_and_ignore(tmp_path: Path) -> None:
    write_tree(tmp_path, {"train.py": TRAIN})
    everything = _codes(flake8_keys(run_flake8("train.py", cwd=tmp_path).stdout))
    assert {"RNG002", "RNG101", "RNG301", "RNG302", "RNG501"} <= everything
    assert "RNG502" not in everything

    rng3 = _codes(flake8_keys(run_flake8("--select", "RNG3", "train.py", cwd=tmp_path).stdout))
    assert rng3 == {"RNG301", "RNG302", "RNG303", "RNG305"}  # a prefix selects default-off rules

    out = run_flake8("--extend-ignore", "RNG301", "train.py", cwd=tmp_path)
    assert _codes(flake8_keys(out.stdout)) == everything - {"RNG301"}
    assert any(code.startswith("E") for code in _codes(flake8_keys(out.stdout, prefix="")))

    # flake8's `--ignore` replaces its default ignore list (E121, E226, W503 … come back), but
    # RNG502 is not on that list: it stays off, as with `seedlint --ignore RNG301`.
    out = run_flake8("--ignore", "RNG301", "train.py", cwd=tmp_path)
    assert _codes(flake8_keys(out.stdout)) == everything - {"RNG301"}


# --- (4) rules that are off by default --------------------------------------------------------


def test_rng502_off_by_default_and_on_when_selected(tmp_path: Path) -> None:
    write_tree(tmp_path, {"det.py": DETERMINISM})
    default = run_flake8("det.py", cwd=tmp_path)
    assert default.returncode == 0, default.stdout
    assert default.stdout == ""
    for args in (
        ["--extend-select", "RNG502"],
        ["--select", "RNG5"],
        ["--select", "RNG"],
        ["--extend-select", "RNG"],
    ):
        out = run_flake8(*args, "det.py", cwd=tmp_path)
        assert out.returncode == 1
        assert _at(flake8_keys(out.stdout)) == {(5, "RNG502")}, args
    # ignoring something else selects nothing
    for args in (["--extend-ignore", "E501"], ["--ignore", "E501"]):
        out = run_flake8(*args, "det.py", cwd=tmp_path)
        assert out.stdout == "", args


# One entry point with RNG502 (line 6, off by default), RNG501 (7), RNG101 (8), RNG002 (9).
SELECTION = """\
import numpy as np
import torch


def main():
    torch.manual_seed(0)
    torch.backends.cudnn.benchmark = True
    rng = np.random.default_rng()
    x = np.random.rand(3)
    print(rng.normal(), x, torch.nn.Linear(4, 2))


if __name__ == "__main__":
    main()
"""
_ON = {(7, "RNG501"), (8, "RNG101"), (9, "RNG002")}
_RNG502 = (6, "RNG502")


@pytest.mark.parametrize(
    ("args", "body", "expected"),
    [
        ([], None, _ON),
        (["--select", "RNG"], None, {*_ON, _RNG502}),
        (["--select", "RNG5"], None, {(7, "RNG501"), _RNG502}),
        (["--extend-select", "RNG"], None, {*_ON, _RNG502}),
        (["--extend-select", "RNG502"], None, {*_ON, _RNG502}),
        (["--select", "RNG", "--ignore", "RNG5"], None, {(8, "RNG101"), (9, "RNG002")}),
        (["--ignore", "RNG101"], None, {(7, "RNG501"), (9, "RNG002")}),
        (["--ignore", "RNG", "--extend-select", "RNG502"], None, {_RNG502}),
        ([], 'select = ["RNG"]', {*_ON, _RNG502}),
        ([], 'select = ["RNG5"]', {(7, "RNG501"), _RNG502}),
        ([], 'extend-select = ["RNG502"]', {*_ON, _RNG502}),
        ([], 'select = ["RNG"]\nignore = ["RNG5"]', {(8, "RNG101"), (9, "RNG002")}),
        (["--select", "RNG"], 'select = ["RNG0"]', {*_ON, _RNG502}),  # as the CLI: replaced
        (["--extend-select", "RNG5"], 'select = ["RNG0"]', {(9, "RNG002"), (7, "RNG501"), _RNG502}),
    ],
)
def test_same_selection_as_cli(
    tmp_path: Path, args: list[str], body: str | None, expected: set[tuple[int, str]]
) -> None:
    """The same selection (command-line options, ``[tool.seedlint]``, or both) read by flake8
    and by ``seedlint --scope file``: the same findings, default-off rules included."""
    write_tree(tmp_path, {"det.py": SELECTION})
    if body is not None:
        write_tree(tmp_path, {"pyproject.toml": f"[tool.seedlint]\n{body}\n"})
    flake8 = run_flake8(*args, "det.py", cwd=tmp_path)
    assert flake8.stderr == ""
    got = _at(flake8_keys(flake8.stdout))
    assert got == _at(seedlint_keys(*args, "det.py", cwd=tmp_path))
    assert got == expected


# --- (5) `[tool.seedlint]` --------------------------------------------------------------------


def test_seed_functions_from_pyproject(tmp_path: Path) -> None:
    write_tree(tmp_path, {"proj/train.py": EXTERNAL_SEED})
    before = run_flake8("proj", cwd=tmp_path)
    assert _at(flake8_keys(before.stdout)) == {(8, "RNG001")}
    write_tree(
        tmp_path,
        {"proj/pyproject.toml": '[tool.seedlint]\nseed-functions = ["labtools.reseed"]\n'},
    )
    after = run_flake8("proj", cwd=tmp_path)
    assert after.returncode == 0, after.stdout
    assert after.stdout == ""
    # the helper now seeds torch too, so the (off by default) RNG502 can fire
    selected = run_flake8("--extend-select", "RNG502", "proj", cwd=tmp_path)
    assert _at(flake8_keys(selected.stdout)) == {(7, "RNG502")}


def test_ignore_per_file_ignores_and_entry_points_from_pyproject(tmp_path: Path) -> None:
    lib = "import random\n\n\ndef run():\n    return random.random()\n"
    write_tree(
        tmp_path,
        {
            "pyproject.toml": """\
                [tool.seedlint]
                ignore = ["RNG501"]
                per-file-ignores = { "legacy/*" = ["RNG1"] }
                entry-points = ["jobs/*.py"]
                """,
            "train.py": TRAIN,
            "legacy/old.py": TRAIN,
            "jobs/job.py": lib,
            "lib/job.py": lib,
        },
    )
    # the configuration is found from the file, wherever flake8 runs
    for cwd in (tmp_path, tmp_path / "legacy"):
        out = run_flake8("--select", "RNG", str(tmp_path), cwd=cwd)
        got = flake8_keys(out.stdout)
        rel = {(os.path.relpath(p, tmp_path), line, code) for p, line, _, code in got}
        assert not any(code == "RNG501" for _, _, code in rel)
        assert ("train.py", 20, "RNG101") in rel
        assert not any(p.startswith("legacy") and code.startswith("RNG1") for p, _, code in rel)
        assert ("legacy/old.py", 10, "RNG002") in rel
        assert ("jobs/job.py", 5, "RNG001") in rel
        assert not any(p.startswith("lib") for p, _, _ in rel)
        # flake8's selection cannot bring back a code the configuration switches off
        out = run_flake8("--select", "RNG501", str(tmp_path), cwd=cwd)
        assert out.stdout == ""


def test_config_error_is_one_finding_per_file_not_a_traceback(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": '[tool.seedlint]\nseed-function = ["x.y"]\n',
            "a.py": "import random\n",
            "b.py": "x = 1\n",
        },
    )
    out = run_flake8("a.py", "b.py", cwd=tmp_path)
    assert out.returncode == 1
    assert "Traceback" not in out.stderr and out.stderr == ""
    assert "a.py:1:1: F401 'random' imported but unused" in out.stdout  # other plugins run
    lines = [line for line in out.stdout.splitlines() if "RNG" in line]
    assert [line.split(": RNG999 ")[0] for line in lines] == ["a.py:1:1", "b.py:1:1"]
    assert "seedlint configuration error" in lines[0]
    assert "unknown key 'seed-function' (did you mean 'seed-functions'?)" in lines[0]
    assert "pyproject.toml" in lines[0]

    (tmp_path / "pyproject.toml").write_text("[tool.seedlint\n")  # invalid TOML
    out = run_flake8("--select", "RNG", "a.py", cwd=tmp_path)
    assert out.returncode == 1 and out.stderr == ""
    assert out.stdout.startswith("a.py:1:1: RNG999 seedlint configuration error")
    assert "invalid TOML" in out.stdout


# --- (6) files that do not parse --------------------------------------------------------------


def test_file_libcst_cannot_parse_is_rng999(tmp_path: Path) -> None:
    """Valid Python that libcst rejects (its parser gives up on 10,000 implicitly concatenated
    strings): RNG999 where the CLI reports it; 1,000 of them (deeply nested for libcst) are
    analysed; flake8's other plugins still run."""
    write_tree(
        tmp_path,
        {
            # ``import random``: files without any randomness vocabulary are cleared by the
            # prefilter and never reach libcst (tests/test_prefilter.py).
            "unsupported.py": "import random\nx = (" + " ".join(['"a"'] * 10000) + ")\n",
            "deep.py": "import random\nx = (" + " ".join(['"a"'] * 1000) + ")\n",
        },
    )
    out = run_flake8("--select", "RNG,E501", ".", cwd=tmp_path)
    assert out.returncode == 1
    assert out.stderr == ""
    got = flake8_keys(out.stdout, prefix="")
    assert {(k[0], k[3]) for k in got} == {
        ("unsupported.py", "RNG999"),
        ("unsupported.py", "E501"),
        ("deep.py", "E501"),
    }
    assert {k for k in got if k[3] == "RNG999"} == seedlint_keys(".", cwd=tmp_path)
    assert "does not support" in out.stdout


def test_file_python_cannot_parse_is_flake8s_e999(tmp_path: Path) -> None:
    write_tree(tmp_path, {"bad.py": "import random\n\ndef main(:\n    random.random()\n"})
    out = run_flake8("bad.py", cwd=tmp_path)
    assert out.returncode == 1
    assert out.stderr == ""
    assert out.stdout.startswith("bad.py:3:") and " E999 SyntaxError: " in out.stdout
    assert "RNG" not in out.stdout  # flake8 never runs AST plugins on such a file
    # `--select RNG` alone hides it: flake8 decides, and E999 is not an RNG code.
    out = run_flake8("--select", "RNG", "bad.py", cwd=tmp_path)
    assert (out.returncode, out.stdout, out.stderr) == (0, "", "")


# --- (7) stdin --------------------------------------------------------------------------------


def test_stdin_with_display_name(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {"proj/pyproject.toml": '[tool.seedlint]\nseed-functions = ["labtools.reseed"]\n'},
    )
    out = run_flake8(
        "--select", "RNG", "--stdin-display-name", "train.py", "-", cwd=tmp_path, stdin=TRAIN
    )
    assert out.returncode == 1 and out.stderr == ""
    got = flake8_keys(out.stdout)
    assert {k[0] for k in got} == {"train.py"}
    write_tree(tmp_path, {"train.py": TRAIN})
    assert got == seedlint_keys("--select", "RNG", "train.py", cwd=tmp_path)

    # stdin is what is analysed (not the file on disk), and the display name finds the config
    (tmp_path / "proj" / "train.py").write_text("print('not this')\n")
    out = run_flake8(
        "--stdin-display-name", "proj/train.py", "-", cwd=tmp_path, stdin=EXTERNAL_SEED
    )
    assert (out.returncode, out.stdout) == (0, "")
    out = run_flake8("-", cwd=tmp_path, stdin=EXTERNAL_SEED)
    assert _at(flake8_keys(out.stdout)) == {(8, "RNG001")}
    assert out.stdout.startswith("stdin:8:")


def test_notebook_given_to_flake8_is_reported_at_its_first_line(tmp_path: Path) -> None:
    cell = {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": []}
    notebook = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# data"]},
            {**cell, "source": ["import numpy as np\n", "r = np.random.default_rng()\n"]},
        ],
        "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (tmp_path / "n.ipynb").write_text(json.dumps(notebook, indent=1))
    out = run_flake8("--select", "RNG", "--filename", "*.ipynb", ".", cwd=tmp_path)
    assert out.stderr == ""
    assert out.stdout.startswith(
        "./n.ipynb:1:1: RNG101 (cell 2, line 2, column 5) `np.random.default_rng()`"
    )


def test_flake8_lists_the_plugin(tmp_path: Path) -> None:
    from seedlint import __version__

    out = run_flake8("--version", cwd=tmp_path)
    assert f"seedlint: {__version__}" in out.stdout


# --- in-process: what a subprocess cannot show ------------------------------------------------


def _run_checker(tmp_path: Path, source: str, name: str = "m.py") -> list[Any]:
    from seedlint.flake8_plugin import SeedlintChecker

    path = tmp_path / name
    path.write_text(source)
    lines = source.splitlines(keepends=True)
    return list(SeedlintChecker(ast.parse(source), str(path), lines).run())


def test_internal_error_is_a_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from seedlint import flake8_plugin

    def boom(*args: object, **kwargs: object) -> None:
        raise KeyError("oops")

    monkeypatch.setattr(flake8_plugin, "lint", boom)
    results = _run_checker(tmp_path, "x = 1\n")
    assert len(results) == 1
    line, col, text, cls = results[0]
    assert (line, col, cls) == (1, 0, flake8_plugin.SeedlintChecker)
    assert text.startswith("RNG999 internal error in seedlint (KeyError: 'oops')")


def test_columns_are_zero_based_and_disable_noqa_is_honoured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from seedlint import flake8_plugin

    source = "import numpy as np\nr = np.random.default_rng()  # noqa\n"
    assert _run_checker(tmp_path, source) == []
    monkeypatch.setattr(flake8_plugin.SeedlintChecker, "disable_noqa", True)
    results = _run_checker(tmp_path, source)
    assert [(line, col, text.split()[0]) for line, col, text, _ in results] == [(2, 4, "RNG101")]


def test_configuration_loaded_once_per_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from seedlint import config, flake8_plugin

    loads: list[str] = []
    real_load = config.load

    def counting_load(path: str, known: Any) -> Any:
        loads.append(path)
        return real_load(path, known)

    monkeypatch.setattr(config, "load", counting_load)
    flake8_plugin._settings_for.cache_clear()
    flake8_plugin._settings_from.cache_clear()
    try:
        write_tree(tmp_path, {"pyproject.toml": "[tool.seedlint]\nignore = ['RNG101']\n"})
        for i in range(30):
            sub = tmp_path / f"d{i % 3}"
            sub.mkdir(exist_ok=True)
            results = _run_checker(
                sub, "import numpy as np\nr = np.random.default_rng()\n", f"m{i}.py"
            )
            assert results == []
        assert loads == [str(tmp_path / "pyproject.toml")]
    finally:
        flake8_plugin._settings_for.cache_clear()
        flake8_plugin._settings_from.cache_clear()


def test_each_file_parsed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import libcst

    calls: list[object] = []
    real = libcst.parse_module

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(libcst, "parse_module", counting)
    results = _run_checker(tmp_path, TRAIN)
    assert results and len(calls) == 1


def test_coding_cookie(tmp_path: Path) -> None:
    """flake8 decodes by the coding cookie; the engine gets the file's bytes back."""
    from seedlint.flake8_plugin import SeedlintChecker

    source = "# -*- coding: latin-1 -*-\nimport numpy as np\nx = 'é'; r = np.random.default_rng()\n"
    path = tmp_path / "latin.py"
    path.write_bytes(source.encode("latin-1"))
    results = list(SeedlintChecker(None, str(path), source.splitlines(True)).run())
    assert [(line, col, text.split()[0]) for line, col, text, _ in results] == [(3, 13, "RNG101")]
