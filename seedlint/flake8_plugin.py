"""The flake8 front-end: ``flake8 --select RNG`` (entry point ``RNG`` in ``flake8.extension``).

A thin adapter over :func:`seedlint.engine.runner.lint`, like the CLI; it never reaches into
rules. What it does differently from ``seedlint``, and why:

* **File scope.** flake8 hands plugins one file at a time, so each file is its own program
  (``--scope file``): RNG001–RNG003 fire only in files that are entry points.
* **The source is what flake8 read** (``lines``, stdin included), not the file on disk. The
  ``ast`` tree flake8 passes is ignored: the engine parses the file once, with libcst.
* **Columns are 0-based** (flake8 adds 1 when printing), so ``flake8`` and ``seedlint --scope
  file`` print the same ``line:column`` for a finding.
* **flake8 applies ``# noqa``**, not seedlint (so ``--disable-noqa`` works); note that flake8
  looks only at the reported line (or the whole of a multi-line string / backslash-continued
  line), not at the first line of the statement as seedlint does.
* **Configuration:** ``[tool.seedlint]`` in the nearest ``pyproject.toml`` above the file is
  read as the CLI reads it (``select``, ``ignore``, ``extend-select``, ``per-file-ignores``,
  ``seed-functions``, ``entry-points``; ``scope`` is always ``file``; ``exclude`` is flake8's
  business).
* **Selection is read as the CLI reads it.** flake8's explicit ``--select`` and
  ``--extend-select`` (from its command line or its own configuration) are merged into those
  settings as the CLI's options are (``--select`` replaces ``select``, ``--extend-select`` adds
  to ``extend-select``), and only the rules that selection switches on are computed: a prefix
  selects every rule it covers, the ones off by default (RNG502) included, and without a
  selection the rules on by default are computed. flake8 then decides what is shown among them
  with its own ``--select`` / ``--ignore`` / ``--extend-select`` / ``--extend-ignore``, so
  ``flake8 --select RNG``, ``flake8 --extend-select RNG502`` and ``select = ["RNG"]`` in
  ``[tool.seedlint]`` show what ``seedlint --scope file`` shows with the same selection. The
  default-off rules are not put on flake8's default ignore list: that list would hide them
  from a ``[tool.seedlint]`` selection, and flake8's ``--ignore`` (which replaces it) would
  bring them back unasked.
* **Never a crash.** A file libcst cannot parse (or is nested too deeply to analyse) is RNG999,
  as in the CLI; a file Python's own parser rejects never reaches the plugin (flake8 reports
  E999). A ``[tool.seedlint]`` error, an unreadable configuration, or an internal error is
  reported as one RNG999 finding at 1:1 that says what happened ("the file was not checked"),
  so it is visible and fails the run (exit 1) without hiding the other plugins' results: an
  exception escaping a flake8 plugin aborts the whole flake8 run.
* **Notebooks** are not flake8's (it reads ``.ipynb`` as JSON text, and only when told to with
  ``--filename``): their findings are reported at 1:1 with the cell and position in the message.
"""

from __future__ import annotations

import functools
import io
import logging
import os
import tokenize
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any, Optional, Union

from seedlint import __version__, config
from seedlint.config import ConfigError, Settings
from seedlint.engine.runner import SourceFile, lint
from seedlint.findings import Finding
from seedlint.rules.base import all_rules

#: (line, 0-based column, "CODE message", checker class): what flake8 expects from ``run()``.
Result = tuple[int, int, str, type[Any]]
#: flake8's ``--select`` (``None`` when not given) and ``--extend-select``, as selectors.
Selection = tuple[Optional[tuple[str, ...]], tuple[str, ...]]

_NOT_CHECKED = "RNG999"
#: Under flake8's logger, so ``flake8 -v`` shows what went wrong (and nothing is printed otherwise).
LOG = logging.getLogger("flake8.seedlint")


class SeedlintChecker:
    name = "seedlint"
    version = __version__

    def __init__(self, tree: Any, filename: str, lines: Sequence[str]) -> None:
        # ``tree`` makes flake8 treat this as an AST plugin (run once per file, and only when
        # Python can parse the file); the engine parses the source itself, with libcst.
        del tree
        self.filename = filename
        self.lines = lines

    #: flake8's ``--disable-noqa``: then no noqa comment applies, seedlint's reading included.
    disable_noqa = False

    #: flake8's explicit selection: ``--select`` (``None`` when not given) and
    #: ``--extend-select``, merged into ``[tool.seedlint]`` as the CLI merges its options.
    selection: Selection = (None, ())

    @classmethod
    def parse_options(cls, options: Any) -> None:
        cls.disable_noqa = bool(getattr(options, "disable_noqa", False))
        cls.selection = (
            _codes(getattr(options, "select", None)),
            _codes(getattr(options, "extend_select", None)) or (),
        )

    def run(self) -> Iterator[Result]:
        try:
            results = self._results()
        except Exception as exc:
            # An internal error must be visible, but must not abort the whole flake8 run (an
            # exception escaping a plugin does, and loses every other plugin's results): one
            # finding says the file was not checked; ``flake8 -v`` logs the traceback.
            LOG.exception("seedlint failed on %s", self.filename)
            results = [
                _error(
                    f"internal error in seedlint ({type(exc).__name__}: {exc}), so the file "
                    "was not checked (flake8 -v shows the traceback)"
                )
            ]
        yield from results

    def _results(self) -> list[Result]:
        path = self.filename
        loaded = _settings_for(os.path.dirname(os.path.abspath(path)), self.selection)
        if isinstance(loaded, str):
            return [_error(f"seedlint configuration error, so the file was not checked: {loaded}")]
        settings, codes = loaded
        src = SourceFile(path, os.path.realpath(path), _encode("".join(self.lines)))
        # seedlint's own reading of noqa comments (the reported line or the statement's first line, as
        # in the CLI) applies too, so that a suppression works the same under both; flake8 then
        # applies its own on top. ``--disable-noqa`` turns both off.
        report = lint(
            [src], settings, codes, jobs=1, use_cache=False, apply_noqa=not self.disable_noqa
        )
        results = [_result(finding) for finding in report.findings]
        # The engine keeps every other result when one step fails: say what was not checked.
        results += [
            _error(f"seedlint did not fully check the file: {error.message}")
            for error in report.errors
        ]
        return results


def _result(finding: Finding) -> Result:
    span = finding.span
    if finding.cell is not None:
        # A notebook given to flake8 (``--filename '*.ipynb'``) is read as its JSON text, where
        # a cell's line:column means nothing: report at 1:1 and say where in the notebook.
        where = f"(cell {finding.cell}, line {span.line}, column {span.column})"
        return (1, 0, f"{finding.code} {where} {finding.message}", SeedlintChecker)
    text = f"{finding.code} {finding.message}"
    return (span.line, max(span.column - 1, 0), text, SeedlintChecker)


def _error(message: str) -> Result:
    """A problem that kept (part of) the file from being checked, reported at 1:1."""
    return (1, 0, f"{_NOT_CHECKED} " + " ".join(message.split()), SeedlintChecker)


def _encode(text: str) -> bytes:
    """Source bytes as the file had them: flake8 decoded the file by its coding cookie, and the
    engine (libcst) decodes the bytes by the same cookie."""
    data = text.encode("utf-8", errors="surrogatepass")
    try:
        encoding = tokenize.detect_encoding(io.BytesIO(data).readline)[0]
    except (SyntaxError, LookupError):
        return data
    if encoding in ("utf-8", "utf-8-sig"):
        return data
    try:
        return text.encode(encoding)
    except (UnicodeError, LookupError):
        return data


def _codes(option: Optional[Sequence[str]]) -> Optional[tuple[str, ...]]:
    """A flake8 code list as selectors (flake8 leaves an option it was not given ``None``)."""
    if option is None:
        return None
    return tuple(code.strip().upper() for code in option if code.strip())


@functools.cache
def _settings_for(
    directory: str, selection: Selection
) -> Union[tuple[Settings, frozenset[str]], str]:
    """Settings and codes to compute for files in ``directory`` (or the configuration error)."""
    try:
        found = config.find_config(directory)
    except ConfigError as exc:
        return str(exc)
    return _settings_from(found, selection)


@functools.cache
def _settings_from(
    path: Optional[str], selection: Selection
) -> Union[tuple[Settings, frozenset[str]], str]:
    rules = all_rules()
    try:
        settings = config.load(path, list(rules)) if path is not None else Settings()
    except ConfigError as exc:
        return str(exc)
    select, extend_select = selection
    settings = replace(
        settings,
        select=settings.select if select is None else select,
        extend_select=settings.extend_select + extend_select,
        scope="file",
    )
    # The codes the merged selection switches on, with the rules' real defaults (as the CLI
    # computes them); flake8's own decision then filters these.
    return settings, settings.enabled(rules, {c: r.default for c, r in rules.items()})
