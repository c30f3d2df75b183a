"""``path:line:col: CODE [*] message`` — one finding a line."""

from __future__ import annotations

from collections import Counter
from typing import TextIO

from seedlint.findings import Finding, Report

#: Related locations a text line names before "…".
_SHOWN = 3


def line(finding: Finding, unsafe: bool = False) -> str:
    marker = " [*]" if finding.fix is not None else ""
    s = finding.span
    where = finding.path if finding.cell is None else f"{finding.path}:cell {finding.cell}"
    return f"{where}:{s.line}:{s.column}: {finding.code}{marker} {finding.message}" + (
        related_suffix(finding)
    )


def related_suffix(finding: Finding) -> str:
    """`` (and 2 more draws: a.py:3, b.py:9)`` for a finding that covers other draws."""
    if not finding.related:
        return ""
    shown = [
        f"{loc.path}{f':cell {loc.cell}' if loc.cell is not None else ''}:{loc.span.line}"
        for loc in finding.related[:_SHOWN]
    ]
    more = ", …" if len(finding.related) > _SHOWN else ""
    n = len(finding.related)
    return f" (and {n} more draw{'s' if n != 1 else ''}: {', '.join(shown)}{more})"


def write(report: Report, out: TextIO, unsafe: bool = False) -> None:
    for finding in report.findings:
        out.write(line(finding, unsafe) + "\n")


def summary(report: Report, unsafe: bool = False) -> str:
    n = len(report.findings)
    fixable = sum(
        1
        for f in report.findings
        if f.fix is not None and (f.fix.applicability == "safe" or unsafe)
    )
    hidden = sum(1 for f in report.findings if f.fix is not None) - fixable
    files = f"{report.files} file{'s' if report.files != 1 else ''}"
    errors = len(report.errors)
    not_checked = f"{errors} file{'s' if errors != 1 else ''} could not be checked"
    not_shown = _not_shown(report)
    if n == 0:
        if errors:
            return f"No findings, but {not_checked} ({files} in all){not_shown}."
        return f"All checks passed! ({files} checked{not_shown})"
    text = f"Found {n} finding{'s' if n != 1 else ''} in {files}"
    if fixable:
        how = "`seedlint --fix --unsafe-fixes`" if unsafe else "`seedlint --fix`"
        text += f" ({fixable} fixable with {how})"
    if hidden:
        text += f" ({hidden} more with `--unsafe-fixes`)"
    if errors:
        text += f"; {not_checked}"
    return text + not_shown + "."


def _not_shown(report: Report) -> str:
    """``; 12 more in test and benchmark code not shown (`--contexts all` shows them)``."""
    total = sum(report.hidden.values())
    if not total:
        return ""
    order = ("program", "demo", "benchmark", "test")
    kinds = [k for k in order if report.hidden.get(k)]
    names = {
        "program": "programs",
        "demo": "demo blocks",
        "benchmark": "benchmarks",
        "test": "tests",
    }
    parts = [f"{report.hidden[k]} in {names[k]}" for k in kinds]
    flag = f"--contexts {','.join(kinds)}" if len(kinds) == 1 else "--contexts all"
    return (
        f"; {total} finding{'s' if total != 1 else ''} not shown ({', '.join(parts)}: "
        f"`{flag}` shows {'them' if total != 1 else 'it'})"
    )


def statistics(report: Report, names: dict[str, str]) -> str:
    counts = Counter(f.code for f in report.findings)
    fixable = Counter(f.code for f in report.findings if f.fix is not None)
    rows = []
    for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        mark = "[*]" if fixable[code] else "   "
        rows.append(f"{n:>5}\t{code}\t{mark} {names.get(code, '')}")
    return "\n".join(rows)
