"""Account emails (verification, password reset, invitations of colleagues and staff): templates/accounts/email/*.txt,
queued through the notification pipeline in the reader's language."""
from __future__ import annotations

import datetime as dt

from flask import current_app, has_request_context
from flask_babel import get_locale

from planner.accounts import services
from planner.accounts.models import Invitation, User
from planner.accounts.recipients import user_recipient
from planner.notifications.services import Recipient, absolute_url, notify


def _request_locale() -> str:
    # Outside a request (CLI) there is no browser language to go by.
    if has_request_context():
        return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def _hours(purpose: services.TokenPurpose) -> int:
    return int(services.TOKEN_MAX_AGE[purpose].total_seconds() // 3600)


def _send_user_link(user: User, purpose: services.TokenPurpose, *, template: str, endpoint: str,
                    now: dt.datetime | None) -> None:
    """Queue a mail carrying a signed, expiring link for `user` (verification or reset)."""
    token = services.make_user_token(purpose, user, now=now)
    notify([user_recipient(user, fallback_locale=_request_locale())], template, sensitive=True,
           user=user, link=absolute_url(endpoint, token=token), hours=_hours(purpose))


def send_verification(user: User, *, now: dt.datetime | None = None) -> None:
    _send_user_link(user, services.TokenPurpose.verify_email, template="accounts/email/verify.txt",
                    endpoint="accounts.verify", now=now)


def send_password_reset(user: User, *, now: dt.datetime | None = None) -> None:
    _send_user_link(user, services.TokenPurpose.reset_password,
                    template="accounts/email/reset_password.txt", endpoint="accounts.reset_password",
                    now=now)


def answer_password_reset_request(email: str, *, now: dt.datetime | None = None) -> None:
    """A "forgot password" request queues one mail whoever asks: the reset link to an active
    account, else a note that the address has no account. The same work both ways, so neither
    the page nor its timing tells a stranger which addresses have accounts."""
    user = services.user_for_password_reset_request(email)
    if user is not None:
        send_password_reset(user, now=now)
        return
    notify([Recipient(email=services.normalise_email(email), locale=_request_locale())],
           "accounts/email/no_account.txt", sensitive=True, email=services.normalise_email(email),
           link=absolute_url("accounts.register"))


def answer_registration(registration_number: str, details: services.CompanyDetails, *, name: str, email: str,
                        password: str, locale: str | None = None, now: dt.datetime | None = None) -> None:
    """Sign a company up and queue one mail to the address whoever asks: the confirmation link
    to a new account, else a note to the owner of the account the address already has (which
    nothing here changes). The same answer both ways, so the registration page does not tell a
    stranger which addresses have accounts. Raises AccountError as services.register_company."""
    user = services.register_company(registration_number, details, name=name, email=email,
                                     password=password, now=now, locale=locale)
    if user is not None:
        send_verification(user, now=now)
        return
    existing = services.get_user_by_email(email)
    assert existing is not None
    notify([user_recipient(existing, fallback_locale=_request_locale())], "accounts/email/registration_taken.txt",
           sensitive=True, user=existing, login_link=absolute_url("accounts.login"),
           reset_link=absolute_url("accounts.forgot_password"))


def send_invitation(invitation: Invitation, *, inviter: User, now: dt.datetime | None = None) -> None:
    """The invitee's link to join; when the address already has an account (elsewhere), its
    owner is told instead, and there is no link: an account belongs to one company."""
    existing = services.get_user_by_email(invitation.email)
    if existing is not None:
        notify([user_recipient(existing, fallback_locale=inviter.locale or _request_locale())],
               "accounts/email/invitation_account_exists.txt", sensitive=True, user=existing,
               inviter=inviter, company=invitation.company, login_link=absolute_url("accounts.login"),
               reset_link=absolute_url("accounts.forgot_password"))
        return
    token = services.make_invitation_token(invitation, now=now)
    # The invitee has no account yet: write in the language the inviter uses.
    invitee = Recipient(email=invitation.email, locale=inviter.locale or _request_locale())
    notify([invitee], "accounts/email/invitation.txt", sensitive=True, inviter=inviter,
           company=invitation.company, link=absolute_url("accounts.accept_invitation", token=token),
           days=services.TOKEN_MAX_AGE[services.TokenPurpose.invitation].days)


def send_staff_invitation(user: User, *, inviter: User, now: dt.datetime | None = None) -> None:
    """The new coordinator's link to choose a password (valid for 7 days)."""
    token = services.make_user_token(services.TokenPurpose.staff_invitation, user, now=now)
    notify([user_recipient(user, fallback_locale=inviter.locale or _request_locale())],
           "accounts/email/staff_invitation.txt", sensitive=True, user=user, inviter=inviter,
           link=absolute_url("accounts.staff_welcome", token=token),
           days=services.TOKEN_MAX_AGE[services.TokenPurpose.staff_invitation].days)
