"""Two-factor sign-in: an authenticator app's time-based codes (TOTP, RFC 6238) and one-time
recovery codes. Staff must use it (STAFF_TWO_FACTOR), applicants may."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import pyotp
from flask import current_app

from planner.accounts.models import LoginSession, TwoFactor, User
from planner.accounts.services.errors import AccountError
from planner.db import utcnow
from planner.extensions import db
from planner.i18n import _

ISSUER = "Exhibition Planner"
RECOVERY_CODES = 10


def _digest(code: str) -> str:
    return hashlib.sha256("".join(code.split()).replace("-", "").lower().encode()).hexdigest()


def enrolment(user: User) -> TwoFactor | None:
    return db.session.get(TwoFactor, user.id)


def is_enrolled(user: User) -> bool:
    row = enrolment(user)
    return row is not None and row.enabled_at is not None


def second_factor_required(user: User) -> bool:
    """Staff always (unless the site switched it off), anyone else once they enrolled."""
    return (user.is_staff and bool(current_app.config["STAFF_TWO_FACTOR"])) or is_enrolled(user)


def begin_enrolment(user: User) -> TwoFactor:
    """The pending enrolment (a new secret the first time); enabled only by confirm_enrolment."""
    row = enrolment(user)
    if row is None:
        row = TwoFactor(user_id=user.id, secret=pyotp.random_base32(), last_step=0, recovery_codes=[])
        db.session.add(row)
        db.session.flush()
    return row


def provisioning_uri(user: User, row: TwoFactor) -> str:
    """The otpauth:// address an authenticator app reads (typed in, or pasted from the page)."""
    return pyotp.TOTP(row.secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def _accept_code(row: TwoFactor, code: str, now: dt.datetime) -> bool:
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return False
    totp = pyotp.TOTP(row.secret)
    # One step either side for clocks that drift; each step's code counts once.
    for offset in (0, -1, 1):
        at = now + dt.timedelta(seconds=30 * offset)
        step = totp.timecode(at)
        if step > row.last_step and secrets.compare_digest(totp.at(at), code):
            row.last_step = step
            return True
    return False


def confirm_enrolment(user: User, code: str, *, now: dt.datetime | None = None) -> list[str]:
    """Enable two-factor sign-in once the app shows a right code; returns the recovery codes,
    shown to the user this once (only their digests are kept)."""
    row = begin_enrolment(user)
    if not _accept_code(row, code, now or utcnow()):
        raise AccountError(_("That code is not right. Check the time on your phone and enter the newest code."))
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _n in range(RECOVERY_CODES)]
    row.recovery_codes = [_digest(c) for c in codes]
    row.enabled_at = now or utcnow()
    db.session.flush()
    return codes


def check_second_factor(user: User, code: str, *, now: dt.datetime | None = None) -> None:
    """Accept a current code from the app or an unused recovery code (which is then used up)."""
    # Locked and re-read: two sign-ins sending the same code (or recovery code) at once are
    # taken one after the other, so the second finds it used up.
    row = db.session.get(TwoFactor, user.id, with_for_update=True, populate_existing=True)
    if row is None or row.enabled_at is None:
        raise AccountError(_("Two-factor sign-in is not set up for this account."))
    if _accept_code(row, code, now or utcnow()):
        db.session.flush()
        return
    digest = _digest(code)
    if digest in row.recovery_codes:
        row.recovery_codes = [d for d in row.recovery_codes if d != digest]
        db.session.flush()
        return
    raise AccountError(_("That code is not right. Enter the newest code from your app, or one of your recovery codes."))


def mark_second_factor_passed(login_session_id: str, *, now: dt.datetime | None = None) -> None:
    login_session = db.session.get(LoginSession, login_session_id)
    if login_session is not None:
        login_session.second_factor_at = now or utcnow()
        db.session.flush()


def pending_login(user_id: str) -> tuple[User, LoginSession] | None:
    """The user and session of a sign-in that passed the password and awaits the second factor
    (`user_id` as Flask-Login's id: "<id>:<version>:<session>")."""
    raw_id, version, login_session_id = (user_id.split(":") + ["", ""])[:3]
    if not raw_id.isdigit() or not version.isdigit() or not login_session_id:
        return None
    user = db.session.get(User, int(raw_id))
    login_session = db.session.get(LoginSession, login_session_id)
    if user is None or not user.is_active or user.session_version != int(version) or login_session is None \
            or login_session.user_id != user.id or login_session.second_factor_at is not None:
        return None
    user.login_session_id = login_session_id
    return user, login_session
