"""Stream keys: the names ``derive_seed`` derives a call site's own seed from (the fixes that
give a generator or a library call its seed write them into the code)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from seedlint.engine.names import dotted

if TYPE_CHECKING:
    from seedlint.engine.collect import CallSite, FileContext


def module_name(path: str) -> str:
    """The dotted module name of a file: its stem, under the packages (folders with an
    ``__init__.py``) that hold it — stable wherever the project is checked out."""
    path = os.path.abspath(path)
    stem = os.path.splitext(os.path.basename(path))[0]
    parts = [] if stem == "__init__" else [stem]
    folder = os.path.dirname(path)
    while os.path.isfile(os.path.join(folder, "__init__.py")):
        parts.append(os.path.basename(folder))
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return ".".join(reversed(parts)) or stem


def derive_key(ctx: FileContext, site: CallSite, leaf: str = "") -> str:
    """A name for this call site's stream that survives edits elsewhere in the file:
    ``module:function:target`` (``data:Augment.__init__:self.rng``). A call stored nowhere is
    numbered among its scope's calls of the same callee (``#0``), or named ``leaf`` (a library
    call's API: ``train_test_split``, numbered only when the scope makes several)."""
    module = module_name(ctx.path)
    target = ctx.stored_into.get(id(site.node))
    name = dotted(target) if target is not None else None
    if name is None:
        same = [
            s
            for s in ctx.calls
            if s.scope is site.scope
            and (
                (s.qualname or s.method or "").endswith(leaf)
                if leaf
                else s.qualname == site.qualname
            )
        ]
        index = next(i for i, s in enumerate(same) if s is site)
        name = f"{leaf}#{index}" if not leaf or len(same) > 1 else leaf
    return f"{module}:{site.scope.qualname or '<module>'}:{name}"
