"""The timeline opens on the twelve months from this one, with today marked, so in December
it is not a year already past (issue 14 walk); a window moves a month or a year at a time
without script, and the calendar year is still there."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.factories import make_exhibition

DECEMBER = dt.datetime(2026, 12, 3, 9, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen_in_december(monkeypatch):
    monkeypatch.setattr("planner.catalogue.views.utcnow", lambda: DECEMBER)


@pytest.fixture
def shows(db):
    make_exhibition(name="Past Show", starts_on=dt.date(2026, 10, 5), ends_on=dt.date(2026, 10, 8))
    make_exhibition(name="January Show", starts_on=dt.date(2027, 1, 12), ends_on=dt.date(2027, 1, 14))
    make_exhibition(name="November Show", starts_on=dt.date(2027, 11, 2), ends_on=dt.date(2027, 11, 5))
    make_exhibition(name="Far Show", starts_on=dt.date(2027, 12, 7), ends_on=dt.date(2027, 12, 9))
    db.session.commit()


def test_in_december_the_timeline_opens_on_this_month_and_the_next_eleven(client, shows):
    page = client.get("/exhibitions/timeline").get_data(as_text=True)
    assert "<h1>Exhibitions from December 2026 to November 2027</h1>" in page
    assert "January Show" in page and "November Show" in page
    assert "Past Show" not in page and "Far Show" not in page
    # Today is marked on the grid (3 December is the window's third day) and said in words.
    assert re.search(r'class="tl-today tl-today-label" style="grid-column: 3 / span 1">'
                     r'<time datetime="2026-12-03">Today</time>', page)
    assert "Today is Dec 3, 2026." in page
    # 12 January 2027 is day 43 of a window opening on 1 December.
    assert "grid-column: 43 / span 3" in page


def test_the_window_moves_by_a_month_or_a_year_with_plain_links(client, shows):
    page = client.get("/exhibitions/timeline").get_data(as_text=True)
    assert 'href="/exhibitions/timeline?start=2026-11" rel="prev"' in page
    assert 'href="/exhibitions/timeline?start=2027-01" rel="next"' in page
    assert 'href="/exhibitions/timeline?start=2025-12"' in page and 'href="/exhibitions/timeline?start=2027-12"' in page
    assert 'href="/exhibitions/timeline?year=2026"' in page
    later = client.get("/exhibitions/timeline?start=2027-01").get_data(as_text=True)
    assert "<h1>Exhibitions in 2027</h1>" in later  # January to December is the calendar year
    nov = client.get("/exhibitions/timeline?start=2027-02").get_data(as_text=True)
    assert "Exhibitions from February 2027 to January 2028" in nov and "Far Show" in nov
    assert "January Show" not in nov and "tl-today" not in nov
    assert 'href="/exhibitions/timeline">From this month</a>' in nov


def test_the_calendar_year_is_still_reachable_and_marks_today(client, shows):
    page = client.get("/exhibitions/timeline?year=2026").get_data(as_text=True)
    assert "<h1>Exhibitions in 2026</h1>" in page and "Past Show" in page and "January Show" not in page
    assert '<time datetime="2026-12-03">Today</time>' in page  # 3 December 2026 is day 337
    assert "grid-column: 337 / span 1" in page
    assert 'href="/exhibitions/timeline?year=2027" rel="next"' in page


def test_filters_keep_the_window(client, shows):
    page = client.get("/exhibitions/timeline?start=2027-02&sector=land").get_data(as_text=True)
    assert '<input type="hidden" name="start" value="2027-02">' in page
    assert 'href="/exhibitions/timeline?sector=land&amp;start=2027-03" rel="next"' in page


@pytest.mark.parametrize("start", ["2027-13", "2027", "x"])
def test_a_bad_window_is_a_clear_400(client, start):
    response = client.get(f"/exhibitions/timeline?start={start}")
    assert response.status_code == 400 and "YYYY-MM" in response.get_data(as_text=True)
