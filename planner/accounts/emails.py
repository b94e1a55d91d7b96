"""Account emails (verification, password reset, invitation): rendered from
templates/accounts/email/*.txt in the recipient's language and queued in the outbox."""
from __future__ import annotations

import datetime as dt

from flask import current_app, has_request_context, render_template
from flask_babel import LazyString, force_locale, get_locale, gettext as _, lazy_gettext as _l

from planner.accounts import services
from planner.accounts.models import Invitation, User
from planner.notifications.services import enqueue


def absolute_url(endpoint: str, **values: object) -> str:
    """A link for an email, always on SITE_URL: never built from the request's Host header,
    which a client controls (a forged Host would otherwise send reset links elsewhere)."""
    adapter = current_app.url_map.bind("localhost", url_scheme="https")
    return current_app.config["SITE_URL"].rstrip("/") + adapter.build(endpoint, values)


def _locale_for(user: User | None) -> str:
    if user is not None and user.locale in current_app.config["LANGUAGES"]:
        return str(user.locale)
    # Outside a request (CLI) there is no browser language to go by.
    if has_request_context():
        return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def _hours(purpose: services.TokenPurpose) -> int:
    return int(services.TOKEN_MAX_AGE[purpose].total_seconds() // 3600)


def _send_user_link(user: User, purpose: services.TokenPurpose, *, template: str, endpoint: str,
                    subject: LazyString, now: dt.datetime | None) -> None:
    """Queue a mail carrying a signed, expiring link for `user` (verification or reset)."""
    token = services.make_user_token(purpose, user, now=now)
    with force_locale(_locale_for(user)):
        body = render_template(template, user=user, link=absolute_url(endpoint, token=token),
                               hours=_hours(purpose))
        translated_subject = str(subject)  # lazy: translated in the recipient's language here
    enqueue(user.email, translated_subject, body, sensitive=True)


def send_verification(user: User, *, now: dt.datetime | None = None) -> None:
    _send_user_link(user, services.TokenPurpose.verify_email, template="accounts/email/verify.txt",
                    endpoint="accounts.verify",
                    subject=_l("Confirm your email address for the Exhibition Planner"), now=now)


def send_password_reset(user: User, *, now: dt.datetime | None = None) -> None:
    _send_user_link(user, services.TokenPurpose.reset_password,
                    template="accounts/email/reset_password.txt", endpoint="accounts.reset_password",
                    subject=_l("Reset your Exhibition Planner password"), now=now)


def send_invitation(invitation: Invitation, *, inviter: User, now: dt.datetime | None = None) -> None:
    token = services.make_invitation_token(invitation, now=now)
    # The invitee has no account yet: write in the language the inviter uses.
    with force_locale(_locale_for(inviter)):
        body = render_template("accounts/email/invitation.txt", inviter=inviter,
                               company=invitation.company,
                               link=absolute_url("accounts.accept_invitation", token=token),
                               days=services.TOKEN_MAX_AGE[services.TokenPurpose.invitation].days)
        subject = _("%(name)s invites you to the Exhibition Planner", name=inviter.name or inviter.email)
    enqueue(invitation.email, subject, body, sensitive=True)
