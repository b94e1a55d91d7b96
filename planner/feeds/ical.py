"""RFC 5545 calendar bytes from plain feed items, built with icalendar's component model
(Calendar, Event, Alarm, Timezone with its STANDARD/DAYLIGHT observances) and its value types.

VTIMEZONE observances are derived from the IANA database here, one yearly RRULE per change
where the zone follows a weekday rule: icalendar's own `Timezone.from_tzinfo` lists every change
as RDATEs, which Outlook ignores (it reads only RRULE) and vobject cuts to their first value.
Rendered events are memoised by value: feeds rebuild when any event changes, and most do not.
"""
from __future__ import annotations

import calendar as gregorian
import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

from icalendar import (
    Alarm as VAlarm,
)
from icalendar import (
    Calendar,
    Component,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vCategory,
    vDDDTypes,
    vDuration,
    vInt,
    vRecur,
    vText,
    vUri,
    vUTCOffset,
)

PRODID = "-//Defence Export Exhibition Planner//Calendar feeds 1.0//EN"
# How often clients should poll: RFC 7986 REFRESH-INTERVAL and Outlook's X-PUBLISHED-TTL.
REFRESH = dt.timedelta(hours=1)
CRLF = "\r\n"
UTC = dt.timezone.utc
# Distinct events kept rendered (about 600 bytes each): a few feeds of thousands of events.
EVENT_MEMO_SIZE = 32_768


@dataclass(frozen=True)
class Alarm:
    """A display alarm `before` the event's start (RFC 5545 VALARM)."""

    description: str
    before: dt.timedelta = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """One VEVENT. `start`/`end` are dates for all-day events (end exclusive) or aware
    datetimes shown in `tzid`; `stamp` is the UTC time the data last changed."""

    uid: str
    summary: str
    start: dt.date | dt.datetime
    end: dt.date | dt.datetime
    stamp: dt.datetime
    sequence: int = 0
    tzid: str | None = None
    description: str | None = None
    location: str | None = None
    url: str | None = None
    categories: tuple[str, ...] = ()
    status: str | None = None          # CONFIRMED, TENTATIVE or CANCELLED
    transparent: bool = True           # shows and deadlines should not block the subscriber's time
    alarm: Alarm | None = None


@dataclass(frozen=True)
class CalendarInfo:
    name: str
    description: str
    events: Sequence[FeedEvent] = field(default_factory=tuple)


# --- where icalendar 7 gets it wrong ------------------------------------------------------------
# The one place that works around the library; tests/feeds/test_ical.py
# (test_icalendar_still_needs_the_workarounds) fails once a release fixes these, so they can go:
# - `Calendar.add("NAME" | "X-WR-CALNAME" | "X-WR-CALDESC", str)` writes the text unescaped, and
#   `add("X-PUBLISHED-TTL", timedelta)` writes Python's "1:00:00": every value is given typed.
# - vText keeps control characters, which TEXT may not hold (RFC 5545 3.3.11) apart from HTAB.
# - Its line folding walks each line a character at a time in Python, more than half the cost
#   of a feed: content lines are folded by `fold` below (UTF-8 safe, 75 octets) instead.

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _text(value: str) -> vText:
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


def _serialize(component: Component, *, open_end: bool = False) -> str:
    """The component's content lines (icalendar's order and encoding), folded, CRLF-terminated;
    `open_end` leaves out its END line (the calendar header, followed by its components)."""
    lines = [str(line) for line in component.content_lines()][:-1]  # a trailing empty line
    if open_end:
        lines.pop()
    return CRLF.join(map(fold, lines)) + CRLF


# --- values ---------------------------------------------------------------------------------------

def escape_text(value: str) -> str:
    """A TEXT value as written: backslash, semicolon, comma and newline escaped, other controls
    dropped."""
    return _text(value).to_ical().decode("utf-8")


def format_duration(value: dt.timedelta) -> str:
    """An RFC 5545 duration (e.g. -P1D, PT1H)."""
    return vDuration(value).to_ical().decode("ascii")


# --- time zones -----------------------------------------------------------------------------------

# A calendar that lists nothing still needs one component (RFC 5545 3.6: "1*component"); the
# agency's own zone, which has had no transitions since 1988, gives the same bytes every year.
EMPTY_CALENDAR_ZONE = ("Asia/Seoul", 2000)
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_SCAN_STEP = 12 * 3600  # no zone changes its offset twice within 12 hours


@dataclass(frozen=True)
class _Onset:
    """A change of offset: `local` is the wall-clock time it happens at, read in the old offset
    (as RFC 5545's VTIMEZONE examples do)."""

    local: dt.datetime
    offset_from: dt.timedelta
    offset_to: dt.timedelta
    is_dst: bool
    name: str


def _state(zone: ZoneInfo, epoch: int) -> tuple[dt.timedelta, bool, str]:
    local = dt.datetime.fromtimestamp(epoch, zone)
    return local.utcoffset() or dt.timedelta(0), bool(local.dst()), local.tzname() or ""


def _onsets(zone: ZoneInfo, start: int, end: int) -> list[_Onset]:
    onsets: list[_Onset] = []
    epoch, state = start, _state(zone, start)
    while epoch < end:
        later = _state(zone, epoch + _SCAN_STEP)
        if later != state:
            low, high = epoch, epoch + _SCAN_STEP
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if _state(zone, middle) == state else (low, middle)
            new = _state(zone, high)
            local = dt.datetime.fromtimestamp(high, UTC).replace(tzinfo=None) + state[0]
            onsets.append(_Onset(local, state[0], new[0], new[1], new[2]))
            state = new
        epoch += _SCAN_STEP
    return onsets


def _yearly_rule(locals_: Sequence[dt.datetime], years: Sequence[int]) -> vRecur | None:
    """A yearly rule for onsets that fall once a year on the same nth (or last) weekday of the
    same month at the same time, or None."""
    if [value.year for value in locals_] != list(years):
        return None
    first = locals_[0]
    if any((v.month, v.weekday(), v.time()) != (first.month, first.weekday(), first.time()) for v in locals_):
        return None
    nths = {(v.day - 1) // 7 + 1 for v in locals_}
    if len(nths) == 1 and min(nths) <= 4:
        nth = min(nths)
    elif all(v.day + 7 > gregorian.monthrange(v.year, v.month)[1] for v in locals_):
        nth = -1
    else:
        return None
    return vRecur(freq="YEARLY", bymonth=first.month, byday=f"{nth}{_WEEKDAYS[first.weekday()]}")


def _observance(start: dt.datetime, offset_from: dt.timedelta, offset_to: dt.timedelta, is_dst: bool,
                name: str, *, rule: vRecur | None = None, dates: Sequence[dt.datetime] = ()) -> Component:
    observance = TimezoneDaylight() if is_dst else TimezoneStandard()
    observance["DTSTART"] = vDDDTypes(start)
    if rule is not None:
        observance["RRULE"] = rule
    for value in dates:
        # One RDATE per line: vobject reads only the first value of a comma-separated list.
        observance.add("RDATE", value)
    observance["TZNAME"] = _text(name)
    observance["TZOFFSETFROM"] = vUTCOffset(offset_from)
    observance["TZOFFSETTO"] = vUTCOffset(offset_to)
    return observance


@lru_cache(maxsize=256)
def vtimezone(tzid: str, first_year: int, last_year: int) -> str:
    """The VTIMEZONE of `tzid` for local times in `first_year` to `last_year`, as CRLF-terminated
    lines, from the IANA database.

    Where the zone changes offset on the same weekday rule every year, each change is one
    observance with a yearly RRULE starting the year before (so the first of January of
    `first_year` is covered); otherwise every change is listed, one RDATE per line. The block is
    right for the years asked for, not necessarily after them. Whole years keep it identical for
    the same data, whatever day it is built."""
    zone = ZoneInfo(tzid)
    start = int(dt.datetime(first_year - 1, 1, 1, tzinfo=UTC).timestamp())
    end = int(dt.datetime(last_year + 1, 1, 2, tzinfo=UTC).timestamp())
    groups: dict[tuple[dt.timedelta, dt.timedelta, bool, str], list[dt.datetime]] = {}
    for onset in _onsets(zone, start, end):
        groups.setdefault((onset.offset_from, onset.offset_to, onset.is_dst, onset.name), []).append(onset.local)
    years = range(first_year - 1, last_year + 1)
    rules = {key: _yearly_rule(locals_, years) for key, locals_ in groups.items()}
    timezone = Timezone()
    timezone["TZID"] = vText(tzid)
    if groups and all(rules.values()):
        for key, locals_ in groups.items():
            timezone.add_component(_observance(locals_[0], *key, rule=rules[key]))
    else:
        # The offset in force from the start, then each change with all its dates.
        offset, is_dst, name = _state(zone, start)
        timezone.add_component(_observance(dt.datetime(first_year - 1, 1, 1), offset, offset, is_dst, name))
        for key, locals_ in groups.items():
            timezone.add_component(_observance(locals_[0], *key, dates=locals_[1:]))
    return _serialize(timezone)


def _zone_years(events: Iterable[FeedEvent]) -> dict[str, tuple[int, int]]:
    years: dict[str, tuple[int, int]] = {}
    for event in events:
        if event.tzid is None:
            continue
        zone = ZoneInfo(event.tzid)
        low = min(event.start, event.end).astimezone(zone).year  # type: ignore[attr-defined]
        high = max(event.start, event.end).astimezone(zone).year  # type: ignore[attr-defined]
        if event.tzid in years:
            low, high = min(low, years[event.tzid][0]), max(high, years[event.tzid][1])
        years[event.tzid] = (low, high)
    return years


# --- events and the calendar ----------------------------------------------------------------------

def event_component(event: FeedEvent) -> Event:
    """One VEVENT as an icalendar component."""
    component = Event()
    component["UID"] = _text(event.uid)
    stamp = event.stamp.astimezone(UTC)
    component["DTSTAMP"] = vDDDTypes(stamp)
    component["LAST-MODIFIED"] = vDDDTypes(stamp)
    component["SEQUENCE"] = vInt(event.sequence)
    if event.tzid is None:
        # DTEND of an all-day event is exclusive: a show ending on the 19th ends on the 20th.
        component["DTSTART"] = vDDDTypes(event.start)
        component["DTEND"] = vDDDTypes(event.end)
    else:
        zone = ZoneInfo(event.tzid)
        component["DTSTART"] = vDDDTypes(event.start.astimezone(zone))  # type: ignore[union-attr]
        component["DTEND"] = vDDDTypes(event.end.astimezone(zone))  # type: ignore[union-attr]
    component["SUMMARY"] = _text(event.summary)
    if event.location:
        component["LOCATION"] = _text(event.location)
    if event.categories:
        component["CATEGORIES"] = vCategory([str(_text(c)) for c in event.categories])
    if event.description:
        component["DESCRIPTION"] = _text(event.description)
    if event.url:
        component["URL"] = vUri(event.url)
    if event.status:
        component["STATUS"] = vText(event.status)
    component["TRANSP"] = vText("TRANSPARENT" if event.transparent else "OPAQUE")
    if event.alarm is not None:
        alarm = VAlarm()
        alarm["ACTION"] = vText("DISPLAY")
        alarm["DESCRIPTION"] = _text(event.alarm.description)
        alarm["TRIGGER"] = vDuration(-event.alarm.before)
        component.add_component(alarm)
    return component


@lru_cache(maxsize=EVENT_MEMO_SIZE)
def render_event(event: FeedEvent) -> str:
    """One VEVENT as CRLF-terminated content lines (memoised: the same event, the same text)."""
    return _serialize(event_component(event))


def render_within(events: Iterable[FeedEvent], max_bytes: int | None = None, *,
                  keep: Literal["earliest", "latest"] = "earliest",
                  ) -> tuple[list[FeedEvent], list[str], dt.date | None]:
    """Render `events` (sorted by start) until they would pass `max_bytes`, cutting between two
    start dates so a day is never half listed. `keep="latest"` drops the oldest events first.
    Returns the events kept (in the order given), their rendered blocks and the start date of
    the nearest day left out (None when everything fit). Events are rendered lazily, so a long
    feed costs only what it keeps."""
    ordered = events if keep == "earliest" else reversed(list(events))
    kept: list[FeedEvent] = []
    blocks: list[str] = []
    total = 0
    first_out: dt.date | None = None
    for event in ordered:
        block = render_event(event)
        total += len(block) if block.isascii() else len(block.encode("utf-8"))
        if max_bytes is not None and total > max_bytes:
            first_out = _start_date(event)
            count = len(kept)
            while count > 0 and _start_date(kept[count - 1]) == first_out:
                count -= 1
            kept, blocks = kept[:count], blocks[:count]
            break
        kept.append(event)
        blocks.append(block)
    if keep == "latest":
        kept.reverse()
        blocks.reverse()
    return kept, blocks, first_out


def _start_date(event: FeedEvent) -> dt.date:
    start = event.start
    return start.astimezone(UTC).date() if isinstance(start, dt.datetime) else start


@lru_cache(maxsize=64)
def _header(name: str, description: str) -> str:
    calendar = Calendar()
    calendar["VERSION"] = vText("2.0")
    calendar["PRODID"] = vText(PRODID)
    calendar["CALSCALE"] = vText("GREGORIAN")
    calendar["METHOD"] = vText("PUBLISH")
    calendar["NAME"] = _text(name)
    calendar["X-WR-CALNAME"] = _text(name)
    calendar["DESCRIPTION"] = _text(description)
    calendar["X-WR-CALDESC"] = _text(description)
    calendar.add("REFRESH-INTERVAL", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar["X-PUBLISHED-TTL"] = vDuration(REFRESH)
    return _serialize(calendar, open_end=True)


def build_calendar(calendar: CalendarInfo, blocks: Sequence[str] | None = None) -> bytes:
    """The whole VCALENDAR as UTF-8 bytes with CRLF line ends; `blocks` are the events
    already rendered, when the caller has them.

    The same calendar gives the same bytes: no calendar-level UID, no build time; events are
    written in the order given (callers sort them)."""
    body = _header(calendar.name, calendar.description)
    zones = _zone_years(calendar.events)
    body += "".join(vtimezone(tzid, *zones[tzid]) for tzid in sorted(zones))
    if blocks is None:
        blocks = [render_event(event) for event in calendar.events]
    if not blocks and not zones:
        zone, year = EMPTY_CALENDAR_ZONE
        body += vtimezone(zone, year, year)
    return (body + "".join(blocks) + "END:VCALENDAR" + CRLF).encode("utf-8")


# Room for the calendar's header once a note on the cut is added to its description.
_NOTE_ROOM = 2_000


def bounded_calendar(calendar: CalendarInfo, *, max_bytes: int, note: Callable[[dt.date], str]) -> bytes:
    """The calendar in at most `max_bytes`: when its events (sorted by start) do not fit, the
    oldest days are dropped and `note(last day left out)` is added to its description."""
    zones = _zone_years(calendar.events)
    fixed = len(_header(calendar.name, calendar.description).encode("utf-8")) + _NOTE_ROOM + sum(
        len(vtimezone(tzid, *years).encode("utf-8")) for tzid, years in zones.items())
    kept, blocks, first_out = render_within(calendar.events, max_bytes - fixed, keep="latest")
    description = calendar.description if first_out is None else f"{calendar.description} {note(first_out)}"
    return build_calendar(CalendarInfo(calendar.name, description, kept), blocks)
