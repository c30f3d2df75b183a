"""``path:line:col: CODE [*] message`` — one finding a line."""

from __future__ import annotations

from collections import Counter
from typing import TextIO

from seedlint.findings import Finding, Report

#: Related locations a text line names before "…".
_SHOWN = 3


def _applicable(finding: Finding, unsafe: bool) -> bool:
    fix = finding.fix
    return fix is not None and (fix.applicability == "safe" or unsafe)


def line(finding: Finding, unsafe: bool = False) -> str:
    # ruff's convention: ``[*]`` marks what ``--fix`` would fix (with ``--unsafe-fixes``
    # given, unsafe fixes too); a hidden unsafe fix is counted in the summary instead
    marker = " [*]" if _applicable(finding, unsafe) else ""
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
    """The findings left (one line), then what ``--fix`` can do about them (ruff's wording)."""
    n = len(report.findings)
    files = f"{report.files} file{'s' if report.files != 1 else ''}"
    errors = len(report.errors)
    not_checked = f"{errors} file{'s' if errors != 1 else ''} could not be checked"
    not_shown = _not_shown(report)
    if n == 0:
        if errors:
            return f"No findings, but {not_checked} ({files} in all){not_shown}."
        return f"All checks passed! ({files} checked{not_shown})"
    text = f"Found {n} finding{'s' if n != 1 else ''} in {files}"
    if errors:
        text += f"; {not_checked}"
    text += not_shown + "."
    fixes = fix_summary(report, unsafe)
    return text + ("\n" + fixes if fixes else "")


def hidden_fixes(report: Report, unsafe: bool) -> int:
    """Unsafe fixes that ``--unsafe-fixes`` would enable."""
    if unsafe:
        return 0
    return sum(1 for f in report.findings if f.fix is not None and f.fix.applicability != "safe")


def _hidden_text(hidden: int) -> str:
    return (
        f"{hidden} hidden fix{'es' if hidden != 1 else ''} can be enabled with the "
        "`--unsafe-fixes` option"
    )


def fix_summary(report: Report, unsafe: bool = False) -> str:
    """``[*] 2 fixable with the `--fix` option (3 hidden fixes can be enabled with the
    `--unsafe-fixes` option).`` or ``No fixes available (…).``; "" when nothing is fixable."""
    fixable = sum(1 for f in report.findings if _applicable(f, unsafe))
    hidden = hidden_fixes(report, unsafe)
    if fixable:
        text = f"[*] {fixable} fixable with the `--fix` option"
        return text + (f" ({_hidden_text(hidden)})." if hidden else ".")
    if hidden:
        return f"No fixes available ({_hidden_text(hidden)})."
    return ""


def no_safe_fixes(hidden: int) -> str:
    """What ``--fix``/``--diff`` say when only unsafe fixes exist."""
    return (
        f"No safe fixes; {hidden} unsafe fix{'es' if hidden != 1 else ''} available with "
        "`--unsafe-fixes`."
    )


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


def statistics(report: Report, names: dict[str, str], unsafe: bool = False) -> str:
    counts = Counter(f.code for f in report.findings)
    fixable = Counter(f.code for f in report.findings if _applicable(f, unsafe))
    rows = []
    for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        mark = "[*]" if fixable[code] else "   "
        rows.append(f"{n:>5}\t{code}\t{mark} {names.get(code, '')}")
    return "\n".join(rows)
