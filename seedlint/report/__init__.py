"""Reporters: findings → text for people, JSON/SARIF/GitHub annotations for tools."""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from seedlint.findings import Report
from seedlint.report import github, json_format, sarif, text

Reporter = Callable[[Report, TextIO], None]

REPORTERS: dict[str, Reporter] = {
    "text": text.write,
    "json": json_format.write,
    "github": github.write,
    "sarif": sarif.write,
}
