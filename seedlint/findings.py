"""What the engine hands to reporters and fixers: plain, picklable data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional


@dataclass(frozen=True)
class Span:
    """1-based line and column of a node's start and end; ``stmt_line`` is where its statement starts."""

    line: int
    column: int
    end_line: int
    end_column: int
    stmt_line: int

    @property
    def noqa_lines(self) -> tuple[int, ...]:
        return (self.line,) if self.stmt_line == self.line else (self.line, self.stmt_line)


@dataclass(frozen=True)
class Fix:
    """A fix attached to a finding: ``applicability`` is "safe" or "unsafe"; ``message`` says
    what it does. ``kind`` names the edit (see ``seedlint.fixes``), made at the node that
    starts at ``line``:``column``, with ``data`` its parameters; ``target`` is the file edited
    when it is not the finding's (an entry point seeded for a draw in another module)."""

    applicability: str
    message: str
    kind: str = ""
    line: int = 0
    column: int = 0
    data: tuple[Any, ...] = ()
    target: Optional[str] = None
    #: Where the node ends (1-based column; 0: not given), so that ``a().b()`` and ``a()``,
    #: which start at the same place, are told apart.
    end_line: int = 0
    end_column: int = 0

    @classmethod
    def at(
        cls, span: Span, applicability: str, message: str, kind: str, data: tuple[Any, ...] = ()
    ) -> Fix:
        """A fix made at the node ``span`` covers (start and end)."""
        return cls(
            applicability,
            message,
            kind,
            span.line,
            span.column,
            data,
            end_line=span.end_line,
            end_column=span.end_column,
        )


@dataclass(frozen=True)
class Location:
    """Another place a finding covers (a draw with the same cause)."""

    path: str
    span: Span
    #: In a notebook: the cell (see ``Finding.cell``).
    cell: Optional[int] = None


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    path: str
    span: Span
    fix: Optional[Fix] = None
    #: The entry point whose run makes this finding true (RNG001–003), as a display path.
    entry_point: Optional[str] = None
    #: In a notebook: the cell (1-based position in the notebook's ``cells``, markdown cells
    #: included), and ``span`` is relative to that cell's source. None for ``.py`` files.
    cell: Optional[int] = None
    #: The other places with the same cause (one missing seed, many draws), in execution order.
    related: tuple[Location, ...] = ()
    #: program | demo | benchmark | test: the most important context among the entry points
    #: that make this finding true (see ``seedlint.engine.contexts``); None until assigned.
    context: Optional[str] = None

    @property
    def sort_key(self) -> tuple[str, int, int, int, str]:
        return (self.path, self.cell or 0, self.span.line, self.span.column, self.code)


@dataclass
class FileError:
    """A file that could not be analysed (unreadable, or an internal error): exit status 2."""

    path: str
    message: str


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    files: int = 0
    #: Display path → content hash of what was analysed (a fix refuses a file that changed).
    sources: dict[str, str] = field(default_factory=dict)
    #: Findings not shown because of their context: context → how many.
    hidden: dict[str, int] = field(default_factory=dict)
    #: Entry-point runs (pytest tests counted as one): how many, and how many of them were
    #: taken from the previous analysis instead of being run (``engine.runstore``).
    runs: int = 0
    runs_reused: int = 0
