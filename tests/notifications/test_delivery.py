"""Delivery against a real SMTP server on loopback (aiosmtpd): outages lose nothing, permanent
refusals fail at once, two senders never send one mail twice, .eml files match SMTP mail."""
from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from planner.extensions import db as _db
from planner.notifications import delivery, services
from planner.notifications.models import OutboxMessage, OutboxState

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone.utc)


class Inbox:
    """aiosmtpd handler: keeps what it accepted; refuses listed recipients with 550."""

    def __init__(self) -> None:
        self.received: list[tuple[str, bytes]] = []
        self.refuse: set[str] = set()
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.received.append((rcpt, envelope.content))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_port():
    return _free_port()


@pytest.fixture
def smtp_server(smtp_port):
    """start() / stop() a real SMTP server on a fixed loopback port (an outage is a stop)."""
    inbox = Inbox()
    state: dict[str, Controller] = {}

    def start():
        controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
        controller.start()
        state["controller"] = controller

    def stop():
        controller = state.pop("controller", None)
        if controller is not None:
            controller.stop()

    inbox.start, inbox.stop = start, stop
    yield inbox
    stop()


@pytest.fixture
def app_config(tmp_path, smtp_port):
    return {"MAIL_DIR": str(tmp_path / "mail"), "MAIL_FROM": "planner@agency.example",
            "SMTP_URL": f"smtp://127.0.0.1:{smtp_port}", "MAIL_RETRY_BASE_SECONDS": 60,
            "MAIL_RETRY_MAX_SECONDS": 3600, "MAIL_RETRY_HOURS": 48,
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 6, "max_overflow": 2}}


def _send_until_quiet(now: dt.datetime) -> int:
    sent = delivery.deliver_pending(now=now)
    _db.session.commit()
    return sent


def test_an_outage_of_ten_minutes_loses_nothing_and_sends_each_mail_once(app, db, smtp_server):
    for n in range(3):
        services.enqueue(f"user{n}@example.com", f"Hello {n}", "Body")
    db.session.commit()
    # The server is down: a one-minute timer runs ten times and every mail keeps waiting.
    for minute in range(10):
        assert _send_until_quiet(NOW + dt.timedelta(minutes=minute)) == 0
    messages = db.session.scalars(db.select(OutboxMessage)).all()
    assert all(m.state == OutboxState.waiting and m.failed_at is None for m in messages)
    # Back-off: far fewer tries than timer runs (doubling from a minute, with jitter).
    assert all(1 <= m.attempts <= 5 for m in messages)
    assert all("Connection refused" in (m.last_error or "") or "refused" in (m.last_error or "").lower()
               for m in messages)
    smtp_server.start()
    later = NOW + dt.timedelta(hours=2)
    assert _send_until_quiet(later) == 3
    assert _send_until_quiet(later + dt.timedelta(hours=1)) == 0
    assert sorted(rcpt for rcpt, _ in smtp_server.received) == [
        "user0@example.com", "user1@example.com", "user2@example.com"]


def test_a_mail_is_given_up_only_after_the_retry_horizon(app, db):
    message = services.enqueue("kim@example.com", "Hello", "Body")
    message.created_at = message.waiting_since = NOW
    db.session.commit()
    at = NOW
    while at < NOW + dt.timedelta(hours=47):
        _send_until_quiet(at)
        assert message.failed_at is None
        at = max(at + dt.timedelta(minutes=1), message.next_attempt_at or at)
    _send_until_quiet(NOW + dt.timedelta(hours=49))
    assert message.state == OutboxState.failed and message.failed_at == NOW + dt.timedelta(hours=49)


def test_a_550_fails_the_mail_at_once_and_the_others_are_sent(app, db, smtp_server):
    smtp_server.start()
    smtp_server.refuse = {"gone@example.com"}
    services.enqueue("gone@example.com", "Your place", "Body")
    services.enqueue("kim@example.com", "Your place", "Body")
    db.session.commit()
    assert _send_until_quiet(NOW) == 1
    gone, kim = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert gone.state == OutboxState.failed and "550" in gone.last_error
    assert kim.state == OutboxState.sent
    assert delivery.health(now=NOW).failed == 1
    # A person fixes the address and resends: it goes out on the next run.
    gone.to_addr = "kim.new@example.com"
    assert delivery.retry(message_ids=[gone.id], now=NOW) == 1
    assert _send_until_quiet(NOW + dt.timedelta(minutes=1)) == 1
    assert [rcpt for rcpt, _ in smtp_server.received] == ["kim@example.com", "kim.new@example.com"]


def test_the_eml_file_of_development_carries_what_smtp_delivers(app, db, smtp_server, tmp_path):
    smtp_server.start()
    services.enqueue("kim@example.com", "A place is yours: 유로사토리", "안녕하세요\n\nhttps://planner.example/my/allocation",
                     reply_to="coordinator@agency.example")
    db.session.commit()
    assert _send_until_quiet(NOW) == 1
    [(_rcpt, raw)] = smtp_server.received
    services.enqueue("kim@example.com", "A place is yours: 유로사토리", "안녕하세요\n\nhttps://planner.example/my/allocation",
                     reply_to="coordinator@agency.example")
    db.session.commit()
    app.config["SMTP_URL"] = ""
    assert _send_until_quiet(NOW) == 1
    [path] = Path(app.config["MAIL_DIR"]).glob("*.eml")
    by_smtp = message_from_bytes(raw, policy=policy.default)
    by_file = message_from_bytes(path.read_bytes(), policy=policy.default)
    for header in ("From", "To", "Subject", "Reply-To"):
        assert by_smtp[header] == by_file[header]
    assert by_file["Subject"] == "A place is yours: 유로사토리"
    assert by_file["From"] == "Exhibition Planner <planner@agency.example>"
    for part in ("plain", "html"):
        assert by_smtp.get_body((part,)).get_content() == by_file.get_body((part,)).get_content()
    assert "안녕하세요" in by_file.get_body(("plain",)).get_content()


def test_health_turns_degraded_when_a_mail_waits_too_long(app, db):
    message = services.enqueue("kim@example.com", "Hello", "Body")
    message.created_at = message.waiting_since = NOW
    db.session.commit()
    assert delivery.health(now=NOW + dt.timedelta(minutes=10)).healthy
    late = delivery.health(now=NOW + dt.timedelta(minutes=45))
    assert not late.healthy and late.waiting == 1 and late.oldest_waiting_seconds == 45 * 60


def test_notifications_retry_command_queues_failed_mail_again(app, db, runner):
    message = services.enqueue("kim@example.com", "Hello", "Body")
    message.failed_at = NOW
    db.session.commit()
    result = runner.invoke(args=["notifications", "retry"])
    assert result.exit_code == 0 and "1 failed email(s) queued again" in result.output
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).state == OutboxState.waiting


@pytest.mark.postgres_only
def test_two_senders_at_once_never_send_the_same_mail_twice(app, db, smtp_server, another_app):
    smtp_server.start()
    for n in range(40):
        services.enqueue(f"user{n}@example.com", "Hello", "Body")
    db.session.commit()
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    class SlowTransport:
        """The real SMTP transport, a little slow, so the two senders overlap."""

        def __init__(self, inner):
            self.inner = inner

        def open(self):
            self.inner.open()

        def send(self, message):
            time.sleep(0.01)
            return self.inner.send(message)

        def close(self):
            self.inner.close()

    # Two workers, as two hosts would run the timer. Built here, not in the threads: building an
    # app compiles code, which CPython 3.11 does not always survive in two threads at once.
    workers = [another_app(SMTP_URL=app.config["SMTP_URL"], MAIL_DIR=app.config["MAIL_DIR"]) for _ in range(2)]

    def sender(worker):
        try:
            with worker.app_context():
                from planner.notifications.transports import SmtpTransport
                barrier.wait(timeout=10)
                for _ in range(5):
                    delivery.deliver_pending(limit=15, now=NOW,
                                             transport=SlowTransport(SmtpTransport(worker.config["SMTP_URL"])))
                    _db.session.commit()
                _db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=sender, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    recipients = [rcpt for rcpt, _ in smtp_server.received]
    assert len(recipients) == 40 and len(set(recipients)) == 40
