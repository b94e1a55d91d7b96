"""The one notification pipeline: `notify` renders a mail template per recipient in the
recipient's language and queues it in the caller's transaction (the outbox); delivery happens
later (the `notifications send` timer, or right after the request's commit in development)."""
from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from itertools import groupby

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import insert

from planner.db import utcnow
from planner.extensions import db
from planner.notifications.models import OutboxMessage
from planner.notifications.transports import Transport, transport_for

log = logging.getLogger("planner.mail")

# After this many failed attempts a message stays in the outbox for a person to look at.
MAX_ATTEMPTS = 5


_QUEUED = "planner_mail_queued"
DEFAULT_TIMEZONE = "Asia/Seoul"


@dataclass(frozen=True)
class Recipient:
    """Who reads a mail, and in which language; `timezone` is for times not tied to an offer
    (an offer's deadlines are always given in the offer's own zone)."""

    email: str
    locale: str = "en"
    name: str = ""
    timezone: str = DEFAULT_TIMEZONE


@dataclass(frozen=True)
class Notification:
    """One template rendered for several recipients (the bulk variant takes many)."""

    recipients: Sequence[Recipient]
    template: str
    context: Mapping[str, object] = field(default_factory=dict)
    sensitive: bool = False


def absolute_url(endpoint: str, **values: object) -> str:
    """A link for a mail or feed, always on SITE_URL: never built from the request's Host
    header, which a client controls, and also available in commands and timers."""
    adapter = current_app.url_map.bind("localhost", url_scheme="https")
    return current_app.config["SITE_URL"].rstrip("/") + adapter.build(endpoint, values)


def _locale(recipient: Recipient) -> str:
    languages = current_app.config["LANGUAGES"]
    return recipient.locale if recipient.locale in languages else str(current_app.config["BABEL_DEFAULT_LOCALE"])


def render(template_name: str, recipient: Recipient, context: Mapping[str, object]) -> tuple[str, str]:
    """(subject, body) of a mail template for one recipient, rendered in the recipient's
    language. A mail template is a text file with a `subject` and a `body` block, kept under
    templates/<domain>/email/."""
    with force_locale(_locale(recipient)):
        return _render_blocks(template_name, {**context, "recipient": recipient})


def _render_blocks(template_name: str, context: Mapping[str, object]) -> tuple[str, str]:
    template = current_app.jinja_env.get_template(template_name)
    values = dict(context)
    current_app.update_template_context(values)
    ctx = template.new_context(values)
    # A subject is one header line: a line break (from an exhibition's name, say) would make
    # the email library refuse the message, so it would never be sent.
    subject = " ".join("".join(template.blocks["subject"](ctx)).split())
    body = "".join(template.blocks["body"](ctx)).strip("\n") + "\n"
    return subject, body


def notify(recipients: Iterable[Recipient], template: str, *, sensitive: bool = False,
           **context: object) -> list[OutboxMessage]:
    """Queue `template` for each recipient, rendered in the recipient's language, in the
    caller's transaction: a rolled-back action sends nothing. `sensitive` marks mails that
    carry secret links, whose bodies are never shown in logs."""
    messages = []
    for recipient in recipients:
        subject, body = render(template, recipient, context)
        messages.append(enqueue(recipient.email, subject, body, sensitive=sensitive))
    return messages


def notify_bulk(notifications: Iterable[Notification]) -> int:
    """`notify` for many mails at once (publication tells thousands of companies): rendered
    per language in one pass and inserted in one statement. Returns how many were queued."""
    pending = [(_locale(r), n, r) for n in notifications for r in n.recipients]
    pending.sort(key=lambda item: item[0])
    rows = []
    for locale, group in groupby(pending, key=lambda item: item[0]):
        # One locale switch per language: switching per mail costs more than rendering it.
        with force_locale(locale):
            for _locale_code, notification, recipient in group:
                subject, body = _render_blocks(notification.template,
                                               {**notification.context, "recipient": recipient})
                rows.append(dict(to_addr=recipient.email, subject=subject[:300], body_text=body,
                                 is_sensitive=notification.sensitive))
    if rows:
        db.session.execute(insert(OutboxMessage.__table__), rows)
        db.session.info[_QUEUED] = True
    return len(rows)


def enqueue(to: str, subject: str, body: str, *, sensitive: bool = False) -> OutboxMessage:
    """Queue one plain-text email. Nothing is sent if the caller's transaction rolls back.

    `sensitive` marks mails carrying secret links (verification, reset, invitations) so their
    bodies are never printed in logs.
    """
    message = OutboxMessage(to_addr=to, subject=subject[:300], body_text=body, is_sensitive=sensitive)
    db.session.add(message)
    db.session.flush()
    db.session.info[_QUEUED] = True
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
    return current_app.config["MAIL_DIR"] or os.path.join(current_app.instance_path, "mail")


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
    transport = transport or transport_for(current_app.config["SMTP_URL"], mail_dir())
    sender = current_app.config["MAIL_FROM"]
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


def deliver_in_development(*, only_if_queued: bool = False) -> int:
    """Development convenience: with no SMTP_URL, deliver queued mail (to instance/mail/) right
    after the commit of the request that queued it, so no timer is needed. The unit of work
    calls it after each commit; it commits its own bookkeeping. With SMTP configured it does
    nothing: the timer-run `flask --app planner notifications send` delivers instead.
    `only_if_queued`: do nothing unless this session queued mail (the unit of work's check, so a
    request that sent nothing does no outbox query)."""
    queued = db.session.info.pop(_QUEUED, False)
    if (only_if_queued and not queued) or current_app.config["SMTP_URL"]:
        return 0
    try:
        sent = deliver_pending()
        db.session.commit()
    except Exception:  # noqa: BLE001 - the user's action already succeeded; the CLI retries later
        db.session.rollback()
        log.exception("delivering queued mail failed")
        return 0
    return sent
