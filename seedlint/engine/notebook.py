"""Jupyter notebooks: the code cells as one Python module, and fixed code written back.

A notebook runs its cells in order as one program, so the analysis sees one *virtual module*:
each analysed code cell, preceded by a marker comment line (``# seedlint-cell:7``) that locates
it. IPython syntax that is not Python (``%magic``, ``!shell``, ``x = !cmd``, ``obj?``) becomes
``pass`` / ``x = None`` with a tag comment (``# seedlint-ipython:3``) that restores the original
line when fixed code is written back. Cells that are not Python (``%%bash``, ``%%html`` …) are
left out; a cell that does not parse on its own is reported (RNG999) and left out, so the rest
of the notebook is still checked.

Findings are made in virtual-module coordinates and mapped to (cell, line, column) at the end
(:func:`to_cell`), after ``# noqa`` comments have been applied. Fixes are made on the virtual
module (by the same code as for ``.py`` files) and written back by replacing only the ``source``
values of the cells that changed in the notebook's JSON text, in the notebook's own style
(a list of lines or one string, its indentation, ASCII escaping), so outputs, metadata and
formatting stay byte-for-byte as they were.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field, replace
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any, Optional

from seedlint.findings import Finding, Span

SUFFIX = ".ipynb"
_MARKER = "# seedlint-cell:{}"
_MARKER_RE = re.compile(r"^# seedlint-cell:(\d+)\r?\n?$")
_TAG_RE = re.compile(r"  # seedlint-ipython:(\d+)(\r?\n)?$")
#: Cell magics whose body is Python run by IPython (only the first line is not Python).
_PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug"})
_ASSIGNED_MAGIC = re.compile(r"^(\s*)([A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*)[!%]")
_WS = " \t\n\r"


def is_notebook(path: str) -> bool:
    return path.lower().endswith(SUFFIX)


class NotebookError(Exception):
    """The file is not a notebook seedlint can read; ``line``/``column`` locate the problem."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


@dataclass(frozen=True)
class CellMap:
    """Where one analysed cell lies in the virtual module."""

    first_line: int  # virtual line of the cell's first line (after its marker)
    lines: int
    cell: int  # 0-based index in the notebook's ``cells``


@dataclass
class Virtual:
    """The virtual module of a notebook and what is needed to map back."""

    source: bytes
    cells: tuple[CellMap, ...]
    #: Tag number → the original line (with its newline) that the tagged line replaces.
    ipython_lines: dict[int, str] = field(default_factory=dict)
    #: Findings about single cells (RNG999 for a cell that does not parse), in cell coordinates.
    findings: list[Finding] = field(default_factory=list)
    #: 0-based cell index → the cell's original source text (for every analysed cell).
    texts: dict[int, str] = field(default_factory=dict)
    python: bool = True  # False: the notebook's kernel is not Python (nothing is analysed)


# --- reading --------------------------------------------------------------------------------


def load(data: bytes) -> dict[str, Any]:
    """The notebook's JSON object, or NotebookError saying what is wrong with it."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotebookError(
            f"notebook is not UTF-8 text: {exc.reason} at byte {exc.start}"
        ) from None
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookError(
            f"notebook is not valid JSON: {exc.msg}", exc.lineno, exc.colno
        ) from None
    except RecursionError:
        raise NotebookError("notebook JSON is nested too deeply") from None
    if not isinstance(nb, dict):
        raise NotebookError("notebook JSON is not an object")
    if "cells" not in nb:
        if "worksheets" in nb:
            raise NotebookError("nbformat 3 notebooks are not supported (convert with nbconvert)")
        raise NotebookError('notebook has no "cells" list')
    cells = nb["cells"]
    if not isinstance(cells, list):
        raise NotebookError('notebook "cells" is not a list')
    for i, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict):
            raise NotebookError(f"cell {i} is not an object")
        src = cell.get("source", "")
        if not isinstance(src, str) and not (
            isinstance(src, list) and all(isinstance(s, str) for s in src)
        ):
            raise NotebookError(f'cell {i}: "source" is neither a string nor a list of strings')
    return nb


def _is_python(nb: dict[str, Any]) -> bool:
    meta = nb.get("metadata")
    if not isinstance(meta, dict):
        return True
    for holder, key in (("language_info", "name"), ("kernelspec", "language")):
        info = meta.get(holder)
        if isinstance(info, dict) and isinstance(info.get(key), str):
            return info[key].strip().lower() in ("python", "python3", "ipython", "")
    return True


def cell_text(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    return src if isinstance(src, str) else "".join(src)


def virtual(data: bytes, path: str) -> Virtual:
    """The virtual module of the notebook ``data`` (raises NotebookError for a bad notebook)."""
    nb = load(data)
    if not _is_python(nb):
        return Virtual(b"", (), python=False)
    out: list[str] = []
    cells: list[CellMap] = []
    tags: dict[int, str] = {}
    findings: list[Finding] = []
    texts: dict[int, str] = {}
    for index, cell in enumerate(nb["cells"]):
        if cell.get("cell_type") != "code":
            continue
        text = cell_text(cell)
        lines = text.splitlines(keepends=True)
        if lines and not lines[-1].endswith(("\n", "\r")):
            lines[-1] += "\n"
        before = len(tags)
        converted = _convert(lines, tags)
        if converted is None:
            continue  # not Python (%%bash, %%html, …)
        problem = _syntax_problem("".join(converted))
        if problem is not None:
            line, col, msg = problem
            span = Span(line, col, line, col, line)
            message = f"cell cannot be parsed, so it was not checked: {msg}"
            findings.append(Finding("RNG999", message, path, span, cell=index + 1))
            for tag in range(before, len(tags)):
                del tags[tag]
            continue
        texts[index] = text
        out.append(_MARKER.format(index) + "\n")
        cells.append(CellMap(len(out) + 1, len(converted), index))
        out.extend(converted)
    return Virtual("".join(out).encode("utf-8"), tuple(cells), tags, findings, texts)


def _convert(lines: list[str], tags: dict[int, str]) -> Optional[list[str]]:
    """The cell's lines with IPython syntax made Python (tagged), or None for a non-Python cell."""
    out = list(lines)
    first = next((i for i, s in enumerate(lines) if s.strip()), None)
    if first is not None and lines[first].lstrip().startswith("%%"):
        magic = lines[first].strip()[2:].split(None, 1)
        if not magic or magic[0] not in _PYTHON_CELL_MAGICS:
            return None
        out[first] = _tag(tags, lines[first], "", "pass")
    #: Indentation of the IPython line a trailing backslash continues (``!pip install \``).
    continued: Optional[str] = None
    for i, line in enumerate(lines):
        if first is not None and i == first and lines[first].lstrip().startswith("%%"):
            continue
        stripped = line.strip()
        indent = line[: len(line) - len(line.lstrip())]
        if continued is not None:
            out[i] = _tag(tags, line, continued, "pass")
            continued = continued if stripped.endswith("\\") else None
            continue
        assigned = _ASSIGNED_MAGIC.match(line)
        if assigned:
            out[i] = _tag(tags, line, assigned.group(1), assigned.group(2) + "None")
        elif stripped.startswith(("%", "!", "?")) or (
            stripped.endswith("?") and re.fullmatch(r"[\w.\[\]()'\"]+\?\??", stripped)
        ):
            out[i] = _tag(tags, line, indent, "pass")
        else:
            continue
        if stripped.endswith("\\"):
            continued = assigned.group(1) if assigned else indent
    return out


def _tag(tags: dict[int, str], original: str, indent: str, replacement: str) -> str:
    number = len(tags)
    tags[number] = original
    return f"{indent}{replacement}  # seedlint-ipython:{number}\n"


def _syntax_problem(code: str) -> Optional[tuple[int, int, str]]:
    try:
        ast.parse(code)
    except SyntaxError as exc:
        return max(exc.lineno or 1, 1), max(exc.offset or 1, 1), exc.msg
    except (ValueError, RecursionError, MemoryError) as exc:
        return 1, 1, str(exc) or type(exc).__name__
    return None


def error_finding(path: str, exc: NotebookError) -> Finding:
    """RNG999 for a notebook that cannot be read at all (located in the file's JSON text)."""
    from seedlint.engine.source import syntax_error

    return syntax_error(path, exc.line, exc.column, str(exc))


# --- mapping findings -----------------------------------------------------------------------


def to_cell(finding: Finding, cells: tuple[CellMap, ...]) -> Finding:
    """``finding`` (virtual-module coordinates) in cell coordinates."""
    if finding.cell is not None:
        return finding
    s = finding.span
    for cm in cells:
        if cm.first_line <= s.line < cm.first_line + cm.lines:
            offset = cm.first_line - 1
            last = cm.lines

            def clamp(line: int, last: int = last, offset: int = offset) -> int:
                return min(max(line - offset, 1), last)

            span = Span(
                clamp(s.line),
                s.column,
                clamp(s.end_line),
                s.end_column if s.end_line - offset <= last else 1,
                clamp(s.stmt_line),
            )
            return replace(finding, span=span, cell=cm.cell + 1)
    # On a marker line or beyond the last cell (a parse error at the end): the nearest cell.
    if not cells:
        return replace(finding, span=Span(1, 1, 1, 1, 1))
    before = [cm for cm in cells if cm.first_line <= s.line] or [cells[0]]
    cm = before[-1]
    line = min(max(s.line - cm.first_line + 1, 1), cm.lines)
    return replace(finding, span=Span(line, 1, line, 1, line), cell=cm.cell + 1)


# --- writing fixes back ---------------------------------------------------------------------


def write_back(data: bytes, vm: Virtual, fixed: bytes) -> Optional[bytes]:
    """The notebook ``data`` with the cells changed as in ``fixed`` (the fixed virtual module),
    or None when nothing changed. Raises NotebookError when the fixed module no longer shows
    the cell structure (never guess)."""
    new_texts = _split(fixed.decode("utf-8"), vm)
    changed = {i: t for i, t in new_texts.items() if t != vm.texts[i]}
    if not changed:
        return None
    bom = data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    spans = _source_spans(text)
    ascii_only = text.isascii() and "\\u" in text
    pieces: list[tuple[int, int, str]] = []
    for index, new in changed.items():
        if index not in spans:
            raise NotebookError(f"cell {index + 1} has no source in the notebook's JSON")
        start, end = spans[index]
        pieces.append((start, end, _render(text, start, end, new, ascii_only)))
    for start, end, rendered in sorted(pieces, reverse=True):
        text = text[:start] + rendered + text[end:]
    # The written JSON must read back as the same notebook with only those sources changed.
    expected = load(data)
    for index, new in changed.items():
        expected["cells"][index]["source"] = _as_stored(expected["cells"][index]["source"], new)
    if json.loads(text) != expected:
        raise NotebookError("the rewritten notebook does not read back as expected")
    out = text.encode("utf-8")
    return b"\xef\xbb\xbf" + out if bom else out


def changed_cells(old: bytes, new: bytes) -> list[tuple[int, str, str]]:
    """(1-based cell number, old text, new text) of each cell whose source differs."""
    a, b = load(old)["cells"], load(new)["cells"]
    return [
        (i, cell_text(x), cell_text(y))
        for i, (x, y) in enumerate(zip(a, b), start=1)
        if cell_text(x) != cell_text(y)
    ]


def _split(fixed: str, vm: Virtual) -> dict[int, str]:
    """Cell index → new cell text, from the fixed virtual module."""
    segments: dict[int, list[str]] = {}
    order: list[int] = []
    current: Optional[int] = None
    leading: list[str] = []
    for line in fixed.splitlines(keepends=True):
        marker = _MARKER_RE.match(line)
        if marker:
            current = int(marker.group(1))
            if current in segments:
                raise NotebookError("a cell marker appears twice after fixing")
            segments[current] = []
            order.append(current)
            continue
        tag = _TAG_RE.search(line)
        if tag:
            number = int(tag.group(1))
            if number not in vm.ipython_lines:
                raise NotebookError("an IPython line was changed by a fix")
            line = vm.ipython_lines[number]
        (segments[current] if current is not None else leading).append(line)
    expected = [cm.cell for cm in vm.cells]
    if order != expected:
        raise NotebookError("the notebook's cells were reordered or lost by a fix")
    if leading and order:
        segments[order[0]][:0] = leading
    result: dict[int, str] = {}
    for index, lines in segments.items():
        new = "".join(lines)
        original = vm.texts[index]
        if not original.endswith(("\n", "\r")) and new.endswith("\n"):
            new = new[:-1]  # the notebook convention: no newline after a cell's last line
        result[index] = new
    return result


def _as_stored(old: Any, new: str) -> Any:
    return new if isinstance(old, str) else new.splitlines(keepends=True)


def _render(text: str, start: int, end: int, new: str, ascii_only: bool) -> str:
    """``new`` as a JSON value in the style of the value at ``text[start:end]``."""
    old = text[start:end]

    def dump(s: str) -> str:
        return json.dumps(s, ensure_ascii=ascii_only)

    if old.startswith('"'):
        return dump(new)
    lines = new.splitlines(keepends=True)
    if not lines:
        return "[]"
    inner = old[1:-1]
    if inner.strip():
        lead = inner[: len(inner) - len(inner.lstrip(_WS))]
        trail = inner[len(inner.rstrip(_WS)) :]
        comma_ws = re.search(r'",(\s*)"', inner)
        sep = "," + (comma_ws.group(1) if comma_ws else lead)
    else:  # an empty list: indent like the "source" key's line, one level deeper
        line_start = text.rfind("\n", 0, start) + 1
        line = text[line_start:start]
        key_indent = line[: len(line) - len(line.lstrip(" \t"))]
        lead = "\n" + key_indent + " "
        trail = "\n" + key_indent
        sep = "," + lead
    return "[" + lead + sep.join(dump(s) for s in lines) + trail + "]"


def _source_spans(text: str) -> dict[int, tuple[int, int]]:
    """Cell index → (start, end) of that cell's ``"source"`` value in the JSON ``text``."""
    decoder = json.JSONDecoder()
    spans: dict[int, tuple[int, int]] = {}

    def ws(i: int) -> int:
        while i < len(text) and text[i] in _WS:
            i += 1
        return i

    def members(i: int, on_value: Any) -> int:
        """Walk the object at ``i`` ('{'), calling on_value(key, start) → end for each value."""
        i = ws(i) + 1
        while True:
            i = ws(i)
            if text[i] == "}":
                return i + 1
            key, i = scanstring(text, i + 1)
            i = ws(ws(i) + 1)  # past ':'
            i = on_value(key, i)
            i = ws(i)
            if text[i] == ",":
                i += 1

    def skip(_key: str, i: int) -> int:
        return int(decoder.raw_decode(text, i)[1])

    def cell_value(index: int) -> Any:
        def on_value(key: str, i: int) -> int:
            end = skip(key, i)
            if key == "source":
                spans[index] = (i, end)
            return end

        return on_value

    def top(key: str, i: int) -> int:
        if key != "cells" or text[i] != "[":
            return skip(key, i)
        i += 1
        index = 0
        while True:
            i = ws(i)
            if text[i] == "]":
                return i + 1
            i = members(i, cell_value(index)) if text[i] == "{" else skip("", i)
            index += 1
            i = ws(i)
            if text[i] == ",":
                i += 1

    members(ws(0), top)
    return spans
