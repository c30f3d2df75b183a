"""Rules: one module per family, one class per code. Importing a module registers its rules."""

from __future__ import annotations

import importlib
import pkgutil

_loaded = False


def load() -> None:
    """Import every rule module in this package (each rule registers itself on definition)."""
    global _loaded
    if _loaded:
        return
    for info in pkgutil.iter_modules(__path__):
        if info.name != "base":
            importlib.import_module(f"{__name__}.{info.name}")
    _loaded = True
