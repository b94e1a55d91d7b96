"""Private feed tokens: each person's secret address of their company's calendar (or, for
staff, of a programme's). Only a hash is stored; rotating revokes that person's old address at
once and leaves everyone else's working; an admin can revoke all of a company's."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select, update

from planner.accounts.models import Company, Role, User
from planner.catalogue import services as catalogue
from planner.catalogue.models import Programme
from planner.db import utcnow
from planner.extensions import db
from planner.feeds.models import FeedToken
from planner.feeds.services.versions import aware

__all__ = ["TOKEN_RE", "FETCH_RECORD_INTERVAL", "LiveToken", "hash_token", "active_token", "rotate_token",
           "resolve_token", "programmes_with_tokens", "list_tokens", "revoke_company_tokens", "record_fetch", "CompanyAddresses",
           "companies_with_addresses"]

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
FETCH_RECORD_INTERVAL = dt.timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _scope(company: Company | None, programme: Programme | None) -> ColumnElement[bool]:
    if company is not None and programme is None:
        return FeedToken.company_id == company.id
    if programme is not None and company is None:
        return FeedToken.programme_id == programme.id
    raise ValueError("exactly one of company and programme")


def active_token(*, user: User, company: Company | None = None,
                 programme: Programme | None = None) -> FeedToken | None:
    """`user`'s live address of the company's or the programme's calendar, if any."""
    stmt = select(FeedToken).where(_scope(company, programme), FeedToken.user_id == user.id,
                                   FeedToken.revoked_at.is_(None))
    return db.session.scalars(stmt.order_by(FeedToken.id.desc()).limit(1)).first()


def list_tokens(user: User) -> Sequence[FeedToken]:
    """Every live address of `user`, newest first."""
    return db.session.scalars(select(FeedToken).where(FeedToken.user_id == user.id, FeedToken.revoked_at.is_(None))
                              .order_by(FeedToken.id.desc())).all()


def rotate_token(*, actor: User, company: Company | None = None, programme: Programme | None = None,
                 now: dt.datetime | None = None) -> str:
    """Revoke `actor`'s own address of the company's or programme's calendar and return a new
    secret (only its hash is stored). Colleagues' addresses are not touched; the old one stops
    working at once; the new one is shown to the user once."""
    now = now or utcnow()
    db.session.execute(update(FeedToken).where(_scope(company, programme), FeedToken.user_id == actor.id,
                                               FeedToken.revoked_at.is_(None))
                       .values(revoked_at=now, revoked_by_id=actor.id)
                       .execution_options(synchronize_session="fetch"))
    token = secrets.token_urlsafe(32)
    db.session.add(FeedToken(token_hash=hash_token(token), company_id=company.id if company else None,
                             programme_id=programme.id if programme else None, user_id=actor.id,
                             created_by_id=actor.id, created_at=now))
    db.session.flush()
    return token


def revoke_company_tokens(company: Company, *, actor: User, now: dt.datetime | None = None) -> int:
    """Revoke every live address of `company`'s calendar, whoever holds it; returns how many."""
    result = db.session.execute(update(FeedToken).where(FeedToken.company_id == company.id,
                                                        FeedToken.revoked_at.is_(None))
                                .values(revoked_at=now or utcnow(), revoked_by_id=actor.id)
                                .execution_options(synchronize_session="fetch"))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class LiveToken:
    """A live token and what its feed needs of its owner: the language and the scope."""

    id: int
    company_id: int | None
    programme_id: int | None
    lang: str
    last_fetched_at: dt.datetime | None


def resolve_token(token: str) -> LiveToken | None:
    """The live token for `token`, or None whether it never existed, was revoked, or its owner
    can no longer see the calendar (account closed, left the company, no longer staff)."""
    if not TOKEN_RE.match(token):
        return None
    wanted = hash_token(token)
    row = db.session.execute(
        select(FeedToken.id, FeedToken.token_hash, FeedToken.company_id, FeedToken.programme_id,
               FeedToken.revoked_at, FeedToken.user_id, FeedToken.last_fetched_at, User.locale,
               User.company_id.label("user_company_id"), User.role, User.is_active_account)
        .outerjoin(User, User.id == FeedToken.user_id).where(FeedToken.token_hash == wanted)).first()
    # The lookup is by hash (an attacker cannot steer it); compare in constant time anyway.
    if row is None or not hmac.compare_digest(row.token_hash, wanted) or row.revoked_at is not None:
        return None
    if row.user_id is not None:
        if not row.is_active_account:
            return None
        if row.company_id is not None and row.user_company_id != row.company_id:
            return None
        if row.programme_id is not None and row.role not in (Role.coordinator, Role.admin):
            return None
    lang = row.locale if row.locale in ("en", "ko") else "en"
    return LiveToken(row.id, row.company_id, row.programme_id, lang, row.last_fetched_at)


def record_fetch(token: LiveToken, *, now: dt.datetime) -> None:
    """Note that the address was fetched, at most once a FETCH_RECORD_INTERVAL (a conditional
    UPDATE, so two workers polled at once write it once)."""
    if token.last_fetched_at is not None and now - token.last_fetched_at < FETCH_RECORD_INTERVAL:
        return
    db.session.execute(update(FeedToken).where(
        FeedToken.id == token.id, or_(FeedToken.last_fetched_at.is_(None),
                                      FeedToken.last_fetched_at < now - FETCH_RECORD_INTERVAL))
        .values(last_fetched_at=now).execution_options(synchronize_session=False))


def programmes_with_tokens(user: User) -> Sequence[tuple[Programme, FeedToken | None]]:
    """Every programme, newest first, with `user`'s live feed token (for the coordinators' page)."""
    live = {t.programme_id: t for t in list_tokens(user) if t.programme_id is not None}
    return [(p, live.get(p.id)) for p in catalogue.list_programmes()]


@dataclass(frozen=True)
class CompanyAddresses:
    """A company with live feed addresses, for the admins' page."""

    company: Company
    count: int
    last_fetched_at: dt.datetime | None


def companies_with_addresses() -> Sequence[CompanyAddresses]:
    """Companies holding live feed addresses, by name, with how many and when one was last fetched."""
    rows = db.session.execute(
        select(Company, func.count(FeedToken.id), func.max(FeedToken.last_fetched_at))
        .join(FeedToken, FeedToken.company_id == Company.id).where(FeedToken.revoked_at.is_(None))
        .group_by(Company.id).order_by(Company.legal_name))
    return [CompanyAddresses(company, int(count), aware(last)) for company, count, last in rows]
