"""Staff accounts: administrators invite coordinators and administrators, change their role and
deactivate them; coordinators may only look. Every change goes to the audit log."""
from __future__ import annotations

import datetime as dt
import secrets

from planner.accounts.models import Role, User
from planner.accounts.services.audit import record_event
from planner.accounts.services.errors import AccountError
from planner.accounts.services.users import create_user
from planner.extensions import db
from planner.i18n import _

STAFF_ROLES = (Role.coordinator, Role.admin)


class StaffChangeRefused(AccountError):
    status_code = 403


class StaffNotFound(AccountError):
    status_code = 404


def list_staff() -> list[User]:
    return list(db.session.scalars(
        db.select(User).where(User.role.in_(STAFF_ROLES))
        .order_by(User.is_active_account.desc(), User.name, User.email)))


def get_staff_member(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.role not in STAFF_ROLES:
        raise StaffNotFound(_("This staff account does not exist."))
    return user


def _check_admin(actor: User) -> None:
    if actor.role != Role.admin:
        raise StaffChangeRefused(_("Only administrators can change staff accounts."))


def _check_other(user: User, actor: User) -> None:
    # Nobody demotes or deactivates themselves, so the last administrator cannot lock everyone out.
    if user.id == actor.id:
        raise StaffChangeRefused(_("You cannot change your own staff account."))


def invite_staff(email: str, *, name: str, role: Role, actor: User,
                 now: dt.datetime | None = None) -> User:
    """Create a staff account with an unusable random password; the invitation mail lets the
    new colleague choose their own. Raises AccountError when the address has an account."""
    _check_admin(actor)
    if role not in STAFF_ROLES:
        raise AccountError(_("Choose coordinator or administrator."))
    # The invited person never learns this password: they set theirs from the link.
    user = create_user(email, secrets.token_urlsafe(32) + "aA1!", role=role, name=name,
                       verified=True, now=now)
    record_event("staff-invited", actor=actor, user_id=user.id, now=now, email=user.email,
                 role=role.value)
    return user


def change_staff_role(user: User, role: Role, *, actor: User, now: dt.datetime | None = None) -> User:
    _check_admin(actor)
    _check_other(user, actor)
    if role not in STAFF_ROLES:
        raise AccountError(_("Choose coordinator or administrator."))
    if user.role != role:
        previous = user.role
        user.role = role
        db.session.flush()
        record_event("staff-role-changed", actor=actor, user_id=user.id, now=now, email=user.email,
                     previous=previous.value, new=role.value)
    return user


def set_staff_active(user: User, active: bool, *, actor: User, now: dt.datetime | None = None) -> User:
    """Deactivate (every session ends at once) or reactivate a staff account."""
    _check_admin(actor)
    _check_other(user, actor)
    if user.is_active_account != active:
        user.is_active_account = active
        if not active:
            user.session_version += 1
        db.session.flush()
        record_event("staff-reactivated" if active else "staff-deactivated", actor=actor,
                     user_id=user.id, now=now, email=user.email)
    return user
