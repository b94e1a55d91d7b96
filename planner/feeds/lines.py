"""Content lines as RFC 5545 writes them: TEXT values escaped by icalendar's vText (control
characters dropped first), lines folded at 75 octets, a component serialised through them.

Two of the workarounds listed in planner/feeds/ical.py live here: vText keeps control characters,
which TEXT may not hold (RFC 5545 3.3.11) apart from HTAB; and its line folding walks each line a
character at a time in Python, more than half the cost of a feed, so `fold` does it instead
(UTF-8 safe, 75 octets).
"""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from icalendar import Component, vDuration, vText

__all__ = ["CRLF", "text_value", "fold", "serialize", "escape_text", "format_duration"]

CRLF = "\r\n"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# What vText's escaping (or text_value's cleaning) changes: a value without any is written as is.
_TOUCHED = re.compile(r"[\\;,\x00-\x1f\x7f]")


def text_value(value: str) -> vText:
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if _CONTROL.search(value):
        value = _CONTROL.sub("", value)
    return vText(value)


def fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 3.1) without splitting a UTF-8 sequence."""
    if len(line) <= 75 and line.isascii():
        return line
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts: list[str] = []
    start, limit = 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        # Continuation bytes look like 0b10xxxxxx; back up to the start of the character.
        while end < len(data) and (data[end] & 0xC0) == 0x80:
            end -= 1
        parts.append(data[start:end].decode("utf-8"))
        start, limit = end, 74  # continuation lines begin with one space
    return "\r\n ".join(parts)


def serialize(component: Component, *, open_end: bool = False) -> str:
    """The component's content lines (icalendar's order and encoding), folded, CRLF-terminated;
    `open_end` leaves out its END line (the calendar header, followed by its components)."""
    lines = [str(line) for line in component.content_lines()][:-1]  # a trailing empty line
    if open_end:
        lines.pop()
    return CRLF.join(map(fold, lines)) + CRLF


# --- values -----------------------------------------------------------------------------------------

@lru_cache(maxsize=65_536)
def escape_text(value: str) -> str:
    """A TEXT value as written: backslash, semicolon, comma and newline escaped, other controls
    dropped. Most values (UIDs, titles) hold none of these and are returned as they are, without
    a vText (tests/feeds/test_ical.py checks both ways agree)."""
    if _TOUCHED.search(value) is None:
        return value
    return text_value(value).to_ical().decode("utf-8")


@lru_cache(maxsize=64)
def format_duration(value: dt.timedelta) -> str:
    """An RFC 5545 duration (e.g. -P1D, PT1H)."""
    return vDuration(value).to_ical().decode("ascii")
