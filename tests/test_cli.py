"""The ``seedlint`` command as a user runs it: output formats, exit status, suppression, selection,
scope, stdin and bad input (DESIGN.md, "Command line").

Most cases call ``seedlint.cli.main`` in-process (fast); a handful run the real executable in a
subprocess (``run_cli``) to check what only a process shows: no traceback, stdin, exit status.
"""

from __future__ import annotations

import json
import os
import re
import sys
import textwrap
from pathlib import Path

import pytest

from seedlint.cli import main
from tests.conftest import run_cli, write_tree

# A small training script with one finding of six different rules, at known positions.
TRAIN = """\
import random
import time

import numpy as np
import torch


def make_batches(n):
    order = np.random.permutation(n)
    return [order[i : i + 8] for i in range(0, n, 8)]


def main():
    random.seed(time.time())
    gen = torch.Generator()
    noise = torch.randn(4, generator=gen)
    aug = random.Random()
    rng = np.random.default_rng()
    torch.cuda.seed_all()
    batches = make_batches(64)
    print(noise, aug.random(), rng.normal(), batches)


if __name__ == "__main__":
    main()
"""

# (line, column, code) of every finding in TRAIN, 1-based.
TRAIN_FINDINGS = [
    (9, 13, "RNG002"),
    (14, 5, "RNG201"),
    (15, 11, "RNG103"),
    (17, 11, "RNG102"),
    (18, 11, "RNG101"),
    (19, 5, "RNG202"),
]
TRAIN_CODES = sorted(code for _, _, code in TRAIN_FINDINGS)

# A script that seeds everything before drawing: no findings.
SEEDED = """\
import random

import numpy as np
import torch


def main(seed=0):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    x = torch.randn(8, 4)
    idx = np.random.permutation(8)
    return x[idx], random.random()


if __name__ == "__main__":
    main()
"""

ALL_CODES = [
    "RNG001",
    "RNG002",
    "RNG003",
    "RNG101",
    "RNG102",
    "RNG103",
    "RNG201",
    "RNG202",
    "RNG999",
]
TEXT_LINE = re.compile(
    r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>RNG\d{3})(?: \[\*\])? (?P<msg>\S.*)$"
)


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``seedlint ARGS`` in-process; return (exit status, stdout, stderr)."""
    try:
        rc = main(list(args))
    except SystemExit as exc:  # argparse errors, --version
        rc = exc.code if isinstance(exc.code, int) else 2
    out, err = capsys.readouterr()
    return rc, out, err


def parsed(out: str) -> list[tuple[str, int, int, str]]:
    rows = []
    for line in out.splitlines():
        m = TEXT_LINE.match(line)
        assert m, f"not a finding line: {line!r}"
        rows.append((m["path"], int(m["line"]), int(m["col"]), m["code"]))
    return rows


def codes_of(out: str) -> list[str]:
    return sorted(code for *_, code in parsed(out))


@pytest.fixture
def proj(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project folder that is also the working directory."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- text output and exit status (real process) -------------------------------------------------


def test_text_output_positions_summary_and_exit_1(tmp_path: Path) -> None:
    write_tree(tmp_path, {"train.py": TRAIN})
    res = run_cli("train.py", cwd=tmp_path)
    assert res.returncode == 1, res.stderr
    assert parsed(res.stdout) == [("train.py", ln, col, code) for ln, col, code in TRAIN_FINDINGS]
    # messages name what was found
    first = res.stdout.splitlines()[0]
    assert first.startswith("train.py:9:13: RNG002 ")
    assert "`np.random.permutation(n)`" in first  # the call as written
    # ruff's wording: unsafe fixes are hidden fixes, counted with the option that enables them
    assert res.stderr.strip().splitlines() == [
        "Found 6 findings in 1 file.",
        "No fixes available (5 hidden fixes can be enabled with the `--unsafe-fixes` option).",
    ]
    assert " [*] " not in res.stdout  # no finding has a safe fix
    res = run_cli("--unsafe-fixes", "train.py", cwd=tmp_path)
    assert res.stderr.strip().splitlines() == [
        "Found 6 findings in 1 file.",
        "[*] 5 fixable with the `--fix` option.",
    ]
    assert res.stdout.count(" [*] ") == 5
    assert "Traceback" not in res.stderr


def test_clean_project_exits_0_with_summary(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {"train.py": SEEDED, "model.py": "import torch.nn as nn\n\nnet = nn.Linear(4, 2)\n"},
    )
    res = run_cli(cwd=tmp_path)  # default PATH is "."
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout == ""
    assert res.stderr.strip() == "All checks passed! (2 files checked)"


def test_positions_are_1_based_with_tabs_and_non_ascii(proj: Path, capsys) -> None:
    (proj / "t.py").write_text(
        'import numpy as np\n\n\ndef main():\n\tπ = "é"; x = np.random.rand(3)\n\treturn π, x\n\n\n'
        'if __name__ == "__main__":\n    main()\n',
        encoding="utf-8",
    )
    rc, out, _ = cli(capsys, "t.py")
    assert rc == 1
    assert parsed(out) == [("t.py", 5, 15, "RNG002")]


def test_paths_shown_as_reached_from_the_paths_given(proj: Path, capsys) -> None:
    write_tree(proj, {"src/exp/train.py": TRAIN})
    rc, out, _ = cli(capsys, "src")
    assert rc == 1
    assert {p for p, *_ in parsed(out)} == {"src/exp/train.py"}
    rc, out, _ = cli(capsys, "src/exp")
    assert {p for p, *_ in parsed(out)} == {"src/exp/train.py"}


def test_exit_zero_keeps_findings_but_exits_0(proj: Path, capsys) -> None:
    write_tree(proj, {"train.py": TRAIN})
    rc, out, err = cli(capsys, "--exit-zero", "train.py")
    assert rc == 0
    assert codes_of(out) == TRAIN_CODES
    assert "Found 6 findings in 1 file" in err


def test_statistics_counts_per_rule(proj: Path, capsys) -> None:
    write_tree(
        proj,
        {
            "prep.py": """\
                import numpy as np
                import torch

                train_rng = np.random.default_rng()
                val_rng = np.random.default_rng(None)
                torch.seed()
                """
        },
    )
    rc, out, err = cli(capsys, "--statistics", "prep.py")
    assert rc == 1
    # as in ruff, the table only (no finding lines, no summary)
    assert [ln.split() for ln in out.splitlines()] == [
        ["2", "RNG101", "unseeded-numpy-generator"],  # its fix is unsafe: hidden
        ["1", "RNG202", "entropy-reseed"],
    ]
    assert err == ""
    rc, out, err = cli(capsys, "--statistics", "--unsafe-fixes", "prep.py")
    assert next(ln.split() for ln in out.splitlines()) == [
        "2",
        "RNG101",
        "[*]",
        "unseeded-numpy-generator",
    ]


# --- JSON and GitHub formats -------------------------------------------------------------------


def test_json_format(proj: Path, capsys) -> None:
    write_tree(proj, {"exp/train.py": TRAIN})
    rc, out, err = cli(capsys, "--format", "json", "exp")
    assert rc == 1
    data = json.loads(out)
    assert isinstance(data, list)
    assert len(data) == len(TRAIN_FINDINGS)
    for item, (ln, col, code) in zip(data, TRAIN_FINDINGS):
        assert {
            "code",
            "message",
            "path",
            "line",
            "column",
            "end_line",
            "end_column",
            "fix",
        } <= set(item)
        assert item["code"] == code
        assert item["path"] == "exp/train.py"
        assert (item["line"], item["column"]) == (ln, col)
        # fixes, where there are any, in DESIGN's shape
        assert item["fix"] is None or set(item["fix"]) == {"applicability", "message"}
        if code in ("RNG001", "RNG002", "RNG003"):
            assert item["fix"]["message"] == (
                "add `seed_everything(0)` to exp/train.py at the start of its main flow (the program has no seed of its own"
                " that covers this draw: 0 is a choice, put yours)"
            )
        assert isinstance(item["message"], str) and item["message"]
        assert (item["end_line"], item["end_column"]) >= (item["line"], item["column"])
    # the span of `np.random.permutation(n)` on line 9
    first = data[0]
    assert (first["end_line"], first["end_column"]) == (9, 37)
    assert "Found 6 findings" in err  # the summary stays off stdout


def test_json_messages_equal_text_messages(proj: Path, capsys) -> None:
    write_tree(proj, {"train.py": TRAIN})
    _, text_out, _ = cli(capsys, "train.py")
    _, json_out, _ = cli(capsys, "--format", "json", "train.py")
    from_json = [
        f"{d['path']}:{d['line']}:{d['column']}: {d['code']}"
        + (" [*] " if d["fix"] is not None and d["fix"]["applicability"] == "safe" else " ")
        + d["message"]
        for d in json.loads(json_out)
    ]
    assert from_json == text_out.splitlines()


def test_json_empty_array_when_clean(proj: Path, capsys) -> None:
    write_tree(proj, {"train.py": SEEDED})
    rc, out, _ = cli(capsys, "--format", "json", "train.py")
    assert rc == 0
    assert json.loads(out) == []


def test_json_with_statistics_stays_valid_json(proj: Path, capsys) -> None:
    write_tree(proj, {"train.py": TRAIN})
    rc, out, _ = cli(capsys, "--format", "json", "--statistics", "train.py")
    assert rc == 1
    assert len(json.loads(out)) == 6


def test_github_format(proj: Path, capsys) -> None:
    write_tree(proj, {"train.py": TRAIN})
    _, text_out, _ = cli(capsys, "train.py")
    messages = [TEXT_LINE.match(ln)["msg"] for ln in text_out.splitlines()]
    rc, out, _ = cli(capsys, "--format", "github", "train.py")
    assert rc == 1
    lines = out.splitlines()
    assert len(lines) == len(TRAIN_FINDINGS)
    pattern = re.compile(r"^::warning (?P<props>[^:]*)::(?P<msg>.*)$")
    for line, (ln, col, code), msg in zip(lines, TRAIN_FINDINGS, messages):
        m = pattern.match(line)
        assert m, line
        props = dict(p.split("=", 1) for p in m["props"].split(","))
        assert props["file"] == "train.py"
        assert (props["line"], props["col"], props["title"]) == (str(ln), str(col), code)
        assert m["msg"] == msg
    assert lines[0].startswith("::warning file=train.py,line=9,col=13,")


def test_unknown_format_is_a_usage_error(proj: Path, capsys) -> None:
    write_tree(proj, {"train.py": TRAIN})
    rc, out, err = cli(capsys, "--format", "xml", "train.py")
    assert rc == 2
    assert out == ""
    assert "xml" in err


# --- --explain, --list-rules, --version -------------------------------------------------------


def test_explain_rng002(capsys) -> None:
    rc, out, _ = cli(capsys, "--explain", "RNG002")
    assert rc == 0
    assert "RNG002" in out.splitlines()[0]
    assert "unseeded-numpy-global" in out
    sections = ["What it does", "Why is this bad?", "Example", "Use instead", "How to fix"]
    positions = [out.find(f"## {s}") for s in sections]
    assert all(p >= 0 for p in positions), positions
    assert positions == sorted(positions)
    example = out[positions[2] : positions[3]]
    assert "np.random.permutation" in example


def test_explain_unknown_code(capsys) -> None:
    rc, out, err = cli(capsys, "--explain", "RNG777")
    assert rc == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "RNG777" in err


def test_list_rules(capsys) -> None:
    rc, out, _ = cli(capsys, "--list-rules")
    assert rc == 0
    rows = {ln.split()[0]: ln.split() for ln in out.splitlines()[1:] if ln.strip()}
    for code in ALL_CODES:
        assert code in rows, code
        assert rows[code][2] == "on", rows[code]
    assert rows["RNG002"][1] == "unseeded-numpy-global"
    assert rows["RNG999"][1] == "syntax-error"


def test_version(capsys) -> None:
    rc, out, _ = cli(capsys, "--version")
    assert rc == 0
    assert out.startswith("seedlint ")


# ---

NOQA_SCRIPT = """\
import random

import numpy as np


def main():
{body}


if __name__ == "__main__":
    main()
"""


def _noqa_findings(proj: Path, capsys, body: str) -> list[tuple[int, str]]:
    body = textwrap.indent(textwrap.dedent(body).strip("\n"), "    ")
    (proj / "aug.py").write_text(NOQA_SCRIPT.format(body=body))
    _, out, _ = cli(capsys, "aug.py")
    return [(ln, code) for _, ln, _, code in parsed(out)]


# The draw is on line 7 of the file unless the case says otherwise.
NOQA_CASES = [
    pytest.param("x = np.random.rand(3)", [(7, "RNG002")], id="no-comment"),
    pytest.param("x = np.random.rand(3)  # noqa", [], id="bare"),
    pytest.param("x = np.random.rand(3)  # NOQA", [], id="bare-upper"),
    pytest.param("x = np.random.rand(3)  # noqa: RNG002", [], id="code"),
    pytest.param("x = np.random.rand(3)  # noqa:RNG0", [], id="prefix-no-space"),
    pytest.param("x = np.random.rand(3)  # noqa: RNG", [], id="prefix-RNG"),
    pytest.param("x = np.random.rand(3)  # noqa: RNG101,RNG002", [], id="comma-list"),
    pytest.param("x = np.random.rand(3)  # noqa: RNG101, RNG002", [], id="comma-space-list"),
    pytest.param("x = np.random.rand(3)  # noqa: RNG101 RNG002", [], id="space-list"),
    pytest.param("x = np.random.rand(3)  # noqa: rng002", [], id="lowercase-code"),
    pytest.param(
        "x = np.random.rand(3)  # noqa: RNG002 legacy data pipeline", [], id="trailing-text"
    ),
    pytest.param(
        "x = np.random.rand(3)  # type: ignore  # noqa: RNG002", [], id="after-other-comment"
    ),
    pytest.param("x = np.random.rand(3)  # noqa: RNG001", [(7, "RNG002")], id="other-code"),
    pytest.param("x = np.random.rand(3)  # noqa: RNG1", [(7, "RNG002")], id="other-prefix"),
    pytest.param(
        "x = np.random.rand(3) + random.random()  # noqa: RNG002",
        [(7, "RNG001")],
        id="only-the-named-code-on-a-line",
    ),
    pytest.param(
        """
        batch = dict(  # noqa: RNG002
            noise=np.random.rand(3),
        )
        """,
        [],
        id="first-line-of-multiline-statement",
    ),
    pytest.param(
        """
        batch = dict(  # noqa: RNG001
            noise=np.random.rand(3),
        )
        """,
        [(8, "RNG002")],
        id="first-line-other-code",
    ),
    pytest.param(
        """
        x = np.random.rand(3)
        # noqa
        """,
        [(7, "RNG002")],
        id="comment-on-next-line",
    ),
    pytest.param(
        'label = "# noqa"; x = np.random.rand(3)',
        [(7, "RNG002")],
        id="in-string-same-line",
    ),
    pytest.param(
        """
        msg = \"\"\"see # noqa
        \"\"\" + str(np.random.rand(3))
        """,
        [(8, "RNG002")],
        id="in-string-on-first-line-of-statement",
    ),
    pytest.param(
        """
        for epoch in range(3):  # noqa
            np.random.shuffle(data := [1, 2, 3])
        """,
        [(8, "RNG002")],
        id="compound-header-does-not-cover-body",
    ),
]


@pytest.mark.parametrize(("body", "expected"), NOQA_CASES)
def test_noqa(proj: Path, capsys, body: str, expected: list[tuple[int, str]]) -> None:
    assert _noqa_findings(proj, capsys, body) == expected


@pytest.mark.parametrize("comment", ["# Noqa", "# noQA: RNG002"])
def test_noqa_is_case_insensitive(proj: Path, capsys, comment: str) -> None:
    assert _noqa_findings(proj, capsys, f"x = np.random.rand(3)  {comment}") == []


def test_noqa_on_def_line_does_not_suppress_body(proj: Path, capsys) -> None:
    write_tree(
        proj,
        {
            "train.py": """\
                import numpy as np


                def main():  # noqa: RNG002
                    return np.random.rand(3)


                if __name__ == "__main__":
                    main()
                """
        },
    )
    rc, out, _ = cli(capsys, "train.py")
    assert rc == 1
    assert parsed(out) == [("train.py", 5, 12, "RNG002")]


def test_noqa_suppressed_findings_exit_0(proj: Path, capsys) -> None:
    write_tree(
        proj,
        {
            "prep.py": """\
                import numpy as np

                rng = np.random.default_rng()  # noqa: RNG101 fresh entropy on purpose
                """
        },
    )
    rc, out, err = cli(capsys, "prep.py")
    assert (rc, out) == (0, "")
    assert "All checks passed!" in err


# --- --select / --ignore / --extend-select -----------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), TRAIN_CODES),
        (("--select", "RNG"), TRAIN_CODES),
        (("--select", "RNG1"), ["RNG101", "RNG102", "RNG103"]),
        (("--select", "RNG201"), ["RNG201"]),
        (("--select", "RNG101,RNG202"), ["RNG101", "RNG202"]),
        (("--select", "RNG101, RNG202"), ["RNG101", "RNG202"]),
        (("--select", "RNG101 RNG202"), ["RNG101", "RNG202"]),
        (("--select", "rng2"), ["RNG201", "RNG202"]),
        (("--ignore", "RNG1"), ["RNG002", "RNG201", "RNG202"]),
        (("--ignore", "RNG"), []),
        (("--ignore", "RNG201,RNG002"), ["RNG101", "RNG102", "RNG103", "RNG202"]),
        (("--select", "RNG2", "--ignore", "RNG202"), ["RNG201"]),
        (("--select", "RNG1", "--ignore", "RNG1"), []),
        (("--select", "RNG101", "--ignore", "RNG1"), ["RNG101"]),
        (("--select", "RNG101", "--extend-select", "RNG202"), ["RNG101", "RNG202"]),
        (("--select", "RNG0", "--extend-select", "RNG2"), ["RNG002", "RNG201", "RNG202"]),
        (("--extend-select", "RNG2"), TRAIN_CODES),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, tuple) else None,
)
def test_selection(proj: Path, capsys, args: tuple[str, ...], expected: list[str]) -> None:
    write_tree(proj, {"train.py": TRAIN})
    rc, out, _ = cli(capsys, *args, "train.py")
    assert codes_of(out) == sorted(expected)
    assert rc == (1 if expected else 0)


@pytest.mark.parametrize(
    ("option", "value", "bad"),
    [
        ("--select", "RNG777", "RNG777"),
        ("--select", "RNG9999", "RNG9999"),
        ("--select", "RNG1,FOO", "FOO"),
        ("--ignore", "E501", "E501"),
        ("--extend-select", "RNG7", "RNG7"),
    ],
)
def test_unknown_code_on_command_line(
    proj: Path, capsys, option: str, value: str, bad: str
) -> None:
    write_tree(proj, {"train.py": TRAIN})
    rc, out, err = cli(capsys, option, value, "train.py")
    assert rc == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert bad in lines[0] and option in lines[0]


def test_unknown_code_real_process_has_no_traceback(tmp_path: Path) -> None:
    write_tree(tmp_path, {"train.py": TRAIN})
    res = run_cli("--select", "RNG1,RNG777", "train.py", cwd=tmp_path)
    assert res.returncode == 2
    assert res.stdout == ""
    assert "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert "RNG777" in res.stderr


def test_unknown_option_is_a_usage_error(capsys) -> None:
    rc, _out, err = cli(capsys, "--no-such-option")
    assert rc == 2
    assert "--no-such-option" in err


# --- scope ------------------------------------------------------------------------------------

SCOPE_PROJECT = {
    "pkg/__init__.py": "",
    "pkg/data.py": """\
        import numpy as np

        NOISE = np.random.randn(10)
        val_rng = np.random.default_rng()


        def jitter(x):
            return x + NOISE
        """,
    "train.py": """\
        import numpy as np

        from pkg.data import jitter


        def main():
            np.random.seed(0)
            print(jitter(1.0), np.random.rand())


        if __name__ == "__main__":
            main()
        """,
}


def test_project_scope_reports_import_time_draw(proj: Path, capsys) -> None:
    write_tree(proj, SCOPE_PROJECT)
    rc, out, _ = cli(capsys, "--format", "json", ".")
    assert rc == 1
    found = {(d["path"], d["line"], d["column"], d["code"]): d for d in json.loads(out)}
    assert set(found) == {("pkg/data.py", 3, 9, "RNG002"), ("pkg/data.py", 4, 11, "RNG101")}
    draw = found[("pkg/data.py", 3, 9, "RNG002")]
    assert "train.py" in draw["message"]  # names the entry point


def test_project_scope_is_the_default_and_explicit(proj: Path, capsys) -> None:
    write_tree(proj, SCOPE_PROJECT)
    _, default_out, _ = cli(capsys, ".")
    _, project_out, _ = cli(capsys, "--scope", "project", ".")
    assert default_out == project_out
    assert "pkg/data.py:3:9: RNG002" in project_out


def test_file_scope_does_not_report_library_module(proj: Path, capsys) -> None:
    write_tree(proj, SCOPE_PROJECT)
    rc, out, _ = cli(capsys, "--scope", "file", ".")
    assert rc == 1
    # the file-local rule still fires; the import-time draw does not (data.py is no entry point)
    assert parsed(out) == [("pkg/data.py", 4, 11, "RNG101")]


def test_file_scope_still_reports_unseeded_entry_point(proj: Path, capsys) -> None:
    write_tree(
        proj,
        {
            "train.py": """\
                import torch


                def main():
                    w = torch.randn(4, 4)
                    return w


                if __name__ == "__main__":
                    main()
                """
        },
    )
    for scope in ("file", "project"):
        rc, out, _ = cli(capsys, "--scope", scope, "train.py")
        assert rc == 1
        assert parsed(out) == [("train.py", 5, 9, "RNG003")], scope


def test_library_module_alone_is_not_reported(proj: Path, capsys) -> None:
    write_tree(proj, SCOPE_PROJECT)
    rc, out, _ = cli(capsys, "--select", "RNG0", "pkg/data.py")
    assert (rc, out) == (0, "")


def test_parallel_jobs_give_the_same_result(proj: Path, capsys) -> None:
    files = {
        f"exp/run{i}.py": f"""\
            import numpy as np

            state = np.random.RandomState()  # noqa: RNG101
            rng = np.random.default_rng()
            NAME = "run{i}"
            """
        for i in range(20)
    }
    write_tree(proj, files)
    rc1, out1, _ = cli(capsys, "-j", "1", "exp")
    rc4, out4, err4 = cli(capsys, "-j", "4", "exp")
    assert rc1 == rc4 == 1
    assert out1 == out4
    assert len(out1.splitlines()) == 20
    assert "Found 20 findings in 20 files" in err4


# --- stdin (real process) ---------------------------------------------------------------------


def test_stdin_with_filename(tmp_path: Path) -> None:
    res = run_cli("--stdin-filename", "foo.py", "-", cwd=tmp_path, stdin=TRAIN)
    assert res.returncode == 1, res.stderr
    assert parsed(res.stdout) == [("foo.py", ln, col, code) for ln, col, code in TRAIN_FINDINGS]
    assert "Found 6 findings in 1 file" in res.stderr


def test_stdin_json_and_noqa(tmp_path: Path) -> None:
    src = "import numpy as np\n\nrng = np.random.default_rng()  # noqa: RNG101\ng = np.random.PCG64()\n"
    res = run_cli(
        "--format", "json", "--stdin-filename", "src/prep.py", "-", cwd=tmp_path, stdin=src
    )
    assert res.returncode == 1, res.stderr
    data = json.loads(res.stdout)
    assert [(d["path"], d["line"], d["column"], d["code"]) for d in data] == [
        ("src/prep.py", 4, 5, "RNG101")
    ]


def test_stdin_clean_source_exits_0(tmp_path: Path) -> None:
    res = run_cli("--stdin-filename", "ok.py", "-", cwd=tmp_path, stdin=SEEDED)
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout == ""


# --- bad input --------------------------------------------------------------------------------


def test_missing_path_real_process(tmp_path: Path) -> None:
    write_tree(tmp_path, {"train.py": TRAIN})
    res = run_cli("train.py", "nope.py", cwd=tmp_path)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert "nope.py" in lines[0]


def test_missing_path(proj: Path, capsys) -> None:
    rc, out, err = cli(capsys, "does/not/exist")
    assert rc == 2
    assert out == ""
    assert err.strip().splitlines() == [err.strip()]
    assert "does/not/exist" in err


@pytest.mark.parametrize(
    "files",
    [{}, {"README.md": "# exp\n", "data/train.csv": "a,b\n1,2\n", "notes.txt": "x\n"}],
    ids=["empty", "no-python-files"],
)
def test_folder_without_python_files(proj: Path, capsys, files: dict[str, str]) -> None:
    (proj / "exp").mkdir()
    write_tree(proj / "exp", files)
    rc, out, err = cli(capsys, "exp")
    assert rc == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "exp" in err and "Python" in err


def test_directory_named_like_a_python_file_is_skipped(proj: Path, capsys) -> None:
    write_tree(proj, {"train.py": TRAIN, "weights.py/ckpt.bin": "\x00"})
    rc, out, err = cli(capsys, ".")
    assert rc == 1
    assert codes_of(out) == TRAIN_CODES
    assert "Found 6 findings in 1 file" in err


def test_directory_named_like_a_python_file_given_alone(proj: Path, capsys) -> None:
    (proj / "x.py").mkdir()
    rc, out, err = cli(capsys, "x.py")
    assert rc == 2
    assert out == ""
    assert "x.py" in err
    assert "Traceback" not in err


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read a chmod 000 file"
)
def test_unreadable_file(proj: Path, capsys) -> None:
    write_tree(proj, {"train.py": TRAIN, "secret.py": "x = 1\n"})
    (proj / "secret.py").chmod(0)
    try:
        rc, out, err = cli(capsys, ".")
    finally:
        (proj / "secret.py").chmod(0o644)
    assert rc == 2
    assert codes_of(out) == TRAIN_CODES
    assert "secret.py" in err


def test_dangling_symlink_given_explicitly(proj: Path, capsys) -> None:
    write_tree(proj, {"train.py": TRAIN})
    (proj / "gone.py").symlink_to(proj / "deleted.py")
    rc, out, err = cli(capsys, "train.py", "gone.py")
    assert rc == 2  # a file that could not be read is an error
    assert codes_of(out) == TRAIN_CODES  # the other file's findings are still reported
    errors = [ln for ln in err.splitlines() if "error" in ln]
    assert len(errors) == 1 and "gone.py" in errors[0]
    assert "Traceback" not in err


def test_syntax_error_among_good_files_real_process(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "train.py": TRAIN,
            "broken.py": "import numpy as np\n\ndef augment(:\n    return np.random.rand()\n",
            "ok.py": SEEDED,
        },
    )
    res = run_cli(".", cwd=tmp_path)
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    rows = parsed(res.stdout)
    assert rows[0] == ("broken.py", 3, 13, "RNG999")
    assert sorted(code for p, *_, code in rows if p == "train.py") == TRAIN_CODES
    assert "Found 7 findings in 3 files" in res.stderr


@pytest.mark.parametrize(
    ("source", "line", "col"),
    [
        ("x = (1,\n", 1, 5),
        ("def f():\nreturn 1\n", 2, 1),
        ('print "hi"\n', 1, 1),
    ],
    ids=["unclosed-paren", "missing-indent", "py2-print"],
)
def test_syntax_error_location(proj: Path, capsys, source: str, line: int, col: int) -> None:
    (proj / "bad.py").write_text(source)
    rc, out, _ = cli(capsys, "bad.py")
    assert rc == 1  # RNG999 is a finding
    if sys.version_info < (3, 10):  # RNG999 takes CPython's location; 3.9's parser puts
        # some columns elsewhere (e.g. at the end of the line)
        assert [(p, ln, code) for p, ln, _, code in parsed(out)] == [("bad.py", line, "RNG999")]
    else:
        assert parsed(out) == [("bad.py", line, col, "RNG999")]
    rc, _, _ = cli(capsys, "--exit-zero", "bad.py")
    assert rc == 0


def test_noqa_text_in_string_does_not_hide_syntax_error(proj: Path, capsys) -> None:
    (proj / "report.py").write_text(
        'import numpy as np\n\nprint("rows marked # noqa are skipped", np.random.rand(\n'
    )
    rc, out, _ = cli(capsys, "report.py")
    assert rc == 1
    assert codes_of(out) == ["RNG999"]


# --- default excludes -------------------------------------------------------------------------


def test_default_excludes(proj: Path, capsys) -> None:
    leak = "import numpy as np\n\nrng = np.random.default_rng()\n"
    write_tree(
        proj,
        {
            "train.py": leak,
            ".venv/lib/python3.11/site-packages/torch/random.py": leak,
            "venv/lib/helper.py": leak,
            "build/lib/exp/train.py": leak,
            "dist/pkg/train.py": leak,
            "__pycache__/train.py": leak,
            "src/exp/__pycache__/x.py": leak,
            "src/exp/build/y.py": leak,
            "mypkg.egg-info/z.py": leak,
            "src/exp/model.py": leak,
        },
    )
    rc, out, err = cli(capsys, ".")
    assert rc == 1
    assert sorted(p for p, *_ in parsed(out)) == ["src/exp/model.py", "train.py"]
    assert "in 2 files" in err


def test_default_excludes_do_not_apply_above_the_given_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    project = tmp_path / "build" / "exp"
    write_tree(project, {"train.py": TRAIN})
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    rc, out, _ = cli(capsys, str(project))
    assert rc == 1
    assert codes_of(out) == TRAIN_CODES
    monkeypatch.chdir(tmp_path)
    rc, out, _ = cli(capsys, "build/exp")
    assert rc == 1
    assert {p for p, *_ in parsed(out)} == {"build/exp/train.py"}


def test_summary_does_not_claim_success_when_a_file_could_not_be_read(tmp_path: Path) -> None:
    (tmp_path / "gone.py").symlink_to(tmp_path / "missing-target.py")
    (tmp_path / "ok.py").write_text("import os\n")
    res = run_cli("ok.py", "gone.py", cwd=tmp_path)
    assert res.returncode == 2
    assert "All checks passed" not in res.stderr
    assert "1 file could not be checked" in res.stderr


def test_fix_and_diff_say_when_only_unsafe_fixes_exist(tmp_path: Path) -> None:
    write_tree(tmp_path, {"train.py": TRAIN})
    before = (tmp_path / "train.py").read_text()
    res = run_cli("--fix", "train.py", cwd=tmp_path)
    assert res.stderr.strip().splitlines() == [
        "No safe fixes; 5 unsafe fixes available with `--unsafe-fixes`.",
        "Found 6 findings in 1 file.",
    ]
    assert (tmp_path / "train.py").read_text() == before
    res = run_cli("--diff", "train.py", cwd=tmp_path)
    assert res.returncode == 0 and res.stdout == ""
    assert res.stderr.strip() == "No safe fixes; 5 unsafe fixes available with `--unsafe-fixes`."
    res = run_cli("--diff", "--unsafe-fixes", "train.py", cwd=tmp_path)
    assert res.returncode == 1 and res.stdout.startswith("--- ")
