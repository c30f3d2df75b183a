"""The cost of ``seedlint verify``: the example project (``examples/``, fixed so that it repeats)
run N times plainly and under ``seedlint verify --runs N``, in this one run; prints the ratio.

Usage: python bench/verify_overhead.py [--runs N] [--repeat R]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time


def timed(command: list[str], cwd: str) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=2)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with tempfile.TemporaryDirectory() as tmp:
        root = os.path.join(tmp, "examples")
        shutil.copytree(os.path.join(here, "examples"), root)
        seedlint = [sys.executable, "-m", "seedlint"]
        subprocess.run([*seedlint, "--fix", "--unsafe-fixes", "."], cwd=root, capture_output=True)
        script = [sys.executable, "mnistlike/train.py"]
        plain = min(sum(timed(script, root) for _ in range(args.runs)) for _ in range(args.repeat))
        verify = min(
            timed([*seedlint, "verify", "--runs", str(args.runs), "--", *script], root)
            for _ in range(args.repeat)
        )
    print(
        f"{args.runs} plain runs: {plain:.2f} s; seedlint verify --runs {args.runs}: "
        f"{verify:.2f} s; overhead {verify / plain:.2f}x"
    )


if __name__ == "__main__":
    main()
