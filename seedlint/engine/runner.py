"""Files → facts → rules → findings. The only entry into the engine for front-ends."""

from __future__ import annotations

import ast
import hashlib
import os
import stat
import sys
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Optional

from seedlint.config import Settings
from seedlint.engine import contexts, notebook, prefilter, source
from seedlint.engine.cache import DIRNAME, Cache
from seedlint.engine.collect import analyse_module
from seedlint.engine.facts import FileFacts
from seedlint.engine.program import Program
from seedlint.findings import FileError, Finding, Location, Report
from seedlint.rules.base import Rule, all_rules


class UsageError(Exception):
    """A problem with what was asked (a missing path, no Python files): exit status 2."""


@dataclass(frozen=True)
class SourceFile:
    path: str  # as shown to the user (reached from the paths given)
    key: str  # absolute, normalised: identity in the program
    data: Optional[bytes] = None  # given (stdin) rather than read


def discover(paths: Sequence[str], settings: Settings) -> list[SourceFile]:
    """Python files under ``paths`` (sorted, excludes applied to what directories contain)."""
    out: list[SourceFile] = []
    seen: set[str] = set()
    for given in paths:
        if not os.path.lexists(given):
            raise UsageError(f"{given}: no such file or directory")
        if os.path.isdir(given):
            found = list(_walk(given, settings))
            out.extend(f for f in found if f.key not in seen)
            seen.update(f.key for f in found)
        else:
            key = os.path.realpath(given)
            if key not in seen:
                seen.add(key)
                out.append(SourceFile(given, key))
    if not out:
        raise UsageError(f"no Python files found in {', '.join(paths)}")
    return out


def _walk(top: str, settings: Settings) -> Iterable[SourceFile]:
    root_real = os.path.realpath(top)
    for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not settings.is_excluded(os.path.join(dirpath, d), top)
            and not os.path.islink(os.path.join(dirpath, d))
        )
        for name in sorted(filenames):
            if not name.endswith(".py") and not notebook.is_notebook(name):
                continue
            path = os.path.join(dirpath, name)
            if settings.is_excluded(path, top):
                continue
            key = os.path.realpath(path)
            if os.path.islink(path) and not key.startswith(root_real + os.sep):
                continue  # a link out of the tree
            try:
                if not stat.S_ISREG(os.stat(path).st_mode):
                    continue
            except OSError:
                pass  # reported when read
            yield SourceFile(_display(path), key)


def _display(path: str) -> str:
    return path[2:] if path.startswith("./") else path


@lru_cache(maxsize=16)
def _rules_for(codes: frozenset[str]) -> list[Rule]:
    """The enabled rules, built once per process (rules keep no state between files: what a
    rule collects lives in the file's context)."""
    return [cls() for code, cls in all_rules().items() if code in codes]


def _unreadable(src: SourceFile, exc: OSError) -> FileError:
    return FileError(src.path, f"cannot read file: {exc.strerror or exc}")


#: The analysis recurses about twice per level of the syntax tree; source.py refuses trees
#: deeper than 2,000 levels before they get here (Python 3.11+ keeps Python-to-Python calls
#: off the C stack; older ones use well under 8 MB of it at this depth).
_RECURSION_LIMIT = 10_000


def _analyse_data(
    src: SourceFile, data: bytes, settings: Settings, codes: frozenset[str]
) -> tuple[Optional[FileFacts], Optional[FileError]]:
    # Raised only while seedlint analyses (in-process users, e.g. flake8, keep their limit).
    limit = sys.getrecursionlimit()
    if limit < _RECURSION_LIMIT:
        sys.setrecursionlimit(_RECURSION_LIMIT)
    try:
        return _analyse_source(src, data, settings, codes)
    finally:
        sys.setrecursionlimit(limit)


def _analyse_source(
    src: SourceFile, data: bytes, settings: Settings, codes: frozenset[str]
) -> tuple[Optional[FileFacts], Optional[FileError]]:
    raw = data
    vm: Optional[notebook.Virtual] = None
    try:
        rules = _rules_for(codes)
        if notebook.is_notebook(src.path):
            try:
                vm = notebook.virtual(data, src.path)
            except notebook.NotebookError as exc:
                finding = notebook.error_finding(src.path, exc)
                return FileFacts(src.path, parse_error=finding, findings=[finding]), None
            data = vm.source
        parsed = source.parse(data, src.path)
        if isinstance(parsed, Finding):
            facts = FileFacts(src.path, parse_error=parsed, findings=[parsed])
        elif vm is not None and not vm.python:
            facts = FileFacts(src.path)  # an R / Julia / … notebook: nothing to check
        else:
            facts = analyse_module(parsed, src.path, settings, rules, data)
        if vm is not None:
            facts.cells = vm.cells
            facts.findings.extend(vm.findings)
        facts.source_hash = source.content_hash(raw)
        facts.noqa = source.noqa_comments(data)
        return facts, None
    except RecursionError:
        finding = source.syntax_error(src.path, 1, 1, "the file is nested too deeply to analyse")
        return FileFacts(src.path, parse_error=finding, findings=[finding]), None
    except SyntaxError as exc:
        # libcst accepts what CPython rejects in places (a literal with a bad escape or a NUL,
        # non-ASCII bytes), found when the analysis evaluates it: the file is not Python.
        verdict = source.python_verdict(data)
        if isinstance(verdict, tuple):
            finding = source.syntax_error(src.path, *verdict)
            cells = vm.cells if vm is not None else None
            return FileFacts(src.path, parse_error=finding, findings=[finding], cells=cells), None
        return None, FileError(
            src.path, f"internal error while analysing: {type(exc).__name__}: {exc}"
        )
    except Exception as exc:  # an engine bug must not lose the other files' results
        return None, FileError(
            src.path, f"internal error while analysing: {type(exc).__name__}: {exc}"
        )


def _read(path: str) -> bytes:
    if os.path.isdir(path):
        raise IsADirectoryError(21, "is a directory")
    # O_NONBLOCK: opening a FIFO (given on the command line, or swapped in after discovery)
    # would wait for a writer forever; only regular files are read (/dev/zero never ends).
    # O_BINARY: no newline translation on Windows.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with open(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError("not a regular file")
        if notebook.is_notebook(path):
            return fh.read()  # the limit applies to the notebook's code, not its outputs
        # A larger file is not analysed (source.MAX_BYTES): no need to hold all of it.
        return fh.read(source.MAX_BYTES + 1)


BatchItem = tuple[SourceFile, str, bool]


def _analyse_batch(
    batch: list[BatchItem],
    settings: Settings,
    codes: frozenset[str],
    cache: Optional[Cache],
) -> list[tuple[Optional[FileFacts], Optional[FileError]]]:
    out = []
    for src, key, light in batch:
        data = src.data or b""
        facts = _light_facts(src, data) if light else None
        error = None
        if facts is None:
            facts, error = _analyse_data(src, data, settings, codes)
        if cache is not None and facts is not None and key:
            cache.put(key, facts)
        out.append((facts, error))
    return out


def _light_facts(src: SourceFile, data: bytes) -> Optional[FileFacts]:
    """Facts for a file the prefilter found cannot matter: only checked for syntax errors, with
    CPython's parser (None when it rejects the file: the full analysis then reports it)."""
    try:
        ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return None
    return FileFacts(src.path, source_hash=source.content_hash(data), light=True)


def make_cache(settings: Settings, codes: frozenset[str]) -> Cache:
    fingerprint = repr((sorted(codes), sorted(settings.seed_functions), settings.scope))
    return Cache(os.path.join(settings.root, DIRNAME), fingerprint)


Analysed = tuple[SourceFile, Optional[FileFacts], Optional[FileError]]


def prefilter_for(settings: Settings, enabled: bool = True) -> Optional[str]:
    """Which prefilter a run uses: in file scope a file without any randomness vocabulary can
    hold no finding ("file"). In project scope the closure over what files mention keeps
    nearly every file of a real project (measured: 99.5–100 % on torch, timm, detectron2,
    mmpretrain, pytorch/examples), so it costs more than it saves and is off (None); "project"
    turns it on (tests compare it with the full analysis)."""
    if not enabled:
        return None
    return "file" if settings.scope == "file" else None


def _light_keys(
    todo: Sequence[tuple[int, SourceFile, str]], settings: Settings, mode: Optional[str]
) -> set[str]:
    if mode is None or not todo:
        return set()
    contents = {src.key: (src.path, src.data or b"") for _, src, _ in todo}
    if mode == "file":
        trig = prefilter.triggers(settings.seed_functions)
        return {
            key
            for key, (path, data) in contents.items()
            if not prefilter.always_full(path)
            and not trig.triggered(data, prefilter.mentions(data))
        }
    return set(contents) - prefilter.relevant(contents, settings.seed_functions)


def _cache_key(key: str, src: SourceFile, light: set[str], mode: Optional[str]) -> str:
    """Light results in project scope depend on the other files: never cached."""
    return "" if mode == "project" and src.key in light else key


Read = tuple[SourceFile, Optional[bytes], str, Optional[FileError]]


def read_files(files: Sequence[SourceFile], cache: Optional[Cache]) -> list[Read]:
    """Each file's bytes and cache key (or the error that kept it from being read)."""
    out: list[Read] = []
    for src in files:
        try:
            data = src.data if src.data is not None else _read(src.path)
        except OSError as exc:
            out.append((src, None, "", _unreadable(src, exc)))
            continue
        out.append((src, data, cache.key(src.path, data) if cache is not None else "", None))
    return out


def analyse_files(
    files: Sequence[SourceFile],
    settings: Settings,
    codes: frozenset[str],
    jobs: int,
    cache: Optional[Cache] = None,
    prefilter_mode: Optional[str] = None,
    preread: Optional[list[Read]] = None,
    extra_keys: frozenset[str] = frozenset(),
) -> list[Analysed]:
    """Every file's facts, in the order of ``files`` whatever the scheduling. Files are read
    and looked up in the cache here; only the misses are analysed, in ``jobs`` processes when
    there are enough of them (a warm run starts no process at all). ``prefilter_mode`` (see
    :func:`prefilter_for`): files the textual prefilter clears get only a syntax check."""
    results: list[Optional[Analysed]] = [None] * len(files)
    todo: list[tuple[int, SourceFile, str]] = []
    keys: set[str] = set()
    for i, (src, data, key, error) in enumerate(preread or read_files(files, cache)):
        if data is None:
            results[i] = (src, None, error)
            continue
        if cache is not None:
            keys.add(key)
            cached = cache.get(key)
            if cached is not None:
                cache.touch(key)  # in use: not pruned
                results[i] = (src, cached, None)
                continue
        todo.append((i, replace(src, data=data), key))
    light = _light_keys(todo, settings, prefilter_mode)
    if prefilter_mode == "project" and cache is not None:
        keys -= {key for _, src, key in todo if src.key in light}  # depends on other files
    # What each worker gets per file: (source with its bytes, cache key, cleared by the prefilter).
    items: list[tuple[int, BatchItem]] = [
        (i, (src, _cache_key(key, src, light, prefilter_mode), src.key in light))
        for i, src, key in todo
    ]
    if jobs <= 1 or len(items) < 16:
        done = _analyse_batch([item for _, item in items], settings, codes, cache)
    else:
        # Batches of about equal size in bytes keep the workers busy until the end; large
        # files go first so that no straggler runs alone.
        order = sorted(items, key=lambda t: -len(t[1][0].data or b""))
        count = max(jobs * 8, len(order) // 32)
        batches: list[list[tuple[int, BatchItem]]] = [[] for _ in range(min(count, len(order)))]
        for n, entry in enumerate(order):
            round_, pos = divmod(n, len(batches))
            batches[pos if round_ % 2 == 0 else len(batches) - 1 - pos].append(entry)
        by_index: dict[int, tuple[Optional[FileFacts], Optional[FileError]]] = {}
        with ProcessPoolExecutor(max_workers=min(jobs, len(batches))) as pool:
            outs = pool.map(
                _analyse_batch,
                [[item for _, item in b] for b in batches],
                [settings] * len(batches),
                [codes] * len(batches),
                [cache] * len(batches),
            )
            for batch, out in zip(batches, outs):
                for (i, _), result in zip(batch, out):
                    by_index[i] = result
        done = [by_index[i] for i, _ in items]
    for (i, _, _), (facts, error) in zip(todo, done):
        results[i] = (files[i], facts, error)
    if cache is not None:
        cache.prune(keys | extra_keys)
    return [r for r in results if r is not None]


def lint(
    files: Sequence[SourceFile],
    settings: Settings,
    codes: frozenset[str],
    jobs: int = 1,
    use_cache: bool = False,
    apply_noqa: bool = True,
    prefilter_mode: Optional[str] = "auto",
) -> Report:
    """Lint ``files``. ``apply_noqa=False`` keeps findings silenced by ``# noqa`` (flake8
    applies its own, so that ``--disable-noqa`` works). ``prefilter_mode``: "auto" (see
    :func:`prefilter_for`), "file", "project" or None (every file analysed in full)."""
    report = Report(files=len(files))
    cache = make_cache(settings, codes) if use_cache else None
    mode = prefilter_for(settings) if prefilter_mode == "auto" else prefilter_mode
    preread = read_files(files, cache)
    run_key = _run_key(preread, settings, codes, apply_noqa, mode) if cache is not None else None
    store_key = _store_key(preread, settings, codes, mode) if cache is not None else None
    if cache is not None and run_key is not None:
        # Nothing that decides the result changed since a run that stored it: every file's
        # path and content, the settings, the rules and seedlint itself (in every key).
        memo = cache.get_run(run_key)
        if memo is not None and len(memo) == 4:
            report.findings, report.sources = list(memo[0]), dict(memo[1])
            report.hidden = dict(memo[2])
            report.runs = report.runs_reused = memo[3]
            keys = {key for _, _, key, _ in preread}
            for key in keys:
                cache.touch(key)  # still in use: not pruned
            if store_key is not None:
                cache.set_last_state(store_key, run_key)  # the next edit starts from here
            cache.prune(keys | {k for k in (run_key, store_key) if k})
            return report
    keep = frozenset(k for k in (run_key, store_key) if k)
    analysed = analyse_files(files, settings, codes, jobs, cache, mode, preread, keep)
    facts_by_key: dict[str, FileFacts] = {}
    for src, facts, err in analysed:
        if err is not None:
            report.errors.append(err)
        if facts is not None:
            if facts.source_hash:
                report.sources[src.path] = facts.source_hash
            if not facts.light:
                facts_by_key[src.key] = facts
    program_rules: list[Rule] = [
        cls() for code, cls in all_rules().items() if code in codes and _is_program_rule(cls)
    ]
    findings: list[Finding] = []
    for facts in facts_by_key.values():
        findings.extend(facts.findings)
    programs: list[Program]
    if settings.scope == "file":
        programs = [
            Program({k: f}, settings.entry_points, root=settings.root, link_imports=False)
            for k, f in facts_by_key.items()
        ]
    else:
        program = Program(facts_by_key, settings.entry_points)
        if cache is not None and store_key is not None:
            # Entry points none of whose inputs changed since the last analysis are not run
            # again (``runstore``).
            program.content = {src.key: key for src, data, key, _ in preread if key}
            program.store = cache.get_runs(store_key)
        programs = [program]
    if program_rules:
        for program in programs:
            for rule in program_rules:
                try:
                    findings.extend(rule.check_program(program))
                except Exception as exc:  # keep every other result; exit status 2
                    where = next(iter(program.files.values())).path if program.files else "."
                    scope = "the project" if len(programs) == 1 else where
                    report.errors.append(
                        FileError(
                            scope,
                            f"internal error in {rule.code}'s whole-program analysis: "
                            f"{type(exc).__name__}: {exc}",
                        )
                    )
    noqa = {f.path: f.noqa for f in facts_by_key.values()}
    cells = {f.path: f.cells for f in facts_by_key.values() if f.cells is not None}
    kept = []
    for finding in findings:
        if finding.code not in codes:
            continue
        if _ignored(finding, settings):
            continue
        if apply_noqa and source.suppressed(finding, noqa.get(finding.path, {})):
            continue
        if finding.path in cells:
            finding = notebook.to_cell(finding, cells[finding.path])
        if any(loc.path in cells for loc in finding.related):
            finding = replace(
                finding,
                related=tuple(
                    _related_cell(loc, cells[loc.path]) if loc.path in cells else loc
                    for loc in finding.related
                ),
            )
        kept.append(finding)
    try:
        kept = _with_contexts(kept, programs, facts_by_key)
    except Exception as exc:  # keep every result (shown as program findings); exit status 2
        report.errors.append(
            FileError(".", f"internal error while deciding contexts: {type(exc).__name__}: {exc}")
        )
        kept = [f if f.context else replace(f, context=contexts.PROGRAM) for f in kept]
    shown = []
    for finding in kept:
        if finding.context in settings.contexts or finding.code == "RNG999":
            shown.append(finding)
        else:
            ctx = finding.context or contexts.PROGRAM
            report.hidden[ctx] = report.hidden.get(ctx, 0) + 1
    report.findings = sorted(set(shown), key=lambda f: f.sort_key)
    report.runs = sum(p.units for p in programs)
    report.runs_reused = sum(p.units_reused for p in programs)
    if cache is not None and run_key is not None and not report.errors:
        memo = (tuple(report.findings), dict(report.sources), dict(report.hidden), report.runs)
        cache.put_run(run_key, memo)
    if cache is not None and store_key is not None and run_key is not None and not report.errors:
        recorded = programs[0].recorded if settings.scope != "file" else None
        if recorded is not None:
            cache.put_runs(store_key, run_key, recorded)
    return report


def _with_contexts(
    findings: list[Finding], programs: Sequence[Program], facts_by_key: dict[str, FileFacts]
) -> list[Finding]:
    """Each finding with its context (DESIGN "Contexts"): ``test`` in a test file; else what
    the rule decided (the entry points whose runs make it true), else the most important
    context among the entry points that run the code it lies in; else its path's."""
    by_path = {facts.path: (key, facts) for key, facts in facts_by_key.items()}
    reach: Optional[dict[tuple[str, str], int]] = None
    out: list[Finding] = []
    for finding in findings:
        context = finding.context
        if contexts.is_test_file(finding.path):
            context = contexts.TEST
        elif context is None:
            if reach is None:
                reach = _reach(programs)
            found = by_path.get(finding.path)
            rank: Optional[int] = None
            if found is not None:
                key, facts = found
                rank = reach.get((key, facts.scope_at(finding.span.line)))
            if rank is not None:
                context = contexts.CONTEXTS[rank]
            else:
                context = contexts.of_path(finding.path) or contexts.PROGRAM
        out.append(finding if context == finding.context else replace(finding, context=context))
    return out


def _reach(programs: Sequence[Program]) -> dict[tuple[str, str], int]:
    """(file key, function) → the best rank among the contexts of the runs that walk it
    (module top levels as function "")."""
    out: dict[tuple[str, str], int] = {}
    for program in programs:
        for run in program.runs():
            rank = contexts.CONTEXTS.index(run.context)
            for spot in (*run.scopes, *((k, "") for k in run.modules)):
                if out.get(spot, len(contexts.CONTEXTS)) > rank:
                    out[spot] = rank
    return out


def _run_key(
    preread: Sequence[Read],
    settings: Settings,
    codes: frozenset[str],
    apply_noqa: bool,
    mode: Optional[str],
) -> Optional[str]:
    """The key of a whole run's result, or None when some file could not be read."""
    return _key(b"run", preread, settings, (sorted(codes), apply_noqa, mode), contents=True)


def _store_key(
    preread: Sequence[Read], settings: Settings, codes: frozenset[str], mode: Optional[str]
) -> Optional[str]:
    """The key of the stored entry-point runs of these files: their paths and the settings,
    not their contents (what each run read is checked run by run)."""
    if settings.scope == "file":
        return None
    return _key(b"runs", preread, settings, (sorted(codes), mode), contents=False)


def _key(
    tag: bytes,
    preread: Sequence[Read],
    settings: Settings,
    extra: tuple[object, ...],
    contents: bool,
) -> Optional[str]:
    """A hash of the settings, ``extra`` and every file's path (and content key with
    ``contents``), or None when some file could not be read."""
    if any(data is None for _, data, _, _ in preread):
        return None
    h = hashlib.blake2b(tag + b"\0", digest_size=20)
    # Sets are sorted: their order (and so their repr) changes from process to process.
    state = replace(settings, seed_functions=frozenset())
    described = (state, sorted(settings.seed_functions), *extra)
    h.update(repr(described).encode("utf-8", "surrogateescape"))
    for src, _, key, _ in preread:
        line = f"\0{src.path}\0{src.key}" + (f"\0{key}" if contents else "")
        h.update(line.encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def _related_cell(loc: Location, cells: tuple[notebook.CellMap, ...]) -> Location:
    """A related location in a notebook, in its cell's coordinates."""
    mapped = notebook.to_cell(Finding("", "", loc.path, loc.span), cells)
    return Location(loc.path, mapped.span, mapped.cell)


def _ignored(finding: Finding, settings: Settings) -> bool:
    return any(finding.code.startswith(c) for c in settings.ignored_for(finding.path))


def _is_program_rule(cls: type[Rule]) -> bool:
    return cls.check_program is not Rule.check_program


def lint_paths(
    paths: Sequence[str],
    settings: Optional[Settings] = None,
    codes: Optional[Iterable[str]] = None,
    jobs: int = 1,
) -> Report:
    """Lint ``paths`` as the CLI would (default settings, default rules unless given)."""
    settings = settings or Settings()
    rules = all_rules()
    enabled = (
        frozenset(codes)
        if codes is not None
        else settings.enabled(rules, {c: r.default for c, r in rules.items()})
    )
    return lint(discover(paths, settings), settings, enabled, jobs=jobs)
