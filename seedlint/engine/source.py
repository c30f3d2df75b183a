"""Reading source files: bytes, encodings, parsing, and ``# noqa`` comments."""

from __future__ import annotations

import ast
import hashlib
import io
import re
import tokenize
import warnings
from typing import Optional, Union

import libcst as cst

from seedlint.findings import Finding, Span

# flake8's grammar: the bare noqa comment, or one followed by a colon and codes or prefixes
# (separated by commas or spaces); other comment text may follow.
_NOQA = re.compile(
    r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]*(?:[,\s]+[A-Z]+[0-9]*)*))?",
    re.IGNORECASE,
)
_LOCATED = re.compile(r"error at (\d+):(\d+)")
_CODE = re.compile(r"[A-Z]+[0-9]*", re.IGNORECASE)

#: Larger files are reported (RNG999), not parsed: libcst needs about 350 bytes of memory per
#: byte of source (a generated 10 MB file took 3.4 GB and 100 s), so one such file could exhaust
#: a CI runner, once per worker. torch's largest hand-written file is 1.4 MB (0.8 GB, 18 s).
MAX_BYTES = 2_000_000

# CPython refuses nesting beyond its fixed limits (200 brackets, 100 indentation levels, its
# recursion limit for expressions) within milliseconds, while libcst's time and memory grow with
# the square of the depth (1,000 nested lists: 12 s and 1.4 GB; a 5,000-term sum: 16-28 s). Files
# that may be that deep (a cheap over-approximation, so most files pay nothing) are shown to
# CPython first.
_DEEP_BRACKETS = 100
_LONG_LINE = 5_000
#: Deeper syntax trees are refused too: newer CPythons accept deeper expressions (3.13: a
#: 5,000-term sum), which cost libcst seconds per level squared and exceed the analysis' own
#: recursion anyway (RNG999 after the wait).
_MAX_DEPTH = 2_000
_NESTING_LIMITS = ("too many nested parentheses", "too many levels of indentation")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"()[]{}")
_INNERMOST = re.compile(rb"[(\[{][)\]}]")  # any opener + closer: stray ones in strings still pair


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def parse(data: bytes, path: str) -> Union[cst.Module, Finding]:
    """Parse ``data`` (bytes, so libcst honours BOMs and coding cookies) or return an RNG999 finding."""
    if len(data) > MAX_BYTES:
        return syntax_error(
            path, 1, 1, f"the file is larger than {MAX_BYTES / 1e6:g} MB, too large to analyse"
        )
    refused = _nesting_refused(data) if _may_be_deep(data) else None
    if refused is not None:
        return syntax_error(path, *refused)
    try:
        return cst.parse_module(data)
    except cst.ParserSyntaxError as exc:
        line, col = max(exc.raw_line, 1), max(exc.raw_column, 0) + 1
        detail = exc.message.strip()
        located = _LOCATED.search(detail)
        if located:  # the native parser puts the real location in the message
            line, col = int(located.group(1)), int(located.group(2)) + 1
            detail = detail[located.end() :].lstrip(": ")
        verdict = python_verdict(data)
        if isinstance(verdict, tuple):  # CPython locates errors better than libcst's parser
            line, col, detail = verdict
        elif verdict:
            detail = f"valid Python that seedlint's parser (libcst) does not support: {detail}"
        if len(detail) > 120:
            detail = detail[:117] + "..."
        return syntax_error(path, line, col, detail or "invalid syntax")
    except (RecursionError, MemoryError):
        return syntax_error(path, 1, 1, "the file is nested too deeply to parse")
    except (UnicodeDecodeError, LookupError, SyntaxError, ValueError) as exc:
        return syntax_error(path, 1, 1, f"cannot decode the file: {exc}")


def _may_be_deep(data: bytes) -> bool:
    """Brackets nested ``_DEEP_BRACKETS`` deep (counting those in strings and comments too) or a
    line longer than ``_LONG_LINE`` bytes (a one-line sum of thousands of terms)."""
    if len(data) > _LONG_LINE and any(len(line) > _LONG_LINE for line in data.splitlines()):
        return True
    brackets = data.translate(None, _NOT_BRACKETS)
    for _ in range(_DEEP_BRACKETS):  # each pass removes the innermost level
        inner = _INNERMOST.sub(b"", brackets)
        if len(inner) == len(brackets):
            return False
        brackets = inner
    return True


def _nesting_refused(data: bytes) -> Optional[tuple[int, int, str]]:
    """CPython's refusal of a file nested beyond its limits (line, column, message), else None:
    libcst decides (CPython also refuses syntax newer than itself, which libcst may accept)."""
    try:
        with warnings.catch_warnings():  # SyntaxWarnings (3.12+) are not seedlint's to print
            warnings.simplefilter("ignore")
            tree = ast.parse(data)
    except (RecursionError, MemoryError):
        return 1, 1, "the file is nested too deeply to parse"
    except SyntaxError as exc:
        if exc.msg.startswith(_NESTING_LIMITS):
            return max(exc.lineno or 1, 1), max(exc.offset or 1, 1), exc.msg
        return None
    except (ValueError, OverflowError):
        return None
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > _MAX_DEPTH:
            line = max(getattr(node, "lineno", 1), 1)
            return line, 1, "the file is nested too deeply to parse"
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return None


def python_verdict(data: bytes) -> Union[tuple[int, int, str], bool]:
    """CPython's view of a file libcst rejected: its syntax error (line, column, message),
    True when CPython accepts the file, False when it cannot tell."""
    try:
        ast.parse(data)
    except SyntaxError as exc:
        return max(exc.lineno or 1, 1), max(exc.offset or 1, 1), exc.msg
    except (ValueError, RecursionError, MemoryError):
        return False
    return True


def syntax_error(path: str, line: int, col: int, detail: str) -> Finding:
    span = Span(line, col, line, col, line)
    return Finding(
        "RNG999",
        f"file cannot be parsed, so it was not checked: {detail}",
        path,
        span,
    )


def noqa_comments(data: bytes) -> dict[int, Optional[frozenset[str]]]:
    """Map each line carrying a ``# noqa`` comment to its codes (None: every code)."""
    if b"noqa" not in data.lower():
        return {}
    result: dict[int, Optional[frozenset[str]]] = {}
    try:
        tokens = list(tokenize.tokenize(io.BytesIO(data).readline))
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError, LookupError):
        return _noqa_by_lines(data)
    for tok in tokens:
        if tok.type == tokenize.COMMENT:
            _record(result, tok.start[0], tok.string)
    return result


def _noqa_by_lines(data: bytes) -> dict[int, Optional[frozenset[str]]]:
    result: dict[int, Optional[frozenset[str]]] = {}
    text = data.decode("utf-8", errors="replace")
    for number, line in enumerate(text.splitlines(), start=1):
        start = _comment_start(line)
        if start is not None:
            _record(result, number, line[start:])
    return result


def _comment_start(line: str) -> Optional[int]:
    """Index of the ``#`` that starts a comment on ``line``, skipping string literals on it."""
    quote: Optional[str] = None
    i = 0
    while i < len(line):
        ch = line[i]
        if quote is not None:
            if ch == "\\":
                i += 1
            elif line.startswith(quote, i):
                i += len(quote) - 1
                quote = None
        elif ch in "'\"":
            quote = ch * 3 if line.startswith(ch * 3, i) else ch
            i += len(quote) - 1
        elif ch == "#":
            return i
        i += 1
    return None


def _record(result: dict[int, Optional[frozenset[str]]], line: int, comment: str) -> None:
    match = _NOQA.search(comment)
    if match is None:
        return
    codes = match.group("codes")
    result[line] = frozenset(c.upper() for c in _CODE.findall(codes)) if codes else None


def suppressed(finding: Finding, noqa: dict[int, Optional[frozenset[str]]]) -> bool:
    """Is ``finding`` silenced by a noqa comment? A bare one does not silence RNG999: a file
    that was not checked at all must not pass as clean by accident (naming RNG999 does)."""
    for line in finding.span.noqa_lines:
        if line in noqa:
            codes = noqa[line]
            if codes is None:
                if finding.code != "RNG999":
                    return True
            elif any(finding.code.startswith(c) for c in codes):
                return True
    return False
