"""Feeds in Korean, a private address per person, admins revoking a company's, bounded feeds."""
from __future__ import annotations

import datetime as dt
import time

import pytest
import vobject
from sqlalchemy import insert

from planner.accounts.models import Role
from planner.catalogue.models import Exhibition, Offer
from planner.feeds import services
from planner.feeds.models import FeedToken
from planner.signups.models import ApplicationStatus
from tests.factories import make_application, make_coordinator, make_exhibition, make_offer, make_programme, make_user
from tests.feeds.conftest import parse_both

UTC = dt.timezone.utc
TODAY = dt.date.today()


@pytest.fixture(autouse=True)
def _fresh_cache(app):
    services.feed_cache().clear()
    services.forget_version()
    services.forget_private_versions()


def korean_show(**overrides):
    start = TODAY + dt.timedelta(days=60)
    values = dict(name="Eurosatory 2027", name_ko="유로사토리 2027", city="Paris", city_ko="파리",
                  description="Land defence.", description_ko="지상 방산 전시회.", starts_on=start,
                  ends_on=start + dt.timedelta(days=4), country_code="FR")
    values.update(overrides)
    return make_exhibition(**values)


def test_public_feeds_in_korean_have_korean_names_and_their_own_etag(client, db):
    korean_show(slug="eurosatory-2027")
    db.session.commit()
    english = client.get("/calendar/exhibitions.ics")
    korean = client.get("/calendar/exhibitions.ics?lang=ko")
    assert korean.status_code == 200 and korean.headers["ETag"] != english.headers["ETag"]
    calendar = parse_both(korean.data)
    event = calendar.walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "유로사토리 2027"
    assert "파리" in str(event["LOCATION"]) and "프랑스" in str(event["LOCATION"])
    assert "지상 방산 전시회." in str(event["DESCRIPTION"])
    parsed = vobject.readOne(korean.data.decode("utf-8"))
    assert parsed.vevent.summary.value == "유로사토리 2027"
    assert parsed.x_wr_calname.value != "Foreign defence exhibitions"
    assert str(parse_both(english.data).walk("VEVENT")[0]["SUMMARY"]) == "Eurosatory 2027"
    again = client.get("/calendar/exhibitions.ics?lang=ko", headers={"If-None-Match": korean.headers["ETag"]})
    assert again.status_code == 304
    assert client.get("/calendar/exhibitions.ics?lang=ko", headers={"If-None-Match": english.headers["ETag"]}
                      ).status_code == 200
    show = client.get("/exhibitions/eurosatory-2027.ics?lang=ko")
    assert show.status_code == 200 and "유로사토리 2027" in show.get_data(as_text=True)
    assert show.headers["ETag"] != client.get("/exhibitions/eurosatory-2027.ics").headers["ETag"]


@pytest.mark.parametrize("path", ["/calendar/exhibitions.ics?lang=fr", "/exhibitions/x.ics?lang=de",
                                  "/calendar/exhibitions.ics?lang=ko&lang=en"])
def test_unknown_languages_get_the_400_of_a_bad_filter(client, path):
    response = client.get(path)
    assert response.status_code == 400 and response.mimetype == "text/plain"


def test_subscribe_links_on_korean_pages_ask_for_the_korean_feed(client, db):
    korean_show(slug="eurosatory-2027")
    db.session.commit()
    html = client.get("/exhibitions/eurosatory-2027?lang=ko").get_data(as_text=True)
    assert "/exhibitions/eurosatory-2027.ics?lang=ko" in html


def test_a_korean_users_private_feed_is_in_korean_with_korean_alarms(client, db):
    user = make_user(locale="ko")
    offer = make_offer(exhibition=korean_show(), payment_due_at=dt.datetime.now(UTC) + dt.timedelta(days=20))
    make_application(company=user.company, offer=offer, status=ApplicationStatus.confirmed)
    token = services.rotate_token(company=user.company, actor=user)
    db.session.commit()
    body = client.get(f"/calendar/private/{token}.ics").data
    summaries = [str(e["SUMMARY"]) for e in parse_both(body).walk("VEVENT")]
    assert any(s.startswith("유로사토리 2027") for s in summaries)
    alarms = [str(a["DESCRIPTION"]) for a in parse_both(body).walk("VALARM")]
    assert alarms and all("유로사토리 2027" in a and "Tomorrow" not in a for a in alarms)


def test_each_colleague_has_an_address_and_rotating_mine_leaves_theirs_working(client, db):
    me = make_user()
    colleague = make_user(company=me.company)
    mine = services.rotate_token(company=me.company, actor=me)
    theirs = services.rotate_token(company=me.company, actor=colleague)
    db.session.commit()
    new_theirs = services.rotate_token(company=me.company, actor=colleague)
    db.session.commit()
    assert client.get(f"/calendar/private/{mine}.ics").status_code == 200
    assert client.get(f"/calendar/private/{theirs}.ics").status_code == 404
    assert client.get(f"/calendar/private/{new_theirs}.ics").status_code == 200


def test_fetching_records_when_an_address_was_last_used_at_most_once_a_minute(client, db):
    user = make_user()
    token = services.rotate_token(company=user.company, actor=user)
    db.session.commit()
    client.get(f"/calendar/private/{token}.ics")
    row = db.session.scalars(db.select(FeedToken)).one()
    first = row.last_fetched_at
    assert first is not None
    time.sleep(0.01)
    client.get(f"/calendar/private/{token}.ics")
    db.session.refresh(row)
    assert row.last_fetched_at == first


def test_an_admin_revokes_every_address_of_a_company(client, db, switch_to):
    me = make_user()
    colleague = make_user(company=me.company)
    other = make_user()
    tokens = [services.rotate_token(company=me.company, actor=u) for u in (me, colleague)]
    kept = services.rotate_token(company=other.company, actor=other)
    admin = make_coordinator(role=Role.admin)
    coordinator = make_coordinator()
    db.session.commit()
    switch_to(coordinator)
    assert client.post(f"/backoffice/feeds/companies/{me.company_id}/revoke").status_code == 403
    switch_to(admin)
    assert me.company.legal_name in client.get("/backoffice/feeds/companies").get_data(as_text=True)
    response = client.post(f"/backoffice/feeds/companies/{me.company_id}/revoke")
    assert response.status_code == 303
    assert [client.get(f"/calendar/private/{t}.ics").status_code for t in tokens] == [404, 404]
    assert client.get(f"/calendar/private/{kept}.ics").status_code == 200
    revoked = db.session.scalars(db.select(FeedToken).where(FeedToken.company_id == me.company_id)).all()
    assert all(t.revoked_by_id == admin.id for t in revoked)


def test_an_address_stops_working_when_its_owner_leaves_the_company(client, db):
    user = make_user()
    token = services.rotate_token(company=user.company, actor=user)
    db.session.commit()
    user.company = make_user().company
    db.session.commit()
    assert client.get(f"/calendar/private/{token}.ics").status_code == 404


def test_a_programme_of_5000_offers_gives_a_feed_under_1_mb_without_the_oldest_events(client, db):
    programme = make_programme(name="Overseas 2027")
    coordinator = make_coordinator()
    db.session.flush()
    now = dt.datetime.now(UTC)
    starts = [TODAY + dt.timedelta(days=n // 6 - 30) for n in range(5000)]
    db.session.execute(insert(Exhibition), [dict(
        slug=f"bulk-{n}", name=f"Bulk show {n}", edition_year=start.year, starts_on=start,
        ends_on=start + dt.timedelta(days=3), city="Paris", country_code="FR", timezone="Europe/Paris",
        date_certainty="confirmed", status="planned", sequence=0, created_at=now, updated_at=now)
        for n, start in enumerate(starts)])
    ids = db.session.scalars(db.select(Exhibition.id).where(Exhibition.slug.like("bulk-%"))
                             .order_by(Exhibition.id)).all()
    rows = []
    for exhibition_id, start in zip(ids, starts):
        opens = dt.datetime.combine(start, dt.time(), UTC) - dt.timedelta(days=120)
        rows.append(dict(programme_id=programme.id, exhibition_id=exhibition_id, opens_at=opens,
                         closes_at=opens + dt.timedelta(days=30), payment_due_at=opens + dt.timedelta(days=60),
                         timezone="Europe/Paris", booth_capacity=5, delegation_capacity=5,
                         created_at=now, updated_at=now))
    db.session.execute(insert(Offer), rows)
    token = services.rotate_token(programme=programme, actor=coordinator)
    db.session.commit()
    response = client.get(f"/calendar/private/{token}.ics")
    assert response.status_code == 200
    assert len(response.data) < 1_000_000
    calendar = parse_both(response.data)
    assert "left out" in str(calendar["DESCRIPTION"])
    starts = [e.decoded("DTSTART") for e in calendar.walk("VEVENT")]
    starts = [s if isinstance(s, dt.date) and not isinstance(s, dt.datetime) else s.date() for s in starts]
    assert min(starts) >= TODAY - dt.timedelta(days=60)
    assert max(starts) < TODAY + dt.timedelta(days=731)
