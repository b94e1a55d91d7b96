"""The outbox page: coordinators see waiting and failed mail with its last error and resend it."""
from __future__ import annotations

import datetime as dt

import pytest

from planner.notifications import services
from planner.notifications.models import OutboxMessage, OutboxState

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone.utc)


def _failed(db, to="gone@example.com"):
    message = services.enqueue(to, "A place is yours: IDEX", "Body", kind="allocation.place_allocated")
    message.attempts, message.failed_at = 1, NOW
    message.last_error = "SMTPRecipientsRefused: {'gone@example.com': (550, b'5.1.1 No such user')}"
    return message


@pytest.fixture
def app_config(tmp_path):
    return {"MAIL_DIR": str(tmp_path / "mail")}


def test_a_failed_mail_shows_its_error_and_can_be_resent(app, db, client, login_as, coordinator):
    failed = _failed(db)
    services.enqueue("kim@example.com", "Waiting", "Body", kind="accounts.verify")
    db.session.commit()
    login_as(coordinator)
    page = client.get("/backoffice/outbox?state=failed")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "gone@example.com" in text and "550" in text and "No such user" in text
    assert "kim@example.com" not in text  # waiting mail filtered out
    assert client.get("/backoffice/outbox?kind=accounts.verify").get_data(as_text=True).count("kim@example.com") == 1
    assert client.get("/backoffice/outbox?to=GONE").get_data(as_text=True).count("gone@example.com") >= 1
    response = client.post(f"/backoffice/outbox/{failed.id}/resend")
    assert response.status_code == 303
    db.session.expire_all()
    # Without SMTP (development) it is written out at once; with SMTP the timer sends it.
    assert db.session.get(OutboxMessage, failed.id).state == OutboxState.sent


def test_resend_all_failed_mail(app, db, client, login_as, coordinator):
    for n in range(3):
        _failed(db, to=f"user{n}@example.com")
    db.session.commit()
    login_as(coordinator)
    assert client.post("/backoffice/outbox/resend-failed").status_code == 303
    db.session.expire_all()
    states = {m.state for m in db.session.scalars(db.select(OutboxMessage))}
    assert states == {OutboxState.sent}


def test_applicants_cannot_see_the_outbox(app, db, client, login_as, applicant):
    db.session.commit()
    login_as(applicant)
    assert client.get("/backoffice/outbox").status_code == 403
    assert client.post("/backoffice/outbox/resend-failed").status_code == 403


def test_healthz_turns_degraded_when_mail_waits_too_long(app, db, client):
    message = services.enqueue("kim@example.com", "Hello", "Body")
    message.created_at = message.waiting_since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=2)
    db.session.commit()
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "degraded" and body["outbox"]["waiting"] == 1
    assert body["outbox"]["oldest_waiting_seconds"] >= 7200
