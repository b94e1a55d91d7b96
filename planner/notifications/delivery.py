"""Delivery of queued mail: due messages are claimed with row locks, sent through the
configured transport, and retried with exponential back-off until a retry horizon; permanent
refusals (SMTP 5xx) fail at once. Run by the `notifications send` timer, and right after each
request's commit in development."""
from __future__ import annotations

import datetime as dt
import html
import logging
import os
import random
import re
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

from flask import current_app
from sqlalchemy import ColumnElement, CursorResult, func, or_, select, update

from planner.db import utcnow
from planner.extensions import db
from planner.notifications.models import OutboxMessage, OutboxState
from planner.notifications.preferences import unsubscribe_url
from planner.notifications.transports import Transport, transport_for

log = logging.getLogger("planner.mail")

# Set on the session by whatever queues mail, so the unit of work delivers only when needed.
QUEUED_FLAG = "planner_mail_queued"
_URL = re.compile(r"https?://[^\s<>\"]+")


def _mask(address: str) -> str:
    local, _sep, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def describe(message: OutboxMessage) -> str:
    """How a mail appears in logs: "mail #12 to a***@example.com: subject" (never the body)."""
    return f"mail #{message.id} to {_mask(message.to_addr)}: {message.subject}"


def html_body(text: str) -> str:
    """The plain text as a simple HTML part: paragraphs, line breaks and clickable links."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        escaped = html.escape(block)
        linked = _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)
        paragraphs.append("<p>" + linked.replace("\n", "<br>\n") + "</p>")
    return ('<!DOCTYPE html><html><body style="font-family: sans-serif; line-height: 1.5; '
            'max-width: 40em">\n' + "\n".join(paragraphs) + "\n</body></html>\n")


def build(message: OutboxMessage) -> EmailMessage:
    config = current_app.config
    email = EmailMessage()
    email["From"] = formataddr((config["MAIL_SENDER_NAME"], config["MAIL_FROM"]))
    email["To"] = message.to_addr
    if message.reply_to:
        email["Reply-To"] = message.reply_to
    if message.category:
        # RFC 2369 and RFC 8058: mail programs offer a one-click "unsubscribe" for this kind.
        email["List-Unsubscribe"] = f"<{unsubscribe_url(message.to_addr, message.category)}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # A subject is one header line: a line break (from an exhibition's name, say) would make
    # the email library refuse the message, so it would never be sent.
    email["Subject"] = " ".join(message.subject.split())
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(idstring=f"outbox{message.id}")
    email["X-Outbox-Id"] = str(message.id)
    email.set_content(message.body_text)
    email.add_alternative(html_body(message.body_text), subtype="html")
    return email


def mail_dir() -> str:
    return current_app.config["MAIL_DIR"] or os.path.join(current_app.instance_path, "mail")


def is_permanent(exc: BaseException) -> bool:
    """A refusal that retrying cannot cure: an SMTP 5xx answer (no such user, rejected), or a
    message the mail library cannot even build. Timeouts, refused connections and 4xx wait."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in exc.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return isinstance(exc, (ValueError, UnicodeError))


def backoff(attempts: int, *, rng: random.Random | None = None) -> dt.timedelta:
    """Delay before the next try: doubling from MAIL_RETRY_BASE_SECONDS up to
    MAIL_RETRY_MAX_SECONDS, with ±50 % jitter so a recovering server is not hit by every
    message of an outage at once."""
    config = current_app.config
    base = float(config["MAIL_RETRY_BASE_SECONDS"]) * 2 ** max(0, attempts - 1)
    delay = min(base, float(config["MAIL_RETRY_MAX_SECONDS"]))
    return dt.timedelta(seconds=delay * (rng or random).uniform(0.5, 1.5))


def _record_failure(message: OutboxMessage, exc: BaseException, now: dt.datetime) -> None:
    message.last_error = f"{type(exc).__name__}: {exc}"[:1000]
    horizon = dt.timedelta(hours=float(current_app.config["MAIL_RETRY_HOURS"]))
    since = message.waiting_since or message.created_at
    if is_permanent(exc) or now - since >= horizon:
        message.failed_at = now
        message.next_attempt_at = None
        log.error("%s failed for good after %s attempt(s): %s", describe(message), message.attempts,
                  message.last_error)
    else:
        message.next_attempt_at = now + backoff(message.attempts)
        log.warning("%s failed (attempt %s), next try at %s: %s", describe(message), message.attempts,
                    message.next_attempt_at.isoformat(timespec="seconds"), message.last_error)


def _due(now: dt.datetime) -> list[ColumnElement[bool]]:
    m = OutboxMessage
    return [m.sent_at.is_(None), m.failed_at.is_(None),
            or_(m.next_attempt_at.is_(None), m.next_attempt_at <= now)]


def deliver_pending(*, limit: int = 100, now: dt.datetime | None = None,
                    transport: Transport | None = None) -> int:
    """Send up to `limit` due messages, oldest first; return how many were sent.

    Rows are claimed with FOR UPDATE SKIP LOCKED (PostgreSQL; SQLite serialises writers), and
    the lock lasts until the caller commits, so two senders running at once never send the same
    mail twice. Flushes; the caller commits.
    """
    now = now or utcnow()
    rows = list(db.session.scalars(
        select(OutboxMessage).where(*_due(now)).order_by(OutboxMessage.id).limit(limit)
        .with_for_update(skip_locked=True)))
    if not rows:
        return 0
    transport = transport or transport_for(current_app.config["SMTP_URL"], mail_dir())
    try:
        transport.open()
    except Exception as exc:  # noqa: BLE001 - server unreachable: every message waits its turn
        for message in rows:
            message.attempts = (message.attempts or 0) + 1
            _record_failure(message, exc, now)
        db.session.flush()
        log.warning("mail transport unavailable, %s message(s) wait: %s", len(rows), exc)
        return 0
    sent = 0
    try:
        for message in rows:
            message.attempts = (message.attempts or 0) + 1
            try:
                where = transport.send(build(message))
            except Exception as exc:  # noqa: BLE001 - recorded on the message; the batch goes on
                _record_failure(message, exc, now)
                continue
            message.sent_at = now
            message.next_attempt_at = None
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
    queued = db.session.info.pop(QUEUED_FLAG, False)
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


def retry(*, message_ids: list[int] | None = None, now: dt.datetime | None = None) -> int:
    """Put failed messages back in the queue (all of them, or the ids given), due at once with
    a fresh retry horizon. Returns how many."""
    now = now or utcnow()
    m = OutboxMessage
    statement = (update(m).where(m.sent_at.is_(None), m.failed_at.is_not(None))
                 .values(failed_at=None, next_attempt_at=None, waiting_since=now, last_error=m.last_error))
    if message_ids is not None:
        statement = statement.where(m.id.in_(message_ids))
    result = db.session.execute(statement)
    assert isinstance(result, CursorResult)
    db.session.info[QUEUED_FLAG] = True  # in development, sent right after the commit
    return int(result.rowcount or 0)


@dataclass(frozen=True)
class OutboxHealth:
    waiting: int
    failed: int
    oldest_waiting_seconds: int | None
    healthy: bool


def health(*, now: dt.datetime | None = None) -> OutboxHealth:
    """What a monitor needs: waiting and failed counts and the oldest waiting message's age;
    unhealthy when that age passes MAIL_HEALTH_MAX_AGE_MINUTES (the timer or the mail server
    is down)."""
    now = now or utcnow()
    m = OutboxMessage
    waiting, oldest = db.session.execute(
        select(func.count(), func.min(func.coalesce(m.waiting_since, m.created_at)))
        .where(m.sent_at.is_(None), m.failed_at.is_(None))).one()
    failed = db.session.scalar(select(func.count()).where(m.sent_at.is_(None), m.failed_at.is_not(None)))
    age = None
    if oldest is not None:
        if oldest.tzinfo is None:  # SQLite's min() returns the stored text without our type
            oldest = oldest.replace(tzinfo=dt.timezone.utc)
        age = max(0, int((now - oldest).total_seconds()))
    limit = float(current_app.config["MAIL_HEALTH_MAX_AGE_MINUTES"]) * 60
    return OutboxHealth(waiting=int(waiting), failed=int(failed or 0), oldest_waiting_seconds=age,
                        healthy=age is None or age <= limit)


@dataclass(frozen=True)
class OutboxPage:
    items: list[OutboxMessage]
    total: int
    number: int
    pages: int
    kinds: list[str]


def search_outbox(*, state: OutboxState | None = None, recipient: str = "", kind: str = "",
                  page: int = 1, per_page: int = 50) -> OutboxPage:
    """The outbox for coordinators, newest first: by state, recipient (part of the address)
    and kind."""
    m = OutboxMessage
    where: list[ColumnElement[bool]] = []
    if state is OutboxState.sent:
        where.append(m.sent_at.is_not(None))
    elif state is OutboxState.failed:
        where += [m.sent_at.is_(None), m.failed_at.is_not(None)]
    elif state is OutboxState.waiting:
        where += [m.sent_at.is_(None), m.failed_at.is_(None)]
    if recipient:
        escaped = recipient.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append(func.lower(m.to_addr).like(f"%{escaped}%", escape="\\"))
    if kind:
        where.append(m.kind == kind)
    total = int(db.session.scalar(select(func.count()).select_from(m).where(*where)) or 0)
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    items = list(db.session.scalars(select(m).where(*where).order_by(m.id.desc())
                                    .limit(per_page).offset((page - 1) * per_page)))
    kinds = [k for k in db.session.scalars(select(m.kind).distinct().order_by(m.kind)) if k]
    return OutboxPage(items=items, total=total, number=page, pages=pages, kinds=kinds)
