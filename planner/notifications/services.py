"""The one notification pipeline: `notify` renders a mail template per recipient in the
recipient's language and queues it in the caller's transaction (the outbox); delivery happens
later (the `notifications send` timer, or right after the request's commit in development)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import groupby

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import insert

from planner.db import utcnow
from planner.extensions import db
from planner.i18n import _
from planner.notifications.delivery import QUEUED_FLAG
from planner.notifications.links import absolute_url as absolute_url  # noqa: F401  (one import for callers)
from planner.notifications.models import OutboxMessage
from planner.notifications.preferences import OPTIONAL_CATEGORIES, opted_out, unsubscribe_url

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
    category: str | None = None
    reply_to: str | None = None


def _locale(recipient: Recipient) -> str:
    languages = current_app.config["LANGUAGES"]
    return recipient.locale if recipient.locale in languages else str(current_app.config["BABEL_DEFAULT_LOCALE"])


def render(template_name: str, recipient: Recipient, context: Mapping[str, object], *,
           category: str | None = None) -> tuple[str, str]:
    """(subject, body) of a mail template for one recipient, rendered in the recipient's
    language. A mail template is a text file with a `subject` and a `body` block, kept under
    templates/<domain>/email/. An optional mail (`category`) ends with its unsubscribe link."""
    with force_locale(_locale(recipient)):
        subject, body = _render_blocks(template_name, {**context, "recipient": recipient})
        if category is not None:
            body += _unsubscribe_footer(recipient.email, category)
        return subject, body


def _unsubscribe_footer(email: str, category: str) -> str:
    what = _(OPTIONAL_CATEGORIES[category])
    return "\n-- \n" + _("You receive this as: %(what)s. To stop these mails, open %(link)s",
                          what=what, link=unsubscribe_url(email, category)) + "\n"


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
           reply_to: str | None = None, category: str | None = None,
           **context: object) -> list[OutboxMessage]:
    """Queue `template` for each recipient, rendered in the recipient's language, in the
    caller's transaction: a rolled-back action sends nothing. `sensitive` marks mails that
    carry secret links, whose bodies are never shown in logs. `category` makes the mail
    optional (see notifications.preferences): readers who turned it off are skipped, and the
    others get an unsubscribe link and List-Unsubscribe headers."""
    recipients = list(recipients)
    skipped = opted_out((r.email for r in recipients), category) if category else set()
    messages = []
    for recipient in recipients:
        if recipient.email.strip().lower() in skipped:
            continue
        subject, body = render(template, recipient, context, category=category)
        messages.append(enqueue(recipient.email, subject, body, sensitive=sensitive,
                                kind=_kind(template), reply_to=reply_to, category=category))
    return messages


def _kind(template: str) -> str:
    """"allocation/email/results.txt" -> "allocation.results": what the outbox page filters on."""
    domain, _sep, rest = template.partition("/")
    return f"{domain}.{rest.rsplit('/', 1)[-1].removesuffix('.txt')}"[:60]


def notify_bulk(notifications: Iterable[Notification]) -> int:
    """`notify` for many mails at once (publication tells thousands of companies): rendered
    per language in one pass and inserted in one statement. Returns how many were queued."""
    now = utcnow()
    notifications = list(notifications)
    skipped = {category: opted_out((r.email for n in notifications if n.category == category
                                    for r in n.recipients), category)
               for category in {n.category for n in notifications} if category}
    pending = [(_locale(r), n, r) for n in notifications for r in n.recipients
               if not n.category or r.email.strip().lower() not in skipped[n.category]]
    pending.sort(key=lambda item: item[0])
    rows = []
    for locale, group in groupby(pending, key=lambda item: item[0]):
        # One locale switch per language: switching per mail costs more than rendering it.
        with force_locale(locale):
            for _locale_code, notification, recipient in group:
                subject, body = _render_blocks(notification.template,
                                               {**notification.context, "recipient": recipient})
                if notification.category:
                    body += _unsubscribe_footer(recipient.email, notification.category)
                rows.append(dict(to_addr=recipient.email, subject=subject[:300], body_text=body,
                                 is_sensitive=notification.sensitive, kind=_kind(notification.template),
                                 category=notification.category, reply_to=notification.reply_to,
                                 created_at=now, waiting_since=now))
    if rows:
        db.session.execute(insert(OutboxMessage.__table__), rows)
        db.session.info[QUEUED_FLAG] = True
    return len(rows)


def enqueue(to: str, subject: str, body: str, *, sensitive: bool = False, kind: str = "",
            reply_to: str | None = None, category: str | None = None) -> OutboxMessage:
    """Queue one plain-text email. Nothing is sent if the caller's transaction rolls back.

    `sensitive` marks mails carrying secret links (verification, reset, invitations) so their
    bodies are never printed in logs.
    """
    message = OutboxMessage(to_addr=to, subject=subject[:300], body_text=body, is_sensitive=sensitive,
                            kind=kind[:60], reply_to=reply_to, category=category)
    db.session.add(message)
    db.session.flush()
    db.session.info[QUEUED_FLAG] = True
    return message
