"""Invitations: a company member invites a colleague by email; the colleague's link creates
their account in that company."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.exc import IntegrityError

from planner.accounts.models import Company, Invitation, User
from planner.accounts.services.errors import AccountError, InvitationNotFound, TokenInvalid
from planner.accounts.services.tokens import TOKEN_MAX_AGE, TokenPurpose, make_token, read_token
from planner.accounts.services.users import (
    check_email_format,
    create_user,
    ensure_email_verified,
    get_user_by_email,
    normalise_email,
    one_line,
)
from planner.db import utcnow
from planner.extensions import db
from planner.i18n import _


def list_pending_invitations(company: Company, *, now: dt.datetime | None = None) -> list[Invitation]:
    """Invitations of the company that were neither accepted nor have expired."""
    oldest = (now or utcnow()) - TOKEN_MAX_AGE[TokenPurpose.invitation]
    return list(db.session.scalars(
        db.select(Invitation).where(Invitation.company_id == company.id,
                                    Invitation.accepted_at.is_(None),
                                    Invitation.created_at > oldest)
        .order_by(Invitation.created_at.desc())))


def invite_colleague(company: Company, email: str, *, actor: User,
                     now: dt.datetime | None = None) -> Invitation:
    """Invite `email` to join `company`. Returns the (new, or still pending and renewed)
    invitation; raises AccountError if the address is already the company's own (its members
    are on the company page) or the inviter has not confirmed their own address.

    An address with an account elsewhere is invited like any other, so the inviter cannot tell
    which addresses have accounts: the account is neither changed nor attached, and its owner
    gets a note instead of a link (accounts.emails.send_invitation)."""
    if actor.company_id != company.id:
        raise AccountError(_("You can only invite colleagues to your own company."))
    # Only confirmed addresses may make the site email strangers.
    ensure_email_verified(actor)
    email = normalise_email(email)
    check_email_format(email)
    existing = get_user_by_email(email)
    if existing is not None and existing.company_id == company.id:
        raise AccountError(_("%(email)s is already a member of your company.", email=email))
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
    address, so the account starts verified. Single use: the invitation is marked accepted.
    Raises AccountError also when the address got an account between the check and the insert."""
    now = now or utcnow()
    invitation = invitation_for_token(token, now=now)
    if not one_line(name):
        raise AccountError(_("Enter your name."))
    try:
        # A savepoint: a lost race leaves the session usable for showing the form again.
        with db.session.begin_nested():
            user = create_user(invitation.email, password, name=name, company_id=invitation.company_id,
                               verified=True, now=now, locale=locale)
            invitation.accepted_at = now
            db.session.flush()
    except IntegrityError as exc:
        raise AccountError(_("An account with this email already exists. Log in, or reset your password if you forgot it.")) from exc
    return user


def revoke_invitation(company: Company, invitation_id: int, *, actor: User) -> None:
    """Withdraw a pending invitation of the actor's company (its link stops working)."""
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.company_id != company.id or actor.company_id != company.id \
            or invitation.accepted_at is not None:
        raise InvitationNotFound(_("This invitation no longer exists."))
    db.session.delete(invitation)
    db.session.flush()
