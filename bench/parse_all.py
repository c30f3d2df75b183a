"""The baseline contender for ``bench/run.py``: parse every ``*.py`` file under a folder with
``libcst.parse_module(bytes)``, one file after another, in this one process, and throw each
tree away. Prints ``{"files": N, "failed": ["path: error", ...]}`` as JSON on stdout.

Usage: python bench/parse_all.py FOLDER
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import Optional

import libcst

SKIP_DIRS = frozenset({".seedlint_cache", ".ruff_cache"})


def python_files(root: str) -> list[str]:
    """Every ``*.py`` regular file under ``root``, sorted, not following links to folders."""
    out: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(
            d
            for d in dirnames
            if d not in SKIP_DIRS and not os.path.islink(os.path.join(dirpath, d))
        )
        out.extend(os.path.join(dirpath, n) for n in sorted(filenames) if n.endswith(".py"))
    return out


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1 or not os.path.isdir(args[0]):
        sys.stderr.write("usage: python bench/parse_all.py FOLDER\n")
        return 2
    files = python_files(args[0])
    failed: list[str] = []
    for path in files:
        with open(path, "rb") as fh:
            data = fh.read()
        try:
            libcst.parse_module(data)
        except Exception as exc:  # a file libcst cannot parse: counted, skipped
            failed.append(f"{os.path.relpath(path, args[0])}: {type(exc).__name__}")
    json.dump({"files": len(files), "failed": failed}, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
