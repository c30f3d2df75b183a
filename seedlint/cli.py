"""The ``seedlint`` command: arguments → settings → run → report → exit status. Nothing else."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import Optional

from seedlint import __version__, config, fixes
from seedlint.config import ConfigError, Settings
from seedlint.engine import contexts, source
from seedlint.engine.runner import SourceFile, UsageError, discover, lint
from seedlint.findings import FileError, Report
from seedlint.report import REPORTERS, text
from seedlint.rules.base import all_rules

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_ERROR, f"seedlint: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="seedlint",
        description="Find uncontrolled randomness in PyTorch / NumPy / Python experiments.",
    )
    p.add_argument(
        "paths", nargs="*", metavar="PATH", help='files or folders to lint (default ".")'
    )
    p.add_argument(
        "--select", metavar="CODES", help="only these codes or prefixes (RNG, RNG3, RNG301)"
    )
    p.add_argument("--ignore", metavar="CODES", help="skip these codes or prefixes")
    p.add_argument("--extend-select", metavar="CODES", help="add these codes to the selection")
    p.add_argument("--format", choices=sorted(REPORTERS), default="text", help="output format")
    p.add_argument(
        "--scope", choices=config.SCOPES, help="whole program (default) or each file alone"
    )
    p.add_argument(
        "--contexts",
        metavar="CONTEXTS",
        help="findings of which entry-point contexts to show: all, or some of "
        "program,demo,benchmark,test (default: program)",
    )
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings are left")
    p.add_argument("--fix", action="store_true", help="apply safe fixes, then report what is left")
    p.add_argument(
        "--unsafe-fixes", action="store_true", help="with --fix / --diff: apply unsafe fixes too"
    )
    p.add_argument(
        "--diff",
        action="store_true",
        help="print the fixes as a unified diff and write nothing (exit 1 if any)",
    )
    p.add_argument("--statistics", action="store_true", help="count findings per rule")
    p.add_argument(
        "--config",
        metavar="FILE",
        help="read settings from FILE instead of the nearest pyproject.toml",
    )
    p.add_argument("--isolated", action="store_true", help="ignore all configuration files")
    p.add_argument(
        "--jobs", "-j", type=int, metavar="N", help="worker processes (default: all cores)"
    )
    p.add_argument(
        "--no-cache", action="store_true", help="do not read or write the per-file cache"
    )
    p.add_argument(
        "--stdin-filename",
        metavar="NAME",
        help='read the source from stdin (PATH "-"), report it as NAME',
    )
    p.add_argument("--explain", metavar="CODE", help="what / why / example / fix for a rule")
    p.add_argument(
        "--list-rules", action="store_true", help="table of codes, names, defaults and fixes"
    )
    p.add_argument("--version", action="version", version=f"seedlint {__version__}")
    return p


def main(argv: Optional[Sequence[str]] = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        # A path the console's encoding cannot hold must not end the run with a traceback.
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="backslashreplace")
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args and args[0] == "verify":
            from seedlint.verify import main as verify

            return verify(args[1:])
        return _main(args)
    except BrokenPipeError:  # `seedlint . | head`: the reader went away
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("seedlint: interrupted\n")
        return 130


def _main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    for state in (_fixed_count, _fixed_files, _last_changed, _stdin_result):
        state.clear()  # one run's fix bookkeeping (main() may run several times in a process)
    rules = all_rules()
    try:
        if args.explain:
            code = args.explain.strip().upper()
            if code not in rules:
                raise ConfigError(
                    f"unknown rule code '{args.explain}' (see `seedlint --list-rules`)"
                )
            sys.stdout.write(rules[code].explain())
            return EXIT_CLEAN
        if args.list_rules:
            sys.stdout.write(list_rules())
            return EXIT_CLEAN
        settings = load_settings(args, list(rules))
        codes = settings.enabled(rules, {c: r.default for c, r in rules.items()})
        files = _files(args, settings)
        use_cache = not args.no_cache and args.stdin_filename is None and args.paths != ["-"]
        report = lint(files, settings, codes, jobs=_jobs(args.jobs), use_cache=use_cache)
        out = sys.stdout
        if args.fix or args.diff:
            outcome = _fix(args, files, report)
            if outcome is not None:
                return outcome
            if len(files) == 1 and files[0].data is not None:
                # stdin: the fixed source went to stdout; what is left goes to stderr
                files = [replace(files[0], data=_stdin_result[0])]
                out = sys.stderr
            fix_errors = list(report.errors)
            report = lint(files, settings, codes, jobs=_jobs(args.jobs), use_cache=use_cache)
            # A fix can make the next one visible (a draw reached from several entry points is
            # reported for one at a time): fix again until nothing changes (bounded).
            rounds = 1
            while args.fix and out is sys.stdout and any(_last_changed) and rounds < _MAX_ROUNDS:
                if not any(fixes.applicable(f, args.unsafe_fixes) for f in report.findings):
                    break
                _fix(args, files, report)
                fix_errors += [
                    e
                    for e in report.errors
                    if e.message.startswith("not ")
                    and (e.path, e.message) not in {(f.path, f.message) for f in fix_errors}
                ]
                rounds += 1
                report = lint(files, settings, codes, jobs=_jobs(args.jobs), use_cache=use_cache)
            known = {(e.path, e.message) for e in report.errors}
            report.errors += [
                e
                for e in fix_errors
                if e.message.startswith("not ") and (e.path, e.message) not in known
            ]
    except (ConfigError, UsageError) as exc:
        sys.stderr.write(f"seedlint: error: {exc}\n")
        return EXIT_ERROR
    if args.format == "text":
        if not args.statistics:  # as in ruff, --statistics prints the table only
            text.write(report, out, unsafe=args.unsafe_fixes)
    else:
        REPORTERS[args.format](report, out)
    for err in report.errors:
        sys.stderr.write(f"seedlint: error: {err.path}: {err.message}\n")
    if args.statistics:
        stats = text.statistics(
            report, {c: r.name for c, r in rules.items()}, unsafe=args.unsafe_fixes
        )
        if stats:
            (sys.stdout if args.format == "text" else sys.stderr).write(stats + "\n")
    if args.fix and _fixed_count and _fixed_count[0]:
        sys.stderr.write(
            f"Applied {_fixed_count[0]} fix{'es' if _fixed_count[0] != 1 else ''} "
            f"in {_fixed_count[1]} file{'s' if _fixed_count[1] != 1 else ''}.\n"
        )
    nothing_fixed = args.fix and not (_fixed_count and _fixed_count[0])
    if nothing_fixed and text.hidden_fixes(report, args.unsafe_fixes):
        sys.stderr.write(text.no_safe_fixes(text.hidden_fixes(report, args.unsafe_fixes)) + "\n")
        sys.stderr.write(text.summary(report, unsafe=args.unsafe_fixes).split("\n")[0] + "\n")
    elif not args.statistics:
        sys.stderr.write(text.summary(report, unsafe=args.unsafe_fixes) + "\n")
    if report.errors:
        return EXIT_ERROR
    if report.findings and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


_fixed_count: list[int] = []
_fixed_files: set[str] = set()
_last_changed: list[bool] = []
_MAX_ROUNDS = 10
_stdin_result: list[bytes] = []


def _fix(args: argparse.Namespace, files: list[SourceFile], report: Report) -> Optional[int]:
    """Apply (or, with --diff, show) the fixes. Returns an exit status when the run ends here
    (--diff, stdin), None when the caller should lint again and report what is left."""
    by_path = {f.path: f for f in files}
    changed: dict[str, tuple[bytes, bytes]] = {}
    stale: list[str] = []
    per_file: dict[str, int] = {}
    for path, file_fixes in sorted(fixes.group(report.findings, args.unsafe_fixes).items()):
        src = by_path.get(path)
        try:
            data = src.data if src is not None and src.data is not None else _read(path)
            checked = report.sources.get(path)
            if checked is not None and source.content_hash(data) != checked:
                # Edited since it was analysed: these fixes belong to the old content. The
                # next round analyses the file as it is now and fixes that.
                stale.append(path)
                continue
            new = fixes.fix_file(path, data, file_fixes)
        except (OSError, fixes.FixError) as exc:
            report.errors.append(FileError(path, f"not fixed: {exc}"))
            continue
        except Exception as exc:  # a bug in one fix must not cost the other files theirs
            report.errors.append(
                FileError(path, f"not fixed: internal error: {type(exc).__name__}: {exc}")
            )
            continue
        if new is not None:
            changed[path] = (data, new)
            per_file[path] = len(file_fixes)
    stdin = files[0] if len(files) == 1 and files[0].data is not None else None
    if args.diff:
        for path, (old, new) in changed.items():
            sys.stdout.write(fixes.unified_diff(path, old, new))
        hidden = text.hidden_fixes(report, args.unsafe_fixes)
        if not changed and hidden:
            sys.stderr.write(text.no_safe_fixes(hidden) + "\n")
        for err in report.errors:
            sys.stderr.write(f"seedlint: error: {err.path}: {err.message}\n")
        if report.errors:
            return EXIT_ERROR
        return EXIT_FINDINGS if changed else EXIT_CLEAN
    if stdin is not None:
        old_new = changed.get(stdin.path)
        result = old_new[1] if old_new else (stdin.data or b"")
        sys.stdout.flush()
        sys.stdout.buffer.write(result)
        sys.stdout.flush()
        _stdin_result[:] = [result]
        _fixed_count[:] = [sum(per_file.values()), 1 if old_new else 0]
        return None
    for path, (old, new) in list(changed.items()):
        try:
            # Refused when the file changed since it was read (an editor saved meanwhile).
            fixes.write_atomic(path, new, expected=old)
        except OSError as exc:
            report.errors.append(FileError(path, f"not written: {exc}"))
            del changed[path]
    count = sum(per_file[p] for p in changed)
    if _fixed_count:
        _fixed_files.update(changed)
        _fixed_count[:] = [_fixed_count[0] + count, len(_fixed_files)]
    else:
        _fixed_files.update(changed)
        _fixed_count[:] = [count, len(changed)]
    _last_changed[:] = [bool(changed) or bool(stale)]
    return None


def _read(path: str) -> bytes:
    with open(path, "rb") as fh:
        return fh.read()


def load_settings(args: argparse.Namespace, known: list[str]) -> Settings:
    if args.isolated:
        settings = Settings()
    elif args.config:
        if not os.path.isfile(args.config):
            raise ConfigError(f"{args.config}: config file not found")
        settings = config.load(args.config, known)
    else:
        start = args.stdin_filename or (
            args.paths[0] if args.paths and args.paths[0] != "-" else "."
        )
        if not os.path.exists(start):
            start = os.path.dirname(os.path.abspath(start)) or "."
        found = config.find_config(start)
        settings = config.load(found, known) if found else Settings()
    changes: dict[str, object] = {}
    if args.select is not None:
        changes["select"] = config.parse_codes(args.select, known, "--select")
    if args.ignore is not None:
        changes["ignore"] = settings.ignore + config.parse_codes(args.ignore, known, "--ignore")
    if args.extend_select is not None:
        changes["extend_select"] = settings.extend_select + config.parse_codes(
            args.extend_select, known, "--extend-select"
        )
    if args.scope is not None:
        changes["scope"] = args.scope
    if args.contexts is not None:
        changes["contexts"] = contexts.parse(args.contexts, "--contexts")
    return replace(settings, **changes)  # type: ignore[arg-type]


def _files(args: argparse.Namespace, settings: Settings) -> list[SourceFile]:
    paths = list(args.paths) or ["."]
    if args.stdin_filename is not None or paths == ["-"]:
        if args.paths and args.paths != ["-"]:
            raise UsageError(
                '--stdin-filename reads one source from stdin: pass "-" as the only PATH'
            )
        name = args.stdin_filename or "-"
        data = sys.stdin.buffer.read()
        return [SourceFile(name, os.path.abspath(name), data)]
    return discover(paths, settings)


def _jobs(requested: Optional[int]) -> int:
    if requested is not None:
        return max(1, requested)
    return max(1, os.cpu_count() or 1)


def list_rules() -> str:
    rules = all_rules()
    rows = [("code", "name", "default", "fix", "summary")]
    for code, r in rules.items():
        rows.append((code, r.name, "on" if r.default else "off", r.fixable or "-", r.summary))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    out = []
    for row in rows:
        out.append(
            "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4])) + "  " + row[4]
        )
    return "\n".join(out) + "\n"
