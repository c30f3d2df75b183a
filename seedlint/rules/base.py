"""The rule unit: one class owns a code, its message, its documentation and its examples.

Documentation follows ruff's four parts (*What it does*, *Why is this bad?*, *Example*, *Use
instead*) plus fix safety. The first invalid example is the *Example*, the first valid one *Use
instead*; ``tests/test_rule_examples.py`` runs every example, so the docs cannot drift.

Hooks (override what the rule needs):

* ``check_call(ctx, site)`` for every call in a file (``wants_calls = True``);
* ``check_file(ctx)`` once per file after its calls;
* ``check_program(program)`` once per run, over every file's facts (whole-program rules).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Optional

if TYPE_CHECKING:
    from seedlint.engine.collect import CallSite, FileContext
    from seedlint.engine.program import Program
    from seedlint.findings import Finding


@dataclass(frozen=True)
class Valid:
    code: str
    #: Extra files of a multi-file example, {relative path: source}; the example is ``main.py``.
    files: Optional[dict[str, str]] = None
    note: str = ""


@dataclass(frozen=True)
class Invalid:
    code: str
    #: Lines (1-based, in the dedented code) where the rule must report; default: ≥ 1 anywhere.
    lines: tuple[int, ...] = ()
    #: Lines of the related locations of those findings (same cause); None: not checked.
    related: Optional[tuple[int, ...]] = None
    files: Optional[dict[str, str]] = None
    note: str = ""


REGISTRY: dict[str, type[Rule]] = {}


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]  # one line, for --list-rules
    what: ClassVar[str]
    why: ClassVar[str]
    how_to_fix: ClassVar[str]
    fix_safety: ClassVar[str] = ""
    default: ClassVar[bool] = True
    #: "safe" | "unsafe" | None — the applicability of this rule's fixes, when it has any.
    fixable: ClassVar[Optional[str]] = None
    valid: ClassVar[list[Valid]] = []
    invalid: ClassVar[list[Invalid]] = []
    wants_calls: ClassVar[bool] = False
    #: Attribute names whose assignments the rule reads from ``FileContext.attr_assigns``.
    watches_attributes: ClassVar[frozenset[str]] = frozenset()

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        code = cls.__dict__.get("code")
        if code:
            if code in REGISTRY:
                raise RuntimeError(f"rule code {code} defined twice")
            REGISTRY[code] = cls

    # --- hooks ---------------------------------------------------------------------------------

    def check_call(self, ctx: FileContext, site: CallSite) -> None:
        return None

    def check_file(self, ctx: FileContext) -> None:
        return None

    def check_program(self, program: Program) -> Iterable[Finding]:
        return ()

    # --- documentation ------------------------------------------------------------------------

    @classmethod
    def explain(cls) -> str:
        parts = [
            f"# {cls.code} ({cls.name})",
            "",
            f"Default: {'on' if cls.default else 'off'}"
            + (f" · Fix: {cls.fixable}" if cls.fixable else " · Fix: none"),
            "",
            "## What it does",
            _para(cls.what),
            "",
            "## Why is this bad?",
            _para(cls.why),
        ]
        if cls.invalid:
            parts += ["", "## Example", "```python", _code(cls.invalid[0].code), "```"]
        if cls.valid:
            parts += ["", "## Use instead", "```python", _code(cls.valid[0].code), "```"]
        parts += ["", "## How to fix", _para(cls.how_to_fix)]
        if cls.fix_safety:
            parts += ["", "## Fix safety", _para(cls.fix_safety)]
        return "\n".join(parts) + "\n"


def _para(text: str) -> str:
    return textwrap.dedent(text).strip()


def _code(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


def all_rules() -> dict[str, type[Rule]]:
    """Every rule, by code (importing the rule modules registers them)."""
    from seedlint.rules import load

    load()
    return dict(sorted(REGISTRY.items()))
