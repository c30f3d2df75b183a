"""Robustness: no crash on any input, no lost data, never executing user code.

Every case lints a project that holds, next to the odd input, ``good.py`` with one known finding
(``good.py:2:7: RNG101``), and checks that the run completes: no traceback, the odd file gives a
finding (RNG999 where it cannot be parsed) or one clear ``seedlint: error: PATH: ...`` line, the
other file's finding is reported, and the exit status follows DESIGN.md (1: findings left,
RNG999 included; 2: a file could not be checked, or an internal or configuration error).

Most cases run ``seedlint.cli.main`` in-process; a real process where only one shows the
behaviour (a FIFO that could hang, memory, signals, what gets imported).
"""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import libcst
import pytest

from seedlint import fixes
from seedlint.cli import main
from seedlint.engine import runner, source

GOOD = b"import numpy as np\nrng = np.random.default_rng()\n"
GOOD_FINDING = "good.py:2:7: RNG101"
TRACEBACK = "Traceback (most recent call last)"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

# A file with three fixes (two unsafe, one safe), used by the --fix cases.
FIXABLE = b"""import numpy as np
import torch
from torch.utils.data import DataLoader, random_split

rng = np.random.default_rng()
torch.backends.cudnn.benchmark = True


def split(ds):
    return random_split(ds, [0.5, 0.5])
"""


@dataclass
class Run:
    rc: int
    out: str
    err: str

    def lines(self, path: str) -> list[str]:
        """The finding lines of ``path``."""
        return [ln for ln in self.out.splitlines() if ln.startswith(f"{path}:")]

    def errors(self) -> list[str]:
        return [ln for ln in self.err.splitlines() if ln.startswith("seedlint: error: ")]


def project(root: Path, files: dict[str, bytes]) -> Path:
    """``root`` with ``good.py`` and ``files`` (bytes, written as they are)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "good.py").write_bytes(GOOD)
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def lint(capsys: pytest.CaptureFixture[str], *args: str) -> Run:
    """``seedlint ARGS`` in-process (the working directory is the project)."""
    try:
        rc = main(list(args))
    except SystemExit as exc:  # argparse
        rc = exc.code if isinstance(exc.code, int) else 2
    out, err = capsys.readouterr()
    return Run(rc, out, err)


def process(
    args: list[str],
    cwd: Path,
    timeout: float = 60,
    env: Optional[dict[str, str]] = None,
    command: Optional[list[str]] = None,
) -> Run:
    res = subprocess.run(
        [*(command or [sys.executable, "-m", "seedlint"]), *args],
        cwd=cwd,
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        timeout=timeout,
        env=env,
    )
    return Run(res.returncode, res.stdout, res.stderr)


def completed(run: Run, rc: int) -> None:
    """No traceback, the other file's finding kept, the exit status expected."""
    assert TRACEBACK not in run.out + run.err, run.err
    assert GOOD_FINDING in run.out, run.out + run.err
    assert run.rc == rc, run.out + run.err


def one_error(run: Run, path: str, *words: str) -> str:
    """Exactly one ``seedlint: error: PATH: ...`` line; it contains ``words``."""
    errors = run.errors()
    assert len(errors) == 1, run.err
    assert errors[0].startswith(f"seedlint: error: {path}: "), errors[0]
    for word in words:
        assert word in errors[0], errors[0]
    return errors[0]


@pytest.fixture
def proj(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project folder that is also the working directory."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- what the file holds ------------------------------------------------------------------------


def test_empty_file(proj: Path, capsys) -> None:
    project(proj, {"bad.py": b""})
    run = lint(capsys, "--no-cache", ".")
    completed(run, 1)
    assert run.lines("bad.py") == []
    assert "2 files" in run.err


def test_utf8_bom(proj: Path, capsys) -> None:
    project(proj, {"bad.py": b"\xef\xbb\xbfimport numpy as np\nr = np.random.default_rng()\n"})
    run = lint(capsys, "--no-cache", ".")
    completed(run, 1)
    assert [ln.split(" ")[:2] for ln in run.lines("bad.py")] == [["bad.py:2:5:", "RNG101"]]


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"import numpy as np\r\nx = 1\r\nr = np.random.default_rng()\r\n", 3),
        # \r\n, a lone \r (a line break for Python too) and \n in one file
        (b"import numpy as np\r\nx = 1\ry = 2\nr = np.random.default_rng()\r\n", 4),
    ],
    ids=["crlf", "mixed"],
)
def test_crlf_and_mixed_line_endings(proj: Path, capsys, data: bytes, line: int) -> None:
    project(proj, {"bad.py": data})
    run = lint(capsys, "--no-cache", ".")
    completed(run, 1)
    assert [ln.split(" ")[:2] for ln in run.lines("bad.py")] == [[f"bad.py:{line}:5:", "RNG101"]]


def test_latin1_coding_cookie_column_after_non_ascii_string(proj: Path, capsys) -> None:
    # "été" is 3 characters, 3 bytes in latin-1 and 5 in UTF-8: the column counts characters
    data = b'# -*- coding: latin-1 -*-\nimport numpy as np\ns = "\xe9t\xe9"; r = np.random.default_rng()\n'
    project(proj, {"bad.py": data})
    run = lint(capsys, "--no-cache", ".")
    completed(run, 1)
    assert [ln.split(" ")[:2] for ln in run.lines("bad.py")] == [["bad.py:3:16:", "RNG101"]]


def test_invalid_utf8(proj: Path, capsys) -> None:
    project(proj, {"bad.py": b'import numpy as np\ns = "\xff\xfe"\nr = np.random.default_rng()\n'})
    run = lint(capsys, "--no-cache", ".")
    completed(run, 1)
    (found,) = run.lines("bad.py")
    assert "RNG999" in found and "decode" in found


def test_nul_bytes(proj: Path, capsys) -> None:
    project(proj, {"bad.py": b"import numpy as np\nx = 1\0\nr = np.random.default_rng()\n"})
    run = lint(capsys, "--no-cache", ".")
    completed(run, 1)
    (found,) = run.lines("bad.py")
    assert "RNG999" in found and "null bytes" in found


def test_tabs_and_form_feeds_columns(proj: Path, capsys) -> None:
    # a tab and a form feed are one character each
    data = (
        b"import numpy as np\n"
        b"if 1:\n"
        b"\tr = np.random.default_rng()\n"
        b"\x0cr2 = np.random.default_rng()\n"
        b"x = 1;\tr3 = np.random.default_rng()\n"
    )
    project(proj, {"bad.py": data})
    run = lint(capsys, "--no-cache", ".")
    completed(run, 1)
    assert [ln.split(" ")[0] for ln in run.lines("bad.py")] == [
        "bad.py:3:6:",
        "bad.py:4:7:",
        "bad.py:5:13:",
    ]


# A tiny wrapper process: its only child is seedlint, so RUSAGE_CHILDREN is seedlint's peak.
MEASURE = """
import json, resource, subprocess, sys, time
start = time.monotonic()
res = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=300)
print(json.dumps({
    "rc": res.returncode, "out": res.stdout, "err": res.stderr,
    "seconds": time.monotonic() - start,
    "peak_rss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
}))
"""


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in KiB on Linux")
def test_10_mb_file_completes_in_bounded_time_and_memory(tmp_path: Path, record_property) -> None:
    lines = [f"value_{i:06d} = {i} * 3 + 17  # padding text" for i in range(240_000)]
    data = ("import numpy as np\n" + "\n".join(lines) + "\nr = np.random.default_rng()\n").encode()
    assert len(data) >= 10_000_000
    project(tmp_path, {"big.py": data})
    res = subprocess.run(
        [sys.executable, "-c", MEASURE, sys.executable, "-m", "seedlint", "--no-cache", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=320,
    )
    m = json.loads(res.stdout)
    record_property("big_file_seconds", round(m["seconds"], 2))
    record_property("big_file_peak_rss_mb", m["peak_rss_kb"] // 1024)
    print(f"10 MB file: {m['seconds']:.2f} s, peak RSS {m['peak_rss_kb'] // 1024} MB")
    run = Run(m["rc"], m["out"], m["err"])
    completed(run, 1)
    (found,) = run.lines("big.py")
    assert "RNG999" in found and "too large" in found
    assert m["seconds"] < 60
    assert m["peak_rss_kb"] < 600 * 1024


def _nested_defs(depth: int) -> str:
    lines = []
    for i in range(depth):
        head = f"def f{i}():" if i % 2 == 0 else "if x:"
        lines.append("    " * i + head)
    lines.append("    " * depth + "pass")
    return "\n".join(lines)


DEEP = {
    "parentheses-1000": "x = " + "(" * 1000 + "1" + ")" * 1000,
    "sum-5000-terms": "x = " + " + ".join(["1"] * 5000),
    "lists-1000": "x = " + "[" * 1000 + "]" * 1000,
    "dicts-500": "x = " + "{1: " * 500 + "1" + "}" * 500,
    "defs-and-ifs-200": _nested_defs(200),
}


@pytest.mark.parametrize("body", list(DEEP.values()), ids=list(DEEP))
def test_deeply_nested_source(proj: Path, capsys, body: str) -> None:
    project(proj, {"bad.py": f"import numpy as np\n{body}\nr = np.random.default_rng()\n".encode()})
    start = time.monotonic()
    run = lint(capsys, "--no-cache", ".")
    seconds = time.monotonic() - start
    completed(run, 1)
    (found,) = run.lines("bad.py")
    assert "RNG999" in found
    assert seconds < 10  # libcst alone took 10-30 s (and 1.4 GB) on some of these


def test_long_sum_that_python_accepts_is_analysed(proj: Path, capsys) -> None:
    body = "x = " + " + ".join(["1"] * 1000)
    project(proj, {"bad.py": f"import numpy as np\n{body}\nr = np.random.default_rng()\n".encode()})
    run = lint(capsys, "--no-cache", ".")
    completed(run, 1)
    assert [ln.split(" ")[:2] for ln in run.lines("bad.py")] == [["bad.py:3:5:", "RNG101"]]


@pytest.mark.parametrize(
    ("head", "line"),
    [
        (b'print "x"\n', 1),
        # libcst reads this as Python 3.14's ``except A, B:`` (PEP 758); CPython < 3.14 refuses
        (b"try:\n    pass\nexcept ValueError, e:\n    pass\n", 3),
    ],
    ids=["print-statement", "except-comma"],
)
def test_python2_syntax(proj: Path, capsys, head: bytes, line: int) -> None:
    data = head + b"import numpy as np\nr = np.random.default_rng()\n"
    project(proj, {"bad.py": data})
    run = lint(capsys, "--no-cache", ".")
    completed(run, 1)
    try:
        libcst.parse_module(data)
    except libcst.ParserSyntaxError:
        (found,) = run.lines("bad.py")
        assert found.startswith(f"bad.py:{line}:") and "RNG999" in found
    else:  # analysed: the draw after it is found
        draw = head.count(b"\n") + 2
        assert [ln.split(" ")[:2] for ln in run.lines("bad.py")] == [
            [f"bad.py:{draw}:5:", "RNG101"]
        ]


NEWER = {
    "pep695-type-alias": (b"type X = int\n", (3, 12)),
    "pep695-generic-def": (b"def f[T](x: T) -> T:\n    return x\n", (3, 12)),
    "pep701-nested-quotes": (b'x = 1\ns = f"{f"{x}"}"\n', (3, 12)),
    "except-star": (b"try:\n    pass\nexcept* ValueError:\n    pass\n", (3, 11)),
}


@pytest.mark.parametrize(("head", "since"), list(NEWER.values()), ids=list(NEWER))
def test_syntax_newer_than_the_interpreter_or_libcst(
    proj: Path, capsys, head: bytes, since: tuple[int, int]
) -> None:
    data = head + b"import numpy as np\nr = np.random.default_rng()\n"
    line = head.count(b"\n") + 2
    project(proj, {"bad.py": data})
    run = lint(capsys, "--no-cache", ".")
    completed(run, 1)
    try:
        libcst.parse_module(data)
    except libcst.ParserSyntaxError:
        # libcst cannot parse it: RNG999, saying whether CPython (this one) accepts it
        (found,) = run.lines("bad.py")
        assert "RNG999" in found
        if sys.version_info >= since:
            assert "valid Python that seedlint's parser (libcst) does not support" in found
    else:  # libcst parses it (even where this CPython does not): analysed, positions right
        assert [ln.split(" ")[:2] for ln in run.lines("bad.py")] == [
            [f"bad.py:{line}:5:", "RNG101"]
        ]


def test_notebooks_that_are_not_json_or_not_notebooks(proj: Path, capsys) -> None:
    project(
        proj,
        {
            "a.ipynb": b"not json",
            "b.ipynb": b"",
            "c.ipynb": b"[]",
            "d.ipynb": b'{"cells": 3}',
            "e.ipynb": b"\xff\xfe{",
            "f.ipynb": b'{"cells": [5]}',
            "g.ipynb": b'{"cells": [{"cell_type": "code", "source": 5}]}',
            "h.ipynb": b"[" * 100_000 + b"]" * 100_000,
        },
    )
    run = lint(capsys, "--no-cache", ".")
    completed(run, 1)
    for name in "abcdefgh":
        (found,) = run.lines(f"{name}.ipynb")
        assert "RNG999" in found, found
    assert run.errors() == []


def test_file_name_that_is_not_utf8(proj: Path, capsys) -> None:
    if sys.platform == "darwin":
        pytest.skip("APFS refuses names that are not UTF-8")
    project(proj, {})
    (proj / os.fsdecode(b"bad\xff.py")).write_bytes(GOOD)
    run = lint(capsys, "--no-cache", "--format", "json", ".")  # JSON output is ASCII
    assert TRACEBACK not in run.err and run.rc == 1
    assert sorted(f["path"] for f in json.loads(run.out)) == ["bad\udcff.py", "good.py"]


@pytest.mark.parametrize(
    ("name", "encoding"),
    [(b"caf\xc3\xa9 \xe2\x98\x83.py", "ascii"), (b"bad\xff.py", "utf-8")],
    ids=["non-ascii-name-ascii-output", "non-utf8-name-utf8-output"],
)
def test_path_the_output_encoding_cannot_hold(tmp_path: Path, name: bytes, encoding: str) -> None:
    project(tmp_path, {})
    (tmp_path / os.fsdecode(name)).write_bytes(b"x = (\n")
    run = process(["--no-cache", "."], tmp_path, env={**os.environ, "PYTHONIOENCODING": encoding})
    completed(run, 1)


# --- what happens to the file during the run ----------------------------------------------------


def test_file_removed_between_discovery_and_reading(
    proj: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    project(proj, {"gone.py": GOOD})
    found = runner.discover

    def discover_then_delete(paths: Any, settings: Any) -> Any:
        files = found(paths, settings)
        (proj / "gone.py").unlink()
        return files

    monkeypatch.setattr("seedlint.cli.discover", discover_then_delete)
    run = lint(capsys, "--no-cache", ".")
    completed(run, 2)
    one_error(run, "gone.py", "cannot read file", "No such file or directory")


def test_file_removed_while_being_read(proj: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    project(proj, {"gone.py": GOOD})
    read = runner._read

    def delete_then_read(path: str) -> bytes:
        if path.endswith("gone.py"):
            os.unlink(path)
        return read(path)

    monkeypatch.setattr(runner, "_read", delete_then_read)
    run = lint(capsys, "--no-cache", ".")
    completed(run, 2)
    one_error(run, "gone.py", "cannot read file")


def test_file_removed_between_lint_and_fix(
    proj: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    project(proj, {"gone.py": FIXABLE})
    fix_file = fixes.fix_file

    def fix_after_delete(path: str, data: bytes, todo: Any) -> Optional[bytes]:
        if path.endswith("gone.py") and os.path.exists(path):
            os.unlink(path)
        return fix_file(path, data, todo)

    monkeypatch.setattr(fixes, "fix_file", fix_after_delete)
    run = lint(capsys, "--no-cache", "--fix", "--unsafe-fixes", ".")
    assert TRACEBACK not in run.err
    assert run.rc == 2
    assert not (proj / "gone.py").exists()  # not recreated by the fix
    assert all("gone.py" in e for e in run.errors()) and run.errors()
    assert b"derive_seed" in (proj / "good.py").read_bytes()  # the other file was fixed


EDIT = b"# edited by the user while seedlint ran\n"


def test_file_changed_between_lint_and_fix(
    proj: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lint sees one version, the fix another (shifted by a line): no fix lands in the wrong
    place, the edit is kept, and what is reported is about the file as it is now."""
    project(proj, {"bad.py": FIXABLE})
    read = runner._read
    edited: list[str] = []

    def read_then_edit(path: str) -> bytes:
        data = read(path)
        if path.endswith("bad.py") and not edited:
            edited.append(path)
            Path(path).write_bytes(EDIT + data)
        return data

    monkeypatch.setattr(runner, "_read", read_then_edit)
    run = lint(capsys, "--no-cache", "--fix", "--unsafe-fixes", ".")
    assert TRACEBACK not in run.out + run.err
    assert run.rc in (0, 1)
    now = (proj / "bad.py").read_bytes()
    assert now.startswith(EDIT)
    libcst.parse_module(now)
    if now == EDIT + FIXABLE:  # not fixed: its findings are reported, at their new lines
        assert [ln.split(" ")[0] for ln in run.lines("bad.py")][:1] == ["bad.py:6:7:"]
    else:  # fixed as it is now: the fixes, one line lower
        assert b"default_rng(derive_seed(" in now and b"benchmark = False" in now


def test_edit_saved_while_fixing_is_not_overwritten(
    proj: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    project(proj, {"bad.py": FIXABLE})
    fix_file = fixes.fix_file

    def fix_then_user_saves(path: str, data: bytes, todo: Any) -> Optional[bytes]:
        new = fix_file(path, data, todo)
        if path.endswith("bad.py"):
            Path(path).write_bytes(EDIT + data)  # an editor saves while seedlint works
        return new

    monkeypatch.setattr(fixes, "fix_file", fix_then_user_saves)
    run = lint(capsys, "--no-cache", "--fix", "--unsafe-fixes", ".")
    assert TRACEBACK not in run.err
    assert (proj / "bad.py").read_bytes().startswith(EDIT)
    assert run.rc == 2
    one_error(run, "bad.py", "not written")


def test_write_atomic_refuses_a_file_changed_since_it_was_read(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_bytes(b"old = 1\n")
    path.write_bytes(b"edited = 1\n")
    with pytest.raises(OSError, match="changed"):
        fixes.write_atomic(str(path), b"new = 1\n", expected=b"old = 1\n")
    assert path.read_bytes() == b"edited = 1\n"
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left
    fixes.write_atomic(str(path), b"new = 1\n", expected=b"edited = 1\n")
    assert path.read_bytes() == b"new = 1\n"


def _deny(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Opening a file named ``name`` fails as a chmod 000 file does for a user that is not
    root (root reads anything)."""
    os_open, builtin_open = os.open, open

    def denied(path: Any) -> bool:
        return isinstance(path, (str, bytes, os.PathLike)) and os.fsdecode(path).endswith(name)

    def fake_os_open(path: Any, *args: Any, **kwargs: Any) -> int:
        if denied(path):
            raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(path))
        return os_open(path, *args, **kwargs)

    def fake_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if denied(file):
            raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(file))
        return builtin_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "open", fake_os_open)
    monkeypatch.setattr("builtins.open", fake_open)


def test_unreadable_file(proj: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    project(proj, {"secret.py": GOOD})
    if IS_ROOT:
        _deny(monkeypatch, "secret.py")
    else:
        (proj / "secret.py").chmod(0)
    try:
        run = lint(capsys, "--no-cache", ".")
    finally:
        (proj / "secret.py").chmod(0o644)
    completed(run, 2)
    one_error(run, "secret.py", "cannot read file", "Permission denied")


def test_directory_named_like_a_python_file(proj: Path, capsys) -> None:
    project(proj, {"x.py/inner.txt": b"x\n"})
    run = lint(capsys, "--no-cache", ".")
    completed(run, 1)
    assert run.errors() == []
    run = lint(capsys, "--no-cache", "good.py", "x.py")  # given: a folder without Python files
    completed(run, 1)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_fifo_in_a_walked_folder_is_skipped(tmp_path: Path) -> None:
    project(tmp_path, {})
    os.mkfifo(tmp_path / "pipe.py")
    run = process(["--no-cache", "."], tmp_path, timeout=30)
    completed(run, 1)
    assert run.errors() == []
    assert "1 file" in run.err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_fifo_given_on_the_command_line_does_not_hang(tmp_path: Path) -> None:
    project(tmp_path, {})
    os.mkfifo(tmp_path / "pipe.py")
    run = process(["--no-cache", "good.py", "pipe.py"], tmp_path, timeout=30)
    completed(run, 2)
    one_error(run, "pipe.py", "not a regular file")


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_endless_device_given_on_the_command_line(tmp_path: Path) -> None:
    project(tmp_path, {})
    run = process(["--no-cache", "good.py", "/dev/zero"], tmp_path, timeout=30)
    completed(run, 2)
    one_error(run, "/dev/zero", "not a regular file")


def test_symlink_loop(proj: Path, capsys) -> None:
    project(proj, {})
    (proj / "a.py").symlink_to("b.py")
    (proj / "b.py").symlink_to("a.py")
    run = lint(capsys, "--no-cache", ".")
    completed(run, 2)
    assert sorted(e.split(":")[2].strip() for e in run.errors()) == ["a.py", "b.py"]
    assert all("symbolic links" in e for e in run.errors())


def test_symlink_to_a_file_outside_the_tree_is_not_linted(tmp_path: Path, capsys, monkeypatch):
    outside = tmp_path / "outside.py"
    outside.write_bytes(GOOD)
    root = project(tmp_path / "proj", {})
    (root / "out.py").symlink_to(outside)
    monkeypatch.chdir(root)
    run = lint(capsys, "--no-cache", ".")
    completed(run, 1)
    assert run.lines("out.py") == [] and run.errors() == []


def test_symlink_to_a_parent_folder_is_not_followed(proj: Path, capsys) -> None:
    project(proj, {"sub/inner.py": GOOD})
    (proj / "sub" / "up").symlink_to("..")
    start = time.monotonic()
    run = lint(capsys, "--no-cache", ".")
    completed(run, 1)
    assert time.monotonic() - start < 10
    assert run.out.count("RNG101") == 2  # good.py and sub/inner.py, once each
    assert "2 files" in run.err


def test_dangling_symlink_in_a_walked_folder(proj: Path, capsys) -> None:
    project(proj, {})
    (proj / "dangling.py").symlink_to("nowhere.py")
    run = lint(capsys, "--no-cache", ".")
    completed(run, 2)
    one_error(run, "dangling.py", "cannot read file", "No such file or directory")


# --- internal errors ----------------------------------------------------------------------------


def test_internal_error_in_one_files_analysis(
    proj: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    project(proj, {"bad.py": GOOD})
    analyse = runner.analyse_module

    def boom(module: Any, path: str, *args: Any, **kwargs: Any) -> Any:
        if path.endswith("bad.py"):
            raise RuntimeError("boom")
        return analyse(module, path, *args, **kwargs)

    monkeypatch.setattr(runner, "analyse_module", boom)
    run = lint(capsys, "--no-cache", "--jobs", "1", ".")
    completed(run, 2)
    one_error(run, "bad.py", "internal error", "RuntimeError: boom")
    assert run.lines("bad.py") == []


def test_internal_error_in_a_rule_for_one_file(
    proj: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    from seedlint.rules.generators import UnseededNumpyGenerator

    project(proj, {"bad.py": GOOD})
    check = UnseededNumpyGenerator.check_call

    def boom(self: Any, ctx: Any, site: Any) -> None:
        if ctx.path.endswith("bad.py"):
            raise KeyError("boom")
        check(self, ctx, site)

    monkeypatch.setattr(UnseededNumpyGenerator, "check_call", boom)
    run = lint(capsys, "--no-cache", "--jobs", "1", ".")
    completed(run, 2)  # good.py's RNG101 comes from the same rule
    one_error(run, "bad.py", "internal error", "KeyError")


def test_internal_error_in_a_whole_program_rule(
    proj: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    from seedlint.rules import seeding

    project(proj, {"main.py": b"import random\nrandom.random()\n"})

    def boom(self: Any, program: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(seeding._UnseededGlobal, "check_program", boom)
    run = lint(capsys, "--no-cache", ".")
    completed(run, 2)  # the per-file findings are kept
    assert run.errors()
    assert all("whole-program analysis: RuntimeError: boom" in e for e in run.errors())


def test_internal_error_in_one_files_fix(
    proj: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    project(proj, {"bad.py": FIXABLE})
    fix_file = fixes.fix_file

    def boom(path: str, data: bytes, todo: Any) -> Optional[bytes]:
        if path.endswith("bad.py"):
            raise RuntimeError("boom")
        return fix_file(path, data, todo)

    monkeypatch.setattr(fixes, "fix_file", boom)
    run = lint(capsys, "--no-cache", "--fix", "--unsafe-fixes", ".")
    assert run.rc == 2
    one_error(run, "bad.py", "RuntimeError: boom")
    assert b"derive_seed" in (proj / "good.py").read_bytes()


# --- safety: never run the analysed code --------------------------------------------------------


def _plant(root: Path, marker: Path, names: list[str]) -> None:
    """Files that write ``marker-NAME`` when imported or run."""
    for name in names:
        code = f"open({str(marker)!r} + '-{name.replace('/', '_')}', 'w').write('ran')\n"
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(code + GOOD.decode())
    (root / "evil.pth").write_text(f"import os; open({str(marker)!r} + '-pth', 'w')\n")


PLANTED = [
    "mod.py",
    "sitecustomize.py",
    "usercustomize.py",
    "conftest.py",
    "setup.py",
    "__main__.py",
    "pkg/__init__.py",
    "pkg/__main__.py",
]
# Module names seedlint (or what it imports) imports after start-up.
SHADOWING = ["tomllib.py", "difflib.py", "tempfile.py", "libcst.py", "numpy.py", "torch.py"]


def _console_script() -> Optional[list[str]]:
    script = Path(sys.executable).with_name("seedlint")
    return [str(script)] if script.exists() else None


@pytest.mark.parametrize("how", ["console-script", "python-m"])
def test_analysed_code_is_never_run(tmp_path: Path, how: str) -> None:
    command = _console_script() if how == "console-script" else None
    if how == "console-script" and command is None:
        pytest.skip("no seedlint console script next to this interpreter")
    root = project(tmp_path / "proj", {})
    marker = tmp_path / "MARKER"
    _plant(root, marker, PLANTED + (SHADOWING if how == "console-script" else []))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    for args in (["."], ["--fix", "--unsafe-fixes", "."]):
        run = process(args, root, env=env, command=command)
        assert TRACEBACK not in run.err, run.err
        assert run.rc in (0, 1), run.err
    assert sorted(p.name for p in tmp_path.glob("MARKER*")) == []
    assert b"derive_seed" in (root / "mod.py").read_bytes()  # it was fixed, not run


def test_python_m_does_not_import_modules_of_the_linted_folder(tmp_path: Path) -> None:
    root = project(tmp_path / "proj", {})
    marker = tmp_path / "MARKER"
    _plant(root, marker, SHADOWING)
    run = process(["."], root)
    assert sorted(p.name for p in tmp_path.glob("MARKER*")) == []
    assert run.rc == 1


def test_cache_entry_planted_in_the_repository_is_not_executed(tmp_path: Path) -> None:
    root = project(tmp_path / "proj", {})
    marker = tmp_path / "MARKER-cache"
    # what an attacker computes from the public seedlint sources, in the victim's setup
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys\n"
            "from seedlint.config import Settings\n"
            "from seedlint.engine.runner import make_cache\n"
            "from seedlint.rules.base import all_rules\n"
            "s = Settings(); r = all_rules()\n"
            "c = make_cache(s, s.enabled(r, {k: v.default for k, v in r.items()}))\n"
            "print(c._file(c.key('good.py', open('good.py', 'rb').read())))\n",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    entry = Path(root, probe.stdout.strip())
    entry.parent.mkdir(parents=True)
    # pickle protocol 0: exec("open(marker, 'w')")
    payload = f"open({str(marker)!r}, 'w').write('ran')"
    entry.write_bytes(b"c__builtin__\nexec\n(V" + payload.encode() + b"\ntR.")
    command = _console_script() or [sys.executable, "-I", "-m", "seedlint"]
    run = process(["."], root, command=command)
    assert not marker.exists()
    assert run.rc == 1


# --- safety: what --fix writes -------------------------------------------------------------------


def test_fix_does_not_write_through_a_link_out_of_the_tree(tmp_path: Path, capsys, monkeypatch):
    outside = tmp_path / "outside.py"
    outside.write_bytes(FIXABLE)
    root = project(tmp_path / "proj", {"fixme.py": FIXABLE})
    (root / "link.py").symlink_to(outside)
    monkeypatch.chdir(root)
    run = lint(capsys, "--no-cache", "--fix", "--unsafe-fixes", ".")
    assert TRACEBACK not in run.err and run.rc == 0, run.err
    assert outside.read_bytes() == FIXABLE  # links out of the tree are not even read
    assert b"derive_seed" in (root / "fixme.py").read_bytes()
    assert (root / "link.py").is_symlink()


def test_fix_of_a_link_given_explicitly_writes_its_target(tmp_path: Path, capsys, monkeypatch):
    """What seedlint does now: a link named on the command line is fixed through to its target
    (the link stays a link), as an editor would save it."""
    outside = tmp_path / "outside.py"
    outside.write_bytes(FIXABLE)
    root = project(tmp_path / "proj", {})
    (root / "link.py").symlink_to(outside)
    monkeypatch.chdir(root)
    run = lint(capsys, "--no-cache", "--fix", "--unsafe-fixes", "link.py")
    assert TRACEBACK not in run.err and run.rc == 0, run.err
    assert (root / "link.py").is_symlink()
    assert b"derive_seed" in outside.read_bytes()
    assert list(tmp_path.glob(".seedlint-*.tmp")) == []


@pytest.mark.parametrize("mode", [0o640, 0o755])
def test_fix_replaces_atomically_and_keeps_the_mode(proj: Path, capsys, mode: int) -> None:
    project(proj, {"bad.py": FIXABLE})
    (proj / "bad.py").chmod(mode)
    inode = (proj / "bad.py").stat().st_ino
    run = lint(capsys, "--no-cache", "--fix", "--unsafe-fixes", ".")
    assert TRACEBACK not in run.err and run.rc == 0, run.err
    st = (proj / "bad.py").stat()
    assert stat.S_IMODE(st.st_mode) == mode
    assert st.st_ino != inode  # a new file renamed into place, not rewritten in place
    assert b"derive_seed" in (proj / "bad.py").read_bytes()
    assert list(proj.glob(".seedlint-*")) == []


@pytest.mark.skipif(not IS_ROOT, reason="only root can give a file to another user")
def test_fix_keeps_the_owner(proj: Path, capsys) -> None:
    project(proj, {"bad.py": FIXABLE})
    os.chown(proj / "bad.py", 12345, 23456)
    run = lint(capsys, "--no-cache", "--fix", "--unsafe-fixes", ".")
    assert run.rc == 0, run.err
    st = (proj / "bad.py").stat()
    assert (st.st_uid, st.st_gid) == (12345, 23456)


def test_fix_in_a_read_only_folder_is_an_error_and_changes_nothing(
    proj: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = project(proj / "ro", {"bad.py": FIXABLE})
    (folder / "good.py").unlink()
    (proj / "good.py").write_bytes(GOOD)
    if IS_ROOT:  # root writes anywhere: the rename fails as it would for a user
        replace = os.replace

        def refuse(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
            if os.fsdecode(dst).endswith("bad.py"):
                raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(dst))
            replace(src, dst, *args, **kwargs)

        monkeypatch.setattr(os, "replace", refuse)
    else:
        folder.chmod(0o555)
    try:
        run = lint(capsys, "--no-cache", "--fix", "--unsafe-fixes", ".")
    finally:
        folder.chmod(0o755)
    assert TRACEBACK not in run.err
    assert run.rc == 2
    (error,) = set(run.errors())  # reported twice, see the next test
    assert error.startswith("seedlint: error: ro/bad.py: not written: ") and "Permission" in error
    assert (folder / "bad.py").read_bytes() == FIXABLE
    assert sorted(p.name for p in folder.iterdir()) == ["bad.py"]  # no temporary file left
    assert b"derive_seed" in (proj / "good.py").read_bytes()  # the other file was fixed


def test_not_written_is_reported_once(proj: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    project(proj, {"bad.py": FIXABLE})
    replace = os.replace

    def refuse(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        if os.fsdecode(dst).endswith("bad.py"):
            raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(dst))
        replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", refuse)
    run = lint(capsys, "--no-cache", "--fix", "--unsafe-fixes", ".")
    assert run.rc == 2
    one_error(run, "bad.py", "not written")
    assert "1 file could not be checked" in run.err


def test_leftover_temporary_files_are_not_linted(proj: Path, capsys) -> None:
    project(proj, {".seedlint-abc123.tmp": b"x = (\n", "sub/.seedlint-def456.tmp": b"\0"})
    run = lint(capsys, "--no-cache", ".")
    completed(run, 1)
    assert "1 file" in run.err and "tmp" not in run.out


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_killed_fix_run_leaves_every_file_old_or_new(tmp_path: Path, record_property) -> None:
    """SIGKILL at random moments of ``--fix --unsafe-fixes`` on many files: each file is exactly
    its old or its new content; a later run finishes the job."""
    count = 150
    names = [f"m{i:03d}.py" for i in range(count)]
    orig = tmp_path / "orig"
    orig.mkdir()
    for name in names:
        (orig / name).write_bytes(FIXABLE)
    command = [sys.executable, "-m", "seedlint", "--fix", "--unsafe-fixes", "."]

    full = tmp_path / "full"
    shutil.copytree(orig, full)
    start = time.monotonic()
    done = subprocess.run(command, cwd=full, capture_output=True, text=True, timeout=120)
    took = time.monotonic() - start
    assert done.returncode == 0, done.stderr
    new = {name: (full / name).read_bytes() for name in names}
    assert all(data != FIXABLE for data in new.values())

    rng = random.Random()  # noqa: RNG102 - kill moments are random on purpose
    results = []
    for it in range(4):
        work = tmp_path / f"run{it}"
        shutil.copytree(orig, work)
        first = work / names[0]
        inode = first.stat().st_ino
        proc = subprocess.Popen(
            command, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            if it == 0:  # anywhere in the run
                time.sleep(rng.uniform(0.1, took))
            else:  # while the files are being replaced (all of them take about 50 ms)
                deadline = time.monotonic() + 60
                while first.stat().st_ino == inode and proc.poll() is None:
                    assert time.monotonic() < deadline
                    time.sleep(0.001)
                time.sleep(rng.uniform(0, 0.04))
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        contents = {name: (work / name).read_bytes() for name in names}
        torn = [n for n, data in contents.items() if data not in (FIXABLE, new[n])]
        left = sorted(p.name for p in work.glob(".seedlint-*.tmp"))
        fixed = sum(contents[n] == new[n] for n in names)
        cache_left = len(list(work.glob(".seedlint_cache/**/*.tmp")))
        results.append(
            {"fixed": fixed, "torn": len(torn), "temp_left": len(left), "cache_temp": cache_left}
        )
        assert torn == [], torn
        assert len(left) <= 1  # at most the one file being written when killed
    record_property("kill_results", results)
    print(f"full run {took:.1f} s; killed runs: {results}")

    # A later run finishes the job, and a leftover temporary file is not linted.
    last = tmp_path / "run3"
    (last / ".seedlint-leftover.tmp").write_bytes(b"x = (\n")
    again = subprocess.run(command, cwd=last, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert f"({count} files checked)" in again.stderr
    assert all((last / n).read_bytes() == new[n] for n in names)


# --- configuration ------------------------------------------------------------------------------

CONFIG_ERRORS = {
    "invalid-toml": (b"[tool.seedlint\nselect = [", "invalid TOML"),
    "not-utf8": (b"[tool.seedlint]\n# caf\xe9\n", "not UTF-8"),
    "nested-too-deeply": (
        b"[tool.seedlint]\nselect = ['RNG']\n[tool.x]\ny = " + b"[" * 50_000 + b"]" * 50_000,
        "nested too deeply",
    ),
    "select-int": (b"[tool.seedlint]\nselect = 3\n", "select must be a list of strings"),
    "seed-functions-int": (b"[tool.seedlint]\nseed-functions = 3\n", "seed-functions must"),
    "exclude-ints": (b"[tool.seedlint]\nexclude = [1]\n", "exclude must be a list of strings"),
    "per-file-ignores-list": (b"[tool.seedlint]\nper-file-ignores = []\n", "per-file-ignores"),
    "per-file-ignores-int": (
        b'[tool.seedlint]\nper-file-ignores = {"a.py" = 3}\n',
        "per-file-ignores.a.py must be a list of strings",
    ),
    "scope-list": (b"[tool.seedlint]\nscope = []\n", "scope must be one of"),
    "unknown-key": (b"[tool.seedlint]\nselekt = ['RNG']\n", "unknown key 'selekt'"),
    "unknown-code": (b"[tool.seedlint]\nignore = ['RNG777']\n", "'RNG777'"),
    "not-a-table": (b"[tool]\nseedlint = 3\n", "must be a table"),
    "bad-seed-function": (b"[tool.seedlint]\nseed-functions = ['a b']\n", "'a b'"),
}


@pytest.mark.parametrize(
    ("toml", "expected"), list(CONFIG_ERRORS.values()), ids=list(CONFIG_ERRORS)
)
def test_bad_configuration_is_one_clear_error(
    proj: Path, capsys, toml: bytes, expected: str
) -> None:
    project(proj, {"pyproject.toml": toml})
    run = lint(capsys, "--no-cache", ".")
    assert TRACEBACK not in run.err
    assert run.rc == 2
    assert run.out == ""
    (line,) = run.err.strip().splitlines()
    assert line.startswith("seedlint: error: ") and "pyproject.toml" in line, line
    assert expected in line, line


def test_bad_configuration_real_process(tmp_path: Path) -> None:
    project(tmp_path, {"pyproject.toml": CONFIG_ERRORS["nested-too-deeply"][0]})
    run = process(["--no-cache", "."], tmp_path)
    assert TRACEBACK not in run.err
    assert run.rc == 2
    assert len(run.err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("toml", "reported"),
    [
        (b'[tool.seedlint]\nselect = "RNG1"\n', True),  # one code as a string: accepted
        (b'[tool.seedlint]\nselect = "RNG2"\n', False),
        (b"[tool.seedlint]\nentry-points = ['[']\n", True),  # an odd pattern matches nothing
        (b"[tool.seedlint]\nselect = []\n", False),  # nothing selected
    ],
    ids=["select-string", "select-string-other", "odd-pattern", "select-nothing"],
)
def test_unusual_but_valid_configuration(proj: Path, capsys, toml: bytes, reported: bool) -> None:
    project(proj, {"pyproject.toml": toml})
    run = lint(capsys, "--no-cache", ".")
    assert TRACEBACK not in run.err
    assert run.rc == (1 if reported else 0), run.err
    assert (GOOD_FINDING in run.out) == reported


def test_enormous_seed_functions_list(proj: Path, capsys) -> None:
    names = ", ".join(f'"pkg{i}.reseed_{i}"' for i in range(100_000))
    toml = f'[tool.seedlint]\nseed-functions = [{names}, "labtools.reseed"]\n'
    project(
        proj,
        {
            "pyproject.toml": toml.encode(),
            "main.py": b"import random\nfrom labtools import reseed\n\nreseed(0)\nrandom.random()\n",
            "other.py": b"import random\n\nrandom.random()\n",
        },
    )
    start = time.monotonic()
    run = lint(capsys, "--no-cache", ".")
    seconds = time.monotonic() - start
    completed(run, 1)
    assert run.lines("main.py") == []  # labtools.reseed seeds
    assert [ln.split(" ")[1] for ln in run.lines("other.py")] == ["RNG001"]
    assert seconds < 15


def test_config_file_that_is_a_folder(proj: Path, capsys) -> None:
    project(proj, {"conf/x": b""})
    run = lint(capsys, "--no-cache", "--config", "conf", ".")
    assert TRACEBACK not in run.err and run.rc == 2
    assert run.err.strip().splitlines() == ["seedlint: error: conf: config file not found"]


# --- the limits themselves ----------------------------------------------------------------------


def test_deep_guard_passes_ordinary_and_python_accepted_nesting() -> None:
    assert not source._may_be_deep(Path(runner.__file__).read_bytes())
    calls = b"x = " + b"f(" * 150 + b"1" + b")" * 150 + b"\n"  # CPython accepts 200 levels
    assert source._may_be_deep(calls)
    assert isinstance(source.parse(calls, "m.py"), libcst.Module)


def test_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source, "MAX_BYTES", 100)
    at_limit = b"x = 1  #" + b"." * 91 + b"\n"
    assert len(at_limit) == 100
    assert isinstance(source.parse(at_limit, "m.py"), libcst.Module)
    over = source.parse(at_limit + b"\n", "m.py")
    assert not isinstance(over, libcst.Module) and "too large" in over.message
    path = tmp_path / "m.py"
    path.write_bytes(at_limit * 50)
    assert len(runner._read(str(path))) == 101  # no need to hold more of it
    notebook = tmp_path / "m.ipynb"
    notebook.write_bytes(at_limit * 50)
    assert len(runner._read(str(notebook))) == 5000  # outputs do not count
