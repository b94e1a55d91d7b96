"""Account emails (verification, password reset, invitation): rendered from
templates/accounts/email/*.txt in the recipient's language and queued in the outbox."""
from __future__ import annotations

import datetime as dt

from flask import current_app, has_request_context, render_template
from flask_babel import force_locale, get_locale, gettext as _

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


def send_verification(user: User, *, now: dt.datetime | None = None) -> None:
    token = services.make_user_token(services.TokenPurpose.verify_email, user, now=now)
    with force_locale(_locale_for(user)):
        body = render_template("accounts/email/verify.txt", user=user,
                               link=absolute_url("accounts.verify", token=token),
                               hours=_hours(services.TokenPurpose.verify_email))
        subject = _("Confirm your email address for the Exhibition Planner")
    enqueue(user.email, subject, body, sensitive=True)


def send_password_reset(user: User, *, now: dt.datetime | None = None) -> None:
    token = services.make_user_token(services.TokenPurpose.reset_password, user, now=now)
    with force_locale(_locale_for(user)):
        body = render_template("accounts/email/reset_password.txt", user=user,
                               link=absolute_url("accounts.reset_password", token=token),
                               hours=_hours(services.TokenPurpose.reset_password))
        subject = _("Reset your Exhibition Planner password")
    enqueue(user.email, subject, body, sensitive=True)


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
