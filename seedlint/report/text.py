"""``path:line:col: CODE [*] message`` — one finding a line."""

from __future__ import annotations

from collections import Counter
from typing import TextIO

from seedlint.findings import Finding, Report


def line(finding: Finding) -> str:
    marker = " [*]" if finding.fix is not None else ""
    s = finding.span
    return f"{finding.path}:{s.line}:{s.column}: {finding.code}{marker} {finding.message}"


def write(report: Report, out: TextIO) -> None:
    for finding in report.findings:
        out.write(line(finding) + "\n")


def summary(report: Report) -> str:
    n = len(report.findings)
    fixable = sum(1 for f in report.findings if f.fix is not None)
    files = f"{report.files} file{'s' if report.files != 1 else ''}"
    errors = len(report.errors)
    not_checked = f"{errors} file{'s' if errors != 1 else ''} could not be checked"
    if n == 0:
        if errors:
            return f"No findings, but {not_checked} ({files} in all)."
        return f"All checks passed! ({files} checked)"
    text = f"Found {n} finding{'s' if n != 1 else ''} in {files}"
    if fixable:
        text += f" ({fixable} fixable with `seedlint --fix`)"
    if errors:
        text += f"; {not_checked}"
    return text + "."


def statistics(report: Report, names: dict[str, str]) -> str:
    counts = Counter(f.code for f in report.findings)
    fixable = Counter(f.code for f in report.findings if f.fix is not None)
    rows = []
    for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        mark = "[*]" if fixable[code] else "   "
        rows.append(f"{n:>5}\t{code}\t{mark} {names.get(code, '')}")
    return "\n".join(rows)
