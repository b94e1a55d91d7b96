"""Users: email addresses, creating accounts, logging in, and the Flask-Login user loader."""
from __future__ import annotations

import datetime as dt
import functools
import re

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from planner.accounts.models import Role, User
from planner.accounts.services.errors import AccountError, EmailNotVerified
from planner.accounts.services.passwords import check_password_policy, hash_password
from planner.accounts.services.sessions import open_session
from planner.accounts.services.twofactor import second_factor_required
from planner.db import utcnow
from planner.extensions import db
from planner.i18n import _


def normalise_email(email: str) -> str:
    return email.strip().lower()


def mask_email(email: str) -> str:
    """`a***@example.com`: enough to tell mails apart in a log without naming the person."""
    local, _sep, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def one_line(text: str) -> str:
    # Names end up in email subjects and headers, where a line break would be refused.
    return " ".join(text.split())


def check_email_format(email: str) -> None:
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email) or len(email) > 254:
        raise AccountError(_("Enter a valid email address."))


def ensure_email_free(email: str) -> None:
    """Refuse an address that already has an account (`email` normalised)."""
    if get_user_by_email(email) is not None:
        raise AccountError(_("An account with this email already exists. Log in, or reset your password if you forgot it."))


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.email == normalise_email(email)))


def load_user(user_id: str) -> User | None:
    """Flask-Login loader: the id carries the session version, so old sessions stop working
    when the password changes, and the login session, which logout deletes on the server."""
    raw_id, version, login_session_id = (user_id.split(":") + ["", ""])[:3]
    if not raw_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(raw_id))
    # A deactivated account loses the sessions it already has, not only future logins.
    if user is None or user.session_version != int(version) or not user.is_active:
        return None
    login_session = open_session(user, login_session_id)
    if login_session is None:
        return None
    # Half signed in (password right, second factor still to come) is not signed in.
    if login_session.second_factor_at is None and second_factor_required(user):
        return None
    user.login_session_id = login_session_id
    return user


def create_user(email: str, password: str, *, role: Role = Role.applicant, name: str = "",
                company_id: int | None = None, verified: bool = False,
                now: dt.datetime | None = None, locale: str | None = None) -> User:
    """Create a user; raises AccountError if the email is taken or the password too weak."""
    email = normalise_email(email)
    check_email_format(email)
    ensure_email_free(email)
    check_password_policy(password, email=email)
    user = User(email=email, password_hash=hash_password(password), role=role, name=one_line(name),
                company_id=company_id, email_verified_at=(now or utcnow()) if verified else None,
                session_version=1, locale=locale)
    db.session.add(user)
    db.session.flush()
    return user


@functools.cache
def _dummy_hash() -> str:
    # Made on first use, not at import: every command and worker would pay for the hash.
    return generate_password_hash("not-a-real-password")


def authenticate(email: str, password: str) -> User | None:
    user = get_user_by_email(email)
    if user is None:
        # Spend the same time as a real check so response time does not reveal accounts.
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.is_active:
        return None
    return user


def ensure_email_verified(user: User) -> None:
    """For other domains (sign-ups): refuse actions of users who have not confirmed their email."""
    if user.email_verified_at is None:
        raise EmailNotVerified(_("Please confirm your email address first: open the link we sent you, or ask for a new one from your company page."))


def set_mail_language(user: User, locale: str) -> None:
    """The language the user's mail (and, when they have chosen none other, pages) is written in."""
    if locale not in current_app.config["LANGUAGES"]:
        raise AccountError(_("Choose English or Korean."))
    user.locale = locale
    db.session.flush()


def record_login(user: User, *, now: dt.datetime | None = None) -> None:
    user.last_login_at = now or utcnow()
    db.session.flush()
