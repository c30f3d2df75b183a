#!/usr/bin/env python3
"""Score seedlint against the labelled corpus (precision / recall per rule).

Every sub-directory of this folder that holds an ``expected.txt`` is one case: a small project. For each
case the script runs ``python -m seedlint --format json .`` (with this interpreter) inside the case directory (project scope), keeps
the findings whose code is one of the rules this corpus measures, and compares the set of
``(path, line, code)`` with ``expected.txt`` (one ``relative/path.py:LINE: CODE`` per line; empty = no
findings). A line ``relative/path.py:LINE: CODE (related)`` is a related location of a finding (another
draw with the same cause, JSON ``related``); it is scored like a finding of code ``CODE (related)``.
``relative/path.py:LINE: CODE [demo]`` (or ``[test]``, ``[benchmark]``) is a finding seedlint does not
show by default (its context is not ``program``): the default run this script makes must not report it.

Usage:
    python tests/corpus/score.py                 # every case
    python tests/corpus/score.py CASE [CASE ...] # only these cases
    python tests/corpus/score.py --no-isolated   # let seedlint read parent pyproject.toml files too
    python tests/corpus/score.py --corpus DIR --codes RNG301,RNG302  # another corpus, some codes

Cases without their own ``pyproject.toml`` are run with ``--isolated`` so that a ``[tool.seedlint]`` table
in a parent directory (the repository's own pyproject.toml) cannot change the result. ``--no-cache`` keeps
cache folders out of the corpus. Exit status is always 0; the report goes to stdout.

Standard library only, Python 3.9+.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from typing import Dict, List, Optional, Set, Tuple

CODES = (
    "RNG001",
    "RNG002",
    "RNG003",
    "RNG101",
    "RNG102",
    "RNG103",
    "RNG201",
    "RNG202",
    "RNG104",
    "RNG301",
    "RNG302",
    "RNG303",
    "RNG401",
    "RNG501",
    "RNG502",
    "RNG999",
)
CORPUS_DIR = os.path.dirname(os.path.abspath(__file__))
# ``python -m seedlint`` run from inside a case directory would put that directory first on sys.path, where a
# case module (``utils.py``, ``config.py``, ``datasets.py``...) could shadow something seedlint imports. This
# is ``-m seedlint`` without that entry.
RUN_SEEDLINT = (
    "import runpy, sys; sys.path[:] = [p for p in sys.path if p not in ('', '.')]; "
    "runpy.run_module('seedlint', run_name='__main__', alter_sys=True)"
)
EXPECTED_RE = re.compile(
    r"^(?P<path>.+?):(?P<line>\d+):\s*(?P<code>[A-Z]+\d+)"
    r"(?:\s+\[(?P<context>program|demo|benchmark|test)\])?(?P<related>\s+\(related\))?\s*$"
)
RELATED = " (related)"

Key = Tuple[str, int, str]  # (path, line, code)


def norm_path(path: str, case_dir: str) -> str:
    """Paths relative to the case directory, '/' separated, without a leading './'."""
    path = str(path).replace("\\", "/")
    if os.path.isabs(path):
        try:
            path = os.path.relpath(path, case_dir)
        except ValueError:  # other drive on Windows
            pass
    path = os.path.normpath(path).replace(os.sep, "/")
    while path.startswith("./"):
        path = path[2:]
    return path


def read_expected(case_dir: str) -> Tuple[Set[Key], List[str]]:
    keys: Set[Key] = set()
    problems: List[str] = []
    with open(os.path.join(case_dir, "expected.txt"), encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            m = EXPECTED_RE.match(line)
            if not m:
                problems.append(f"expected.txt:{n}: cannot parse {line!r}")
                continue
            code = m.group("code")
            if m.group("context") not in (None, "program"):
                continue  # found only with `--contexts all`: not shown by this (default) run
            if code not in CODES:
                problems.append(f"expected.txt:{n}: code {code} is not scored by this corpus")
                continue
            suffix = RELATED if m.group("related") else ""
            keys.add((norm_path(m.group("path"), case_dir), int(m.group("line")), code + suffix))
    return keys, problems


def run_seedlint(
    case_dir: str, isolated: bool, extra: List[str], timeout: float
) -> Tuple[Optional[List[dict]], str]:
    """Return (findings, error). findings is None when the run failed."""
    cmd = [sys.executable, "-c", RUN_SEEDLINT, "--format", "json", "--no-cache"]
    if isolated and not os.path.exists(os.path.join(case_dir, "pyproject.toml")):
        cmd.append("--isolated")
    cmd += extra
    cmd.append(".")
    env = dict(os.environ)
    env.setdefault("PYTHONIOENCODING", "utf-8")
    try:
        proc = subprocess.run(
            cmd,
            cwd=case_dir,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            universal_newlines=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
            env=env,
        )
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout:.0f}s: {' '.join(cmd)}"
    except OSError as exc:
        return None, f"could not run {' '.join(cmd)}: {exc}"
    if proc.returncode not in (0, 1):
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        hint = " (is seedlint installed in this interpreter? pip install -e .)" if "No module named" in proc.stderr else ""
        return None, f"exit status {proc.returncode}: " + " | ".join(tail) + hint
    out = proc.stdout.strip()
    if not out:
        return [], ""
    try:
        data = json.loads(out)
    except json.JSONDecodeError as exc:
        return None, f"output is not JSON ({exc}): {out[:200]!r}"
    if not isinstance(data, list):
        return None, f"JSON output is not an array: {type(data).__name__}"
    return [d for d in data if isinstance(d, dict)], ""


def ratio(num: int, den: int) -> str:
    return f"{num / den:6.3f}" if den else "   n/a"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cases", nargs="*", help="case names (default: all)")
    ap.add_argument("--corpus", default=CORPUS_DIR, help="corpus directory (default: this script's folder)")
    ap.add_argument("--no-isolated", action="store_true", help="do not pass --isolated to seedlint")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per case (default 300)")
    ap.add_argument(
        "--seedlint-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="extra argument passed to seedlint (repeatable)",
    )
    ap.add_argument("--codes", help="comma-separated codes to score (default: every code above)")
    args = ap.parse_args()
    if args.codes:
        global CODES
        CODES = tuple(c.strip() for c in args.codes.split(",") if c.strip())

    corpus = os.path.abspath(args.corpus)
    all_cases = sorted(
        d
        for d in os.listdir(corpus)
        if os.path.isdir(os.path.join(corpus, d)) and os.path.exists(os.path.join(corpus, d, "expected.txt"))
    )
    if args.cases:
        unknown = [c for c in args.cases if c not in all_cases]
        for c in unknown:
            print(f"unknown case: {c}")
        cases = [c for c in all_cases if c in args.cases]
    else:
        cases = all_cases

    tp: Dict[str, int] = defaultdict(int)
    fp: Dict[str, int] = defaultdict(int)
    fn: Dict[str, int] = defaultdict(int)
    mismatches: List[str] = []
    errors: List[str] = []
    clean_cases = 0

    for case in cases:
        case_dir = os.path.join(corpus, case)
        expected, problems = read_expected(case_dir)
        for p in problems:
            errors.append(f"{case}: {p}")
        findings, err = run_seedlint(case_dir, not args.no_isolated, args.seedlint_arg, args.timeout)
        if findings is None:
            errors.append(f"{case}: ERROR {err}")
            for path, line, code in sorted(expected):
                fn[code] += 1
                mismatches.append(f"{case}: FN {path}:{line} {code}")
            continue

        got: Dict[Key, str] = {}
        for f in findings:
            code = str(f.get("code", ""))
            if code not in CODES:
                continue
            try:
                line = int(f.get("line", 0))
            except (TypeError, ValueError):
                line = 0
            key = (norm_path(str(f.get("path", "")), case_dir), line, code)
            msg = " ".join(str(f.get("message", "")).split())
            got.setdefault(key, msg)
            for loc in f.get("related") or []:
                if isinstance(loc, dict):
                    rkey = (norm_path(str(loc.get("path", "")), case_dir), int(loc.get("line", 0)), code + RELATED)
                    got.setdefault(rkey, f"(related to line {line})")

        ok = True
        for key in sorted(set(got) | expected):
            path, line, code = key
            if key in expected and key in got:
                tp[code] += 1
            elif key in got:
                fp[code] += 1
                ok = False
                mismatches.append(f"{case}: FP {path}:{line} {code} {got[key]}")
            else:
                fn[code] += 1
                ok = False
                mismatches.append(f"{case}: FN {path}:{line} {code}")
        clean_cases += ok

    print(f"seedlint corpus: {len(cases)} cases, {clean_cases} fully correct")
    print()
    header = f"{'rule':<8} {'TP':>5} {'FP':>5} {'FN':>5} {'precision':>10} {'recall':>7}"
    print(header)
    print("-" * len(header))
    for code in (*CODES, *(c + RELATED for c in ("RNG001", "RNG002", "RNG003"))):
        t, p, n = tp[code], fp[code], fn[code]
        print(f"{code:<8} {t:5d} {p:5d} {n:5d} {ratio(t, t + p):>10} {ratio(t, t + n):>7}")
    t, p, n = sum(tp.values()), sum(fp.values()), sum(fn.values())
    print("-" * len(header))
    print(f"{'overall':<8} {t:5d} {p:5d} {n:5d} {ratio(t, t + p):>10} {ratio(t, t + n):>7}")

    if errors:
        print()
        print("errors:")
        for e in errors:
            print("  " + e)
    if mismatches:
        print()
        print("mismatches:")
        for m in mismatches:
            print(m)
    return 0


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
    sys.exit(0)
