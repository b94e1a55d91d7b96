"""RFC 5545 calendar bytes from plain feed items: escaping, folding, all-day and zoned events.

Events are written by hand because generic libraries are slow at thousands of events and do not
escape every TEXT property (icalendar 7 leaves commas in NAME unescaped). VTIMEZONE blocks are
derived from the IANA database too: icalendar's list them as comma-separated RDATEs, which
Outlook ignores (it reads only RRULE) and vobject cuts to their first value.
"""
from __future__ import annotations

import calendar as gregorian
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

PRODID = "-//Defence Export Exhibition Planner//Calendar feeds 1.0//EN"
# How often clients should poll: RFC 7986 REFRESH-INTERVAL and Outlook's X-PUBLISHED-TTL.
REFRESH = "PT1H"
CRLF = "\r\n"
UTC = dt.timezone.utc


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


# --- value encoding -------------------------------------------------------------------------

# TEXT may not hold control characters other than HTAB (RFC 5545 3.3.11); newlines are escaped.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def escape_text(value: str) -> str:
    """Escape a TEXT value: backslash, semicolon, comma and newline; drop other controls."""
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if _CONTROL.search(value):
        value = _CONTROL.sub("", value)
    # str.replace runs in C: several passes beat one Python-level translation table.
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


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


def format_date(value: dt.date) -> str:
    return f"{value.year:04d}{value.month:02d}{value.day:02d}"


def format_utc(value: dt.datetime) -> str:
    value = value.astimezone(UTC)
    return (f"{value.year:04d}{value.month:02d}{value.day:02d}T"
            f"{value.hour:02d}{value.minute:02d}{value.second:02d}Z")


def format_local(value: dt.datetime, tzid: str) -> str:
    value = value.astimezone(ZoneInfo(tzid))
    return (f"{value.year:04d}{value.month:02d}{value.day:02d}T"
            f"{value.hour:02d}{value.minute:02d}{value.second:02d}")


def format_duration(value: dt.timedelta) -> str:
    """A negative or positive RFC 5545 duration in days, hours, minutes (e.g. -P1D, -PT2H)."""
    sign = "-" if value < dt.timedelta(0) else ""
    seconds = int(abs(value).total_seconds())
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    out = f"{sign}P"
    if days:
        out += f"{days}D"
    if hours or minutes or seconds or not days:
        out += "T" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + \
            (f"{seconds}S" if seconds or not (hours or minutes) else "")
    return out


# --- time zones -----------------------------------------------------------------------------

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


def format_offset(value: dt.timedelta) -> str:
    seconds = int(value.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{seconds:02d}" if seconds else "")


def _yearly_rule(locals_: Sequence[dt.datetime], years: Sequence[int]) -> str | None:
    """RRULE:FREQ=YEARLY for onsets that fall once a year on the same nth (or last) weekday of
    the same month at the same time, or None."""
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
    return f"RRULE:FREQ=YEARLY;BYMONTH={first.month};BYDAY={nth}{_WEEKDAYS[first.weekday()]}"


def _local_stamp(value: dt.datetime) -> str:
    return (f"{value.year:04d}{value.month:02d}{value.day:02d}T"
            f"{value.hour:02d}{value.minute:02d}{value.second:02d}")


def _subcomponent(start: dt.datetime, offset_from: dt.timedelta, offset_to: dt.timedelta,
                  is_dst: bool, name: str, recurrence: Sequence[str]) -> list[str]:
    kind = "DAYLIGHT" if is_dst else "STANDARD"
    return [f"BEGIN:{kind}", "DTSTART:" + _local_stamp(start), *recurrence,
            fold("TZNAME:" + escape_text(name)), "TZOFFSETFROM:" + format_offset(offset_from),
            "TZOFFSETTO:" + format_offset(offset_to), f"END:{kind}"]


@lru_cache(maxsize=256)
def vtimezone(tzid: str, first_year: int, last_year: int) -> str:
    """The VTIMEZONE of `tzid` for local times in `first_year` to `last_year`, as CRLF-terminated
    lines, from the IANA database.

    Where the zone changes offset on the same weekday rule every year, each change is one
    sub-component with a yearly RRULE starting the year before (so the first of January of
    `first_year` is covered); otherwise every change is listed, one RDATE per line. The block is
    right for the years asked for, not necessarily after them. Whole years keep it identical for
    the same data, whatever day it is built."""
    zone = ZoneInfo(tzid)
    start = int(dt.datetime(first_year - 1, 1, 1, tzinfo=UTC).timestamp())
    end = int(dt.datetime(last_year + 1, 1, 2, tzinfo=UTC).timestamp())
    onsets = _onsets(zone, start, end)
    lines = ["BEGIN:VTIMEZONE", "TZID:" + tzid]
    groups: dict[tuple[dt.timedelta, dt.timedelta, bool, str], list[dt.datetime]] = {}
    for onset in onsets:
        groups.setdefault((onset.offset_from, onset.offset_to, onset.is_dst, onset.name), []).append(onset.local)
    years = range(first_year - 1, last_year + 1)
    rules = {key: _yearly_rule(locals_, years) for key, locals_ in groups.items()}
    if groups and all(rules.values()):
        for key, locals_ in groups.items():
            lines += _subcomponent(locals_[0], *key, recurrence=[str(rules[key])])
    else:
        # The offset in force from the start, then each change with all its dates.
        offset, is_dst, name = _state(zone, start)
        lines += _subcomponent(dt.datetime(first_year - 1, 1, 1), offset, offset, is_dst, name, recurrence=())
        for key, locals_ in groups.items():
            lines += _subcomponent(locals_[0], *key, recurrence=["RDATE:" + _local_stamp(v) for v in locals_[1:]])
    lines.append("END:VTIMEZONE")
    return CRLF.join(lines) + CRLF


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


# --- calendar -------------------------------------------------------------------------------

def render_event(event: FeedEvent) -> str:
    """One VEVENT as CRLF-terminated content lines."""
    out: list[str] = []
    add = out.append
    add("BEGIN:VEVENT")
    add(fold("UID:" + escape_text(event.uid)))
    stamp = format_utc(event.stamp)
    add("DTSTAMP:" + stamp)
    add("LAST-MODIFIED:" + stamp)
    add(f"SEQUENCE:{event.sequence}")
    if event.tzid is None:
        # DTEND of an all-day event is exclusive: a show ending on the 19th ends on the 20th.
        add("DTSTART;VALUE=DATE:" + format_date(event.start))
        add("DTEND;VALUE=DATE:" + format_date(event.end))
    else:
        add(f"DTSTART;TZID={event.tzid}:" + format_local(event.start, event.tzid))  # type: ignore[arg-type]
        add(f"DTEND;TZID={event.tzid}:" + format_local(event.end, event.tzid))  # type: ignore[arg-type]
    add(fold("SUMMARY:" + escape_text(event.summary)))
    if event.location:
        add(fold("LOCATION:" + escape_text(event.location)))
    if event.categories:
        add(fold("CATEGORIES:" + ",".join(escape_text(c) for c in event.categories)))
    if event.description:
        add(fold("DESCRIPTION:" + escape_text(event.description)))
    if event.url:
        add(fold("URL:" + event.url))
    if event.status:
        add("STATUS:" + event.status)
    add("TRANSP:TRANSPARENT" if event.transparent else "TRANSP:OPAQUE")
    if event.alarm is not None:
        add("BEGIN:VALARM")
        add("ACTION:DISPLAY")
        add(fold("DESCRIPTION:" + escape_text(event.alarm.description)))
        add("TRIGGER:" + format_duration(-event.alarm.before))
        add("END:VALARM")
    add("END:VEVENT\r\n")
    return CRLF.join(out)


def render_within(events: Iterable[FeedEvent], max_bytes: int | None = None,
                  ) -> tuple[list[FeedEvent], list[str], dt.date | None]:
    """Render `events` (sorted by start) until they would pass `max_bytes`, cutting between two
    start dates so a day is never half listed. Returns the events kept, their rendered blocks
    and the first start date left out (None when everything fit). Events are rendered lazily,
    so a long feed costs only what it keeps."""
    kept: list[FeedEvent] = []
    blocks: list[str] = []
    total = 0
    for event in events:
        block = render_event(event)
        total += len(block) if block.isascii() else len(block.encode("utf-8"))
        if max_bytes is not None and total > max_bytes:
            first_out = _start_date(event)
            keep = len(kept)
            while keep > 0 and _start_date(kept[keep - 1]) == first_out:
                keep -= 1
            return kept[:keep], blocks[:keep], first_out
        kept.append(event)
        blocks.append(block)
    return kept, blocks, None


def _start_date(event: FeedEvent) -> dt.date:
    start = event.start
    return start.astimezone(UTC).date() if isinstance(start, dt.datetime) else start


def build_calendar(calendar: CalendarInfo, blocks: Sequence[str] | None = None) -> bytes:
    """The whole VCALENDAR as UTF-8 bytes with CRLF line ends; `blocks` are the events
    already rendered, when the caller has them.

    The same calendar gives the same bytes: no calendar-level UID, no build time; events are
    written in the order given (callers sort them)."""
    name = escape_text(calendar.name)
    description = escape_text(calendar.description)
    out = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        fold("PRODID:" + PRODID),
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        fold("NAME:" + name),
        fold("X-WR-CALNAME:" + name),
        fold("DESCRIPTION:" + description),
        fold("X-WR-CALDESC:" + description),
        "REFRESH-INTERVAL;VALUE=DURATION:" + REFRESH,
        "X-PUBLISHED-TTL:" + REFRESH,
    ]
    body = CRLF.join(out) + CRLF
    zones = _zone_years(calendar.events)
    body += "".join(vtimezone(tzid, *zones[tzid]) for tzid in sorted(zones))
    if blocks is None:
        blocks = [render_event(event) for event in calendar.events]
    if not blocks and not zones:
        zone, year = EMPTY_CALENDAR_ZONE
        body += vtimezone(zone, year, year)
    return (body + "".join(blocks) + "END:VCALENDAR" + CRLF).encode("utf-8")
