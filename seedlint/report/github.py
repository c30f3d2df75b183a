"""``--format github``: workflow commands that GitHub Actions shows as annotations."""

from __future__ import annotations

from typing import TextIO

from seedlint.findings import Report
from seedlint.report.text import related_suffix


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def write(report: Report, out: TextIO) -> None:
    for f in report.findings:
        s = f.span
        if f.cell is not None:
            # GitHub cannot point into a notebook's cell: annotate the file, say where in the title.
            out.write(
                f"::warning file={_escape_property(f.path)},"
                f"title={_escape_property(f'{f.code} (cell {f.cell}, line {s.line}, column {s.column})')}::"
                f"{_escape_data(f.message + related_suffix(f))}\n"
            )
            continue
        out.write(
            f"::warning file={_escape_property(f.path)},line={s.line},col={s.column},"
            f"endLine={s.end_line},endColumn={s.end_column},title={f.code}::"
            f"{_escape_data(f.message + related_suffix(f))}\n"
        )
