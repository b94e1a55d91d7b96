"""VTIMEZONE components from the IANA database, one yearly RRULE per change where the zone
follows a weekday rule: icalendar's own `Timezone.from_tzinfo` lists every change as RDATEs,
which Outlook ignores (it reads only RRULE) and vobject cuts to their first value."""
from __future__ import annotations

import calendar as gregorian
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Component, Timezone, TimezoneDaylight, TimezoneStandard, vDDDTypes, vRecur, vText, vUTCOffset

from planner.feeds.lines import serialize, text_value

__all__ = ["EMPTY_CALENDAR_ZONE", "vtimezone"]

UTC = dt.timezone.utc

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
    observance["TZNAME"] = text_value(name)
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
    return serialize(timezone)
