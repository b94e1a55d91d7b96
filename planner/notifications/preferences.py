"""Optional mail: the categories a reader may turn off, their opt-outs, and the signed,
single-purpose unsubscribe links that work without logging in (RFC 8058 one-click)."""
from __future__ import annotations

from collections.abc import Iterable

from flask import current_app
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import delete, select

from planner.errors import NotFound
from planner.extensions import db
from planner.i18n import N_, _
from planner.notifications.links import absolute_url
from planner.notifications.models import MailOptOut

# Mails the rules require (account links, application status, allocation results, confirmation
# deadlines) have no category: a company must not miss them by a click.
OPTIONAL_CATEGORIES: dict[str, str] = {
    "reminders": N_("Reminders of application windows closing and of my milestones"),
    "announcements": N_("Announcements from the agency's coordinators"),
    "exhibition_updates": N_("Changes to exhibitions I applied for"),
}
_SALT = "planner.notifications.unsubscribe"


class UnsubscribeLinkInvalid(NotFound):
    pass


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _normalise(email: str) -> str:
    return email.strip().lower()


def unsubscribe_token(email: str, category: str) -> str:
    """A link that turns off one category for one address, and nothing else. It does not
    expire: an old mail's link must still work."""
    return str(_serializer().dumps({"e": _normalise(email), "c": category}))


def unsubscribe_url(email: str, category: str) -> str:
    return absolute_url("notifications.unsubscribe", token=unsubscribe_token(email, category))


def read_unsubscribe_token(token: str) -> tuple[str, str]:
    try:
        payload = _serializer().loads(token)
    except BadData as exc:
        raise UnsubscribeLinkInvalid(_("This unsubscribe link is not valid.")) from exc
    if not isinstance(payload, dict) or payload.get("c") not in OPTIONAL_CATEGORIES:
        raise UnsubscribeLinkInvalid(_("This unsubscribe link is not valid."))
    return str(payload["e"]), str(payload["c"])


def opted_out(emails: Iterable[str], category: str) -> set[str]:
    """Which of these addresses turned `category` off (normalised addresses)."""
    wanted = sorted({_normalise(e) for e in emails})
    found: set[str] = set()
    for start in range(0, len(wanted), 5000):
        found.update(db.session.scalars(select(MailOptOut.email).where(
            MailOptOut.category == category, MailOptOut.email.in_(wanted[start:start + 5000]))))
    return found


def categories_off(email: str) -> set[str]:
    return set(db.session.scalars(select(MailOptOut.category).where(MailOptOut.email == _normalise(email))))


def set_categories_off(email: str, categories: Iterable[str]) -> None:
    """Make exactly `categories` the optional mails this address does not receive."""
    address = _normalise(email)
    wanted = {c for c in categories if c in OPTIONAL_CATEGORIES}
    current = categories_off(address)
    for category in wanted - current:
        db.session.add(MailOptOut(email=address, category=category))
    if current - wanted:
        db.session.execute(delete(MailOptOut).where(MailOptOut.email == address,
                                                    MailOptOut.category.in_(current - wanted)))
    db.session.flush()


def unsubscribe(token: str) -> tuple[str, str]:
    """Turn off the category a link names; idempotent. Returns (address, category)."""
    email, category = read_unsubscribe_token(token)
    if category not in categories_off(email):
        db.session.add(MailOptOut(email=email, category=category))
        db.session.flush()
    return email, category
