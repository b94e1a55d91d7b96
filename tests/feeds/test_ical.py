"""The pure calendar writer: RFC 5545 escaping, folding, dates and zones, checked by two parsers."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from planner.feeds.ical import (
    Alarm,
    CalendarInfo,
    FeedEvent,
    build_calendar,
    escape_text,
    fold,
    format_duration,
    render_event,
    render_within,
)

UTC = dt.timezone.utc
STAMP = dt.datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def eurosatory(**overrides) -> FeedEvent:
    values = dict(uid="exhibition-7@planner.example", summary="Eurosatory 2026",
                  start=dt.date(2026, 6, 15), end=dt.date(2026, 6, 20), stamp=STAMP, sequence=3,
                  location="Paris Nord Villepinte, Paris, France", categories=("Land", "Security", "France"),
                  description="Land and airland defence; ACME, Inc. exhibits\nSecond line \\ done",
                  url="https://planner.example/exhibitions/eurosatory-2026", status="CONFIRMED")
    values.update(overrides)
    return FeedEvent(**values)


def deadline(tzid: str = "Asia/Seoul", **overrides) -> FeedEvent:
    at = dt.datetime(2026, 3, 31, 9, 0, tzinfo=UTC)  # 18:00 in Seoul
    values = dict(uid="c1-offer-2-payment@planner.example", summary="Co-funding payment due: Eurosatory 2026",
                  start=at, end=at + dt.timedelta(minutes=30), stamp=STAMP, tzid=tzid,
                  alarm=Alarm("Tomorrow: co-funding payment due"))
    values.update(overrides)
    return FeedEvent(**values)


def calendar(*events: FeedEvent, name: str = "ACME, Inc.; exhibitions") -> bytes:
    return build_calendar(CalendarInfo(name=name, description="Shows, deadlines; and milestones, all",
                                       events=events))


def unfolded_lines(body: bytes) -> list[str]:
    return body.decode("utf-8").replace("\r\n ", "").split("\r\n")


def test_every_line_ends_with_crlf_and_stays_within_75_octets():
    body = calendar(eurosatory(summary="유로사토리 2026 — 프랑스 파리 국제 방위산업 전시회 한국관 참가 안내 " * 3),
                    deadline())
    assert body.endswith(b"\r\n")
    assert b"\n" not in body.replace(b"\r\n", b"")
    for line in body.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # no line splits a multibyte character


def test_folding_never_splits_a_multibyte_character_and_unfolds_to_the_original():
    line = "SUMMARY:" + "가나다라마바사" * 20 + "é€😀" * 10
    folded = fold(line)
    parts = folded.split("\r\n ")
    assert len(parts) > 1
    assert all(len(p.encode("utf-8")) <= (75 if i == 0 else 74) for i, p in enumerate(parts))
    assert "".join(parts) == line


def test_short_ascii_lines_are_not_folded():
    assert fold("SUMMARY:IDEX 2027") == "SUMMARY:IDEX 2027"


def test_text_escaping_covers_backslash_semicolon_comma_and_newlines():
    assert escape_text("ACME, Inc.; a\\b\r\nc\rd\x07") == "ACME\\, Inc.\\; a\\\\b\\nc\\nd"


def test_values_written_as_they_are_are_those_vtext_leaves_alone():
    # escape_text skips vText for values it would not change: every character, alone and
    # between others, gives what vText (after dropping controls) gives.
    from planner.feeds.lines import text_value

    pieces = [chr(c) for c in range(0x80)] + ["\\N", "\\n", "\r\n", "유로사토리", "é", "\u2028", "\ufeff"]
    for piece in pieces:
        for value in (piece, f"Eurosatory {piece} 2027", f"{piece}{piece}x"):
            assert escape_text(value) == text_value(value).to_ical().decode("utf-8"), repr(value)


def test_all_day_show_ends_the_day_after_its_last_day():
    lines = unfolded_lines(calendar(eurosatory()))
    assert "DTSTART;VALUE=DATE:20260615" in lines
    assert "DTEND;VALUE=DATE:20260620" in lines


def test_calendar_header_names_and_refresh_are_present_and_escaped():
    lines = unfolded_lines(calendar(eurosatory()))
    for expected in ("VERSION:2.0", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
                     "NAME:ACME\\, Inc.\\; exhibitions", "X-WR-CALNAME:ACME\\, Inc.\\; exhibitions",
                     "DESCRIPTION:Shows\\, deadlines\\; and milestones\\, all",
                     "REFRESH-INTERVAL;VALUE=DURATION:PT1H", "X-PUBLISHED-TTL:PT1H"):
        assert expected in lines
    assert any(line.startswith("PRODID:") for line in lines)
    # A calendar-level UID would be random per build; the feed must not have one.
    header = lines[:lines.index("BEGIN:VEVENT")]
    assert not any(line.startswith("UID:") for line in header)


def test_same_input_gives_the_same_bytes():
    assert calendar(eurosatory(), deadline()) == calendar(eurosatory(), deadline())


@pytest.mark.parametrize("tzid", ["Asia/Seoul", "Europe/Paris", "America/New_York"])
def test_every_tzid_used_has_a_vtimezone(tzid):
    body = calendar(eurosatory(), deadline(tzid))
    lines = unfolded_lines(body)
    used = {line.split(";TZID=")[1].split(":")[0] for line in lines if ";TZID=" in line}
    defined = {line[5:] for line in lines if line.startswith("TZID:")}
    assert used == {tzid} == defined


def test_timed_deadline_is_written_in_the_offer_zone_with_a_day_before_alarm():
    lines = unfolded_lines(calendar(deadline("Asia/Seoul")))
    assert "DTSTART;TZID=Asia/Seoul:20260331T180000" in lines
    assert "DTEND;TZID=Asia/Seoul:20260331T183000" in lines
    alarm = lines[lines.index("BEGIN:VALARM"):lines.index("END:VALARM") + 1]
    assert "TRIGGER:-P1D" in alarm and "ACTION:DISPLAY" in alarm
    assert any(line.startswith("DESCRIPTION:") for line in alarm)


def test_durations_are_rfc5545():
    assert format_duration(-dt.timedelta(days=1)) == "-P1D"
    assert format_duration(dt.timedelta(hours=1)) == "PT1H"
    assert format_duration(-dt.timedelta(days=1, minutes=30)) == "-P1DT30M"
    assert format_duration(dt.timedelta(0)) == "P0D"  # dur-day (RFC 5545 3.3.6), icalendar's form


def test_icalendar_reads_back_every_value():
    body = calendar(eurosatory(status="TENTATIVE", summary="Eurosatory 2026 (dates provisional)"),
                    deadline("Europe/Paris"))
    parsed = icalendar.Calendar.from_ical(body)
    # icalendar keeps NAME and X-WR-CALNAME as raw (escaped) values; vobject unescapes them below.
    assert str(parsed["DESCRIPTION"]) == "Shows, deadlines; and milestones, all"
    assert parsed["X-WR-CALNAME"].to_ical() == b"ACME\\, Inc.\\; exhibitions"
    events = parsed.walk("VEVENT")
    show, due = events
    assert str(show["UID"]) == "exhibition-7@planner.example"
    assert show.decoded("DTSTART") == dt.date(2026, 6, 15)
    assert show.decoded("DTEND") == dt.date(2026, 6, 20)
    assert str(show["STATUS"]) == "TENTATIVE"
    assert int(show["SEQUENCE"]) == 3
    assert show.decoded("DTSTAMP") == STAMP
    assert str(show["DESCRIPTION"]) == "Land and airland defence; ACME, Inc. exhibits\nSecond line \\ done"
    assert str(show["LOCATION"]) == "Paris Nord Villepinte, Paris, France"
    assert [str(c) for c in show["CATEGORIES"].cats] == ["Land", "Security", "France"]
    start = due.decoded("DTSTART")
    assert start == dt.datetime(2026, 3, 31, 9, 0, tzinfo=UTC)
    assert start.utcoffset() == dt.timedelta(hours=2)  # Paris summer time on 31 March
    assert due.walk("VALARM")[0].decoded("TRIGGER") == -dt.timedelta(days=1)
    assert [tz["TZID"] for tz in parsed.walk("VTIMEZONE")] == ["Europe/Paris"]


def test_vobject_reads_back_every_value():
    body = calendar(eurosatory(), deadline("Asia/Seoul"))
    parsed = vobject.readOne(body.decode("utf-8"))
    assert parsed.x_wr_calname.value == "ACME, Inc.; exhibitions"
    assert parsed.contents["name"][0].value == "ACME, Inc.; exhibitions"
    assert parsed.x_wr_caldesc.value == "Shows, deadlines; and milestones, all"
    show, due = parsed.vevent_list
    assert show.uid.value == "exhibition-7@planner.example"
    assert show.dtstart.value == dt.date(2026, 6, 15)
    assert show.dtend.value == dt.date(2026, 6, 20)
    assert show.summary.value == "Eurosatory 2026"
    assert show.location.value == "Paris Nord Villepinte, Paris, France"
    assert show.description.value.startswith("Land and airland defence; ACME, Inc. exhibits\n")
    assert show.categories.value == ["Land", "Security", "France"]
    assert due.dtstart.value == dt.datetime(2026, 3, 31, 18, 0, tzinfo=ZoneInfo("Asia/Seoul"))
    assert due.dtstart.value.utcoffset() == dt.timedelta(hours=9)
    assert due.valarm.trigger.value == -dt.timedelta(days=1)
    assert parsed.vtimezone.tzid.value == "Asia/Seoul"


def test_vtimezone_covers_every_year_an_event_spans():
    body = calendar(deadline("Europe/Paris"),
                    deadline("Europe/Paris", uid="later", start=dt.datetime(2028, 11, 2, 9, tzinfo=UTC),
                             end=dt.datetime(2028, 11, 2, 10, tzinfo=UTC)))
    parsed = icalendar.Calendar.from_ical(body)
    later = [e for e in parsed.walk("VEVENT") if str(e["UID"]) == "later"][0]
    # 2 November 2028 is winter time in Paris: UTC+1, so 09:00 UTC is 10:00 local.
    assert "DTSTART;TZID=Europe/Paris:20281102T100000" in unfolded_lines(body)
    assert later.decoded("DTSTART").utcoffset() == dt.timedelta(hours=1)


def test_empty_calendar_is_valid_for_both_parsers():
    body = calendar()
    assert icalendar.Calendar.from_ical(body).walk("VEVENT") == []
    assert vobject.readOne(body.decode("utf-8")).name == "VCALENDAR"


def test_empty_calendar_still_holds_one_component_and_the_same_bytes():
    # RFC 5545 3.6: a VCALENDAR holds "1*component"; an empty one is refused by strict validators.
    lines = unfolded_lines(calendar())
    assert lines.count("BEGIN:VTIMEZONE") == 1 and "BEGIN:VEVENT" not in lines
    assert calendar() == calendar()
    assert unfolded_lines(calendar(eurosatory())).count("BEGIN:VTIMEZONE") == 0  # all-day shows need no zone


def timed(tzid: str, at: dt.datetime, uid: str) -> FeedEvent:
    return deadline(tzid, uid=uid, start=at, end=at + dt.timedelta(minutes=30))


def test_vtimezone_uses_yearly_rules_that_outlook_and_vobject_read_in_every_year():
    # Outlook reads only RRULE in a VTIMEZONE, and vobject keeps only the first of a
    # comma-separated RDATE list: summer 2028 in Paris came out as UTC+1.
    summer_2028 = dt.datetime(2028, 8, 8, 1, 0, tzinfo=UTC)
    body = calendar(timed("Europe/Paris", dt.datetime(2026, 1, 10, 9, tzinfo=UTC), "winter-2026"),
                    timed("Europe/Paris", summer_2028, "summer-2028"))
    lines = unfolded_lines(body)
    block = lines[lines.index("BEGIN:VTIMEZONE"):lines.index("END:VTIMEZONE") + 1]
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in block
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in block
    assert not any(line.startswith("RDATE") for line in block)
    # The onset is the wall-clock time before the change (RFC 5545 3.6.5 examples).
    assert "DTSTART:20250330T020000" in block and "DTSTART:20251026T030000" in block
    events = {e.uid.value: e for e in vobject.readOne(body.decode("utf-8")).vevent_list}
    assert events["summer-2028"].dtstart.value.utcoffset() == dt.timedelta(hours=2)
    assert events["summer-2028"].dtstart.value.astimezone(UTC) == summer_2028
    assert events["winter-2026"].dtstart.value.utcoffset() == dt.timedelta(hours=1)


def test_zone_without_a_weekday_rule_lists_each_change_on_its_own_rdate_line():
    # Morocco's Ramadan changes follow no weekday rule.
    lines = unfolded_lines(calendar(timed("Africa/Casablanca", dt.datetime(2026, 1, 5, 9, tzinfo=UTC), "a"),
                                    timed("Africa/Casablanca", dt.datetime(2028, 12, 5, 9, tzinfo=UTC), "b")))
    rdates = [line for line in lines if line.startswith("RDATE")]
    assert rdates and not any("," in line for line in rdates)
    assert not any(line.startswith("RRULE") for line in lines)


@pytest.mark.parametrize("tzid", ["Europe/Paris", "America/New_York", "America/Santiago", "Australia/Sydney",
                                  "Africa/Cairo", "Asia/Jerusalem", "Africa/Casablanca", "Pacific/Auckland",
                                  "Asia/Seoul", "Asia/Kolkata", "America/St_Johns"])
def test_vtimezone_gives_the_iana_offset_at_every_moment_of_the_years_it_covers(tzid):
    zone = ZoneInfo(tzid)
    moments = [dt.datetime(2026, 1, 1, 5, tzinfo=UTC) + dt.timedelta(hours=61 * n) for n in range(431)]
    body = calendar(*(timed(tzid, at, f"m{n}") for n, at in enumerate(moments)))
    parsed = vobject.readOne(body.decode("utf-8"))
    for event in parsed.vevent_list:
        at = moments[int(event.uid.value[1:])]
        local = event.dtstart.value
        if at.astimezone(zone).fold:
            continue  # the repeated hour after a change back: its wall-clock time is ambiguous
        assert local.utcoffset() == at.astimezone(zone).utcoffset(), (tzid, at)
        assert local.astimezone(UTC) == at


def test_render_within_cuts_between_days_and_names_the_first_day_left_out():
    days = [dt.date(2027, 1, 1) + dt.timedelta(days=n // 3) for n in range(30)]  # three shows a day
    events = [eurosatory(uid=f"e{n}", start=day, end=day + dt.timedelta(days=1)) for n, day in enumerate(days)]
    one = len(render_event(events[0]).encode())
    kept, blocks, first_out = render_within(events, one * 7 + 10)
    assert len(kept) == 6 and len(blocks) == 6  # the seventh fits, but its day would be half listed
    assert first_out == dt.date(2027, 1, 3)
    assert render_within(events, None)[2] is None


def test_icalendar_still_needs_the_workarounds():
    # When this fails, icalendar fixed its faults: drop the workarounds in feeds/ical.py.
    from icalendar import Calendar, vText

    calendar = Calendar()
    calendar.add("NAME", "a, b")
    calendar.add("X-PUBLISHED-TTL", dt.timedelta(hours=1))
    body = calendar.to_ical()
    assert b"NAME:a, b" in body and b"X-PUBLISHED-TTL:1:00:00" in body
    assert vText("a\x07").to_ical() == b"a\x07"


def test_render_within_latest_drops_the_oldest_days_first():
    days = [dt.date(2027, 1, 1) + dt.timedelta(days=n // 3) for n in range(30)]
    events = [eurosatory(uid=f"e{n}", start=day, end=day + dt.timedelta(days=1)) for n, day in enumerate(days)]
    one = len(render_event(events[0]).encode())
    kept, blocks, first_out = render_within(events, one * 7 + 10, keep="latest")
    assert [e.uid for e in kept] == ["e24", "e25", "e26", "e27", "e28", "e29"]
    assert blocks == [render_event(e) for e in kept]
    assert first_out == dt.date(2027, 1, 8)


def test_korean_text_is_written_and_read_back_by_both_parsers():
    body = calendar(eurosatory(summary="유로사토리 2026", location="파리, 프랑스",
                               description="지상 방산 전시회; 한국관"),
                    deadline(alarm=Alarm("내일: 유로사토리 공동 부담금 납부")), name="한국 방산 전시회")
    parsed = icalendar.Calendar.from_ical(body)
    show = parsed.walk("VEVENT")[0]
    assert str(show["SUMMARY"]) == "유로사토리 2026" and str(show["LOCATION"]) == "파리, 프랑스"
    assert str(parsed.walk("VALARM")[0]["DESCRIPTION"]) == "내일: 유로사토리 공동 부담금 납부"
    assert vobject.readOne(body.decode("utf-8")).x_wr_calname.value == "한국 방산 전시회"


@pytest.mark.parametrize("event", [
    eurosatory(),
    eurosatory(summary="유로사토리 2026 (취소)", location="파리, 프랑스", categories=("지상", "a,b;c\\d"),
               description="첫 줄\r\n둘째 줄\r셋째; 넷째, 다섯째 \\N \x07끝" * 4, status="CANCELLED", sequence=12,
               transparent=False),
    eurosatory(location=None, categories=(), description=None, url=None, status=None),
    eurosatory(uid="exhibition-7;x,y@planner.example", stamp=dt.datetime(2026, 1, 5, 18, 30, tzinfo=ZoneInfo("Asia/Seoul"))),
    deadline(),
    deadline(tzid="Europe/Paris", summary="Applications close: IDEX; Abu Dhabi, 2027", description="Due\nsoon",
             url="https://planner.example/exhibitions/idex-2027?lang=ko", alarm=Alarm("내일: 마감", dt.timedelta(hours=2))),
    deadline(tzid="America/New_York", alarm=None, status="TENTATIVE"),
    deadline(tzid="UTC"),
    deadline(tzid="Etc/UTC", start=dt.datetime(2027, 12, 31, 23, 59, 59, tzinfo=UTC),
             end=dt.datetime(2028, 1, 1, 0, 29, 59, tzinfo=UTC)),
    # Shapes the writer leaves to the component: a datetime without a zone to show it in.
    deadline(tzid=None),
], ids=lambda event: event.uid[:12] + str(event.tzid))
def test_fast_events_match_the_component_model(event):
    # render_event writes lines itself for speed (see the workarounds in feeds/ical.py): every
    # shape of event must give the bytes icalendar's component model gives.
    from planner.feeds.ical import event_component
    from planner.feeds.lines import serialize

    assert render_event(event) == serialize(event_component(event))
