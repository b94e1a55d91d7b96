"""A programme feed plans every event but builds only those it keeps under 1 MB: its bytes are
always those of building every event and then dropping the oldest (the reference), whatever the
zones, languages, cancelled shows, build-up days and pending confirmations in it."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert, select

from planner.catalogue.models import Exhibition, Offer
from planner.feeds import services
from planner.feeds.ical import _NOTE_ROOM, CalendarInfo, _header, _zone_years, build_calendar, render_within, vtimezone
from planner.feeds.services.programme import programme_feed_body
from planner.feeds.services.window import CUT_NOTE, WINDOW_NOTE
from planner.signups.models import ApplicationStatus
from tests.factories import make_application, make_coordinator, make_programme
from tests.feeds.conftest import parse_both

UTC = dt.timezone.utc
TODAY = dt.date.today()
# Zones with and without daylight saving, south and north, a half-hour offset, and UTC itself.
# Casablanca changes offset around Ramadan, so its VTIMEZONE lists every change and grows with the
# years its events span; Auckland is used only by the oldest offers, left out of the feed (their
# zone's room is kept all the same).
ZONES = ("Europe/Paris", "America/New_York", "Asia/Seoul", "Australia/Sydney", "Asia/Kolkata",
         "America/Sao_Paulo", "UTC", "Africa/Casablanca")
SITE = "https://planner.example"


@pytest.fixture(autouse=True)
def _fresh(app):
    services.feed_cache().clear()
    services.forget_version()
    services.forget_private_versions()


@pytest.fixture
def programme(db):
    """600 offers (1.3 MB of events in the window, built in full) over 2.5 years, in
    seven zones; some shows cancelled or with Korean names, some offers with build-up days and
    shipping cut-offs, a few with places awaiting confirmation."""
    programme = make_programme(name="Overseas 2027", name_ko="해외 2027")
    db.session.flush()
    now = dt.datetime.now(UTC)
    starts = [TODAY + dt.timedelta(days=n * 3 // 2 - 100) for n in range(600)]
    db.session.execute(insert(Exhibition), [dict(
        slug=f"bound-{n}", name=f"Bound show {n}", name_ko=f"경계 전시회 {n}" if n % 3 else None,
        edition_year=start.year, starts_on=start, ends_on=start + dt.timedelta(days=3), city="Paris",
        city_ko="파리" if n % 2 else None, country_code="FR", timezone="Europe/Paris", date_certainty="confirmed",
        status="cancelled" if n % 17 == 0 else "planned", sequence=n % 4, created_at=now,
        updated_at=now - dt.timedelta(minutes=n)) for n, start in enumerate(starts)])
    ids = db.session.scalars(select(Exhibition.id).where(Exhibition.slug.like("bound-%"))
                             .order_by(Exhibition.id)).all()
    rows = []
    for n, (exhibition_id, start) in enumerate(zip(ids, starts)):
        opens = dt.datetime.combine(start, dt.time(9, 30), UTC) - dt.timedelta(days=140, minutes=7 * n)
        rows.append(dict(
            programme_id=programme.id, exhibition_id=exhibition_id, opens_at=opens,
            closes_at=opens + dt.timedelta(days=30, hours=n % 24), payment_due_at=opens + dt.timedelta(days=60),
            licence_due_at=opens + dt.timedelta(days=70, hours=13) if n % 2 else None,
            shipping_cutoff_at=opens + dt.timedelta(days=100) if n % 3 else None,
            buildup_starts_on=start - dt.timedelta(days=2) if n % 4 == 0 else None,
            buildup_ends_on=start - dt.timedelta(days=1) if n % 8 == 0 else None,
            timezone="Pacific/Auckland" if 60 <= n < 100 else ZONES[n % len(ZONES)], booth_capacity=5, delegation_capacity=5, sequence=n % 3,
            created_at=now, updated_at=now - dt.timedelta(seconds=n)))
    db.session.execute(insert(Offer), rows)
    offers = db.session.scalars(select(Offer).where(Offer.programme_id == programme.id)
                                .order_by(Offer.id)).all()
    for offer in (offers[-5], offers[-40], offers[300]):
        make_application(offer=offer, status=ApplicationStatus.allocated,
                         confirm_by=dt.datetime.combine(offer.exhibition.starts_on, dt.time(12), UTC)
                         - dt.timedelta(days=20))
    db.session.commit()
    return programme


def reference(programme, *, lang: str, max_bytes: int) -> bytes:
    """Every event built, then the oldest dropped: what the feed was before it planned (the
    bound as it was written then, room left for the VTIMEZONEs of every event)."""
    calendar = services.programme_calendar(programme, site_url=SITE, lang=lang, today=TODAY)
    description = f"{calendar.description} {services.words(lang, WINDOW_NOTE)}"
    zones = _zone_years(calendar.events)
    fixed = len(_header(calendar.name, description).encode()) + _NOTE_ROOM + sum(
        len(vtimezone(tzid, *years).encode()) for tzid, years in zones.items())
    kept, blocks, first_out = render_within(calendar.events, max_bytes - fixed, keep="latest")
    if first_out is not None:
        description += " " + services.words(lang, CUT_NOTE) % {"date": first_out.isoformat()}
    return build_calendar(CalendarInfo(calendar.name, description, kept), blocks)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_programme_feed_is_the_full_build_cut_to_1_mb(app, db, programme, lang):
    calendar = services.programme_calendar(programme, site_url=SITE, lang=lang, today=TODAY)
    full = len(build_calendar(calendar))
    assert full > services.PRIVATE_MAX_BYTES * 1.3  # big enough to be cut
    token = services.rotate_token(programme=programme, actor=make_coordinator(locale=lang))
    db.session.commit()
    live = services.resolve_token(token)
    version = services.private_version(live, site_url=SITE, today=TODAY)
    served = services.private_feed(live, version, site_url=SITE, today=TODAY,
                                   cache=services.make_feed_cache(redis=None, prefix="t:"))
    assert served is not None
    assert served.body == reference(programme, lang=lang, max_bytes=services.PRIVATE_MAX_BYTES)
    assert len(served.body) < 1_000_000
    parsed = parse_both(served.body)
    assert "MB" in str(parsed["DESCRIPTION"])  # "To stay under 1 MB, ... left out", in either language
    assert len(parsed.walk("VTIMEZONE")) >= 5
    assert any("CONFIRMATIONS" in str(e["UID"]).upper() for e in parsed.walk("VEVENT"))


@pytest.mark.parametrize("max_bytes", [30_000, 123_456, 400_000, 10_000_000])
def test_every_cut_of_the_programme_feed_matches_the_full_build(app, programme, max_bytes):
    for lang in ("en", "ko"):
        calendar = services.programme_calendar(programme, site_url=SITE, lang=lang, today=TODAY)
        body = programme_feed_body(programme, site_url=SITE, lang=lang, today=TODAY, max_bytes=max_bytes)
        assert body == reference(programme, lang=lang, max_bytes=max_bytes)
        assert len(body) <= max_bytes
        kept = body.count(b"BEGIN:VEVENT")
        assert (kept == len(calendar.events)) == (max_bytes > 5_000_000)
