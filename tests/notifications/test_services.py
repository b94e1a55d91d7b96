"""The outbox: queued in the caller's transaction, delivered by the console or SMTP transport."""
from __future__ import annotations

import datetime as dt
import logging
import smtplib
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from planner.notifications import delivery, services
from planner.notifications.models import OutboxMessage
from planner.notifications.transports import SmtpTransport

NOW = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.timezone.utc)
SECRET_LINK = "https://planner.example/account/verify/SECRET-TOKEN-123"


def _messages(db):
    return list(db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)))


def test_a_rolled_back_transaction_sends_nothing(app, db):
    services.enqueue("kim@example.com", "Hello", "Body")
    db.session.rollback()
    assert delivery.deliver_pending(now=NOW) == 0
    assert _messages(db) == []


def test_console_transport_writes_an_eml_file_and_logs_no_token(app, db, caplog, tmp_path):
    services.enqueue("kim@example.com", "Confirm your email", f"Open {SECRET_LINK}", sensitive=True)
    db.session.commit()
    with caplog.at_level(logging.INFO, logger="planner.mail"):
        assert delivery.deliver_pending(now=NOW) == 1
    db.session.commit()
    [message] = _messages(db)
    assert message.sent_at == NOW and message.attempts == 1 and message.last_error is None
    [path] = list(Path(app.config["MAIL_DIR"]).glob("*.eml"))
    mail = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert mail["To"] == "kim@example.com"
    assert mail["From"] == "Exhibition Planner <planner@agency.example>"
    assert SECRET_LINK in mail.get_body(("plain",)).get_content()
    assert f'<a href="{SECRET_LINK}">' in mail.get_body(("html",)).get_content()
    assert "SECRET-TOKEN-123" not in caplog.text
    assert f"mail #{message.id} to k***@example.com: Confirm your email" in caplog.text
    assert str(path) in caplog.text


def test_sent_mail_is_not_sent_again(app, db):
    services.enqueue("kim@example.com", "Hello", "Body")
    assert delivery.deliver_pending(now=NOW) == 1
    assert delivery.deliver_pending(now=NOW) == 0
    assert len(list(Path(app.config["MAIL_DIR"]).glob("*.eml"))) == 1


def test_the_limit_caps_one_run(app, db):
    for n in range(3):
        services.enqueue(f"u{n}@example.com", "Hello", "Body")
    assert delivery.deliver_pending(limit=2, now=NOW) == 2
    assert delivery.deliver_pending(limit=2, now=NOW) == 1


class FakeSMTP:
    """Stands in for smtplib.SMTP and remembers what a real server would have seen."""
    instances: list[FakeSMTP] = []
    fail_for: set[str] = set()

    def __init__(self, host, port, timeout=None):
        self.host, self.port = host, port
        self.calls: list[tuple] = []
        self.sent: list = []
        FakeSMTP.instances.append(self)

    def starttls(self, context=None):
        self.calls.append(("starttls",))

    def login(self, user, password):
        self.calls.append(("login", user, password))

    def send_message(self, message):
        if message["To"] in FakeSMTP.fail_for:
            raise smtplib.SMTPRecipientsRefused({message["To"]: (550, b"no such user")})
        self.sent.append(message)

    def quit(self):
        self.calls.append(("quit",))


@pytest.fixture
def fake_smtp(monkeypatch):
    FakeSMTP.instances = []
    FakeSMTP.fail_for = set()
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    return FakeSMTP


def test_smtp_transport_uses_starttls_on_587_and_logs_in(app, db, fake_smtp):
    app.config["SMTP_URL"] = "smtp://mailer:s%40cret@mail.example:587"
    services.enqueue("kim@example.com", "Hello", "Body text")
    services.enqueue("lee@example.com", "Hello", "Body text")
    assert delivery.deliver_pending(now=NOW) == 2
    [smtp] = fake_smtp.instances
    assert (smtp.host, smtp.port) == ("mail.example", 587)
    assert smtp.calls == [("starttls",), ("login", "mailer", "s@cret"), ("quit",)]
    assert [m["To"] for m in smtp.sent] == ["kim@example.com", "lee@example.com"]
    assert not list(Path(app.config["MAIL_DIR"]).glob("*.eml"))


def test_a_refused_message_records_its_error_and_the_rest_are_sent(app, db, fake_smtp, caplog):
    app.config["SMTP_URL"] = "smtp://mail.example:587"
    fake_smtp.fail_for = {"bad@example.com"}
    services.enqueue("bad@example.com", "Reset", f"Open {SECRET_LINK}", sensitive=True)
    services.enqueue("kim@example.com", "Hello", "Body")
    assert delivery.deliver_pending(now=NOW) == 1
    bad, good = _messages(db)
    assert bad.sent_at is None and bad.attempts == 1 and "SMTPRecipientsRefused" in bad.last_error
    assert good.sent_at == NOW
    assert "SECRET-TOKEN-123" not in caplog.text
    # 550 "no such user" is permanent: failed at once, never tried again by itself.
    assert bad.failed_at == NOW
    assert delivery.deliver_pending(now=NOW + dt.timedelta(days=1)) == 0
    assert bad.attempts == 1


def test_an_unreachable_server_leaves_every_message_queued(app, db, monkeypatch):
    app.config["SMTP_URL"] = "smtp://mail.example:587"

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("connection refused")
    monkeypatch.setattr(smtplib, "SMTP", refuse)
    services.enqueue("kim@example.com", "Hello", "Body")
    assert delivery.deliver_pending(now=NOW) == 0
    [message] = _messages(db)
    assert message.sent_at is None and "connection refused" in message.last_error


def test_smtps_url_uses_implicit_tls_port_465():
    transport = SmtpTransport("smtps://user:pw@mail.example")
    assert transport.implicit_tls and transport.port == 465


def test_a_malformed_smtp_url_is_refused():
    with pytest.raises(ValueError):
        SmtpTransport("http://mail.example")


def test_delivery_in_development_does_nothing_when_smtp_is_configured(app, db, fake_smtp):
    app.config["SMTP_URL"] = "smtp://mail.example:587"
    services.enqueue("kim@example.com", "Hello", "Body")
    db.session.commit()
    assert delivery.deliver_in_development() == 0
    assert fake_smtp.instances == []


def test_a_subject_with_a_line_break_is_sent_on_one_line(app, db):
    # Subjects carry exhibition names, which a CSV import may give a line break; the email
    # library refuses such a header, so the mail was never sent.
    services.enqueue("kim@example.com", "A place is yours: Eurosatory\r\nBcc: evil@example.com", "Body")
    db.session.commit()
    assert delivery.deliver_pending(now=NOW) == 1
    [path] = list(Path(app.config["MAIL_DIR"]).glob("*.eml"))
    mail = message_from_bytes(path.read_bytes())
    assert mail["Subject"] == "A place is yours: Eurosatory Bcc: evil@example.com"
    assert mail["Bcc"] is None


def test_smtp_credentials_are_only_sent_after_starttls_whatever_the_port(app, db, fake_smtp):
    app.config["SMTP_URL"] = "smtp://mailer:secret@mail.example:25"
    services.enqueue("kim@example.com", "Hello", "Body text")
    assert delivery.deliver_pending(now=NOW) == 1
    [smtp] = fake_smtp.instances
    assert smtp.calls[:2] == [("starttls",), ("login", "mailer", "secret")]


def test_a_local_relay_without_credentials_needs_no_starttls(app, db, fake_smtp):
    app.config["SMTP_URL"] = "smtp://localhost:25"
    services.enqueue("kim@example.com", "Hello", "Body text")
    assert delivery.deliver_pending(now=NOW) == 1
    [smtp] = fake_smtp.instances
    assert smtp.calls == [("quit",)]
