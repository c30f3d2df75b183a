"""Optional dependencies, imported only when a feature needs them.

``import seedlint_runtime`` imports neither numpy nor torch; each helper asks for them here and
skips what it cannot do without them.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Optional


def optional(name: str) -> Optional[ModuleType]:
    """The module if it can be imported, else None (a missing or blocked import)."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def numpy() -> Optional[ModuleType]:
    return optional("numpy")


def torch() -> Optional[ModuleType]:
    return optional("torch")


def require_torch(what: str) -> ModuleType:
    module = torch()
    if module is None:
        raise RuntimeError(f"{what} needs torch, which is not installed")
    return module
