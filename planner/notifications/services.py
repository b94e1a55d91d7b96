"""Outbox: enqueue emails in the caller's transaction; deliver them later (CLI or right after
the request in development) through the configured transport."""
from __future__ import annotations

import datetime as dt
import logging
import os
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app

from planner.db import utcnow
from planner.extensions import db
from planner.notifications.models import OutboxMessage
from planner.notifications.transports import Transport, transport_for

log = logging.getLogger("planner.mail")

# After this many failed attempts a message stays in the outbox for a person to look at.
MAX_ATTEMPTS = 5


def enqueue(to: str, subject: str, body: str, *, sensitive: bool = False) -> OutboxMessage:
    """Queue one plain-text email. Nothing is sent if the caller's transaction rolls back.

    `sensitive` marks mails carrying secret links (verification, reset, invitations) so their
    bodies are never printed in logs.
    """
    message = OutboxMessage(to_addr=to, subject=subject[:300], body_text=body, is_sensitive=sensitive)
    db.session.add(message)
    db.session.flush()
    return message


def _mask(address: str) -> str:
    local, _sep, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def describe(message: OutboxMessage) -> str:
    """How a mail appears in logs: "mail #12 to a***@example.com: subject" (never the body)."""
    return f"mail #{message.id} to {_mask(message.to_addr)}: {message.subject}"


def _build(message: OutboxMessage, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to_addr
    # A subject is one header line: a line break (from an exhibition's name, say) would make
    # the email library refuse the message, so it would never be sent.
    email["Subject"] = " ".join(message.subject.split())
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(idstring=f"outbox{message.id}")
    email["X-Outbox-Id"] = str(message.id)
    email.set_content(message.body_text)
    return email


def mail_dir() -> str:
    return current_app.config.get("MAIL_DIR") or os.path.join(current_app.instance_path, "mail")


def deliver_pending(*, limit: int = 100, now: dt.datetime | None = None,
                    transport: Transport | None = None) -> int:
    """Send up to `limit` unsent messages, oldest first; return how many were sent.

    Each message records its attempts, sent_at or last_error; one that failed MAX_ATTEMPTS
    times is skipped. Flushes; the caller commits. On PostgreSQL rows are locked with SKIP
    LOCKED so two workers running at once never send the same mail twice.
    """
    now = now or utcnow()
    rows = list(db.session.scalars(
        db.select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS)
        .order_by(OutboxMessage.id).limit(limit).with_for_update(skip_locked=True)))
    if not rows:
        return 0
    transport = transport or transport_for(current_app.config.get("SMTP_URL", ""), mail_dir())
    sender = current_app.config.get("MAIL_FROM", "planner@localhost")
    try:
        transport.open()
    except Exception as exc:  # noqa: BLE001 - server unreachable: every message keeps waiting
        for message in rows:
            message.attempts = (message.attempts or 0) + 1
            message.last_error = f"{type(exc).__name__}: {exc}"[:1000]
        db.session.flush()
        log.warning("mail transport unavailable, %s message(s) wait: %s", len(rows), exc)
        return 0
    sent = 0
    try:
        for message in rows:
            message.attempts = (message.attempts or 0) + 1
            try:
                where = transport.send(_build(message, sender))
            except Exception as exc:  # noqa: BLE001 - recorded on the message; the batch goes on
                message.last_error = f"{type(exc).__name__}: {exc}"[:1000]
                log.warning("%s failed (attempt %s): %s", describe(message), message.attempts,
                            message.last_error)
                continue
            message.sent_at = now
            message.last_error = None
            sent += 1
            log.info("%s written to %s" if where.endswith(".eml") else "%s sent via %s",
                     describe(message), where)
    finally:
        transport.close()
        db.session.flush()
    return sent


def deliver_in_development() -> int:
    """Development convenience: with no SMTP_URL, deliver queued mail (to instance/mail/) right
    after the request that queued it, so no timer is needed. Call it after committing; it
    commits its own bookkeeping. With SMTP configured it does nothing: the timer-run
    `flask --app planner notifications send` delivers instead."""
    if current_app.config.get("SMTP_URL"):
        return 0
    try:
        sent = deliver_pending()
        db.session.commit()
    except Exception:  # noqa: BLE001 - the user's action already succeeded; the CLI retries later
        db.session.rollback()
        log.exception("delivering queued mail failed")
        return 0
    return sent
