"""``--format sarif``: a SARIF 2.1.0 log that validates against the official schema
(``tests/data/sarif-schema-2.1.0.json``), with every rule described, results at the same
positions as the text format, URIs percent-encoded, and fixes as text replacements that give
exactly what ``--fix`` writes."""

from __future__ import annotations

import io
import json
import os
import random
import re
import sys
import textwrap
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema
import pytest

from seedlint import __version__, fixes
from seedlint.cli import main
from seedlint.findings import FileError, Finding, Fix, Report, Span
from seedlint.report import REPORTERS, sarif
from seedlint.rules.base import all_rules
from tests.conftest import write_tree

SCHEMA_PATH = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"

# --- validation -------------------------------------------------------------------------------

# RFC 3986: the characters a URI (reference) may hold; "%" only as "%XX".
_URI_CHARS = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


def _uri_reference(value: object) -> bool:
    return not isinstance(value, str) or _URI_CHARS.fullmatch(value) is not None


def _uri(value: object) -> bool:
    return not isinstance(value, str) or (
        _URI_CHARS.fullmatch(value) is not None and _SCHEME.match(value) is not None
    )


def _validator() -> Any:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)  # the schema's own draft (draft-04)
    cls.check_schema(schema)
    # jsonschema checks "uri" / "uri-reference" only with optional packages: check them here
    checker = jsonschema.FormatChecker()
    checker.checks("uri")(_uri)
    checker.checks("uri-reference")(_uri_reference)
    return cls(schema, format_checker=checker)


VALIDATOR = _validator()


def validate(log: Any) -> None:
    errors = sorted(VALIDATOR.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def test_the_validator_checks_formats() -> None:
    good = {"version": "2.1.0", "runs": []}
    validate(good)
    with pytest.raises(AssertionError):
        validate({**good, "$schema": "not a uri"})
    bad_location = {
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "x"}},
                "results": [
                    {
                        "message": {"text": "m"},
                        "locations": [
                            {"physicalLocation": {"artifactLocation": {"uri": "a b.py"}}}
                        ],
                    }
                ],
            }
        ],
    }
    with pytest.raises(AssertionError):
        validate(bad_location)


# --- running the command ----------------------------------------------------------------------


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        # RNG305 (every loader with workers) is on: its fix is RNG301's, on single-process code
        rc = main(["--isolated", "--no-cache", "--extend-select", "RNG305", *args])
    except SystemExit as exc:
        rc = exc.code if isinstance(exc.code, int) else 2
    out, err = capsys.readouterr()
    return rc, out, err


def sarif_run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    rc, out, _ = cli(capsys, "--format", "sarif", *args)
    log = json.loads(out)
    validate(log)
    return rc, log


@pytest.fixture
def proj(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


TRAIN = """\
\"\"\"Train a model.\"\"\"
import numpy as np
import torch
from torch.utils.data import DataLoader


def main():
    x = np.random.rand(3)
    loader = DataLoader([1, 2], num_workers=2)
    y = torch.randn(3, device="cuda")
    return x, loader, y


if __name__ == "__main__":
    main()
"""


def the_run(log: dict[str, Any]) -> dict[str, Any]:
    assert len(log["runs"]) == 1
    run: dict[str, Any] = log["runs"][0]
    return run


def location(result: dict[str, Any]) -> tuple[str, int, int, str]:
    phys = result["locations"][0]["physicalLocation"]
    region = phys["region"]
    return (
        unquote(phys["artifactLocation"]["uri"]),
        region["startLine"],
        region["startColumn"],
        result["ruleId"],
    )


# --- the log ----------------------------------------------------------------------------------


def test_project_with_fixes_syntax_error_and_unreadable_file(proj: Path, capsys) -> None:
    write_tree(proj, {"train.py": TRAIN})
    (proj / "broken.py").write_text("def f(:\n    pass\n")
    paths = ["train.py", "broken.py"]
    if hasattr(os, "symlink"):
        try:
            os.symlink("nowhere.py", proj / "gone.py")
            paths.append("gone.py")
        except OSError:
            pass
    rc, log = sarif_run(capsys, *paths)
    assert rc == (2 if "gone.py" in paths else 1)
    assert log["version"] == "2.1.0"
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    run = the_run(log)
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["newlineSequences"] == ["\r\n", "\r", "\n"]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == proj.resolve().as_uri() + "/"
    driver = run["tool"]["driver"]
    assert driver["name"] == "seedlint"
    assert driver["version"] == __version__
    assert "informationUri" not in driver
    results = run["results"]
    codes = sorted(r["ruleId"] for r in results)
    assert codes == ["RNG002", "RNG003", "RNG305", "RNG401", "RNG999"]
    rule_ids = [rule["id"] for rule in driver["rules"]]
    for r in results:
        assert rule_ids[r["ruleIndex"]] == r["ruleId"]
        assert r["level"] == ("error" if r["ruleId"] == "RNG999" else "warning")
        assert r["message"]["text"]
        loc = r["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert set(loc["region"]) == {"startLine", "startColumn", "endLine", "endColumn"}
    by_code = {r["ruleId"]: r for r in results}
    assert by_code["RNG002"]["properties"] == {"entryPoint": "train.py", "context": "program"}
    assert by_code["RNG305"]["fixes"][0]["properties"] == {"applicability": "safe"}
    assert by_code["RNG401"]["fixes"][0]["properties"] == {"applicability": "safe"}
    assert by_code["RNG002"]["fixes"][0]["properties"] == {"applicability": "unsafe"}
    assert "fixes" not in by_code["RNG999"]
    assert by_code["RNG999"]["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "broken.py",
        "uriBaseId": "%SRCROOT%",
    }
    (invocation,) = run["invocations"]
    if "gone.py" in paths:
        assert invocation["executionSuccessful"] is False
        (note,) = invocation["toolExecutionNotifications"]
        assert note["level"] == "error"
        assert note["message"]["text"].startswith("cannot read file")
        assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "gone.py"
    else:
        assert invocation["executionSuccessful"] is True


def test_every_rule_is_described(proj: Path, capsys) -> None:
    (proj / "a.py").write_text("x = 1\n")
    _, log = sarif_run(capsys, "a.py")
    rules = the_run(log)["tool"]["driver"]["rules"]
    expected = all_rules()
    assert [r["id"] for r in rules] == list(expected)
    for desc in rules:
        cls = expected[desc["id"]]
        assert desc["name"] == cls.name
        assert desc["shortDescription"] == {"text": cls.summary}
        full = desc["fullDescription"]["text"]
        assert full == full.strip() and full
        assert " ".join(full.split()) == " ".join(cls.what.split())
        assert "\n" not in full.replace("\n\n", "")  # hard wraps joined, paragraphs kept
        assert desc["help"] == {"text": cls.explain(), "markdown": cls.explain()}
        assert desc["defaultConfiguration"] == {
            "enabled": cls.default,
            "level": "error" if cls.code == "RNG999" else "warning",
        }
        assert "helpUri" not in desc
        props = desc["properties"]
        assert "reproducibility" in props["tags"]
        assert props["fixable"] is (cls.fixable is not None)
        assert props.get("fixApplicability") == cls.fixable
    assert any(not r["defaultConfiguration"]["enabled"] for r in rules)  # RNG502 is off


def test_empty_report_is_valid(proj: Path, capsys) -> None:
    (proj / "a.py").write_text("import random\n\nrandom.seed(0)\nprint(random.random())\n")
    rc, log = sarif_run(capsys, "a.py")
    assert rc == 0
    run = the_run(log)
    assert run["results"] == []
    assert run["invocations"] == [
        {
            "executionSuccessful": True,
            "toolExecutionNotifications": [],
            "workingDirectory": {"uri": proj.resolve().as_uri() + "/"},
        }
    ]
    buf = io.StringIO()
    sarif.write(Report(), buf)
    validate(json.loads(buf.getvalue()))


@pytest.mark.parametrize("extra", [[], ["--exit-zero"]])
def test_exit_status_is_the_same_as_with_text(proj: Path, capsys, extra: list[str]) -> None:
    write_tree(
        proj,
        {
            "dirty.py": TRAIN,
            "clean.py": "import random\n\nrandom.seed(0)\n",
            "broken.py": "def f(:\n",
        },
    )
    for paths in (["dirty.py"], ["clean.py"], ["broken.py"], ["missing.py"]):
        text_rc, _, _ = cli(capsys, *extra, *paths)
        sarif_rc, out, _ = cli(capsys, "--format", "sarif", *extra, *paths)
        assert sarif_rc == text_rc, paths
        if paths != ["missing.py"]:  # a usage error prints no report
            validate(json.loads(out))
    assert "sarif" in REPORTERS


def test_positions_match_the_text_format(proj: Path, capsys) -> None:
    (proj / "t.py").write_text(
        "import numpy as np\nimport torch\n\n\ndef main():\n"
        '\tπ = "é😀"; x = np.random.rand(3)\n'
        '\ts = "𝔘"; g = torch.Generator(); y = torch.randn(2, device="cuda")\n'
        "\treturn π, x, s, g, y\n\n\n"
        'if __name__ == "__main__":\n    main()\n',
        encoding="utf-8",
    )
    _, text_out, _ = cli(capsys, "t.py")
    rows = []
    for line in text_out.splitlines():
        m = re.match(r"^(.+?):(\d+):(\d+): (RNG\d{3})", line)
        assert m, line
        rows.append((m[1], int(m[2]), int(m[3]), m[4]))
    _, log = sarif_run(capsys, "t.py")
    results = the_run(log)["results"]
    assert [location(r) for r in results] == rows
    assert len(rows) >= 3
    _, json_out, _ = cli(capsys, "--format", "json", "t.py")
    ends = [(d["end_line"], d["end_column"]) for d in json.loads(json_out)]
    assert [
        (
            r["locations"][0]["physicalLocation"]["region"]["endLine"],
            r["locations"][0]["physicalLocation"]["region"]["endColumn"],
        )
        for r in results
    ] == ends


def test_paths_with_spaces_and_unicode_are_percent_encoded(proj: Path, capsys) -> None:
    rel = "my dir/ünï cödé 50%.py"
    write_tree(proj, {rel: "import numpy as np\n\nx = np.random.default_rng()\n"})
    _, log = sarif_run(capsys, "my dir")
    (result,) = the_run(log)["results"]
    artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {
        "uri": "my%20dir/%C3%BCn%C3%AF%20c%C3%B6d%C3%A9%2050%25.py",
        "uriBaseId": "%SRCROOT%",
    }
    assert unquote(artifact["uri"]) == rel
    # an absolute path: a file:// URI, no base
    absolute = str(proj / rel)
    _, log = sarif_run(capsys, absolute)
    (result,) = the_run(log)["results"]
    artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": Path(absolute).as_uri()}
    assert artifact["uri"].startswith("file:///")
    assert " " not in artifact["uri"] and "ü" not in artifact["uri"]


def test_artifact_location() -> None:
    assert sarif.artifact_location("a.py") == {"uri": "a.py", "uriBaseId": "%SRCROOT%"}
    assert sarif.artifact_location("./src/a b.py")["uri"] == "src/a%20b.py"
    assert sarif.artifact_location("../x/a:b#c?.py")["uri"] == "../x/a%3Ab%23c%3F.py"
    if os.sep == "\\":
        assert sarif.artifact_location("src\\a.py")["uri"] == "src/a.py"


# --- fixes ------------------------------------------------------------------------------------


def _offset(starts: list[int], text: str, line: int, column: int) -> int:
    assert 1 <= line <= len(starts), (line, len(starts))
    offset = starts[line - 1] + column - 1
    line_end = starts[line] if line < len(starts) else len(text)
    assert starts[line - 1] <= offset <= line_end
    # a position is in a line or at its end, never between the CR and LF of its line break
    assert not (0 < offset < len(text) and text[offset - 1 : offset + 1] == "\r\n")
    return offset


def apply_replacements(text: str, replacements: list[dict[str, Any]]) -> str:
    """Apply SARIF replacements (regions of the original text, not overlapping)."""
    starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
    edits = []
    for rep in replacements:
        region = rep["deletedRegion"]
        lo = _offset(starts, text, region["startLine"], region["startColumn"])
        hi = _offset(starts, text, region["endLine"], region["endColumn"])
        assert lo <= hi
        edits.append((lo, hi, rep.get("insertedContent", {}).get("text", "")))
    edits.sort()
    for (_, hi, _), (lo, _, _) in zip(edits, edits[1:]):
        assert hi <= lo, "overlapping replacements"
    for lo, hi, new in reversed(edits):
        text = text[:lo] + new + text[hi:]
    return text


def apply_in_order(text: str, replacements: list[dict[str, Any]]) -> str:
    """Apply them one after another as listed, each on the text the last one left."""
    for rep in replacements:
        text = apply_replacements(text, [rep])
    return text


def decode(data: bytes) -> str:
    return data.decode("utf-8-sig")


def fixes_by_code(log: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for result in the_run(log)["results"]:
        for fix in result.get("fixes", []):
            assert fix["description"]["text"]
            assert fix["properties"]["applicability"] in ("safe", "unsafe")
            out.setdefault(result["ruleId"], []).append(fix)
    return out


def expected_fixed(finding: Finding) -> dict[str, bytes]:
    out = {}
    for path, path_fixes in fixes.group([finding], unsafe=True).items():
        new = fixes.fix_source(Path(path).read_bytes(), path_fixes, path)
        assert new is not None
        out[path] = new
    return out


def findings_of(paths: list[str]) -> list[Finding]:
    from seedlint.engine.runner import lint_paths
    from seedlint.rules.base import all_rules

    rules = all_rules()
    codes = {code for code, rule in rules.items() if rule.default} | {"RNG305"}  # as `cli`
    return lint_paths(paths, codes=codes).findings


def assert_fixes_reproduce_fix_source(log: dict[str, Any], paths: list[str]) -> int:
    findings = findings_of(paths)
    results = the_run(log)["results"]
    assert len(findings) == len(results)
    checked = 0
    for finding, result in zip(findings, results):
        assert result["ruleId"] == finding.code
        if "fixes" not in result:
            continue
        (fix,) = result["fixes"]
        want = expected_fixed(finding)
        changes = fix["artifactChanges"]
        assert sorted(unquote(c["artifactLocation"]["uri"]) for c in changes) == sorted(want)
        for change in changes:
            path = unquote(change["artifactLocation"]["uri"])
            original = decode(Path(path).read_bytes())
            fixed = decode(want[path])
            assert apply_replacements(original, change["replacements"]) == fixed
            assert apply_in_order(original, change["replacements"]) == fixed
            checked += 1
    return checked


def test_fix_replacements_reproduce_fix_source(proj: Path, capsys) -> None:
    write_tree(proj, {"train.py": TRAIN})
    _, log = sarif_run(capsys, "train.py")
    by_code = fixes_by_code(log)
    assert {"RNG002", "RNG003", "RNG305", "RNG401"} <= set(by_code)
    assert assert_fixes_reproduce_fix_source(log, ["train.py"]) >= 4
    # RNG301: one insertion in the call, one import line (far from it)
    (rng301,) = by_code["RNG305"]
    reps = rng301["artifactChanges"][0]["replacements"]
    inserted = sorted(r["insertedContent"]["text"] for r in reps)
    assert inserted == [
        ", worker_init_fn=seed_worker",
        "from seedlint_runtime import seed_worker\n",
    ]
    # RNG401: only the characters that change
    (rng401,) = by_code["RNG401"]
    (rep,) = rng401["artifactChanges"][0]["replacements"]
    assert rep["deletedRegion"]["startLine"] == rep["deletedRegion"]["endLine"] == 10
    assert rep["insertedContent"]["text"] == ").to("
    # RNG002: the seed under the main guard and its import (sorted into the import block),
    # bottom first
    (rng002,) = by_code["RNG002"]
    reps = rng002["artifactChanges"][0]["replacements"]
    assert [r["deletedRegion"]["startLine"] for r in reps] == [15, 4]


def test_fix_in_another_file_and_several_entry_points(proj: Path, capsys) -> None:
    write_tree(
        proj,
        {
            "lib.py": "import numpy as np\n\n\ndef run():\n    return np.random.rand()\n",
            "main.py": 'import lib\n\nif __name__ == "__main__":\n    lib.run()\n',
            "other.py": 'import lib\n\nif __name__ == "__main__":\n    lib.run()\n',
        },
    )
    _, log = sarif_run(capsys, ".")
    (result,) = the_run(log)["results"]
    assert location(result)[0] == "lib.py"
    (fix,) = result["fixes"]
    assert [c["artifactLocation"]["uri"] for c in fix["artifactChanges"]] == [
        "main.py",
        "other.py",
    ]
    assert assert_fixes_reproduce_fix_source(log, ["."]) == 2


def test_fixes_keep_crlf_bom_and_non_ascii(proj: Path, capsys) -> None:
    source = (
        "# -*- coding: utf-8 -*-\n"
        "import torch\n"
        "from torch.utils.data import DataLoader\n"
        "\n"
        'NAME = "données 😀"; loader = DataLoader([1], num_workers=2, shuffle=True)\n'
        'noise = torch.rand(2, device="cuda:0")\n'
    )
    (proj / "crlf.py").write_bytes(source.replace("\n", "\r\n").encode("utf-8"))
    (proj / "bom.py").write_bytes(b"\xef\xbb\xbf" + source.encode("utf-8"))
    (proj / "cr.py").write_bytes(source.replace("\n", "\r").encode("utf-8"))
    _, log = sarif_run(capsys, "crlf.py", "bom.py", "cr.py")
    assert assert_fixes_reproduce_fix_source(log, ["crlf.py", "bom.py", "cr.py"]) == 6
    # libcst does not reproduce CR-only files, so fix_source refuses them: no fixes shown
    cr = [r for r in the_run(log)["results"] if location(r)[0] == "cr.py"]
    assert len(cr) == 3
    assert all("fixes" not in r for r in cr)
    for result in the_run(log)["results"]:
        for fix in result.get("fixes", []):
            for change in fix["artifactChanges"]:
                for rep in change["replacements"]:
                    if change["artifactLocation"]["uri"] == "crlf.py":  # its own line endings
                        assert not re.search(r"(?<!\r)\n", rep["insertedContent"]["text"])


def test_replacements_turn_old_into_new() -> None:
    """Random edits of text with every kind of line break and characters outside the BMP:
    the replacements give the new text, whether applied at once or one by one as listed."""
    rng = random.Random(0)
    alphabet = ["a", "b", " ", "\r", "\n", "\r\n", "é", "😀"]
    cases = [
        ("", ""),
        ("", "x\n"),
        ("x\n", ""),
        ("a\r\n", "a\rb\r\n"),  # a common prefix ending inside a CR LF
        ("a\r\nb", "a\nb"),
        ("a\r\n", "a\r\r\n"),
    ]
    for _ in range(400):
        old = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 30)))
        new = list(old)
        for _ in range(rng.randrange(1, 4)):
            at = rng.randrange(0, len(new) + 1)
            cut = rng.randrange(0, 3)
            new[at : at + cut] = [rng.choice(alphabet) for _ in range(rng.randrange(0, 3))]
        cases.append((old, "".join(new)))
    for old, new in cases:
        reps = sarif.replacements(old, new)
        assert apply_replacements(old, reps) == new, (old, new, reps)
        assert apply_in_order(old, reps) == new, (old, new, reps)
        if old == new:
            assert reps == []


def test_no_fixes_for_stdin(proj: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    source = "from torch.utils.data import DataLoader\n\nloader = DataLoader([1], num_workers=2)\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(source.encode())))
    rc, log = sarif_run(capsys, "--stdin-filename", "not here.py", "-")
    assert rc == 1
    (result,) = the_run(log)["results"]
    assert result["ruleId"] == "RNG305"
    assert "fixes" not in result
    assert "partialFingerprints" not in result
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "not%20here.py"


# --- written directly -------------------------------------------------------------------------


def render(report: Report) -> dict[str, Any]:
    buf = io.StringIO()
    sarif.write(report, buf)
    log = json.loads(buf.getvalue())
    validate(log)
    return log


def test_notebook_cell_fix_skipped_and_file_errors(proj: Path) -> None:
    (proj / "nb.ipynb").write_text('{"cells": []}')
    span = Span(2, 5, 2, 20, 2)
    report = Report(
        findings=[
            Finding(
                "RNG301",
                "no worker_init_fn",
                "nb.ipynb",
                span,
                fix=Fix.at(span, "safe", "add worker_init_fn", "worker-init"),
                cell=3,
            )
        ],
        errors=[
            FileError("nb.ipynb", "internal error while analysing: boom"),
            FileError("the project", "internal error in RNG001's whole-program analysis"),
        ],
        files=1,
    )
    run = the_run(render(report))
    (result,) = run["results"]
    assert result["properties"] == {"cell": 3, "context": "program"}
    assert result["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 2,
        "startColumn": 5,
        "endLine": 2,
        "endColumn": 20,
    }
    assert "fixes" not in result
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False
    first, second = invocation["toolExecutionNotifications"]
    assert first["level"] == second["level"] == "error"
    assert first["message"]["text"] == "internal error while analysing: boom"
    assert first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "nb.ipynb"
    assert "locations" not in second
    assert second["message"]["text"].startswith("the project: internal error in RNG001")


def test_notebook_findings_name_their_cell(proj: Path, capsys) -> None:
    cell = [
        "import numpy as np\n",
        "from torch.utils.data import DataLoader\n",
        "x = np.random.default_rng()\n",
        "loader = DataLoader([1], num_workers=2)\n",
    ]
    notebook = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# title\n"]},
            {
                "cell_type": "code",
                "execution_count": None,
                "metadata": {},
                "outputs": [],
                "source": cell,
            },
        ],
        "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (proj / "nb.ipynb").write_text(json.dumps(notebook, indent=1))
    _, text_out, _ = cli(capsys, "nb.ipynb")
    rows = [tuple(line.split(": ")[0].split(":")) for line in text_out.splitlines()]
    _, log = sarif_run(capsys, "nb.ipynb")
    results = the_run(log)["results"]
    assert len(results) == len(rows) >= 2
    for result, (path, where, line, col) in zip(results, rows):
        assert (path, where) == ("nb.ipynb", f"cell {result['properties']['cell']}")
        assert location(result)[:3] == ("nb.ipynb", int(line), int(col))
        assert "fixes" not in result  # notebook fixes are not expressed as text replacements


def test_fix_that_cannot_be_made_is_left_out(proj: Path) -> None:
    (proj / "broken.py").write_text("def f(:\n")
    (proj / "ok.py").write_text("x = 1\n")
    span = Span(1, 1, 1, 6, 1)
    unparsable = Fix.at(span, "safe", "add worker_init_fn", "worker-init")
    with pytest.raises(fixes.FixError):
        fixes.fix_source(b"def f(:\n", [unparsable])
    assert fixes.fix_source(b"x = 1\n", [unparsable]) is None  # no call there: no change
    report = Report(
        findings=[
            Finding("RNG301", "m", "broken.py", span, fix=unparsable),
            Finding("RNG301", "m", "ok.py", span, fix=unparsable),
            Finding("RNG301", "m", "gone.py", span, fix=unparsable),
        ]
    )
    for result in the_run(render(report))["results"]:
        assert "fixes" not in result


def test_fingerprints_are_stable(proj: Path, capsys) -> None:
    body = textwrap.dedent(
        """\
        import numpy as np

        a = np.random.default_rng(); b = np.random.default_rng()
        c = np.random.default_rng()
        """
    )
    (proj / "a.py").write_text(body)
    _, log = sarif_run(capsys, "a.py")

    def prints(log: dict[str, Any]) -> list[str]:
        return [r["partialFingerprints"]["seedlint/v1"] for r in the_run(log)["results"]]

    first = prints(log)
    assert len(set(first)) == 3
    # the same after lines move
    (proj / "a.py").write_text("\n\n# moved\n" + body)
    _, log = sarif_run(capsys, "a.py")
    assert prints(log) == first
    # and whatever order the report lists the findings in
    findings = findings_of(["a.py"])
    forward = render(Report(findings=findings))
    backward = render(Report(findings=findings[::-1]))
    assert prints(backward) == prints(forward)[::-1]
