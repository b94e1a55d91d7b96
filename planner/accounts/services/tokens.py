"""Signed, expiring one-time links: making and reading them, and what the email-verification
and password-reset links do."""
from __future__ import annotations

import datetime as dt
import hashlib
from enum import StrEnum

from flask import current_app
from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from planner.accounts.models import User
from planner.accounts.services.errors import TokenInvalid
from planner.accounts.services.passwords import set_password
from planner.accounts.services.users import get_user_by_email
from planner.db import utcnow
from planner.extensions import db
from planner.i18n import _


class TokenPurpose(StrEnum):
    verify_email = "verify-email"
    reset_password = "reset-password"
    invitation = "invitation"
    staff_invitation = "staff-invitation"


# How long each kind of link stays valid.
TOKEN_MAX_AGE: dict[TokenPurpose, dt.timedelta] = {
    TokenPurpose.verify_email: dt.timedelta(hours=48),
    TokenPurpose.reset_password: dt.timedelta(hours=1),
    TokenPurpose.invitation: dt.timedelta(days=7),
    # An invited coordinator chooses a password through it, like a reset link that lasts longer.
    TokenPurpose.staff_invitation: dt.timedelta(days=7),
}


class _ClockSigner(TimestampSigner):
    """A TimestampSigner whose clock can be set, so tests and services pass `now`."""

    def __init__(self, *args: object, now: float | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._now = now

    def get_timestamp(self) -> int:
        return int(self._now) if self._now is not None else super().get_timestamp()


def _serializer(purpose: TokenPurpose, now: dt.datetime | None) -> URLSafeTimedSerializer:
    # One salt per purpose: a reset link can never be replayed as a verification link.
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt=f"planner.accounts.{purpose.value}",
        signer=_ClockSigner, signer_kwargs={"now": (now or utcnow()).timestamp()})


def _user_state(user: User) -> str:
    # Changes whenever a link of this user is used (password, verification, session version),
    # so each link works once: after use the state no longer matches the one signed in the link.
    verified = user.email_verified_at.timestamp() if user.email_verified_at else None
    raw = f"{user.id}|{user.email}|{user.password_hash}|{verified}|{user.session_version}"
    return hashlib.sha256(raw.encode()).hexdigest()[:20]


def make_token(purpose: TokenPurpose, payload: dict[str, object], *,
               now: dt.datetime | None = None) -> str:
    return str(_serializer(purpose, now).dumps(payload))


def read_token(purpose: TokenPurpose, token: str, *, now: dt.datetime | None = None) -> dict[str, object]:
    """The payload of a link made for `purpose`; raises TokenInvalid when it is expired or
    tampered with (or made for another purpose)."""
    max_age = int(TOKEN_MAX_AGE[purpose].total_seconds())
    try:
        payload = _serializer(purpose, now).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise TokenInvalid(_("This link has expired."), "expired") from exc
    except BadData as exc:
        raise TokenInvalid(_("This link is not valid. Please check that you copied all of it."),
                           "invalid") from exc
    if not isinstance(payload, dict):
        raise TokenInvalid(_("This link is not valid. Please check that you copied all of it."), "invalid")
    return payload


def make_user_token(purpose: TokenPurpose, user: User, *, now: dt.datetime | None = None) -> str:
    return make_token(purpose, {"u": user.id, "s": _user_state(user)}, now=now)


def _user_from_token(purpose: TokenPurpose, token: str, now: dt.datetime | None) -> User:
    payload = read_token(purpose, token, now=now)
    user_id = payload.get("u")
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    # A deactivated account's links die with it, even those sent before it was deactivated.
    if user is None or not user.is_active:
        raise TokenInvalid(_("This link is not valid. Please check that you copied all of it."), "invalid")
    if payload.get("s") != _user_state(user):
        raise TokenInvalid(_("This link has already been used."), "used")
    return user


def verify_email(token: str, *, now: dt.datetime | None = None) -> User:
    """Mark the email of the link's user as verified; raises TokenInvalid for an expired, used
    or tampered link. A link for an already verified user counts as used."""
    user = _user_from_token(TokenPurpose.verify_email, token, now)
    if user.email_verified_at is not None:
        raise TokenInvalid(_("This link has already been used."), "used")
    user.email_verified_at = now or utcnow()
    db.session.flush()
    return user


def user_for_password_reset(token: str, *, now: dt.datetime | None = None,
                            purpose: TokenPurpose = TokenPurpose.reset_password) -> User:
    """The user a reset link (or a staff invitation, which works the same) belongs to, if the
    link is still valid (raises TokenInvalid)."""
    return _user_from_token(purpose, token, now)


def reset_password(token: str, password: str, *, now: dt.datetime | None = None,
                   purpose: TokenPurpose = TokenPurpose.reset_password) -> User:
    """Set a new password through a reset link (or a staff invitation); the link proves the
    address, so it also counts as verifying it. Every existing session of the user is logged out."""
    user = user_for_password_reset(token, now=now, purpose=purpose)
    set_password(user, password)
    if user.email_verified_at is None:
        user.email_verified_at = now or utcnow()
    db.session.flush()
    return user


def user_for_password_reset_request(email: str) -> User | None:
    """The active account a "forgot password" request is about, or None (the view answers the
    same either way, so nobody learns which addresses have accounts)."""
    user = get_user_by_email(email)
    return user if user is not None and user.is_active else None
