"""RNG999: a file that cannot be parsed. The engine reports it; the run goes on."""

from __future__ import annotations

from typing import ClassVar

from seedlint.rules.base import Invalid, Rule, Valid


class SyntaxErrorRule(Rule):
    code = "RNG999"
    name = "syntax-error"
    summary = "file cannot be parsed (reported, never a crash)"
    what = (
        "Reports a file that cannot be parsed as Python, at the position where the parser "
        "stops (in a notebook: the cell that does not parse, or the notebook's JSON), and files "
        "too large (over 2 MB) or too deeply nested to analyse. The rest of the run goes on, and "
        "the file counts as a finding (exit status 1)."
    )
    why = (
        "A file seedlint cannot parse is a file it cannot check: its randomness is unknown. "
        "Python 2 syntax, merge-conflict markers and half-written files are the usual causes."
    )
    how_to_fix = (
        "Fix the syntax error (run `python -m py_compile FILE` to see it), or exclude the file. "
        "A bare `# noqa` does not silence RNG999 (the file was not checked); "
        "`# noqa: RNG999` does."
    )
    invalid: ClassVar[list[Invalid]] = [
        Invalid(
            """
            import random

            def main(:
                print(random.random())
            """,
            lines=(3,),
        ),
        Invalid(
            """
            print "hello"
            """,
            lines=(1,),
        ),
    ]
    valid: ClassVar[list[Valid]] = [
        Valid(
            """
            import random

            def main():
                print(random.random())
            """
        )
    ]
