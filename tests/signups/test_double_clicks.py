"""A double click never does a thing twice nor fails: following an offer adds one row (an
INSERT ... ON CONFLICT DO NOTHING), and sending a previewed announcement is a compare-and-set
of its state from draft to sent, so its mail goes out once. Races run on PostgreSQL with real
parallel requests; the sequential repeat runs everywhere."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from planner.notifications.models import OutboxMessage
from planner.signups.models import Announcement, OfferFollow
from planner.signups.models import ApplicationStatus as S
from tests.concurrency import at_once
from tests.factories import make_application, make_company, make_coordinator, make_offer, make_user

PARALLEL = 10
FORM = {"statuses": ["allocated"], "subject_en": "Build-up times", "body_en": "Build-up starts at 8:00."}


@pytest.fixture
def app_config():
    # One connection per request thread, so every request runs in its own transaction.
    return {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": PARALLEL + 2, "max_overflow": 5}}


@pytest.fixture(autouse=True)
def _mail_in_tmp(app, tmp_path):
    app.config["MAIL_DIR"] = str(tmp_path / "mail")


def _client(app, user):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


def _count(db, model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def world(app, db):
    offer = make_offer()
    for n in range(2):
        company = make_company()
        make_user(company=company, email=f"holder{n}@example.com")
        make_application(company=company, offer=offer, status=S.allocated)
    applicant, coordinator = make_user(), make_coordinator()
    db.session.commit()
    return offer, applicant, coordinator


def _preview(app, coordinator, offer) -> int:
    page = _client(app, coordinator).post(f"/backoffice/offers/{offer.id}/announcements",
                                          data=dict(FORM, action="preview")).get_data(as_text=True)
    found = re.search(r'name="announcement_id" value="(\d+)"', page)
    assert found, "the preview keeps a draft whose id goes with the Send button"
    return int(found.group(1))


def test_following_twice_keeps_one_follow(app, db, world):
    offer, applicant, _ = world
    client = _client(app, applicant)
    assert [client.post(f"/offers/{offer.id}/follow").status_code for _ in range(2)] == [303, 303]
    assert _count(db, OfferFollow) == 1


def test_sending_a_previewed_announcement_twice_sends_it_once(app, db, world):
    offer, _, coordinator = world
    draft_id = _preview(app, coordinator, offer)
    assert _count(db, OutboxMessage) == 0
    assert "Build-up times" not in _client(app, coordinator).get(f"/backoffice/offers/{offer.id}/announcements") \
        .get_data(as_text=True), "a draft is not listed as sent"
    client = _client(app, coordinator)
    send = dict(FORM, action="send", announcement_id=str(draft_id))
    first = client.post(f"/backoffice/offers/{offer.id}/announcements", data=send)
    second = client.post(f"/backoffice/offers/{offer.id}/announcements", data=send)
    assert first.status_code == 303
    assert second.status_code == 409 and "already been sent" in second.get_data(as_text=True)
    assert _count(db, OutboxMessage) == 2  # one mail per holder, once
    assert db.session.scalars(select(Announcement.state)).all() == ["sent"]


@pytest.mark.postgres_only
def test_parallel_follow_clicks_add_one_row_and_never_fail(app, db, world):
    offer, applicant, _ = world
    path = f"/offers/{offer.id}/follow"  # ids read here: the threads have no app context to load them
    clients = [_client(app, applicant) for _ in range(PARALLEL)]
    results = at_once([lambda c=c: c.post(path).status_code for c in clients])
    assert results == [303] * PARALLEL
    assert _count(db, OfferFollow) == 1


@pytest.mark.postgres_only
def test_parallel_send_clicks_send_the_announcement_once(app, db, world):
    offer, _, coordinator = world
    draft_id = _preview(app, coordinator, offer)
    send = dict(FORM, action="send", announcement_id=str(draft_id))
    path = f"/backoffice/offers/{offer.id}/announcements"
    clients = [_client(app, coordinator) for _ in range(PARALLEL)]
    results = at_once([lambda c=c: c.post(path, data=send).status_code for c in clients])
    assert sorted(results) == [303] + [409] * (PARALLEL - 1)
    assert _count(db, OutboxMessage) == 2
    assert _count(db, Announcement) == 1
