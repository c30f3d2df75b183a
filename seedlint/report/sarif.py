"""``--format sarif``: one SARIF 2.1.0 log (https://docs.oasis-open.org/sarif/sarif/v2.1.0/).

One run: ``tool.driver`` describes every rule (not only those that fired), each finding is a
result at a region of its file, and a finding whose fix applies cleanly carries it as text
replacements. Columns are seedlint's own: 1-based, counted in Unicode code points
(``run.columnKind``), end column exclusive, as SARIF defines them. Relative paths are URIs
relative to ``%SRCROOT%``, the directory seedlint ran in (``run.originalUriBaseIds``).
"""

from __future__ import annotations

import bisect
import difflib
import hashlib
import io
import itertools
import json
import os
import re
import textwrap
import tokenize
from collections.abc import Sequence
from pathlib import Path, PurePath
from typing import Any, Optional, TextIO
from urllib.parse import quote

from seedlint import __version__, fixes
from seedlint.engine import notebook
from seedlint.findings import FileError, Finding, Fix, Report, Span
from seedlint.rules.base import Rule, all_rules

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
VERSION = "2.1.0"
SRCROOT = "%SRCROOT%"
#: partialFingerprints key; bump the version if the way the value is computed changes.
FINGERPRINT = "seedlint/v1"

# Python ends lines at CR LF, CR or LF only (not at form feeds or U+2028). SARIF's default is
# CR LF and LF: the run says so (``newlineSequences``), so a lone CR counts the same for both.
NEWLINES = ["\r\n", "\r", "\n"]
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")

JSON = dict[str, Any]


def write(report: Report, out: TextIO) -> None:
    json.dump(sarif_log(report), out, indent=2)
    out.write("\n")


def sarif_log(report: Report) -> JSON:
    """The SARIF log of ``report``, as JSON-ready data."""
    rules = all_rules()
    index = {code: i for i, code in enumerate(rules)}
    files = _Files()
    fingerprints = _fingerprints(report.findings, files)
    run: JSON = {
        "tool": {
            "driver": {
                "name": "seedlint",
                "version": __version__,
                "semanticVersion": __version__,
                # No informationUri / helpUri: the project has no published URL yet.
                "rules": [_rule(cls) for cls in rules.values()],
            }
        },
        "invocations": [_invocation(report.errors)],
        "columnKind": "unicodeCodePoints",
        "newlineSequences": NEWLINES,
        "results": [
            _result(f, index.get(f.code), fingerprints.get(i), files)
            for i, f in enumerate(report.findings)
        ],
    }
    cwd = _cwd_uri()
    if cwd is not None:
        run["originalUriBaseIds"] = {SRCROOT: {"uri": cwd}}
    return {"$schema": SCHEMA, "version": VERSION, "runs": [run]}


# --- rules ----------------------------------------------------------------------------------


def _level(code: str) -> str:
    return "error" if code == "RNG999" else "warning"


def _rule(cls: type[Rule]) -> JSON:
    properties: JSON = {"tags": ["reproducibility"], "fixable": cls.fixable is not None}
    if cls.fixable is not None:
        properties["fixApplicability"] = cls.fixable
    docs = cls.explain()
    return {
        "id": cls.code,
        "name": cls.name,
        "shortDescription": {"text": cls.summary},
        "fullDescription": {"text": _normalise(cls.what)},
        # No helpUri: the rule docs are not published anywhere yet; `help` carries them whole
        # (the same text as `seedlint --explain CODE`, which is Markdown).
        "help": {"text": docs, "markdown": docs},
        "defaultConfiguration": {"enabled": cls.default, "level": _level(cls.code)},
        "properties": properties,
    }


def _normalise(text: str) -> str:
    """Dedent, and join each paragraph's hard-wrapped lines (paragraphs stay apart; a paragraph
    with a list or code in it is kept line by line)."""
    paragraphs = re.split(r"\n[ \t]*\n", textwrap.dedent(text).strip())
    out = []
    for para in paragraphs:
        lines = para.splitlines()
        if any(re.match(r"(\s|[-*+] |\d+[.)] |```)", line) for line in lines[1:]):
            out.append("\n".join(line.rstrip() for line in lines))
        else:
            out.append(" ".join(para.split()))
    return "\n\n".join(p for p in out if p)


# --- results --------------------------------------------------------------------------------


def _result(
    finding: Finding, rule_index: Optional[int], fingerprint: Optional[str], files: _Files
) -> JSON:
    result: JSON = {"ruleId": finding.code}
    if rule_index is not None:
        result["ruleIndex"] = rule_index
    result["level"] = _level(finding.code)
    result["message"] = {"text": finding.message}
    result["locations"] = [
        {
            "physicalLocation": {
                "artifactLocation": artifact_location(finding.path),
                "region": _region(finding.span),
            }
        }
    ]
    if finding.related:
        related = []
        for i, loc in enumerate(finding.related, start=1):
            entry: JSON = {
                "id": i,
                "physicalLocation": {
                    "artifactLocation": artifact_location(loc.path),
                    "region": _region(loc.span),
                },
                "message": {"text": "another draw with the same cause"},
            }
            if loc.cell is not None:
                entry["properties"] = {"cell": loc.cell}
            related.append(entry)
        result["relatedLocations"] = related
    if fingerprint is not None:
        result["partialFingerprints"] = {FINGERPRINT: fingerprint}
    fix = _fix(finding, files)
    if fix is not None:
        result["fixes"] = [fix]
    properties: JSON = {"context": finding.context or "program"}
    if finding.cell is not None:
        properties["cell"] = finding.cell
    if finding.entry_point is not None:
        properties["entryPoint"] = finding.entry_point
    if properties:
        result["properties"] = properties
    return result


def _region(span: Span) -> JSON:
    """The finding's span as it is; only values SARIF cannot hold (< 1, an end before the
    start) are clamped."""
    line, column = max(span.line, 1), max(span.column, 1)
    end_line, end_column = span.end_line, max(span.end_column, 1)
    if (end_line, end_column) < (line, column):
        end_line, end_column = line, column
    return {
        "startLine": line,
        "startColumn": column,
        "endLine": end_line,
        "endColumn": end_column,
    }


def artifact_location(path: str) -> JSON:
    """A relative path → a percent-encoded relative URI under ``%SRCROOT%``; an absolute path →
    a ``file://`` URI."""
    pure = PurePath(path)
    if pure.is_absolute():
        return {"uri": Path(path).as_uri()}
    # fsencode: a file name that is not valid UTF-8 keeps its bytes (surrogateescape)
    return {"uri": quote(os.fsencode(pure.as_posix()), safe="/"), "uriBaseId": SRCROOT}


def _cwd_uri() -> Optional[str]:
    try:
        uri = Path(os.getcwd()).as_uri()
    except (OSError, ValueError):
        return None
    return uri if uri.endswith("/") else uri + "/"


def _invocation(errors: Sequence[FileError]) -> JSON:
    invocation: JSON = {
        "executionSuccessful": not errors,
        "toolExecutionNotifications": [_notification(e) for e in errors],
    }
    cwd = _cwd_uri()
    if cwd is not None:
        invocation["workingDirectory"] = {"uri": cwd}
    return invocation


def _notification(error: FileError) -> JSON:
    notification: JSON = {"level": "error", "message": {"text": error.message}}
    if error.path and os.path.lexists(error.path):
        notification["locations"] = [
            {"physicalLocation": {"artifactLocation": artifact_location(error.path)}}
        ]
    else:  # not a file (a whole-program error is reported for "the project")
        notification["message"] = {"text": f"{error.path}: {error.message}"}
    return notification


# --- fingerprints ---------------------------------------------------------------------------


def _fingerprints(findings: Sequence[Finding], files: _Files) -> dict[int, str]:
    """A hash of the rule, the file and the text of the finding's line (whitespace normalised),
    with ``:n`` for the n-th such finding in source order: stable when other lines move or
    other findings come and go, and whatever order the report lists them in. Only for ``.py``
    files that can be read (not notebooks, not stdin)."""
    out: dict[int, str] = {}
    seen: dict[str, int] = {}
    for i, finding in sorted(enumerate(findings), key=lambda item: item[1].sort_key):
        if finding.cell is not None or notebook.is_notebook(finding.path):
            continue
        source = files.text(finding.path)
        if source is None or not 1 <= finding.span.line <= len(source.lines):
            continue
        text = " ".join(source.lines[finding.span.line - 1].split())
        key = "\0".join((finding.code, artifact_location(finding.path)["uri"], text))
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        seen[digest] = seen.get(digest, 0) + 1
        out[i] = f"{digest}:{seen[digest]}"
    return out


# --- fixes ----------------------------------------------------------------------------------


class _Text:
    """A decoded source file: its lines (with their line breaks) and where each starts."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines: list[str] = _LINE.findall(text)
        self.line_offsets = [0, *itertools.accumulate(len(line) for line in self.lines)]
        self.starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]

    def position(self, offset: int) -> tuple[int, int]:
        """1-based line and code-point column of ``offset``."""
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


def _decode(data: bytes) -> Optional[str]:
    """The source as text, in its encoding (a coding cookie, a BOM — which is not text)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        return None


class _Files:
    """Each file read and decoded once per report; fixed sources computed once per fix set."""

    def __init__(self) -> None:
        self._data: dict[str, Optional[bytes]] = {}
        self._text: dict[str, Optional[_Text]] = {}
        self._fixed: dict[tuple[str, tuple[Fix, ...]], tuple[bool, Optional[bytes]]] = {}

    def data(self, path: str) -> Optional[bytes]:
        if path not in self._data:
            data: Optional[bytes] = None
            if os.path.isfile(path):
                try:
                    with open(path, "rb") as fh:
                        data = fh.read()
                except OSError:
                    data = None
            self._data[path] = data
        return self._data[path]

    def text(self, path: str) -> Optional[_Text]:
        if path not in self._text:
            data = self.data(path)
            decoded = None if data is None else _decode(data)
            self._text[path] = None if decoded is None else _Text(decoded)
        return self._text[path]

    def fixed(self, path: str, path_fixes: Sequence[Fix]) -> tuple[bool, Optional[bytes]]:
        """(False, None) when the fixes cannot be made here (the file cannot be read, or
        ``fix_source`` refuses); else (True, the fixed source or None if nothing changes)."""
        key = (path, tuple(path_fixes))
        try:
            hash(key)
        except TypeError:  # a fix whose data holds a list: not cached
            return self._fix(path, path_fixes)
        if key not in self._fixed:
            self._fixed[key] = self._fix(path, path_fixes)
        return self._fixed[key]

    def _fix(self, path: str, path_fixes: Sequence[Fix]) -> tuple[bool, Optional[bytes]]:
        data = self.data(path)
        if data is None:
            return False, None
        try:
            return True, fixes.fix_source(data, path_fixes, path)
        except fixes.FixError:
            return False, None


def _fix(finding: Finding, files: _Files) -> Optional[JSON]:
    """The finding's fix as SARIF text replacements, or None when there is none to show: no fix,
    a notebook, a source read from stdin (the path is not a readable file), a fix that cannot be
    made or changes nothing."""
    fix = finding.fix
    if fix is None or notebook.is_notebook(finding.path) or files.data(finding.path) is None:
        return None
    changes = []
    # group(): the file the fix edits, and for an entry-point seed every entry point it edits
    for path, path_fixes in sorted(fixes.group([finding], unsafe=True).items()):
        if notebook.is_notebook(path):
            return None
        ok, new_data = files.fixed(path, path_fixes)
        if not ok:
            return None
        if new_data is None:
            continue  # nothing to change in this file (a seed that is already there)
        old, new = files.text(path), _decode(new_data)
        if old is None or new is None:
            return None
        changes.append(
            {
                "artifactLocation": artifact_location(path),
                "replacements": _replacements(old, new),
            }
        )
    if not changes:
        return None
    return {
        "description": {"text": fix.message},
        "artifactChanges": changes,
        "properties": {"applicability": fix.applicability},
    }


def replacements(old: str, new: str) -> list[JSON]:
    """SARIF replacements that turn the text ``old`` into ``new``: a line diff, each changed
    block trimmed to the characters that differ. Regions refer to ``old`` and do not overlap;
    they are listed last first, so applying them one after another in the listed order also
    works (no replacement moves the text an earlier-listed one refers to)."""
    return _replacements(_Text(old), new)


def _replacements(old: _Text, new: str) -> list[JSON]:
    new_lines: list[str] = _LINE.findall(new)
    new_offsets = [0, *itertools.accumulate(len(line) for line in new_lines)]
    matcher = difflib.SequenceMatcher(None, old.lines, new_lines, autojunk=False)
    out = []
    text = old.text
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        start, end = old.line_offsets[i1], old.line_offsets[i2]
        new_start, new_end = new_offsets[j1], new_offsets[j2]
        deleted, inserted = text[start:end], new[new_start:new_end]
        prefix = _common_prefix(deleted, inserted)
        suffix = _common_prefix(deleted[prefix:][::-1], inserted[prefix:][::-1])
        lo, hi = start + prefix, end - suffix
        new_lo, new_hi = new_start + prefix, new_end - suffix
        # A position between the CR and LF of a CR LF has no line and column: widen by the
        # common character (blocks are whole lines, so the CR / LF is inside the block).
        if start < lo < len(text) and text[lo - 1] == "\r" and text[lo] == "\n":
            lo, new_lo = lo - 1, new_lo - 1
        if 0 < hi < end and text[hi - 1] == "\r" and text[hi] == "\n":
            hi, new_hi = hi + 1, new_hi + 1
        start_line, start_column = old.position(lo)
        end_line, end_column = old.position(hi)
        out.append(
            {
                "deletedRegion": {
                    "startLine": start_line,
                    "startColumn": start_column,
                    "endLine": end_line,
                    "endColumn": end_column,
                },
                "insertedContent": {"text": new[new_lo:new_hi]},
            }
        )
    return out[::-1]


def _common_prefix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i
