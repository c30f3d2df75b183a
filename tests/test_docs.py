"""Documentation generated from the rules cannot drift: the README's rule table, --list-rules
and --explain all come from (or are checked against) the rule classes."""

from __future__ import annotations

import re
from pathlib import Path

from seedlint.cli import list_rules
from seedlint.rules.base import all_rules

ROOT = Path(__file__).resolve().parent.parent


def test_readme_rule_table_matches_the_rules() -> None:
    readme = (ROOT / "README.md").read_text()
    rows = re.findall(r"^\| (RNG\d{3}) \| ([a-z0-9-]+) \| (on|off) \| (.+) \|$", readme, re.M)
    expected = [
        (c, r.name, "on" if r.default else "off", r.summary) for c, r in all_rules().items()
    ]
    assert rows == expected


def test_list_rules_has_every_rule() -> None:
    text = list_rules()
    for code, rule in all_rules().items():
        assert re.search(
            rf"^{code}\s+{rule.name}\s+{'on' if rule.default else 'off'}\b", text, re.M
        )


def test_codes_follow_the_design_bands() -> None:
    for code, rule in all_rules().items():
        assert re.fullmatch(r"RNG\d{3}", code)
        assert rule.name == rule.name.lower() and " " not in rule.name
