"""Accounts: companies, users, passwords, signed one-time links, and the Flask-Login user loader.

Every function here flushes and never commits: the calling view or command commits once.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from flask import current_app, has_request_context
from flask_babel import gettext
from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from planner.accounts.models import Company, Invitation, Role, User
from planner.db import utcnow
from planner.errors import PlannerError
from planner.extensions import db
from planner.vocab import Sector, SizeClass

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200

# A short list of passwords that meet the length rule yet fall to the first guesses of any attacker.
COMMON_PASSWORDS = frozenset({
    "1234567890", "12345678910", "0123456789", "1q2w3e4r5t", "1qaz2wsx3edc", "qwertyuiop",
    "qwerty1234", "qwerty12345", "password12", "password123", "password1234", "passw0rd123",
    "iloveyou12", "abcdefghij", "abcd123456", "abc1234567", "a123456789", "asdfghjkl1",
    "asdfghjkl;", "zaq12wsxcde", "q1w2e3r4t5", "p@ssw0rd12", "p@ssword123", "letmein123",
    "welcome123", "admin12345", "administrator", "changeme123", "football123", "baseball123",
    "sunshine123", "superman123", "princess123", "dragon1234", "monkey1234", "trustno1234",
    "korea12345", "seoul12345", "samsung123", "defence123", "defense123", "exhibition",
})


def _(message: str, **values: object) -> str:
    # Messages are translated for the request's language; outside a request (CLI, tests of
    # services) the English text is used, since choosing a locale needs a request.
    if has_request_context():
        return gettext(message, **values)
    return message % values if values else message


class AccountError(PlannerError):
    pass


class TokenInvalid(AccountError):
    """A link that is expired, already used or tampered with; `reason` says which."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class TokenPurpose(StrEnum):
    verify_email = "verify-email"
    reset_password = "reset-password"
    invitation = "invitation"


# How long each kind of link stays valid.
TOKEN_MAX_AGE: dict[TokenPurpose, dt.timedelta] = {
    TokenPurpose.verify_email: dt.timedelta(hours=48),
    TokenPurpose.reset_password: dt.timedelta(hours=1),
    TokenPurpose.invitation: dt.timedelta(days=7),
}


@dataclass(frozen=True)
class CompanyDetails:
    """The editable part of a company profile (everything but the registration number)."""

    legal_name: str
    size_class: SizeClass
    sectors: Sequence[str] = ()
    products: str = ""
    employees: int | None = None
    export_record: str = ""
    has_defence_exports: bool = False
    prior_exhibitions: Sequence[str] = field(default_factory=tuple)


# --- emails and passwords ---------------------------------------------------------------------

def normalise_email(email: str) -> str:
    return email.strip().lower()


def mask_email(email: str) -> str:
    """`a***@example.com`: enough to tell mails apart in a log without naming the person."""
    local, _sep, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def hash_password(password: str) -> str:
    # Werkzeug's default is scrypt, a memory-hard scheme.
    return generate_password_hash(password)


def check_password_policy(password: str, *, email: str | None = None) -> None:
    """Refuse passwords that are short, mostly one character, contain the email's local part,
    or are on the list of common passwords. Raises AccountError with the reason."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(_("Passwords need at least %(n)s characters.", n=MIN_PASSWORD_LENGTH))
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(_("Passwords may have at most %(n)s characters.", n=MAX_PASSWORD_LENGTH))
    folded = password.casefold()
    _char, count = Counter(folded).most_common(1)[0]
    if count * 2 > len(folded) or len(set(folded)) < 4:
        raise AccountError(_("This password repeats one character too often; choose a less predictable one."))
    if folded in COMMON_PASSWORDS or folded.rstrip("!.1") in COMMON_PASSWORDS:
        raise AccountError(_("This password is too common; choose a less predictable one."))
    if email:
        local = normalise_email(email).partition("@")[0]
        if len(local) >= 3 and local in folded:
            raise AccountError(_("Passwords may not contain your email address."))


# --- business registration numbers -------------------------------------------------------------

BRN_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def brn_check_digit(first9: str) -> int:
    """The check digit of a Korean business registration number (사업자등록번호).

    Multiply the first nine digits by 1,3,7,1,3,7,1,3,5, add the tens part of the ninth digit
    times five, and take what is missing to the next multiple of ten.
    """
    digits = [int(c) for c in first9]
    total = sum(d * w for d, w in zip(digits, BRN_WEIGHTS)) + (digits[8] * 5) // 10
    return (10 - total % 10) % 10


def normalise_registration_number(text: str) -> str:
    """Return the 10 digits of a business registration number typed as "123-45-67890" or
    "1234567890"; raise AccountError when it is malformed or its check digit is wrong."""
    digits = re.sub(r"[\s\-]", "", text or "")
    if not re.fullmatch(r"[0-9]{10}", digits):
        raise AccountError(_("A business registration number has 10 digits, e.g. 123-45-67890."))
    if brn_check_digit(digits[:9]) != int(digits[9]):
        raise AccountError(_("This business registration number is not valid: its check digit does not match. Please check it for typing errors."))
    return digits


def format_registration_number(digits: str) -> str:
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}" if len(digits) == 10 else digits


def get_company_by_registration_number(digits: str) -> Company | None:
    return db.session.scalar(db.select(Company).where(Company.registration_number == digits))


# --- users -----------------------------------------------------------------------------------

def load_user(user_id: str) -> User | None:
    """Flask-Login loader: the id carries the session version, so old sessions stop working."""
    raw_id, _sep, version = user_id.partition(":")
    if not raw_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(raw_id))
    # A deactivated account loses the sessions it already has, not only future logins.
    if user is None or user.session_version != int(version) or not user.is_active:
        return None
    return user


def _check_email_format(email: str) -> None:
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email) or len(email) > 254:
        raise AccountError(_("Enter a valid email address."))


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.email == normalise_email(email)))


def create_user(email: str, password: str, *, role: Role = Role.applicant, name: str = "",
                company_id: int | None = None, verified: bool = False,
                now: dt.datetime | None = None, locale: str | None = None) -> User:
    """Create a user; raises AccountError if the email is taken or the password too weak."""
    email = normalise_email(email)
    _check_email_format(email)
    if get_user_by_email(email) is not None:
        raise AccountError(_("An account with this email already exists. Log in, or reset your password if you forgot it."))
    check_password_policy(password, email=email)
    user = User(email=email, password_hash=hash_password(password), role=role, name=_one_line(name),
                company_id=company_id, email_verified_at=(now or utcnow()) if verified else None,
                session_version=1, locale=locale)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    user = get_user_by_email(email)
    if user is None:
        # Spend the same time as a real check so response time does not reveal accounts.
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.is_active:
        return None
    return user


class EmailNotVerified(AccountError):
    pass


def ensure_email_verified(user: User) -> None:
    """For other domains (sign-ups): refuse actions of users who have not confirmed their email."""
    if user.email_verified_at is None:
        raise EmailNotVerified(_("Please confirm your email address first: open the link we sent you, or ask for a new one from your company page."))


def record_login(user: User, *, now: dt.datetime | None = None) -> None:
    user.last_login_at = now or utcnow()
    db.session.flush()


def set_password(user: User, password: str) -> None:
    """Store a new password and bump the session version, which logs out every session and
    remember-me cookie of this user (the caller logs the current session in again)."""
    check_password_policy(password, email=user.email)
    user.password_hash = hash_password(password)
    user.session_version = (user.session_version or 1) + 1
    db.session.flush()


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change a logged-in user's password after checking the current one."""
    if not check_password_hash(user.password_hash, current_password):
        raise AccountError(_("Your current password is not correct."))
    if current_password == new_password:
        raise AccountError(_("Choose a new password that differs from the current one."))
    set_password(user, new_password)


# --- companies -------------------------------------------------------------------------------

def _one_line(text: str) -> str:
    # Names end up in email subjects and headers, where a line break would be refused.
    return " ".join(text.split())


def _clean_details(details: CompanyDetails) -> dict[str, object]:
    sectors = [s for s in dict.fromkeys(details.sectors) if s in Sector._value2member_map_]
    prior = [p.strip()[:200] for p in details.prior_exhibitions if p and p.strip()]
    return dict(legal_name=_one_line(details.legal_name), size_class=SizeClass(details.size_class),
                sectors=sectors, products=details.products.strip() or None,
                employees=details.employees, export_record=details.export_record.strip() or None,
                has_defence_exports=bool(details.has_defence_exports),
                prior_exhibitions=list(dict.fromkeys(prior)))


def register_company(registration_number: str, details: CompanyDetails, *, name: str, email: str,
                     password: str, now: dt.datetime | None = None, locale: str | None = None) -> User:
    """Create a company and its first (unverified) user together; returns the user.

    Raises AccountError for an invalid or already registered registration number, a taken
    email or a weak password. Nothing is added to the session before every check has passed.
    """
    digits = normalise_registration_number(registration_number)
    if get_company_by_registration_number(digits) is not None:
        raise AccountError(_("A company with this business registration number is already registered. Ask a colleague there to invite you from the company page, or contact the agency."))
    values = _clean_details(details)
    if not values["legal_name"]:
        raise AccountError(_("Enter the company's legal name."))
    email = normalise_email(email)
    _check_email_format(email)
    if get_user_by_email(email) is not None:
        raise AccountError(_("An account with this email already exists. Log in, or reset your password if you forgot it."))
    check_password_policy(password, email=email)
    company = Company(registration_number=digits, **values)
    db.session.add(company)
    db.session.flush()
    return create_user(email, password, name=name, company_id=company.id, now=now, locale=locale)


def update_company(company: Company, details: CompanyDetails, *, actor: User) -> Company:
    """Update a company's profile; the registration number never changes after sign-up."""
    if actor.company_id != company.id:
        raise AccountError(_("You can only edit your own company."))
    values = _clean_details(details)
    if not values["legal_name"]:
        raise AccountError(_("Enter the company's legal name."))
    for key, value in values.items():
        setattr(company, key, value)
    db.session.flush()
    return company


def list_members(company: Company) -> list[User]:
    return list(db.session.scalars(
        db.select(User).where(User.company_id == company.id).order_by(User.created_at, User.id)))


def list_pending_invitations(company: Company, *, now: dt.datetime | None = None) -> list[Invitation]:
    """Invitations of the company that were neither accepted nor have expired."""
    oldest = (now or utcnow()) - TOKEN_MAX_AGE[TokenPurpose.invitation]
    return list(db.session.scalars(
        db.select(Invitation).where(Invitation.company_id == company.id,
                                    Invitation.accepted_at.is_(None),
                                    Invitation.created_at > oldest)
        .order_by(Invitation.created_at.desc())))


# --- signed one-time links -------------------------------------------------------------------

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
    if user is None:
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


def user_for_password_reset(token: str, *, now: dt.datetime | None = None) -> User:
    """The user a reset link belongs to, if the link is still valid (raises TokenInvalid)."""
    return _user_from_token(TokenPurpose.reset_password, token, now)


def reset_password(token: str, password: str, *, now: dt.datetime | None = None) -> User:
    """Set a new password through a reset link; the link proves the address, so it also counts
    as verifying it. Every existing session of the user is logged out."""
    user = user_for_password_reset(token, now=now)
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


# --- invitations -----------------------------------------------------------------------------

def invite_colleague(company: Company, email: str, *, actor: User,
                     now: dt.datetime | None = None) -> Invitation:
    """Invite `email` to join `company`. Returns the (new, or still pending and renewed)
    invitation; raises AccountError if the address already has an account or the inviter has
    not confirmed their own address."""
    if actor.company_id != company.id:
        raise AccountError(_("You can only invite colleagues to your own company."))
    # Only confirmed addresses may make the site email strangers.
    ensure_email_verified(actor)
    email = normalise_email(email)
    _check_email_format(email)
    if get_user_by_email(email) is not None:
        raise AccountError(_("%(email)s already has an account on the planner.", email=email))
    now = now or utcnow()
    for pending in list_pending_invitations(company, now=now):
        if pending.email == email:
            # Sending again renews the week the link is valid for.
            pending.created_at = now
            pending.invited_by_id = actor.id
            db.session.flush()
            return pending
    invitation = Invitation(company_id=company.id, email=email, invited_by_id=actor.id, created_at=now)
    db.session.add(invitation)
    db.session.flush()
    return invitation


def make_invitation_token(invitation: Invitation, *, now: dt.datetime | None = None) -> str:
    return make_token(TokenPurpose.invitation, {"i": invitation.id, "e": invitation.email}, now=now)


def invitation_for_token(token: str, *, now: dt.datetime | None = None) -> Invitation:
    """The pending invitation a link names; raises TokenInvalid if expired, used or revoked."""
    payload = read_token(TokenPurpose.invitation, token, now=now)
    invitation_id = payload.get("i")
    invitation = db.session.get(Invitation, invitation_id) if isinstance(invitation_id, int) else None
    if invitation is None or invitation.email != payload.get("e"):
        raise TokenInvalid(_("This invitation has been withdrawn. Ask your colleague to invite you again."),
                           "invalid")
    if invitation.accepted_at is not None:
        raise TokenInvalid(_("This invitation has already been accepted. Log in with the password you chose."),
                           "used")
    if invitation.created_at <= (now or utcnow()) - TOKEN_MAX_AGE[TokenPurpose.invitation]:
        # Tokens carry their own age; this also ends invitations whose row is older than a week.
        raise TokenInvalid(_("This link has expired."), "expired")
    return invitation


def accept_invitation(token: str, *, name: str, password: str, now: dt.datetime | None = None,
                      locale: str | None = None) -> User:
    """Create the invited colleague's account in the inviting company. The link proves the
    address, so the account starts verified. Single use: the invitation is marked accepted."""
    now = now or utcnow()
    invitation = invitation_for_token(token, now=now)
    if not _one_line(name):
        raise AccountError(_("Enter your name."))
    user = create_user(invitation.email, password, name=name, company_id=invitation.company_id,
                       verified=True, now=now, locale=locale)
    invitation.accepted_at = now
    db.session.flush()
    return user


def revoke_invitation(company: Company, invitation_id: int, *, actor: User) -> None:
    """Withdraw a pending invitation of the actor's company (its link stops working)."""
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.company_id != company.id or actor.company_id != company.id \
            or invitation.accepted_at is not None:
        raise AccountError(_("This invitation no longer exists."))
    db.session.delete(invitation)
    db.session.flush()


_DUMMY_HASH = generate_password_hash("not-a-real-password")
