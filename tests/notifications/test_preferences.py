"""Optional mail can be turned off by its reader, from a link that needs no login; required
mail cannot."""
from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

import pytest

from planner.notifications import delivery, preferences, services
from planner.notifications.models import MailOptOut, OutboxMessage
from planner.notifications.services import Recipient

TEMPLATE = "accounts/email/verify.txt"


@pytest.fixture
def app_config(tmp_path):
    return {"MAIL_DIR": str(tmp_path / "mail"), "SITE_URL": "https://planner.example"}


def _context():
    class User:
        name, email = "Kim", "kim@example.com"
    return {"user": User(), "link": "https://planner.example/x", "hours": 24}


def _outbox(db):
    return db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_an_optional_mail_carries_its_unsubscribe_link_and_headers(app, db):
    services.notify([Recipient("kim@example.com", "en")], TEMPLATE, category="reminders", **_context())
    db.session.commit()
    assert delivery.deliver_pending() == 1
    [path] = Path(app.config["MAIL_DIR"]).glob("*.eml")
    mail = message_from_bytes(path.read_bytes(), policy=policy.default)
    link = mail["List-Unsubscribe"].strip("<>")
    assert link.startswith("https://planner.example/mail/unsubscribe/")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in mail.get_body(("plain",)).get_content()


def test_a_required_mail_has_no_unsubscribe_link(app, db):
    [message] = services.notify([Recipient("kim@example.com", "en")], TEMPLATE, **_context())
    assert message.category is None and "/mail/unsubscribe/" not in message.body_text


def test_the_footer_is_in_the_readers_language(app, db):
    [message] = services.notify([Recipient("kim@example.com", "ko")], TEMPLATE, category="announcements",
                                **_context())
    assert "수신" in message.body_text or "구독" in message.body_text


def test_opted_out_readers_are_skipped_for_that_category_only(app, db):
    preferences.set_categories_off("Kim@Example.com", ["announcements"])
    both = [Recipient("kim@example.com", "en"), Recipient("lee@example.com", "en")]
    sent = services.notify(both, TEMPLATE, category="announcements", **_context())
    assert [m.to_addr for m in sent] == ["lee@example.com"]
    assert len(services.notify(both, TEMPLATE, category="reminders", **_context())) == 2
    assert len(services.notify(both, TEMPLATE, **_context())) == 2
    bulk = services.notify_bulk([services.Notification(both, TEMPLATE, _context(), category="announcements")])
    assert bulk == 1


def test_the_link_page_asks_first_and_a_one_click_post_unsubscribes_without_login(app, db, another_app):
    token = preferences.unsubscribe_token("kim@example.com", "reminders")
    client = app.test_client()
    page = client.get(f"/mail/unsubscribe/{token}")
    assert page.status_code == 200 and b"kim@example.com" in page.data
    assert db.session.scalar(db.select(MailOptOut)) is None  # a link scanner's GET changes nothing
    # The real app checks CSRF; a mail program's one-click POST carries none (RFC 8058).
    strict = another_app(WTF_CSRF_ENABLED=True)
    with strict.app_context():
        response = strict.test_client().post(f"/mail/unsubscribe/{token}",
                                             data={"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200
    db.session.expire_all()
    assert preferences.categories_off("kim@example.com") == {"reminders"}
    assert client.post(f"/mail/unsubscribe/{token}").status_code == 200  # idempotent
    assert db.session.scalar(db.select(db.func.count()).select_from(MailOptOut)) == 1


def test_a_tampered_link_is_a_404(app, db):
    token = preferences.unsubscribe_token("kim@example.com", "reminders")
    client = app.test_client()
    assert client.get(f"/mail/unsubscribe/{token[:-2]}xx").status_code == 404
    assert client.post(f"/mail/unsubscribe/{token[:-2]}xx").status_code == 404
    assert db.session.scalar(db.select(MailOptOut)) is None
