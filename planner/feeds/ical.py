"""RFC 5545 calendar bytes from plain feed items, built with icalendar's component model
(Calendar, Event, Alarm, Timezone with its STANDARD/DAYLIGHT observances) and its value types.

VTIMEZONE components come from planner/feeds/vtimezone.py, escaping and folding from
planner/feeds/lines.py.
Rendered events are memoised by value: feeds rebuild when any event changes, and most do not.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal, Protocol, TypeVar, cast
from zoneinfo import ZoneInfo

from icalendar import Alarm as VAlarm
from icalendar import Calendar, Event, vCategory, vDDDTypes, vDuration, vInt, vText, vUri
from icalendar.timezone.tzid import tzid_from_dt

from planner.feeds.lines import CRLF, escape_text, fold, format_duration, serialize, text_value
from planner.feeds.vtimezone import EMPTY_CALENDAR_ZONE, vtimezone

__all__ = ["PRODID", "REFRESH", "Alarm", "FeedEvent", "CalendarInfo", "escape_text", "fold", "format_duration",
           "vtimezone", "event_component", "render_event", "render_within", "build_calendar", "bounded_calendar",
           "bounded_build", "Timed"]

PRODID = "-//Defence Export Exhibition Planner//Calendar feeds 1.0//EN"
# How often clients should poll: RFC 7986 REFRESH-INTERVAL and Outlook's X-PUBLISHED-TTL.
REFRESH = dt.timedelta(hours=1)
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
# - vText keeps control characters, and its line folding is slow: see planner/feeds/lines.py.
# - Its content-line assembly (a Parameters mapping and a Contentline per property, then the
#   value encoded again per line) costs about a third of a millisecond per event, 400 ms for a
#   programme feed: `render_event` writes an event's lines itself, in icalendar's property order,
#   from values encoded by icalendar's own types (escaping, dates, durations), memoised per value.
#   tests/feeds/test_ical.py (test_fast_events_match_the_component_model) checks every shape of
#   event gives the same bytes as `event_component`, which stays the reference.

class Timed(Protocol):
    """When an event is and in which zone: a FeedEvent, or a plan of one (see `bounded_build`)."""

    @property
    def start(self) -> dt.date | dt.datetime: ...
    @property
    def end(self) -> dt.date | dt.datetime: ...
    @property
    def tzid(self) -> str | None: ...


_P = TypeVar("_P", bound=Timed)


def _zone_years(events: Iterable[Timed]) -> dict[str, tuple[int, int]]:
    """The local years each zone's events span (earliest and latest instant, read in the zone)."""
    spans: dict[str, tuple[dt.datetime, dt.datetime]] = {}
    for event in events:
        if event.tzid is None:
            continue
        start, end = cast(dt.datetime, event.start), cast(dt.datetime, event.end)  # zoned: datetimes
        low, high = min(start, end), max(start, end)
        span = spans.get(event.tzid)
        if span is not None:
            low, high = min(low, span[0]), max(high, span[1])
        spans[event.tzid] = (low, high)
    years = {}
    for tzid, (low, high) in spans.items():
        zone = ZoneInfo(tzid)
        years[tzid] = (low.astimezone(zone).year, high.astimezone(zone).year)
    return years


# --- events and the calendar ----------------------------------------------------------------------

def event_component(event: FeedEvent) -> Event:
    """One VEVENT as an icalendar component."""
    component = Event()
    component["UID"] = text_value(event.uid)
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
    component["SUMMARY"] = text_value(event.summary)
    if event.location:
        component["LOCATION"] = text_value(event.location)
    if event.categories:
        component["CATEGORIES"] = vCategory([str(text_value(c)) for c in event.categories])
    if event.description:
        component["DESCRIPTION"] = text_value(event.description)
    if event.url:
        component["URL"] = vUri(event.url)
    if event.status:
        component["STATUS"] = vText(event.status)
    component["TRANSP"] = vText("TRANSPARENT" if event.transparent else "OPAQUE")
    if event.alarm is not None:
        alarm = VAlarm()
        alarm["ACTION"] = vText("DISPLAY")
        alarm["DESCRIPTION"] = text_value(event.alarm.description)
        alarm["TRIGGER"] = vDuration(-event.alarm.before)
        component.add_component(alarm)
    return component


@lru_cache(maxsize=256)
def _zone(tzid: str) -> tuple[ZoneInfo, str | None]:
    """The zone and the TZID parameter icalendar writes for times in it (None: UTC, written
    with a Z)."""
    zone = ZoneInfo(tzid)
    name = tzid_from_dt(dt.datetime(2000, 1, 1, tzinfo=zone))
    return zone, (None if name == "UTC" else name)


def _local(value: dt.datetime) -> str:
    return f"{value.year:04}{value.month:02}{value.day:02}T{value.hour:02}{value.minute:02}{value.second:02}"


def _utc(value: dt.datetime) -> str:
    return _local(value.astimezone(UTC)) + "Z"


def _times(event: FeedEvent) -> tuple[str, str] | None:
    """DTSTART and DTEND lines as icalendar writes them, or None for a shape `event_component`
    alone knows (a datetime without a zone to show it in)."""
    start, end = event.start, event.end
    if event.tzid is None:
        if isinstance(start, dt.datetime) or isinstance(end, dt.datetime):
            return None
        return (f"DTSTART;VALUE=DATE:{start.year:04}{start.month:02}{start.day:02}",
                f"DTEND;VALUE=DATE:{end.year:04}{end.month:02}{end.day:02}")
    if not (isinstance(start, dt.datetime) and isinstance(end, dt.datetime)):
        return None
    zone, param = _zone(event.tzid)
    if param is None:
        return f"DTSTART:{_utc(start)}", f"DTEND:{_utc(end)}"
    return (f"DTSTART;TZID={param}:{_local(start.astimezone(zone))}",
            f"DTEND;TZID={param}:{_local(end.astimezone(zone))}")


@lru_cache(maxsize=EVENT_MEMO_SIZE)
def render_event(event: FeedEvent) -> str:
    """One VEVENT as CRLF-terminated content lines (memoised: the same event, the same text):
    the bytes `event_component` gives, written without icalendar's content-line machinery (see
    the workarounds above)."""
    times = _times(event)
    if times is None:
        return serialize(event_component(event))
    stamp = _utc(event.stamp)
    lines = ["BEGIN:VEVENT", "SUMMARY:" + escape_text(event.summary), *times, "DTSTAMP:" + stamp,
             "UID:" + escape_text(event.uid), f"SEQUENCE:{int(event.sequence)}"]
    # The rest in icalendar's order: alphabetical.
    if event.categories:
        lines.append("CATEGORIES:" + ",".join(escape_text(c) for c in event.categories))
    if event.description:
        lines.append("DESCRIPTION:" + escape_text(event.description))
    lines.append("LAST-MODIFIED:" + stamp)
    if event.location:
        lines.append("LOCATION:" + escape_text(event.location))
    if event.status:
        lines.append("STATUS:" + vText(event.status).to_ical().decode("utf-8"))
    lines.append("TRANSP:" + ("TRANSPARENT" if event.transparent else "OPAQUE"))
    if event.url:
        lines.append("URL:" + event.url)
    if event.alarm is not None:
        lines += ["BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:" + escape_text(event.alarm.description),
                  "TRIGGER:" + format_duration(-event.alarm.before), "END:VALARM"]
    lines.append("END:VEVENT")
    return CRLF.join(map(fold, lines)) + CRLF


def render_within(events: Iterable[FeedEvent], max_bytes: int | None = None, *,
                  keep: Literal["earliest", "latest"] = "earliest",
                  ) -> tuple[list[FeedEvent], list[str], dt.date | None]:
    """Render `events` (sorted by start) until they would pass `max_bytes`, cutting between two
    start dates so a day is never half listed. `keep="latest"` drops the oldest events first.
    Returns the events kept (in the order given), their rendered blocks and the start date of
    the nearest day left out (None when everything fit). Events are rendered lazily, so a long
    feed costs only what it keeps."""
    return _render_within(events, _same, max_bytes, keep=keep)


def _same(event: FeedEvent) -> FeedEvent:
    return event


def _render_within(planned: Iterable[_P], build: Callable[[_P], FeedEvent], max_bytes: int | None = None, *,
                   keep: Literal["earliest", "latest"] = "earliest",
                   ) -> tuple[list[FeedEvent], list[str], dt.date | None]:
    """`render_within` of the events `build` makes of `planned` (which start when they do),
    building only those it gets to."""
    ordered: Iterable[_P] = planned if keep == "earliest" else reversed(
        planned if isinstance(planned, Sequence) else list(planned))
    kept: list[FeedEvent] = []
    blocks: list[str] = []
    total = 0
    first_out: dt.date | None = None
    for item in ordered:
        event = build(item)
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
    calendar["NAME"] = text_value(name)
    calendar["X-WR-CALNAME"] = text_value(name)
    calendar["DESCRIPTION"] = text_value(description)
    calendar["X-WR-CALDESC"] = text_value(description)
    calendar.add("REFRESH-INTERVAL", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar["X-PUBLISHED-TTL"] = vDuration(REFRESH)
    return serialize(calendar, open_end=True)


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
    return bounded_build(calendar.name, calendar.description, calendar.events, _same, max_bytes=max_bytes,
                         note=note)


def bounded_build(name: str, description: str, planned: Sequence[_P], build: Callable[[_P], FeedEvent], *,
                  max_bytes: int, note: Callable[[dt.date], str]) -> bytes:
    """`bounded_calendar` of the events `build` makes of `planned`: plans sorted as their events
    are (`event_order`), each with its event's start, end and zone. Only the events kept are
    built and rendered, newest first, so a feed of 10,000 events that keeps 1,300 costs 1,300;
    the room left for them is the same as if all were built (the VTIMEZONEs of every planned
    event counted), so the bytes are the same too."""
    zones = _zone_years(planned)
    fixed = len(_header(name, description).encode("utf-8")) + _NOTE_ROOM + sum(
        len(vtimezone(tzid, *years).encode("utf-8")) for tzid, years in zones.items())
    kept, blocks, first_out = _render_within(planned, build, max_bytes - fixed, keep="latest")
    if first_out is not None:
        description = f"{description} {note(first_out)}"
    return build_calendar(CalendarInfo(name, description, kept), blocks)
