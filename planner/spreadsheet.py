"""Spreadsheet-safe cells, for every CSV and XLSX the site writes or reads.

A cell starting with one of FORMULA_PREFIXES is run as a formula by spreadsheet programs (CSV
injection: "=HYPERLINK(...)" in an exhibition's name). Exports put an apostrophe before such a
cell, and before one that already starts with apostrophes and then such a character, and
imports take one off again, so every exported file imports to exactly what was exported.
"""
from __future__ import annotations

import re

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# XLSX (XML 1.0) cannot hold these; a stored exhibit name with one must not break an export.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def safe_cell(value: object) -> object:
    """The value a spreadsheet shows as text, never runs; non-text values pass unchanged."""
    if isinstance(value, str):
        value = _XML_ILLEGAL.sub("", value)
        if value.lstrip("'").startswith(FORMULA_PREFIXES):
            return "'" + value
    return value


def safe_text(value: str) -> str:
    return str(safe_cell(value))


def from_safe_cell(value: str) -> str:
    """Undo safe_cell on import."""
    if value.startswith("'") and value.lstrip("'").startswith(FORMULA_PREFIXES):
        return value[1:]
    return value
