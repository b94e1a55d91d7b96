"""Accounts: users, companies, passwords, and the Flask-Login user loader."""
from __future__ import annotations

from werkzeug.security import check_password_hash, generate_password_hash

from planner.accounts.models import Role, User
from planner.db import utcnow
from planner.errors import PlannerError
from planner.extensions import db

MIN_PASSWORD_LENGTH = 10


class AccountError(PlannerError):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    # Werkzeug's default is scrypt, a memory-hard scheme.
    return generate_password_hash(password)


def check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Passwords need at least {MIN_PASSWORD_LENGTH} characters.")


def load_user(user_id: str) -> User | None:
    """Flask-Login loader: the id carries the session version, so old sessions stop working."""
    raw_id, _, version = user_id.partition(":")
    if not raw_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(raw_id))
    if user is None or user.session_version != int(version):
        return None
    return user


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.email == normalise_email(email)))


def create_user(email: str, password: str, *, role: Role = Role.applicant, name: str = "",
                company_id: int | None = None, verified: bool = False) -> User:
    """Create a user; raises AccountError if the email is taken or the password too weak."""
    email = normalise_email(email)
    if "@" not in email:
        raise AccountError("Enter a valid email address.")
    if get_user_by_email(email) is not None:
        raise AccountError("An account with this email already exists.")
    check_password_policy(password)
    user = User(email=email, password_hash=hash_password(password), role=role, name=name,
                company_id=company_id, email_verified_at=utcnow() if verified else None)
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


_DUMMY_HASH = generate_password_hash("not-a-real-password")
