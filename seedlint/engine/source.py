"""Reading source files: bytes, encodings, parsing, and ``# noqa`` comments."""

from __future__ import annotations

import ast
import hashlib
import io
import re
import tokenize
from typing import Optional, Union

import libcst as cst

from seedlint.findings import Finding, Span

# flake8's grammar: ``# noqa`` alone, or ``# noqa: CODE[,CODE …]`` (codes or prefixes, separated by
# commas or spaces); other comment text may follow.
_NOQA = re.compile(
    r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]*(?:[,\s]+[A-Z]+[0-9]*)*))?",
    re.IGNORECASE,
)
_LOCATED = re.compile(r"error at (\d+):(\d+)")
_CODE = re.compile(r"[A-Z]+[0-9]*", re.IGNORECASE)


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def parse(data: bytes, path: str) -> Union[cst.Module, Finding]:
    """Parse ``data`` (bytes, so libcst honours BOMs and coding cookies) or return an RNG999 finding."""
    try:
        return cst.parse_module(data)
    except cst.ParserSyntaxError as exc:
        line, col = max(exc.raw_line, 1), max(exc.raw_column, 0) + 1
        detail = exc.message.strip()
        located = _LOCATED.search(detail)
        if located:  # the native parser puts the real location in the message
            line, col = int(located.group(1)), int(located.group(2)) + 1
            detail = detail[located.end() :].lstrip(": ")
        verdict = _python_verdict(data)
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


def _python_verdict(data: bytes) -> Union[tuple[int, int, str], bool]:
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
    for line in finding.span.noqa_lines:
        if line in noqa:
            codes = noqa[line]
            if codes is None or any(finding.code.startswith(c) for c in codes):
                return True
    return False
