"""Company roles: each company has one main contact, who may remove a colleague who left and
hand the role to another colleague; everyone else is a member."""
from __future__ import annotations

import datetime as dt

from planner.accounts.models import Company, User
from planner.accounts.services.audit import record_event
from planner.accounts.services.errors import AccountError
from planner.extensions import db
from planner.i18n import _


class NotMainContact(AccountError):
    status_code = 403


class ColleagueNotFound(AccountError):
    status_code = 404


def main_contact(company: Company) -> User | None:
    return db.session.scalar(db.select(User).where(User.company_id == company.id,
                                                   User.is_main_contact.is_(True)))


def _check_main_contact(company: Company, actor: User) -> None:
    if actor.company_id != company.id or not actor.is_main_contact:
        raise NotMainContact(_("Only the company's main contact can do this."))


def _colleague(company: Company, user_id: int, actor: User) -> User:
    colleague = db.session.get(User, user_id)
    if colleague is None or colleague.company_id != company.id or colleague.id == actor.id \
            or not colleague.is_active_account:
        raise ColleagueNotFound(_("This colleague is not (or no longer) in your company."))
    return colleague


def remove_colleague(company: Company, user_id: int, *, actor: User,
                     now: dt.datetime | None = None) -> User:
    """The main contact removes a colleague who left: the account is deactivated and every
    session it has ends at once (the session version changes). Raises NotMainContact (403) or
    ColleagueNotFound (404)."""
    _check_main_contact(company, actor)
    colleague = _colleague(company, user_id, actor)
    colleague.is_active_account = False
    colleague.session_version += 1
    db.session.flush()
    record_event("colleague-removed", actor=actor, company_id=company.id, user_id=colleague.id,
                 now=now, email=colleague.email)
    return colleague


def hand_over_main_contact(company: Company, user_id: int, *, actor: User,
                           now: dt.datetime | None = None) -> User:
    """The main contact makes an active colleague the main contact and becomes a member."""
    _check_main_contact(company, actor)
    colleague = _colleague(company, user_id, actor)
    # Two flushes: the unique index allows one main contact per company at any moment.
    actor.is_main_contact = False
    db.session.flush()
    colleague.is_main_contact = True
    db.session.flush()
    record_event("main-contact-handed-over", actor=actor, company_id=company.id,
                 user_id=colleague.id, now=now, previous=actor.email, new=colleague.email)
    return colleague
