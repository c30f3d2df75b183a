"""Benchmark seedlint on one source tree against a bare libcst parse and ruff, in one run.

Usage: python bench/run.py [TREE ...] [--jobs-list 1,all] [--repeat N] [--json OUT] [--keep]

TREE defaults to the Python sources of the installed ``torch`` package. The ``*.py`` files of
each TREE are copied to a temporary folder first (several trees: each to its own subfolder); every contender runs there as its own subprocess,
and each is timed (wall clock) and watched for memory (its whole process tree, sampled every
50 ms). See bench/README.md for what each number means and which targets are checked.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import fnmatch
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Optional

HERE = Path(__file__).resolve().parent
PARSE_ALL = HERE / "parse_all.py"
CACHE_DIRNAME = ".seedlint_cache"  # seedlint.engine.cache.DIRNAME
SAMPLE_INTERVAL_S = 0.05
MB = 1024 * 1024
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")

PARSE = "libcst parse (1 process)"
RUFF_COLD = "ruff NPY002+S311 (no cache)"
RUFF_WARM = "ruff NPY002+S311 (warm cache)"
#: ruff's rules closest to seedlint's: NumPy's legacy global draws and Python's ``random``.
RUFF_RULES = "NPY002,S311"

# The targets (issue 17), stated for a 2-core machine.
COLD_J1_VS_PARSE = 1.0
COLD_ALL_VS_PARSE = 0.6
WARM_VS_RUFF = 3.0
EDIT_VS_WARM = 3.0
EDIT_VS_RUFF = 4.0
MEMORY_MB = 600.0


class BenchError(Exception):
    """The setup failed or a contender crashed: reported on stderr, exit status 2."""


# --- memory: the whole process tree, sampled ----------------------------------------------------


def _children() -> dict[int, list[int]]:
    """Each pid's child pids, from the ppid field of /proc/*/stat (no CONFIG_PROC_CHILDREN)."""
    kids: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue  # gone meanwhile
        fields = stat[stat.rfind(b")") + 2 :].split()  # the name may hold spaces and ')'
        if len(fields) > 1:
            kids.setdefault(int(fields[1]), []).append(int(name))
    return kids


def _memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in bytes; (0, 0) once it has exited. PSS shares each page
    among the processes that map it, so it sums honestly over forked workers."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            text = fh.read()
    except OSError:
        text = b""
    rss = pss = -1
    for line in text.splitlines():
        if line.startswith(b"Rss:"):
            rss = int(line.split()[1]) * 1024
        elif line.startswith(b"Pss:"):
            pss = int(line.split()[1]) * 1024
    if rss < 0:  # no smaps_rollup (kernel < 4.14) or a zombie: fall back to statm
        try:
            with open(f"/proc/{pid}/statm", "rb") as fh:
                rss = int(fh.read().split()[1]) * PAGE_SIZE
        except (OSError, IndexError, ValueError):
            rss = 0
    return rss, pss if pss >= 0 else rss


class TreeSampler:
    """Polls the process tree under ``pid`` and keeps the peak of its summed RSS and PSS."""

    def __init__(self, pid: int, skip_root: bool = False) -> None:
        self.pid = pid
        self.skip_root = skip_root  # the root is a wrapper (GNU time): count its children only
        self.peak_rss = 0
        self.peak_pss = 0
        self.peak_processes = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="tree-sampler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        while True:
            self.sample()
            if self._stop.wait(SAMPLE_INTERVAL_S):
                return

    def sample(self) -> None:
        kids = _children()
        seen: set[int] = set()
        stack = [self.pid]
        rss = pss = 0
        while stack:
            pid = stack.pop()
            if pid in seen:
                continue
            seen.add(pid)
            if pid != self.pid or not self.skip_root:
                r, p = _memory(pid)
                rss += r
                pss += p
            stack.extend(kids.get(pid, ()))
        self.samples += 1
        self.peak_rss = max(self.peak_rss, rss)
        self.peak_pss = max(self.peak_pss, pss)
        self.peak_processes = max(self.peak_processes, len(seen) - self.skip_root)


@dataclass
class Run:
    """One measured subprocess."""

    wall_s: float
    cpu_s: float  # user + system time of the process and all the children it waited for
    tree_rss_mb: float  # peak of the summed RSS of the process tree (sampled)
    tree_pss_mb: float  # peak of the summed PSS of the process tree (sampled)
    max_proc_rss_mb: float  # ru_maxrss: the largest single process of the tree, exact
    processes: int  # most processes seen in the tree at once
    samples: int
    exit_code: int
    load1: float  # 1-minute load average just before the run


def _loadavg() -> tuple[float, float, float]:
    try:
        with open("/proc/loadavg") as fh:
            a, b, c = fh.read().split()[:3]
        return float(a), float(b), float(c)
    except (OSError, ValueError):
        return os.getloadavg()


def gnu_time() -> Optional[str]:
    """GNU time (1.8 or later: 1.7 reports max RSS four times too high), if installed."""
    exe = "/usr/bin/time" if os.path.isfile("/usr/bin/time") else shutil.which("time")
    if exe is None:
        return None
    try:
        res = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    text = res.stdout + res.stderr
    return exe if "GNU" in text and not re.search(r"\b1\.7\b", text) else None


def measure(
    cmd: Sequence[str],
    cwd: Path,
    out: Path,
    err: Path,
    timer: Optional[str] = None,
    env: Optional[dict[str, str]] = None,
) -> Run:
    """Run ``cmd`` in ``cwd`` (stdout/stderr to files) and measure it. With ``timer`` (GNU
    time), the largest single-process RSS comes from the timer, which forks the command from a
    tiny process; without it, from wait4(), where the child's RSS before its exec (a forked copy
    of this runner, ~25 MB) also counts."""
    load1 = _loadavg()[0]
    maxrss_file = out.with_suffix(".maxrss")
    if timer:
        cmd = [timer, "-f", "%M", "-o", str(maxrss_file), *cmd]
    with open(out, "wb") as out_fh, open(err, "wb") as err_fh:
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(cmd), cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out_fh, stderr=err_fh
        )
        sampler = TreeSampler(proc.pid, skip_root=timer is not None)
        sampler.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            proc.kill()
            proc.wait()
            sampler.stop()
            raise
        wall = time.perf_counter() - start
        sampler.stop()
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait
    maxrss_kb = usage.ru_maxrss  # kilobytes on Linux
    if timer:
        with contextlib.suppress(OSError, ValueError, IndexError):  # else keep wait4's
            maxrss_kb = int(maxrss_file.read_text().split()[-1])
    return Run(
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        tree_rss_mb=sampler.peak_rss / MB,
        tree_pss_mb=sampler.peak_pss / MB,
        max_proc_rss_mb=maxrss_kb * 1024 / MB,
        processes=sampler.peak_processes,
        samples=sampler.samples,
        exit_code=proc.returncode,
        load1=load1,
    )


# --- the tree --------------------------------------------------------------------------------


def default_tree() -> Path:
    spec = importlib.util.find_spec("torch")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise BenchError("torch is not installed: pass a TREE to benchmark")
    return Path(next(iter(spec.submodule_search_locations)))


def seedlint_excludes(python: str, cwd: Path, env: dict[str, str]) -> tuple[str, ...]:
    """seedlint's default exclude patterns, asked of the seedlint under test."""
    res = subprocess.run(
        [python, "-c", "from seedlint.config import DEFAULT_EXCLUDE as d; print('\\n'.join(d))"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )
    if res.returncode != 0:
        raise BenchError(f"cannot import seedlint with {python}:\n{res.stderr.strip()}")
    return tuple(line for line in res.stdout.splitlines() if line)


@dataclass
class Copied:
    files: int = 0
    bytes: int = 0
    skipped: list[str] = field(default_factory=list)  # what seedlint would not lint either


def copy_python_files(src: Path, dst: Path, exclude: Sequence[str]) -> Copied:
    """Copy the ``*.py`` regular files under ``src`` to ``dst``, leaving out what seedlint's
    default excludes leave out (folder or file names such as ``build``, ``__pycache__``) and
    symbolic links, so that every contender sees exactly the same files."""
    names = [p.rstrip("/") for p in exclude if "/" not in p.rstrip("/")]

    def excluded(name: str) -> bool:
        return any(fnmatch.fnmatch(name, p) for p in names)

    result = Copied()
    for dirpath, dirnames, filenames in os.walk(src):
        rel = Path(dirpath).relative_to(src)
        keep = []
        for d in sorted(dirnames):
            if os.path.islink(os.path.join(dirpath, d)):
                result.skipped.append(f"{rel / d}/ (link)")
            elif excluded(d):
                if d != "__pycache__":  # never holds sources: not worth a line
                    result.skipped.append(f"{rel / d}/ (excluded)")
            else:
                keep.append(d)
        dirnames[:] = keep
        for name in sorted(filenames):
            if not name.endswith(".py"):
                continue
            path = os.path.join(dirpath, name)
            if excluded(name) or os.path.islink(path) or not os.path.isfile(path):
                result.skipped.append(f"{rel / name} (link, excluded or not a file)")
                continue
            target = dst / rel / name
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                shutil.copyfile(path, target)
            except OSError as exc:
                result.skipped.append(f"{rel / name} (unreadable: {exc.strerror})")
                continue
            result.files += 1
            result.bytes += target.stat().st_size
    return result


def cache_entries(root: Path) -> int:
    return sum(1 for _ in (root / CACHE_DIRNAME).rglob("*.pickle"))


def cache_size_mb(root: Path) -> float:
    return sum(p.stat().st_size for p in (root / CACHE_DIRNAME).rglob("*") if p.is_file()) / MB


def find_cache_dirs(top: Path) -> list[Path]:
    return sorted(Path(d) / CACHE_DIRNAME for d, dirs, _ in os.walk(top) if CACHE_DIRNAME in dirs)


# --- the edit loop -------------------------------------------------------------------------------


def _module_names(copy: Path) -> dict[str, Path]:
    """Dotted module name → file, for every way the file can be imported from some folder of the
    copy (``pkg/utils/torch_utils.py``: ``torch_utils``, ``utils.torch_utils``,
    ``pkg.utils.torch_utils``)."""
    out: dict[str, Path] = {}
    for path in sorted(copy.rglob("*.py")):
        parts = list(path.relative_to(copy).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        for i in range(len(parts)):
            out.setdefault(".".join(parts[i:]), path)
    return out


def _imported(path: Path, copy: Path, names: dict[str, Path]) -> set[Path]:
    """Files of the copy that ``path`` imports directly (absolute imports matched by dotted
    name, relative ones from the file's package)."""
    try:
        tree = ast.parse(path.read_bytes())
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    package = path.parent.relative_to(copy).parts
    found: set[Path] = set()
    for node in ast.walk(tree):
        dotted: list[str] = []
        if isinstance(node, ast.Import):
            dotted = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1] if node.level > 1 else package
                head = ".".join([*base, node.module] if node.module else base)
            else:
                head = node.module or ""
            dotted = [head, *(f"{head}.{a.name}" for a in node.names)]
        for name in dotted:
            target = names.get(name)
            if target is not None and target != path:
                found.add(target)
    return found


def pick_edit_files(copy: Path) -> tuple[Path, Path]:
    """The module most files of the copy import directly (``__init__.py`` files left out: the
    edit is to a module of its own), and a leaf: a file nothing imports that imports the most
    project modules (an entry script)."""
    names = _module_names(copy)
    importers: dict[Path, int] = {}
    imports: dict[Path, int] = {}
    for path in sorted(copy.rglob("*.py")):
        got = _imported(path, copy, names)
        imports[path] = len(got)
        for target in got:
            importers[target] = importers.get(target, 0) + 1
    modules = [p for p in imports if p.name != "__init__.py"] or list(imports)
    central = max(modules, key=lambda p: (importers.get(p, 0), -len(str(p))))
    leaves = [p for p in modules if not importers.get(p)] or modules
    leaf = max(leaves, key=lambda p: (imports[p], -len(str(p))))
    return central, leaf


def edit_line(kind: str, round_: int) -> str:
    """The appended line: a new module-level constant, different in every round (a line seen
    before would be a cache hit, not an edit)."""
    return f"\n_SEEDLINT_BENCH_EDIT_{kind.upper()}_{round_} = {round_}\n"


def seedlint_package() -> Path:
    spec = importlib.util.find_spec("seedlint")  # no import: the folder is enough
    if spec is None or not spec.submodule_search_locations:
        raise BenchError(f"seedlint is not installed for {sys.executable}")
    return Path(next(iter(spec.submodule_search_locations)))


def snapshot_seedlint(dst: Path, python: str, cwd: Path) -> dict[str, str]:
    """Copy the seedlint package to ``dst`` and return an environment that runs that copy.

    seedlint's cache key includes a hash of its own sources, so an edit to the live checkout
    between the cold and the warm runs would make the warm runs cold; and the runs of one
    benchmark should all measure the same code. Frozen at the start, they do."""
    shutil.copytree(
        seedlint_package(), dst / "seedlint", ignore=shutil.ignore_patterns("__pycache__")
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(dst), env.get("PYTHONPATH")) if p)
    res = subprocess.run(
        [python, "-c", "import seedlint; print(seedlint.__file__)"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )
    where = res.stdout.strip()
    if res.returncode != 0 or not where.startswith(str(dst)):
        raise BenchError(f"the seedlint snapshot in {dst} is not the one imported: {where}")
    return env


def seedlint_git() -> Optional[str]:
    """The commit of the checkout seedlint lives in, ``+dirty`` when it has local changes."""
    folder = seedlint_package().parent
    try:
        head = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        dirty = subprocess.run(
            ["git", "-C", str(folder), "status", "--porcelain", "--", "seedlint"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if head.returncode != 0:
        return None
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def seedlint_fingerprint() -> str:
    """A hash of the live seedlint sources (the snapshot is taken from them right after): the
    code measured, and whether the live sources changed during the run."""
    package = seedlint_package()
    h = hashlib.blake2b(digest_size=8)
    for path in sorted(package.rglob("*.py")):
        h.update(path.read_bytes())
    return h.hexdigest()


# --- the contenders --------------------------------------------------------------------------


def seedlint_command() -> list[str]:
    """The console script next to this interpreter. Not ``python -m seedlint``: run in the
    copied tree, that would put the tree first on sys.path (torch has ``random.py``)."""
    script = Path(sys.executable).parent / "seedlint"
    if script.is_file():
        return [str(script)]
    found = shutil.which("seedlint")
    if found:
        return [found]
    if sys.version_info >= (3, 11):
        return [sys.executable, "-P", "-m", "seedlint"]
    raise BenchError("no `seedlint` command found (pip install -e .)")


def ruff_command() -> Optional[str]:
    script = Path(sys.executable).parent / "ruff"
    return str(script) if script.is_file() else shutil.which("ruff")


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


@dataclass
class Outcome:
    """What a contender reported, checked."""

    files: Optional[int] = None
    findings: Optional[int] = None
    unparsed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # seedlint's error lines (exit status 2)


_SUMMARY_FILES = re.compile(r"\((\d+) files? (?:checked|in all)\)|findings? in (\d+) files?")


def check_seedlint(name: str, run: Run, out: Path, err: Path, keep_going: bool) -> Outcome:
    """Exit 0 (or 1) and a JSON report, else an error naming seedlint's error lines. With
    ``keep_going``, an exit status 2 that still wrote its report (some files could not be
    checked) is logged and kept instead."""
    stderr = err.read_text(errors="replace")
    errors: list[str] = []
    if run.exit_code not in (0, 1):  # 1 cannot happen with --exit-zero, but is not a crash
        lines = [ln for ln in stderr.splitlines() if ln.startswith("seedlint: error")]
        shown = lines[:40] or stderr.splitlines()[-40:]
        more = f"\n... and {len(lines) - 40} more error lines" if len(lines) > 40 else ""
        message = f"{name} exited with status {run.exit_code}:\n" + "\n".join(shown) + more
        if not (keep_going and run.exit_code == 2 and lines):
            raise BenchError(message)
        log("WARNING: " + message)
        errors = lines
    try:
        findings = json.loads(out.read_text())
    except ValueError as exc:
        raise BenchError(f"{name}: the JSON report cannot be read: {exc}") from None
    match = None
    for line in reversed(stderr.splitlines()):
        match = _SUMMARY_FILES.search(line)
        if match:
            break
    files = int(match.group(1) or match.group(2)) if match else None
    unparsed = sorted(f"{f['path']}: {f['message']}" for f in findings if f["code"] == "RNG999")
    return Outcome(files=files, findings=len(findings), unparsed=unparsed, errors=errors)


def check_plain(name: str, run: Run, err: Path) -> None:
    if run.exit_code != 0:
        tail = err.read_text(errors="replace").splitlines()[-40:]
        raise BenchError(f"{name} exited with status {run.exit_code}:\n" + "\n".join(tail))


def check_parse(run: Run, out: Path, err: Path) -> Outcome:
    check_plain(PARSE, run, err)
    try:
        data = json.loads(out.read_text())
    except ValueError as exc:
        raise BenchError(f"{PARSE}: its output cannot be read: {exc}") from None
    return Outcome(files=int(data["files"]), unparsed=sorted(data["failed"]))


def jobs_list(text: str, cpus: int) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        part = part.strip().lower()
        if not part:
            continue
        if part == "all":
            n = cpus
        elif part.isdigit() and int(part) > 0:
            n = int(part)
        else:
            raise BenchError(f"--jobs-list: '{part}' is neither a positive number nor 'all'")
        if n not in out:
            out.append(n)
    if not out:
        raise BenchError("--jobs-list is empty")
    return out


# --- the report -----------------------------------------------------------------------------


def _median(runs: list[Run], attr: str) -> float:
    return float(statistics.median(getattr(r, attr) for r in runs))


def summarise(runs: dict[str, list[Run]], files: int) -> dict[str, dict[str, float]]:
    rows: dict[str, dict[str, float]] = {}
    for name, rs in runs.items():
        wall = _median(rs, "wall_s")
        rows[name] = {
            "wall_s": wall,
            "cpu_s": _median(rs, "cpu_s"),
            "files_per_s": files / wall if wall > 0 else float("inf"),
            "tree_rss_mb": _median(rs, "tree_rss_mb"),
            "tree_pss_mb": _median(rs, "tree_pss_mb"),
            "max_proc_rss_mb": _median(rs, "max_proc_rss_mb"),
            "processes": max(r.processes for r in rs),
        }
    base = rows.get(PARSE, {})
    ruff = rows.get(RUFF_COLD, {}).get("wall_s")
    for row in rows.values():
        if base.get("wall_s"):
            row["vs_parse"] = row["wall_s"] / base["wall_s"]
        if base.get("cpu_s"):
            row["cpu_vs_parse"] = row["cpu_s"] / base["cpu_s"]
        if ruff:
            row["vs_ruff"] = row["wall_s"] / ruff
    return rows


def targets(rows: dict[str, dict[str, float]], jobs: list[int], cpus: int) -> list[dict[str, Any]]:
    def ratio(name: str, key: str) -> Optional[float]:
        return rows.get(name, {}).get(key)

    out: list[dict[str, Any]] = []

    def add(what: str, measured: Optional[float], limit: float, unit: str, note: str = "") -> None:
        verdict = "n/a" if measured is None else ("PASS" if measured <= limit else "FAIL")
        out.append(
            {
                "target": what,
                "measured": measured,
                "limit": limit,
                "unit": unit,
                "verdict": verdict,
                "note": note,
            }
        )

    cpu_ratio = ratio("seedlint cold -j1", "cpu_vs_parse")
    add(
        f"seedlint cold --jobs 1 <= {COLD_J1_VS_PARSE:g} x bare libcst parse",
        ratio("seedlint cold -j1", "vs_parse"),
        COLD_J1_VS_PARSE,
        "x",
        "not run: not in --jobs-list"
        if 1 not in jobs
        else f"CPU-time ratio {_fmt(cpu_ratio)}x: one process each, less sensitive to load",
    )
    add(
        f"seedlint cold all cores (-j{cpus}) <= {COLD_ALL_VS_PARSE:g} x bare libcst parse",
        ratio(f"seedlint cold -j{cpus}", "vs_parse"),
        COLD_ALL_VS_PARSE,
        "x",
        "" if cpus in jobs else "not run: not in --jobs-list",
    )
    add(
        f"seedlint warm all cores (-j{cpus}) <= 3 x ruff (ruff without its cache)",
        ratio(f"seedlint warm -j{cpus}", "vs_ruff"),
        WARM_VS_RUFF,
        "x",
        "" if RUFF_COLD in rows else "ruff not installed",
    )
    edit = f"seedlint edit central -j{cpus}"
    warm = ratio(f"seedlint warm -j{cpus}", "wall_s")
    edit_wall = ratio(edit, "wall_s")
    add(
        "one-line edit of the module most files import <= 3 x the warm run",
        edit_wall / warm if edit_wall is not None and warm else None,
        EDIT_VS_WARM,
        "x",
        "" if edit in rows else "not run: --edit not given",
    )
    add(
        "one-line edit <= 4 x ruff (ruff without its cache)",
        ratio(edit, "vs_ruff"),
        EDIT_VS_RUFF,
        "x",
        "" if edit in rows else "not run: --edit not given",
    )
    seedlint_rows = [r for n, r in rows.items() if n.startswith("seedlint")]
    peak = max((r["tree_rss_mb"] for r in seedlint_rows), default=None)
    add(
        "seedlint peak memory <= 600 MB (process-tree RSS sum, worst seedlint run)",
        peak,
        MEMORY_MB,
        "MB",
    )
    return out


def _fmt(value: Optional[float], digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def table(rows: dict[str, dict[str, float]]) -> str:
    head = (
        "contender",
        "wall s",
        "cpu s",
        "files/s",
        "peak MB tree RSS",
        "tree PSS",
        "max 1 proc",
        "procs",
        "x parse",
        "x ruff",
    )
    body = [
        (
            name,
            _fmt(r["wall_s"]),
            _fmt(r["cpu_s"]),
            _fmt(r["files_per_s"], 0),
            # no sample caught the process alive (a run well under 50 ms): unknown, not 0
            _fmt(r["tree_rss_mb"] if r["processes"] else None, 0),
            _fmt(r["tree_pss_mb"] if r["processes"] else None, 0),
            _fmt(r["max_proc_rss_mb"], 0),
            str(int(r["processes"])),
            _fmt(r.get("vs_parse")),
            _fmt(r.get("vs_ruff")),
        )
        for name, r in rows.items()
    ]
    widths = [max(len(row[i]) for row in (head, *body)) for i in range(len(head))]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        return "  ".join([first, *(c.rjust(w) for c, w in zip(cells[1:], widths[1:]))])

    return "\n".join([line(head), line(["-" * w for w in widths]), *(line(b) for b in body)])


# --- the run -------------------------------------------------------------------------------


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="bench/run.py",
        description="Time seedlint (cold, warm) against a bare libcst parse and ruff.",
    )
    p.add_argument(
        "tree", nargs="*", help="source folder(s) (default: the installed torch package)"
    )
    p.add_argument(
        "--edit",
        action="store_true",
        help="also time the edit loop: after the warm runs, append a line to the module most "
        "files import (and, separately, to a leaf script) and time the next run",
    )
    p.add_argument(
        "--jobs-list",
        default="1,all",
        metavar="LIST",
        help="seedlint --jobs values, comma-separated; 'all' = os.cpu_count() (default 1,all)",
    )
    p.add_argument("--repeat", type=int, default=1, metavar="N", help="runs each; median shown")
    p.add_argument("--json", metavar="OUT", help="write the raw numbers to OUT")
    p.add_argument("--tmpdir", metavar="DIR", help="where to make the copy (default: $TMPDIR)")
    p.add_argument("--keep", action="store_true", help="keep the copied tree and the outputs")
    p.add_argument(
        "--no-snapshot",
        action="store_true",
        help="run the live seedlint sources rather than a copy frozen at the start",
    )
    p.add_argument(
        "--keep-going",
        action="store_true",
        help="when seedlint exits 2 because some files could not be checked, warn and go on "
        "(exit status 1 at the end) instead of stopping",
    )
    return p.parse_args(argv)


def log(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    try:
        return bench(args)
    except BenchError as exc:
        log(f"bench: error: {exc}")
        return 2
    except KeyboardInterrupt:
        log("bench: interrupted")
        return 130


def bench(args: argparse.Namespace) -> int:
    if args.repeat < 1:
        raise BenchError("--repeat must be at least 1")
    trees = [Path(t).resolve() for t in args.tree] or [default_tree()]
    for tree in trees:
        if not tree.is_dir():
            raise BenchError(f"{tree}: not a folder")
    cpus = os.cpu_count() or 1
    ruff = ruff_command()
    info: dict[str, Any] = {
        "tree": ", ".join(str(t) for t in trees),
        "cpu_count": cpus,
        "cpu_affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "loadavg_start": _loadavg(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "libcst": _version("libcst"),
        "seedlint": _version("seedlint"),
        "ruff": _ruff_version(ruff) if ruff else None,
        "torch": _version("torch") if not args.tree else None,
        "seedlint_command": seedlint_command(),
        "ruff_command": ruff,
        "gnu_time": gnu_time(),
        "jobs": jobs_list(args.jobs_list, cpus),
        "repeat": args.repeat,
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "seedlint_fingerprint_start": seedlint_fingerprint(),
        "seedlint_git": seedlint_git(),
    }
    # Folders where a stray cache would show that the copy did not isolate the runs.
    watched = {
        p: p.exists() for p in (*(t / CACHE_DIRNAME for t in trees), Path.cwd() / CACHE_DIRNAME)
    }
    tmp = Path(tempfile.mkdtemp(prefix="seedlint-bench-", dir=args.tmpdir)).resolve()
    try:
        result = run_all(args, trees, tmp, info, watched)
        report(result)
        if args.json:
            with open(args.json, "w") as fh:
                json.dump(result, fh, indent=2)
                fh.write("\n")
            log(f"raw numbers: {args.json}")
        return 1 if any(o["errors"] for o in result["outcomes"].values()) else 0
    finally:
        if args.keep:
            log(f"kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def _ruff_version(ruff: str) -> str:
    res = subprocess.run([ruff, "--version"], capture_output=True, text=True)
    return res.stdout.strip().removeprefix("ruff ") if res.returncode == 0 else "?"


def run_all(
    args: argparse.Namespace,
    trees: list[Path],
    tmp: Path,
    info: dict[str, Any],
    watched: dict[Path, bool],
) -> dict[str, Any]:
    copy, outdir, scratch, ruff_cache = tmp / "tree", tmp / "out", tmp / "warmup", tmp / "ruff"
    for d in (copy, outdir, scratch):
        d.mkdir()
    env = dict(os.environ)
    if not args.no_snapshot:
        env = snapshot_seedlint(tmp / "snapshot", sys.executable, scratch)
        info["seedlint_snapshot"] = str(tmp / "snapshot" / "seedlint")
        log(f"seedlint frozen for this run: {info['seedlint_snapshot']}")
    seedlint: list[str] = info["seedlint_command"]
    ruff: Optional[str] = info["ruff_command"]
    jobs: list[int] = info["jobs"]
    cpus: int = info["cpu_count"]

    started = time.perf_counter()
    excludes = seedlint_excludes(sys.executable, scratch, env)
    copied = Copied()
    for tree in trees:
        dst = copy if len(trees) == 1 else copy / tree.name
        log(f"copying the *.py files of {tree} to {dst} ...")
        part = copy_python_files(tree, dst, excludes)
        if part.files == 0:
            raise BenchError(f"{tree}: no *.py files")
        copied.files += part.files
        copied.bytes += part.bytes
        copied.skipped += part.skipped
    log(
        f"  {copied.files} files, {copied.bytes / MB:.1f} MB, {time.perf_counter() - started:.1f} s"
    )

    # Untimed warm-up: bytecode compiled, interpreters and the copy in the page cache.
    (scratch / "a.py").write_text("import numpy as np\n\nnp.random.seed(0)\n")
    for cmd in (
        [*seedlint, "--isolated", "--no-cache", "--exit-zero", "."],
        [sys.executable, str(PARSE_ALL), "."],
    ):
        subprocess.run(cmd, cwd=scratch, env=env, capture_output=True)
    ruff_files = None
    ruff_cold = ruff_warm = None
    if ruff:
        listed = subprocess.run(
            [ruff, "check", "--isolated", "--show-files", "."],
            cwd=copy,
            capture_output=True,
            text=True,
        )
        ruff_files = sum(1 for ln in listed.stdout.splitlines() if ln.strip().endswith(".py"))
        common = ["check", "--select", RUFF_RULES, "--exit-zero", "--isolated"]
        ruff_cold = [ruff, *common, "--no-cache", "--output-format", "concise", "."]
        ruff_warm = [
            ruff,
            *common,
            "--cache-dir",
            str(ruff_cache),
            "--output-format",
            "concise",
            ".",
        ]
        subprocess.run(ruff_warm, cwd=copy, capture_output=True)  # fills ruff's cache

    runs: dict[str, list[Run]] = {}
    outcomes: dict[str, Outcome] = {}
    warm_misses: dict[str, list[int]] = {}

    def run(name: str, cmd: Sequence[str]) -> tuple[Run, Path, Path]:
        slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")
        out, err = outdir / f"{slug}.out", outdir / f"{slug}.err"
        log(f"  {name} ...")
        r = measure(cmd, copy, out, err, info["gnu_time"], env)
        runs.setdefault(name, []).append(r)
        log(
            f"    {r.wall_s:.2f} s wall, {r.cpu_s:.1f} s cpu, peak {r.tree_rss_mb:.0f} MB "
            f"(tree RSS), load {r.load1:.2f}, exit {r.exit_code}"
        )
        return r, out, err

    def seedlint_cmd(j: int) -> list[str]:
        return [*seedlint, "--isolated", "--exit-zero", "--format", "json", "--jobs", str(j), "."]

    warm_order = sorted(jobs, key=lambda j: j != cpus)  # all cores first
    edited: dict[str, Path] = {}
    if args.edit:
        central, leaf = pick_edit_files(copy)
        edited = {"central": central, "leaf": leaf}
        info["edited"] = {k: str(p.relative_to(copy)) for k, p in edited.items()}
        log(f"edit loop: central module {info['edited']['central']}, leaf {info['edited']['leaf']}")
    for i in range(args.repeat):
        log(f"round {i + 1} of {args.repeat}")
        r, out, err = run(PARSE, [sys.executable, str(PARSE_ALL), "."])
        outcomes[PARSE] = check_parse(r, out, err)
        if ruff_cold and ruff_warm:
            r, out, err = run(RUFF_COLD, ruff_cold)
            check_plain(RUFF_COLD, r, err)
            r, out, err = run(RUFF_WARM, ruff_warm)
            check_plain(RUFF_WARM, r, err)
        for j in jobs:
            shutil.rmtree(copy / CACHE_DIRNAME, ignore_errors=True)  # cold: no cache at all
            name = f"seedlint cold -j{j}"
            r, out, err = run(name, seedlint_cmd(j))
            outcomes[name] = check_seedlint(name, r, out, err, args.keep_going)
        for j in warm_order:
            name = f"seedlint warm -j{j}"
            before = cache_entries(copy)
            if before == 0:
                raise BenchError(f"{name}: the cold runs left no cache in {copy / CACHE_DIRNAME}")
            r, out, err = run(name, seedlint_cmd(j))
            outcomes[name] = check_seedlint(name, r, out, err, args.keep_going)
            warm_misses.setdefault(name, []).append(cache_entries(copy) - before)
        if args.edit:
            for kind, path in edited.items():
                # the state before the edit, analysed (a cache hit after the warm runs)
                subprocess.run(seedlint_cmd(cpus), cwd=copy, env=env, capture_output=True)
                original = path.read_bytes()
                path.write_bytes(original + edit_line(kind, i + 1).encode())
                try:
                    name = f"seedlint edit {kind} -j{cpus}"
                    r, out, err = run(name, seedlint_cmd(cpus))
                    outcomes[name] = check_seedlint(name, r, out, err, args.keep_going)
                finally:
                    path.write_bytes(original)

    info["loadavg_end"] = _loadavg()
    info["seedlint_fingerprint_end"] = seedlint_fingerprint()
    rows = summarise(runs, copied.files)
    return {
        "info": info,
        "copy": {
            "path": str(copy),
            "files": copied.files,
            "megabytes": copied.bytes / MB,
            "skipped": copied.skipped,
            "ruff_files": ruff_files,
        },
        "cache": {
            "dirs": [str(p) for p in find_cache_dirs(tmp)],
            "entries": cache_entries(copy),
            "megabytes": cache_size_mb(copy),
            "stray": [str(p) for p, was in watched.items() if p.exists() and not was],
            "warm_misses": warm_misses,
        },
        "outcomes": {name: asdict(o) for name, o in outcomes.items()},
        "runs": {name: [asdict(r) for r in rs] for name, rs in runs.items()},
        "medians": rows,
        "targets": targets(rows, jobs, cpus),
    }


def report(result: dict[str, Any]) -> None:
    info, copy, cache = result["info"], result["copy"], result["cache"]
    outcomes: dict[str, dict[str, Any]] = result["outcomes"]
    cpus = info["cpu_count"]
    say = print
    say()
    say(f"seedlint benchmark: {info['tree']}")
    say(
        f"  files: {copy['files']} *.py files, {copy['megabytes']:.1f} MB (copied to a temp folder)"
    )
    say(
        f"  machine: os.cpu_count() = {cpus}, usable (affinity) = {info['cpu_affinity']}; "
        f"{info['platform']}"
    )
    say(
        "  load average (1/5/15 min): start "
        + " ".join(f"{x:.2f}" for x in info["loadavg_start"])
        + ", end "
        + " ".join(f"{x:.2f}" for x in info["loadavg_end"])
    )
    versions = (
        f"  versions: {info['python']}, libcst {info['libcst']}, ruff {info['ruff'] or '-'}, "
        f"seedlint {info['seedlint']}"
    )
    say(versions + (f", torch {info['torch']}" if info["torch"] else ""))
    frozen = info.get("seedlint_snapshot")
    code = "a snapshot taken at the start" if frozen else "the live sources"
    say(
        f"  seedlint code: {code}, git {info['seedlint_git'] or '-'}, "
        f"sources hash {info['seedlint_fingerprint_start']}"
    )
    say(f"  runs: {info['repeat']} each, median shown; started {info['started']}")
    how = f"GNU time ({info['gnu_time']})" if info["gnu_time"] else "wait4 (floor ~25 MB)"
    say(f"  memory: tree sampled every {SAMPLE_INTERVAL_S * 1000:.0f} ms; max 1 proc from {how}")
    say()
    say(table(result["medians"]))
    say()
    say(f"targets (stated for a 2-core machine; this one has {cpus}):")
    for t in result["targets"]:
        measured = "-" if t["measured"] is None else f"{t['measured']:.2f}{t['unit']}"
        note = f"  ({t['note']})" if t["note"] else ""
        say(
            f"  {t['verdict']:<4}  {t['target']}: {measured} (limit {t['limit']:g}{t['unit']}){note}"
        )
    say()
    say("checks:")
    parse = outcomes.get(PARSE, {})
    counts = [f"copied {copy['files']}", f"libcst parse {parse.get('files')}"]
    counts += [f"{n} {o['files']}" for n, o in outcomes.items() if n.startswith("seedlint cold")]
    if copy["ruff_files"] is not None:
        counts.append(f"ruff --show-files {copy['ruff_files']}")
    say("  files seen: " + "; ".join(counts))
    if copy["skipped"]:
        shown = ", ".join(copy["skipped"][:8])
        more = f" and {len(copy['skipped']) - 8} more" if len(copy["skipped"]) > 8 else ""
        say(f"  left out of the copy (seedlint's default excludes, links): {shown}{more}")
    failed = parse.get("unparsed", [])
    say(
        f"  libcst cannot parse {len(failed)} file(s)"
        + (": " + "; ".join(failed[:5]) if failed else "")
    )
    for name, o in outcomes.items():
        if name.startswith("seedlint"):
            say(f"  {name}: {o['findings']} findings, {len(o['unparsed'])} RNG999 (not parsed)")
            if o["errors"]:
                say(f"  ERRORS ({len(o['errors'])}, exit status 2): " + "; ".join(o["errors"][:5]))
    dirs = cache["dirs"]
    where = ", ".join(dirs) if dirs else "nowhere"
    say(f"  seedlint cache: {where} ({cache['entries']} entries, {cache['megabytes']:.1f} MB)")
    if cache["stray"]:
        say("  WARNING: a cache appeared outside the copy: " + ", ".join(cache["stray"]))
    else:
        say("  no .seedlint_cache appeared in the source tree or the current folder")
    for name, misses in cache["warm_misses"].items():
        if any(misses):
            say(f"  WARNING: {name} wrote {misses} new cache entries: it was not (fully) warm")
        else:
            say(f"  {name}: every file came from the cache (0 new entries)")
    if info["seedlint_fingerprint_start"] != info["seedlint_fingerprint_end"]:
        if info.get("seedlint_snapshot"):
            say("  the live seedlint sources changed during the run; the frozen snapshot ran")
        else:
            say("  WARNING: seedlint's sources changed during the run: warm runs may be cold")


if __name__ == "__main__":
    sys.exit(main())
