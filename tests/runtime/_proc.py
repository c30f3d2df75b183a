"""Subprocess helpers for the runtime tests: a clean environment, free ports, JSON results.

Every script a test runs in a subprocess prints its result as one line ``RESULT <json>`` on
stdout; whatever else the process prints (torch warnings, logging) is ignored.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Optional

REPO = Path(__file__).resolve().parents[2]
RESULT = "RESULT "

#: Variables a test's parent process may carry that would change what a child does.
CLEARED = (
    "SEEDLINT_SEED",
    "SEEDLINT_RANK",
    "RANK",
    "LOCAL_RANK",
    "WORLD_SIZE",
    "LOCAL_WORLD_SIZE",
    "MASTER_ADDR",
    "MASTER_PORT",
    "SLURM_PROCID",
)


def child_env(extra: Optional[Mapping[str, str]] = None) -> dict[str, str]:
    """The environment for a child: this one without seeds and ranks, the repository root on
    PYTHONPATH (spawn workers import ``tests.runtime._datasets``), one thread per op."""
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    env["OMP_NUM_THREADS"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra or {})
    return env


def _argv(code: Optional[str], module: Optional[str], args: Sequence[str]) -> list[str]:
    if (code is None) == (module is None):
        raise ValueError("give code or module")
    head = ["-c", code] if code is not None else ["-m", module]
    return [sys.executable, *head, *args]  # type: ignore[list-item]


def start(
    code: Optional[str] = None,
    *,
    module: Optional[str] = None,
    args: Sequence[str] = (),
    env: Optional[Mapping[str, str]] = None,
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        _argv(code, module, args),
        cwd=REPO,
        env=dict(env) if env is not None else child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc: subprocess.Popen[str], timeout: float = 120) -> Any:
    """Wait for ``proc``; fail with its stderr unless it exits 0; its RESULT line's value."""
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(
            f"subprocess timed out after {timeout}s\n--- stderr ---\n{err}"
        ) from None
    if proc.returncode != 0:
        raise AssertionError(
            f"subprocess exited {proc.returncode}\n--- stdout ---\n{out}\n--- stderr ---\n{err}"
        )
    for line in reversed(out.splitlines()):
        if line.startswith(RESULT):
            return json.loads(line[len(RESULT) :])
    raise AssertionError(f"no RESULT line\n--- stdout ---\n{out}\n--- stderr ---\n{err}")


def run(
    code: Optional[str] = None,
    *,
    module: Optional[str] = None,
    args: Sequence[str] = (),
    env: Optional[Mapping[str, str]] = None,
    timeout: float = 120,
) -> Any:
    return finish(start(code, module=module, args=args, env=env), timeout)


def emit(value: Any) -> None:
    """In a child: print ``value`` as the RESULT line."""
    print(RESULT + json.dumps(value), flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
