"""A company asks to be reminded before an offer's window closes, and can stop it."""
from __future__ import annotations

import datetime as dt

from planner.reminders import send_due_reminders
from planner.signups.models import OfferFollow
from tests.factories import make_offer, make_user

UTC = dt.timezone.utc


def test_a_company_follows_an_offer_from_the_programme_page_and_is_reminded(app, db, client, login_as):
    now = dt.datetime.now(UTC)
    offer = make_offer(opens_at=now - dt.timedelta(days=3), closes_at=now + dt.timedelta(days=10))
    user = make_user(email="kim@example.com")
    db.session.commit()
    login_as(user)
    page = client.get(f"/programmes/{offer.programme.slug}").get_data(as_text=True)
    assert "Remind me before applications close" in page
    response = client.post(f"/offers/{offer.id}/follow")
    assert response.status_code == 303 and f"#offer-{offer.id}" in response.headers["Location"]
    page = client.get(f"/programmes/{offer.programme.slug}").get_data(as_text=True)
    assert "Stop the reminder before applications close" in page
    assert client.post(f"/offers/{offer.id}/follow").status_code == 303  # twice: still one row
    assert db.session.scalar(db.select(db.func.count()).select_from(OfferFollow)) == 1
    assert send_due_reminders(now=offer.closes_at - dt.timedelta(days=2)) == 1
    client.post(f"/offers/{offer.id}/follow", data={"action": "unfollow"})
    assert db.session.scalar(db.select(db.func.count()).select_from(OfferFollow)) == 0


def test_visitors_see_no_reminder_button(app, db, client):
    now = dt.datetime.now(UTC)
    offer = make_offer(opens_at=now - dt.timedelta(days=3), closes_at=now + dt.timedelta(days=10))
    db.session.commit()
    assert "Remind me before" not in client.get(f"/programmes/{offer.programme.slug}").get_data(as_text=True)
    assert client.post(f"/offers/{offer.id}/follow").status_code == 302  # to the login page


def test_a_closed_offer_cannot_be_followed(app, db, client, login_as):
    now = dt.datetime.now(UTC)
    closed = make_offer(opens_at=now - dt.timedelta(days=30), closes_at=now - dt.timedelta(days=1))
    user = make_user()
    db.session.commit()
    login_as(user)
    assert "Remind me before" not in client.get(f"/programmes/{closed.programme.slug}").get_data(as_text=True)
    assert client.post(f"/offers/{closed.id}/follow").status_code == 403
    assert db.session.scalar(db.select(OfferFollow)) is None
    assert client.post("/offers/999999/follow").status_code == 404
