"""``seedlint verify``: run a command several times, instrumented, and show that it repeats or
name the first line where it stops repeating (DESIGN: command line).

The command runs unchanged: ``PYTHONPATH`` gets a directory whose ``sitecustomize`` starts
:mod:`seedlint.verify.recorder` in the command's Python process. Each run writes its trails
(draws with the generator's state before them, DataLoader batches, parameters after optimizer
steps); the first position where two runs' trails disagree is the answer. A divergence is
checked against the linter: was that line reported, and by which rule?
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Optional

from seedlint import apis
from seedlint.verify.recorder import MAIN_ENV, OUT_ENV, STEPS_ENV

EXIT_SAME, EXIT_DIVERGED, EXIT_ERROR = 0, 1, 2

#: The static rule a divergence corresponds to.
_RULE = {apis.PYTHON: "RNG001", apis.NUMPY: "RNG002", apis.TORCH: "RNG003"}
_LIBRARY = {apis.PYTHON: "`random`", apis.NUMPY: "NumPy", apis.TORCH: "torch"}


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    events: list[list[Any]]
    timed_out: bool = False


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="seedlint verify",
        description="Run COMMAND several times, instrumented, and compare what the runs drew, "
        "loaded and learned: exit 0 identical, 1 diverged (names the line), 2 a run failed.",
    )
    p.add_argument("--runs", type=int, default=2, help="how many runs (default 2)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument(
        "--steps", type=int, default=20, help="optimizer steps whose parameters are compared"
    )
    p.add_argument("--timeout", type=float, default=600.0, help="seconds per run")
    p.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND [ARGS...]")
    return p


def main(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(list(argv))
    command = list(args.command)
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        sys.stderr.write(
            "seedlint verify: error: no command (seedlint verify -- python train.py)\n"
        )
        return EXIT_ERROR
    if args.runs < 2:
        sys.stderr.write("seedlint verify: error: --runs must be at least 2\n")
        return EXIT_ERROR
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="seedlint-verify-") as tmp:
        for i in range(args.runs):
            run = _run(command, os.path.join(tmp, f"run{i}.jsonl"), args.steps, args.timeout)
            if run.code != 0 or run.timed_out:
                return _failed(args, command, i, run)
            runs.append(run)
    divergence = None
    for other in runs[1:]:
        divergence = compare(runs[0], other)
        if divergence is not None:
            break
    if divergence is not None:
        divergence.update(_static_check(command, divergence))
    counts = {
        "draws": sum(1 for e in runs[0].events if e[0] == "rng"),
        "batches": sum(1 for e in runs[0].events if e[0] == "batch"),
        "steps": sum(1 for e in runs[0].events if e[0] == "step"),
    }
    if args.format == "json":
        sys.stdout.write(
            json.dumps(
                {
                    "reproducible": divergence is None,
                    "runs": args.runs,
                    "compared": counts,
                    "divergence": divergence,
                },
                indent=2,
            )
            + "\n"
        )
    elif divergence is None:
        sys.stdout.write(
            f"{args.runs} runs identical ({counts['draws']} draws, {counts['batches']} batches, "
            f"{counts['steps']} steps compared)\n"
        )
    else:
        sys.stdout.write(_describe(divergence) + "\n")
    return EXIT_SAME if divergence is None else EXIT_DIVERGED


def _run(command: list[str], out: str, steps: int, timeout: float) -> Run:
    env = dict(os.environ)
    inject = os.path.join(os.path.dirname(os.path.abspath(__file__)), "inject")
    package_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = [inject, package_root]
    if env.get("PYTHONPATH"):
        path.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(path)
    env[OUT_ENV] = out
    env[STEPS_ENV] = str(steps)
    env.pop(MAIN_ENV, None)
    try:
        proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        stderr = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else ""
        return Run(-1, "", stderr, [], timed_out=True)
    except OSError as exc:
        return Run(127, "", str(exc), [])
    events: list[list[Any]] = []
    if os.path.exists(out):
        with open(out, encoding="utf-8") as fh:
            events = [json.loads(line) for line in fh if line.strip()]
    return Run(proc.returncode, proc.stdout, proc.stderr, events)


def _failed(args: argparse.Namespace, command: list[str], index: int, run: Run) -> int:
    why = (
        f"timed out after {args.timeout:g} s" if run.timed_out else f"exited with status {run.code}"
    )
    tail = "\n".join(run.stderr.rstrip().splitlines()[-15:])
    if args.format == "json":
        sys.stdout.write(
            json.dumps(
                {
                    "reproducible": None,
                    "runs": index + 1,
                    "error": f"run {index + 1} of `{shlex.join(command)}` {why}",
                    "stderr": tail,
                },
                indent=2,
            )
            + "\n"
        )
    else:
        sys.stderr.write(f"seedlint verify: run {index + 1} of `{shlex.join(command)}` {why}\n")
        if tail:
            sys.stderr.write(tail + "\n")
    return EXIT_ERROR


def compare(first: Run, other: Run) -> Optional[dict[str, Any]]:
    """The first place two runs differ, or None."""
    a, b = first.events, other.events
    seen = {"rng": 0, "batch": 0, "step": 0}
    for i in range(max(len(a), len(b))):
        x = a[i] if i < len(a) else None
        y = b[i] if i < len(b) else None
        if x == y:
            assert x is not None
            seen[x[0]] += 1
            continue
        return _divergence(x, y, seen)
    if first.stdout != other.stdout:
        lines = first.stdout.splitlines()
        other_lines = other.stdout.splitlines()
        n = next(
            (k for k, (p, q) in enumerate(zip(lines, other_lines)) if p != q),
            min(len(lines), len(other_lines)),
        )
        return {
            "kind": "output",
            "path": None,
            "line": None,
            "call": None,
            "library": None,
            "step": None,
            "rule": None,
            "message": (
                f"the output differs at its line {n + 1} although every draw, batch and step "
                "recorded was identical: randomness from somewhere not recorded (a private "
                "NumPy Generator or RandomState, hash() of strings, set order, threads, time)"
            ),
            "identical": dict(seen),
        }
    return None


def _divergence(
    x: Optional[list[Any]], y: Optional[list[Any]], seen: dict[str, int]
) -> dict[str, Any]:
    event = x if x is not None else y
    assert event is not None
    kind = event[0]
    before = (
        f"after {seen['rng']} identical draws, {seen['batch']} batches and {seen['step']} steps"
    )
    if kind == "rng":
        _, path, line, func, api, lib, _ = event
        same_call = x is not None and y is not None and y[0] == "rng" and x[1:6] == y[1:6]
        if api == "numpy.random.default_rng":
            cause = "a NumPy Generator created without a seed (OS entropy)"
            rule = "RNG101"
        elif same_call:
            cause = f"the global generator of {_LIBRARY[lib]} was not seeded identically before it"
            rule = _RULE[lib]
        else:
            other = y if event is x else x
            where = f"{other[1]}:{other[2]} `{other[4]}`" if other and other[0] == "rng" else "…"
            cause = f"the runs drew different things here (the other run: {where})"
            rule = _RULE[lib]
        return {
            "kind": "rng",
            "path": path,
            "line": line,
            "call": api,
            "library": lib,
            "step": None,
            "rule": rule,
            "message": f"`{api}` in {func}() at {path}:{line} {before}: {cause}",
            "identical": dict(seen),
        }
    if kind == "batch":
        return {
            "kind": "data",
            "path": None,
            "line": None,
            "call": "DataLoader",
            "library": None,
            "step": seen["batch"],
            "rule": "RNG104",
            "message": (
                f"DataLoader batch {seen['batch']} differs {before}: the data was not loaded "
                "alike — a generator held by the dataset (copied into every worker), "
                "workers not seeded, or a draw the recorder cannot see (a NumPy Generator)"
            ),
            "identical": dict(seen),
        }
    return {
        "kind": "parameters",
        "path": None,
        "line": None,
        "call": "optimizer.step",
        "library": None,
        "step": seen["step"],
        "rule": "RNG502",
        "message": (
            f"the parameters differ after optimizer step {seen['step'] + 1} {before} "
            "(same draws, same batches): nondeterministic kernels — turn on "
            "`torch.use_deterministic_algorithms(True)` (seed_everything(deterministic=True))"
        ),
        "identical": dict(seen),
    }


def _static_check(command: list[str], divergence: dict[str, Any]) -> dict[str, Any]:
    """Did the linter report the line? Lints the command's script (``python x.py``) or
    module (``python -m pkg.mod``) in project scope."""
    if divergence.get("path") is None:
        return {}
    target = _script_of(command)
    if target is None:
        return {}
    from seedlint.config import Settings
    from seedlint.engine.runner import lint_paths
    from seedlint.rules.base import all_rules

    rules = all_rules()
    codes = {c for c, r in rules.items() if r.default}
    root = os.path.dirname(os.path.abspath(target)) or "."
    try:
        report = lint_paths([root], Settings(root=root), codes=codes)
    except Exception:  # the check is a courtesy: never fail the verification over it
        return {}
    want = os.path.abspath(str(divergence["path"]))
    line = divergence["line"]
    for f in report.findings:
        places = [(f.path, f.span.line)] + [(r.path, r.span.line) for r in f.related]
        if any(os.path.abspath(p) == want and ln == line for p, ln in places):
            return {"reported": f.code, "linter": f"seedlint reports {f.code} at this line"}
    return {
        "reported": None,
        "linter": "seedlint does not report this line (a missed finding: please report it)",
    }


def _script_of(command: list[str]) -> Optional[str]:
    words = list(command)
    if words and os.path.basename(words[0]).startswith("python"):
        words = words[1:]
        while words and words[0].startswith("-") and words[0] != "-m":
            words = words[1:]
        if len(words) >= 2 and words[0] == "-m":
            module = words[1].replace(".", os.sep)
            for candidate in (module + ".py", os.path.join(module, "__main__.py")):
                if os.path.exists(candidate):
                    return candidate
            return None
    if words and words[0].endswith(".py") and os.path.exists(words[0]):
        return words[0]
    return None


def _describe(d: dict[str, Any]) -> str:
    text = f"runs diverge: {d['message']}"
    if d.get("rule"):
        text += f"\n  static rule: {d['rule']}"
    if d.get("linter"):
        text += f" — {d['linter']}"
    return text
