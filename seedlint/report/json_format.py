"""``--format json``: one array; each finding as DESIGN.md specifies."""

from __future__ import annotations

import json
from typing import Any, TextIO

from seedlint.findings import Finding, Report


def as_dict(finding: Finding) -> dict[str, Any]:
    s = finding.span
    return {
        "code": finding.code,
        "message": finding.message,
        "path": finding.path,
        "line": s.line,
        "column": s.column,
        "end_line": s.end_line,
        "end_column": s.end_column,
        "fix": None
        if finding.fix is None
        else {"applicability": finding.fix.applicability, "message": finding.fix.message},
        "entry_point": finding.entry_point,
        # the other draws with the same cause (one missing seed): where they are
        "related": [
            {
                "path": loc.path,
                "line": loc.span.line,
                "column": loc.span.column,
                "end_line": loc.span.end_line,
                "end_column": loc.span.end_column,
                **({"cell": loc.cell} if loc.cell is not None else {}),
            }
            for loc in finding.related
        ],
        # notebooks: the cell (1-based position in the notebook's "cells", markdown included);
        # line and column are then relative to that cell's source. null for .py files.
        "cell": finding.cell,
        # program | demo | benchmark | test: the entry points that make the finding true
        "context": finding.context or "program",
    }


def write(report: Report, out: TextIO) -> None:
    json.dump([as_dict(f) for f in report.findings], out, indent=2)
    out.write("\n")
