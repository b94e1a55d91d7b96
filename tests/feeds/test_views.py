"""Feeds over HTTP: headers, validators, filters, statuses, private tokens and their pages."""
from __future__ import annotations

import datetime as dt
import gzip
import os
import uuid
from urllib.parse import urlsplit

import pytest
from sqlalchemy import insert, text, update

from planner.catalogue.models import DateCertainty, Exhibition, ExhibitionStatus, Offer
from planner.catalogue.services import cancel_exhibition
from planner.catalogue.synthetic import make_exhibitions
from planner.feeds import services
from planner.feeds.models import FeedToken
from planner.signups.models import Application, ApplicationStatus, PlaceKind
from planner.signups.services import change_status
from tests.factories import make_application, make_coordinator, make_exhibition, make_offer, make_programme, make_user
from tests.feeds.conftest import events_by_uid, parse_both

UTC = dt.timezone.utc
TODAY = dt.date.today()


@pytest.fixture(autouse=True)
def _fresh_cache(app):
    services.feed_cache().clear()
    services.forget_version()


def upcoming(**overrides):
    start = overrides.pop("starts_on", TODAY + dt.timedelta(days=60))
    overrides.setdefault("ends_on", start + dt.timedelta(days=4))
    return make_exhibition(starts_on=start, **overrides)


def test_public_feed_has_calendar_headers_cors_and_cache_control(client, db):
    upcoming(name="Eurosatory 2026")
    db.session.commit()
    response = client.get("/calendar/exhibitions.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Content-Disposition"].startswith("inline; filename=")
    assert response.headers["ETag"].startswith('"') and not response.headers["ETag"].startswith("W/")
    assert "Last-Modified" in response.headers
    assert "X-Robots-Tag" not in response.headers
    calendar = parse_both(response.data)
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == ["Eurosatory 2026"]


def test_matching_etag_gives_304_and_a_stale_one_the_full_feed(client, db):
    upcoming()
    db.session.commit()
    first = client.get("/calendar/exhibitions.ics")
    etag = first.headers["ETag"]
    again = client.get("/calendar/exhibitions.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    stale = client.get("/calendar/exhibitions.ics", headers={"If-None-Match": '"stale"'})
    assert stale.status_code == 200 and stale.data == first.data


def test_if_modified_since_counts_only_without_if_none_match(client, db):
    upcoming()
    db.session.commit()
    first = client.get("/calendar/exhibitions.ics")
    since = first.headers["Last-Modified"]
    assert client.get("/calendar/exhibitions.ics", headers={"If-Modified-Since": since}).status_code == 304
    both = client.get("/calendar/exhibitions.ics",
                      headers={"If-Modified-Since": since, "If-None-Match": '"other"'})
    assert both.status_code == 200
    old = client.get("/calendar/exhibitions.ics", headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})
    assert old.status_code == 200


def test_head_answers_headers_without_a_body(client, db):
    upcoming()
    db.session.commit()
    get = client.get("/calendar/exhibitions.ics")
    head = client.head("/calendar/exhibitions.ics")
    assert head.status_code == 200 and head.data == b""
    assert head.headers["ETag"] == get.headers["ETag"]
    assert head.headers["Content-Type"] == "text/calendar; charset=utf-8"


def test_same_data_gives_the_same_bytes_and_etag(client, db):
    upcoming()
    upcoming()
    db.session.commit()
    first = client.get("/calendar/exhibitions.ics")
    services.feed_cache().clear()
    second = client.get("/calendar/exhibitions.ics")
    assert first.data == second.data and first.headers["ETag"] == second.headers["ETag"]


def test_filters_select_shows_like_the_listing(client, db):
    upcoming(name="Naval show", slug="naval", sectors=["naval"], country_code="SG", city="Singapore",
             timezone="Asia/Singapore")
    upcoming(name="Land show", slug="land", sectors=["land"], country_code="FR")
    upcoming(name="Gulf show", slug="gulf", sectors=["air"], country_code="AE", city="Abu Dhabi",
             timezone="Asia/Dubai")
    make_exhibition(name="Old show", slug="old", starts_on=TODAY - dt.timedelta(days=800),
                    ends_on=TODAY - dt.timedelta(days=797))
    db.session.commit()

    def names(query):
        response = client.get("/calendar/exhibitions.ics" + query)
        assert response.status_code == 200, response.data
        return sorted(str(e["SUMMARY"]).split(" 20")[0] for e in parse_both(response.data).walk("VEVENT"))

    assert names("") == ["Gulf show", "Land show", "Naval show"]
    assert names("?sector=naval") == ["Naval show"]
    assert names("?country=fr") == ["Land show"]
    assert names("?region=middle-east") == ["Gulf show"]
    assert names("?region=asia") == ["Naval show"]
    assert names("?q=singapore") == ["Naval show"]
    assert names("?q=France") == ["Land show"]  # country names match too
    assert "Old show" in names("?past=1")
    assert names(f"?to={TODAY:%Y-%m}") == []
    month = (TODAY - dt.timedelta(days=800)).strftime("%Y-%m")
    assert names(f"?from={month}&to={month}") == ["Old show"]


@pytest.mark.parametrize("query", ["?colour=red", "?sector=underwater", "?from=June", "?country=XX",
                                   "?past=maybe"])
def test_unknown_filters_and_bad_values_get_400_with_a_message(client, query):
    response = client.get("/calendar/exhibitions.ics" + query)
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert len(response.get_data(as_text=True).strip()) > 10


def test_filters_matching_nothing_give_a_valid_empty_calendar(client, db):
    upcoming(sectors=["land"])
    db.session.commit()
    response = client.get("/calendar/exhibitions.ics?sector=space")
    assert response.status_code == 200
    calendar = parse_both(response.data)
    assert calendar.walk("VEVENT") == []
    assert str(calendar["VERSION"]) == "2.0"


def test_cancelled_postponed_and_provisional_shows_say_so(client, db, site_url):
    cancelled = upcoming(name="Cancelled 2027", status=ExhibitionStatus.cancelled, status_note="Organiser withdrew.")
    postponed = upcoming(name="Postponed 2027", status=ExhibitionStatus.postponed,
                         starts_on=TODAY + dt.timedelta(days=200), status_note="Moved to autumn.")
    provisional = upcoming(name="Eurosatory 2028", date_certainty=DateCertainty.projected)
    db.session.commit()
    events = events_by_uid(client.get("/calendar/exhibitions.ics").data)
    c = events[services.exhibition_uid(cancelled.id, site_url)]
    assert str(c["STATUS"]) == "CANCELLED" and "cancelled" in str(c["SUMMARY"])
    p = events[services.exhibition_uid(postponed.id, site_url)]
    assert "postponed" in str(p["SUMMARY"]) and "Moved to autumn." in str(p["DESCRIPTION"])
    assert p.decoded("DTSTART") == TODAY + dt.timedelta(days=200)
    t = events[services.exhibition_uid(provisional.id, site_url)]
    assert str(t["STATUS"]) == "TENTATIVE"
    assert str(t["SUMMARY"]) == "Eurosatory 2028 (dates provisional)"


def test_show_event_has_location_categories_url_and_exclusive_end(client, db, site_url):
    show = make_exhibition(name="Eurosatory 2026", slug="eurosatory-2026", starts_on=dt.date(2026, 6, 15),
                           ends_on=dt.date(2026, 6, 19), sectors=["land", "security"], city="Paris",
                           venue="Paris Nord Villepinte", country_code="FR")
    db.session.commit()
    event = events_by_uid(client.get("/exhibitions/eurosatory-2026.ics").data)[
        services.exhibition_uid(show.id, site_url)]
    assert event.decoded("DTSTART") == dt.date(2026, 6, 15)
    assert event.decoded("DTEND") == dt.date(2026, 6, 20)
    assert str(event["LOCATION"]) == "Paris Nord Villepinte, Paris, France"
    assert [str(c) for c in event["CATEGORIES"].cats] == ["Land", "Security", "France"]
    assert str(event["URL"]) == f"{site_url}/exhibitions/eurosatory-2026"


def test_a_city_state_is_named_once_in_the_event_location(client, db, site_url):
    show = make_exhibition(slug="singapore-airshow-2028", city="Singapore", country_code="SG",
                           venue="Changi Exhibition Centre", timezone="Asia/Singapore")
    db.session.commit()
    event = events_by_uid(client.get("/exhibitions/singapore-airshow-2028.ics").data)[
        services.exhibition_uid(show.id, site_url)]
    assert str(event["LOCATION"]) == "Changi Exhibition Centre, Singapore"


def test_edited_exhibition_keeps_its_uid_and_raises_its_sequence(client, db, site_url):
    show = upcoming(slug="idex-2027", name="IDEX 2027")
    db.session.commit()
    first = client.get("/calendar/exhibitions.ics")
    before = events_by_uid(first.data)[services.exhibition_uid(show.id, site_url)]
    show.slug, show.starts_on, show.ends_on = "idex-2027-feb", TODAY + dt.timedelta(days=90), TODAY + dt.timedelta(days=94)
    show.sequence += 1
    db.session.commit()
    second = client.get("/calendar/exhibitions.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200  # the cache follows the data
    after = events_by_uid(second.data)[services.exhibition_uid(show.id, site_url)]
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after.decoded("DTSTART") == TODAY + dt.timedelta(days=90)
    assert str(after["URL"]).endswith("/exhibitions/idex-2027-feb")


def test_deleting_a_show_changes_the_feed(client, db):
    upcoming()
    gone = upcoming()
    db.session.commit()
    first = client.get("/calendar/exhibitions.ics")
    db.session.delete(gone)
    db.session.commit()
    second = client.get("/calendar/exhibitions.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200
    assert len(parse_both(second.data).walk("VEVENT")) == 1


def test_exhibition_ics_route_wins_over_the_exhibition_page(app, client, db):
    adapter = app.url_map.bind("localhost")
    assert adapter.match("/exhibitions/dsei-2027.ics")[0] == "feeds.exhibition_feed"
    assert adapter.match("/exhibitions/dsei-2027")[0] == "catalogue.detail"
    upcoming(slug="dsei-2027")
    db.session.commit()
    response = client.get("/exhibitions/dsei-2027.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert client.get("/exhibitions/nope.ics").status_code == 404
    again = client.get("/exhibitions/dsei-2027.ics", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_robots_txt_does_not_block_calendar_feeds(client):
    rules = [line.split(":", 1)[1].strip() for line in client.get("/robots.txt").get_data(as_text=True).splitlines()
             if line.lower().startswith("disallow:")]
    for path in ("/calendar/exhibitions.ics", "/exhibitions/eurosatory-2026.ics"):
        assert not any(rule and path.startswith(rule) for rule in rules)


def test_default_public_feed_of_5000_shows_stays_under_one_megabyte(client, db):
    # The benchmark's synthetic catalogue: 5,000 shows over five years, far denser than the world's.
    assert make_exhibitions(5000, seed=1) == 5000
    db.session.commit()
    response = client.get("/calendar/exhibitions.ics")
    assert response.status_code == 200
    assert len(response.data) < 1_000_000
    calendar = parse_both(response.data)
    events = calendar.walk("VEVENT")
    assert len(events) > 500
    # The feed says where it stops and how to see the rest; a day is never cut in half.
    description = str(calendar["DESCRIPTION"])
    assert "add from=" in description
    first_out = dt.date.fromisoformat(description.split("starting before ")[1][:10])
    assert max(e.decoded("DTSTART") for e in events) < first_out
    later = client.get(f"/calendar/exhibitions.ics?from={first_out:%Y-%m}")
    assert later.status_code == 200
    everything = client.get("/calendar/exhibitions.ics?past=1")
    assert everything.data.count(b"BEGIN:VEVENT") == 5000


def test_gzip_is_its_own_representation_with_its_own_etag(client, db):
    upcoming()
    db.session.commit()
    plain = client.get("/calendar/exhibitions.ics")
    packed = client.get("/calendar/exhibitions.ics", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data
    assert packed.headers["ETag"] != plain.headers["ETag"]
    assert "Accept-Encoding" in packed.headers["Vary"]
    again = client.get("/calendar/exhibitions.ics", headers={"Accept-Encoding": "gzip",
                                                            "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304 and again.headers["ETag"] == packed.headers["ETag"]


def test_data_version_follows_commits_bulk_writes_and_sector_edits_but_not_rollbacks(db):
    show = upcoming()
    db.session.commit()
    first = services.data_version()[0]
    show.sectors = ["naval"]
    db.session.commit()
    second = services.data_version()[0]
    assert second != first
    db.session.execute(insert(Exhibition), [dict(
        slug="bulk", name="Bulk 2027", edition_year=2027, starts_on=TODAY, ends_on=TODAY, city="Oslo",
        country_code="NO", timezone="Europe/Oslo", date_certainty="confirmed", status="planned", sequence=0,
        created_at=dt.datetime.now(UTC), updated_at=dt.datetime.now(UTC))])
    db.session.commit()
    third = services.data_version()[0]
    assert third != second
    show.city = "Lyon"
    db.session.flush()
    db.session.rollback()
    assert services.data_version()[0] == third


# --- private feeds ------------------------------------------------------------------------------

def company_with_places(db):
    user = make_user()
    company = user.company
    company.legal_name = "ACME, Inc."
    at = dt.datetime(2027, 4, 30, 9, 0, tzinfo=UTC)
    held = make_offer(exhibition=upcoming(name="Eurosatory 2026", sectors=["land"]), payment_due_at=at,
                      licence_due_at=at - dt.timedelta(days=20), shipping_cutoff_at=at + dt.timedelta(days=10),
                      buildup_starts_on=dt.date(2027, 6, 10), buildup_ends_on=dt.date(2027, 6, 12),
                      timezone="Europe/Paris")
    confirmed = make_offer(exhibition=upcoming(name="DSEI 2027"), timezone="Asia/Seoul")
    applied = make_offer(exhibition=upcoming(name="IDEX 2027"), timezone="Asia/Seoul")
    withdrawn = make_offer(exhibition=upcoming(name="Secret show 2027"))
    make_application(company=company, offer=held, status=ApplicationStatus.allocated,
                     confirm_by=dt.datetime(2027, 2, 1, 9, tzinfo=UTC))
    make_application(company=company, offer=confirmed, status=ApplicationStatus.confirmed)
    make_application(company=company, offer=applied, status=ApplicationStatus.submitted)
    make_application(company=company, offer=withdrawn, status=ApplicationStatus.withdrawn)
    token = services.rotate_token(company=company, actor=user)
    db.session.commit()
    return user, token, (held, confirmed, applied)


def test_company_feed_lists_places_deadlines_and_milestones_with_alarms(client, db):
    user, token, (held, confirmed, applied) = company_with_places(db)
    url = f"/calendar/private/{token}.ics"
    assert len("https://planner.example.org" + url) < 120
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("private")
    assert response.headers["X-Robots-Tag"].startswith("noindex")
    assert "Access-Control-Allow-Origin" not in response.headers
    calendar = parse_both(response.data)
    assert str(calendar["DESCRIPTION"]).startswith("Shows where ACME, Inc. holds places")
    summaries = sorted(str(e["SUMMARY"]) for e in calendar.walk("VEVENT"))
    assert summaries == sorted([
        "Eurosatory 2026: booth place allocated", "DSEI 2027: booth place confirmed",
        "Applications close: IDEX 2027", "Confirm your booth place: Eurosatory 2026",
        "Co-funding payment due: Eurosatory 2026", "Export licence filing due: Eurosatory 2026",
        "Shipping cut-off: Eurosatory 2026", "Build-up: Eurosatory 2026"])
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    payment = events["Co-funding payment due: Eurosatory 2026"]
    assert payment["DTSTART"].params["TZID"] == "Europe/Paris"
    assert payment.decoded("DTSTART") == dt.datetime(2027, 4, 30, 9, 0, tzinfo=UTC)
    assert payment.walk("VALARM")[0].decoded("TRIGGER") == -dt.timedelta(days=1)
    assert events["Applications close: IDEX 2027"].walk("VALARM")
    assert {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")} == {"Europe/Paris", "Asia/Seoul"}
    buildup = events["Build-up: Eurosatory 2026"]
    assert (buildup.decoded("DTSTART"), buildup.decoded("DTEND")) == (dt.date(2027, 6, 10), dt.date(2027, 6, 13))
    assert b"Secret show" not in response.data
    again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_declining_one_of_two_places_still_raises_the_show_events_sequence(client, db, site_url):
    # A rank of the current statuses went back here (confirmed + allocated, then confirmed only),
    # and clients ignore an event whose SEQUENCE goes down.
    user = make_user()
    offer = make_offer(exhibition=upcoming(name="IDEX 2027"))
    make_application(company=user.company, offer=offer, status=ApplicationStatus.confirmed)
    delegation = make_application(company=user.company, offer=offer, kind=PlaceKind.delegation,
                                  status=ApplicationStatus.allocated)
    token = services.rotate_token(company=user.company, actor=user)
    db.session.commit()
    uid = f"c{user.company_id}-exhibition-{offer.exhibition_id}@{urlsplit(site_url).hostname}"
    before = events_by_uid(client.get(f"/calendar/private/{token}.ics").data)[uid]
    assert "delegation place allocated" in str(before["SUMMARY"])
    change_status(delegation, ApplicationStatus.declined, actor=user)
    db.session.commit()
    after = events_by_uid(client.get(f"/calendar/private/{token}.ics").data)[uid]
    assert str(after["SUMMARY"]) == "IDEX 2027: booth place confirmed"
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after.decoded("LAST-MODIFIED") >= before.decoded("LAST-MODIFIED")


def test_cancelled_show_keeps_its_deadlines_cancelled_without_alarms(client, db):
    user, token, (held, _, _) = company_with_places(db)
    url = f"/calendar/private/{token}.ics"
    before = events_by_uid(client.get(url).data)
    cancel_exhibition(held.exhibition, reason="The organiser called it off.")
    db.session.commit()
    after = events_by_uid(client.get(url).data)
    assert after.keys() == before.keys()  # subscribers see the change, nothing just vanishes
    eurosatory = [uid for uid, event in before.items() if "Eurosatory" in str(event["SUMMARY"])]
    assert len(eurosatory) == 6  # the show, four milestones and the confirmation deadline
    for uid in eurosatory:
        event = after[uid]
        assert str(event["STATUS"]) == "CANCELLED" and "cancelled" in str(event["SUMMARY"])
        assert event.walk("VALARM") == []
        assert int(event["SEQUENCE"]) > int(before[uid]["SEQUENCE"])
    other_deadline = after[next(uid for uid in before if uid.endswith("-closes@localhost"))]
    assert "STATUS" not in other_deadline and other_deadline.walk("VALARM")


def test_another_companys_token_never_shows_this_companys_data(client, db):
    company_with_places(db)
    other = make_user()
    token = services.rotate_token(company=other.company, actor=other)
    db.session.commit()
    body = client.get(f"/calendar/private/{token}.ics").data
    assert parse_both(body).walk("VEVENT") == []
    assert b"ACME" not in body and b"Eurosatory" not in body


def test_rotating_revokes_the_old_url_and_unknown_tokens_look_the_same(client, db):
    user, token, _ = company_with_places(db)
    new = services.rotate_token(company=user.company, actor=user)
    db.session.commit()
    # The same request id for both: each response echoes it (X-Request-ID), nothing else may differ.
    same_id = {"X-Request-ID": "probe-request-0001"}
    revoked = client.get(f"/calendar/private/{token}.ics", headers=same_id)
    unknown = client.get(f"/calendar/private/{'x' * 43}.ics", headers=same_id)
    assert revoked.status_code == unknown.status_code == 404
    # The 404 page echoes the path (language links); otherwise the answers are identical.
    assert revoked.data.replace(token.encode(), b"T") == unknown.data.replace(b"x" * 43, b"T")
    assert set(revoked.headers) == set(unknown.headers)
    assert client.get(f"/calendar/private/{new}.ics").status_code == 200
    assert db.session.scalar(db.select(db.func.count(FeedToken.id)).where(FeedToken.revoked_at.is_(None))) == 1
    stored = db.session.scalars(db.select(FeedToken.token_hash)).all()
    assert new not in stored and token not in stored  # only hashes are kept


def test_company_page_creates_shows_once_and_rotates_the_feed(client, db, login_as):
    user, token, _ = company_with_places(db)
    login_as(user)
    page = client.get("/my/calendar")
    assert page.status_code == 200
    assert token not in page.get_data(as_text=True)
    posted = client.post("/my/calendar/rotate")
    # POST/redirect/GET: the address is on the page the POST redirects to, never in its URL.
    assert posted.status_code == 303 and posted.headers["Location"].endswith("/my/calendar")
    created = client.get(posted.headers["Location"])
    html = created.get_data(as_text=True)
    assert created.status_code == 200 and "webcal://" in html
    new_token = html.split("/calendar/private/")[1].split(".ics")[0]
    # A reload neither rotates nor shows the address again, and says how to get a new one.
    reloaded = client.get("/my/calendar").get_data(as_text=True)
    assert new_token not in reloaded and "create a new address" in reloaded
    assert len(f"https://localhost/calendar/private/{new_token}.ics") < 256
    assert client.get(f"/calendar/private/{token}.ics").status_code == 404
    assert client.get(f"/calendar/private/{new_token}.ics").status_code == 200
    assert "calendar.google.com/calendar/render?cid=webcal%3A%2F%2Flocalhost%2Fcalendar%2Fprivate%2F" in html
    assert "outlook.live.com/calendar/0/addfromweb?url=http%3A%2F%2Flocalhost%2Fcalendar%2Fprivate%2F" in html


def test_company_page_needs_a_company_member(client, db, switch_to):
    assert client.get("/my/calendar").status_code in (302, 401)
    switch_to(make_coordinator())
    db.session.commit()
    assert client.get("/my/calendar").status_code == 403


def test_coordinators_create_a_programme_feed_of_every_window_and_milestone(client, db, switch_to):
    programme = make_programme(name="Overseas 2027")
    make_offer(programme=programme, exhibition=upcoming(name="IDEX 2027"),
               payment_due_at=dt.datetime(2027, 1, 10, 0, tzinfo=UTC))
    make_offer(programme=programme, exhibition=upcoming(name="DSEI 2027"))
    coordinator = make_coordinator()
    applicant = make_user()
    db.session.commit()
    switch_to(applicant)
    assert client.get("/backoffice/feeds").status_code == 403
    switch_to(coordinator)
    assert "Overseas 2027" in client.get("/backoffice/feeds").get_data(as_text=True)
    html = client.post(f"/backoffice/feeds/{programme.id}/rotate", follow_redirects=True).get_data(as_text=True)
    token = html.split("/calendar/private/")[1].split(".ics")[0]
    body = client.get(f"/calendar/private/{token}.ics").data
    summaries = sorted(str(e["SUMMARY"]) for e in parse_both(body).walk("VEVENT"))
    assert summaries == sorted(["Applications open: IDEX 2027", "Applications close: IDEX 2027",
                                "Co-funding payment due: IDEX 2027", "Applications open: DSEI 2027",
                                "Applications close: DSEI 2027"])
    assert client.post("/backoffice/feeds/999999/rotate").status_code == 404


def test_the_programme_feed_shows_when_allocated_places_must_be_confirmed(client, db, switch_to):
    programme = make_programme(name="Overseas 2027")
    offer = make_offer(programme=programme, exhibition=upcoming(name="IDEX 2027"))
    early, late = dt.datetime(2027, 1, 8, 9, tzinfo=UTC), dt.datetime(2027, 1, 12, 9, tzinfo=UTC)
    first = make_application(offer=offer, status=ApplicationStatus.allocated, confirm_by=early)
    make_application(offer=offer, status=ApplicationStatus.allocated, confirm_by=late)
    coordinator = make_coordinator()
    db.session.commit()
    switch_to(coordinator)
    html = client.post(f"/backoffice/feeds/{programme.id}/rotate", follow_redirects=True).get_data(as_text=True)
    token = html.split("/calendar/private/")[1].split(".ics")[0]

    def confirmations():
        events = [e for e in parse_both(client.get(f"/calendar/private/{token}.ics").data).walk("VEVENT")
                  if str(e["SUMMARY"]).startswith("Confirmations due")]
        return events[0] if events else None

    before = confirmations()
    assert before is not None and before.decoded("DTSTART") == late
    assert "2 allocated place(s)" in str(before["DESCRIPTION"]) and before.walk("VALARM")
    # A company confirms: one fewer pending, and the event says so with a higher SEQUENCE.
    change_status(first, ApplicationStatus.confirmed, actor=None, reason="confirmed")
    db.session.commit()
    after = confirmations()
    assert after["UID"] == before["UID"] and "1 allocated place(s)" in str(after["DESCRIPTION"])
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])


# --- the cache shared through Redis -------------------------------------------------------------

@pytest.fixture
def redis_cache(app):
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(os.environ.get("FEEDS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"))
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("no Redis server")
    prefix = f"test:feeds:{uuid.uuid4().hex}:"
    yield services.make_feed_cache(redis=client, prefix=prefix)
    for key in client.scan_iter(prefix + "*"):
        client.delete(key)


def test_a_feed_built_by_one_worker_is_served_by_another_through_redis(app, db, redis_cache, site_url):
    upcoming()
    db.session.commit()
    now = dt.datetime.now(UTC)
    filters = services.parse_filters([], today=now.date())
    built = services.exhibitions_feed(filters, site_url=site_url, now=now, cache=redis_cache)
    other_worker = services.make_feed_cache(redis=redis_cache.redis, prefix=redis_cache.prefix)
    assert other_worker.get(built.etag.strip('"')).body == built.body


def test_a_worker_trusts_its_last_version_briefly_but_sees_its_own_commits_at_once(db):
    show = upcoming()
    db.session.commit()
    first = services.data_version(max_age=60)[0]
    # Another worker's commit changes the row without passing through this process.
    db.session.execute(text("UPDATE feed_state SET version = 'elsewhere' WHERE id = 1"))
    db.session.commit()
    assert services.data_version(max_age=60)[0] == first
    assert services.data_version(max_age=0)[0] == "elsewhere"
    show.city = "Lyon"
    db.session.commit()
    assert services.data_version(max_age=60)[0] not in (first, "elsewhere")


def test_place_counters_leave_the_version_alone_but_application_windows_move_it(db):
    offer = make_offer(exhibition=upcoming())
    db.session.commit()
    before = services.data_version()[0]
    db.session.execute(update(Offer).where(Offer.id == offer.id).values(booth_taken=Offer.booth_taken + 1))
    db.session.commit()
    assert services.data_version()[0] == before
    offer.closes_at = offer.closes_at + dt.timedelta(days=3)
    db.session.commit()
    assert services.data_version()[0] != before


def test_open_filter_lists_shows_accepting_applications(client, db):
    now = dt.datetime.now(UTC)
    make_offer(exhibition=upcoming(name="Open 2027"), opens_at=now - dt.timedelta(days=1),
               closes_at=now + dt.timedelta(days=1))
    make_offer(exhibition=upcoming(name="Closed 2027"), opens_at=now - dt.timedelta(days=9),
               closes_at=now - dt.timedelta(days=1))
    db.session.commit()
    events = parse_both(client.get("/calendar/exhibitions.ics?open=1").data).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Open 2027"]


def test_withdrawing_moves_the_private_feeds_last_modified(client, db):
    user, token, _ = company_with_places(db)
    first = client.get(f"/calendar/private/{token}.ics")
    application = db.session.scalars(db.select(Application).where(
        Application.company_id == user.company_id, Application.status == ApplicationStatus.submitted)).one()
    application.status = ApplicationStatus.withdrawn
    application.updated_at = dt.datetime.now(UTC) + dt.timedelta(seconds=2)
    db.session.commit()
    second = client.get(f"/calendar/private/{token}.ics",
                        headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert second.status_code == 200
    assert b"Applications close: IDEX 2027" not in second.data


def test_open_feed_answers_if_modified_since_with_the_feed_once_a_window_has_opened(client, db, monkeypatch):
    # The data did not change, time did: a client sending only If-Modified-Since kept its 304.
    now = dt.datetime.now(UTC) + dt.timedelta(days=1)
    make_offer(exhibition=upcoming(name="Soon open 2027"), opens_at=now + dt.timedelta(hours=1),
               closes_at=now + dt.timedelta(days=9))
    db.session.commit()
    monkeypatch.setattr("planner.feeds.views.utcnow", lambda: now)
    first = client.get("/calendar/exhibitions.ics?open=1")
    assert parse_both(first.data).walk("VEVENT") == []
    monkeypatch.setattr("planner.feeds.views.utcnow", lambda: now + dt.timedelta(hours=2))
    later = client.get("/calendar/exhibitions.ics?open=1",
                       headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert later.status_code == 200
    assert [str(e["SUMMARY"]) for e in parse_both(later.data).walk("VEVENT")] == ["Soon open 2027"]
    again = client.get("/calendar/exhibitions.ics?open=1",
                       headers={"If-Modified-Since": later.headers["Last-Modified"]})
    assert again.status_code == 304


def test_browsers_may_ask_for_the_public_feed_with_validators_from_any_origin(client):
    response = client.options("/calendar/exhibitions.ics", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "if-none-match"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "If-None-Match" in response.headers["Access-Control-Allow-Headers"]


class TestWithRedis:
    @pytest.fixture
    def app_config(self):
        return {"REDIS_URL": os.environ.get("FEEDS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"),
                "FEEDS_CACHE_PREFIX": f"test:feeds:{uuid.uuid4().hex}:"}

    def test_the_app_shares_built_feeds_through_redis(self, app, client, db):
        redis = pytest.importorskip("redis")
        server = redis.Redis.from_url(app.config["REDIS_URL"])
        try:
            server.ping()
        except redis.RedisError:
            pytest.skip("no Redis server")
        prefix = app.config["FEEDS_CACHE_PREFIX"]
        try:
            upcoming()
            db.session.commit()
            body = client.get("/calendar/exhibitions.ics").data
            keys = list(server.scan_iter(prefix + "*"))
            assert len(keys) == 1
            services.feed_cache().clear()  # as if another worker answered
            assert client.get("/calendar/exhibitions.ics").data == body
        finally:
            for key in server.scan_iter(prefix + "*"):
                server.delete(key)
            app.extensions.pop("feeds_cache", None)


def test_public_feeds_do_not_vary_on_the_visitors_cookie(client, db, login_as):
    from tests.factories import make_exhibition, make_user
    make_exhibition(slug="vary-show-2027")
    user = make_user()
    db.session.commit()
    anonymous = client.get("/calendar/exhibitions.ics")
    assert "Cookie" not in anonymous.headers.get("Vary", "")
    login_as(user)
    for path in ("/calendar/exhibitions.ics", "/exhibitions/vary-show-2027.ics"):
        response = client.get(path)
        assert response.status_code == 200
        assert "Cookie" not in response.headers.get("Vary", "")
        assert "Set-Cookie" not in response.headers
    # Pages that do depend on the session still say so.
    assert "Cookie" in client.get("/exhibitions").headers.get("Vary", "")
