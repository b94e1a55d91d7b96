"""Private feed tokens: the secret address of a company's or a programme's calendar. Only a
hash is stored; rotating revokes the old address at once and shows the new one once."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence

from sqlalchemy import ColumnElement, select, update

from planner.accounts.models import Company, User
from planner.catalogue import services as catalogue
from planner.catalogue.models import Programme
from planner.db import utcnow
from planner.extensions import db
from planner.feeds.models import FeedToken

__all__ = ["TOKEN_RE", "hash_token", "active_token", "rotate_token", "resolve_token", "programmes_with_tokens"]

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def active_token(*, company: Company | None = None, programme: Programme | None = None) -> FeedToken | None:
    stmt = select(FeedToken).where(FeedToken.revoked_at.is_(None))
    if company is not None:
        stmt = stmt.where(FeedToken.company_id == company.id)
    elif programme is not None:
        stmt = stmt.where(FeedToken.programme_id == programme.id)
    else:
        raise ValueError("a company or a programme")
    return db.session.scalars(stmt.order_by(FeedToken.id.desc()).limit(1)).first()


def rotate_token(*, actor: User, company: Company | None = None, programme: Programme | None = None,
                 now: dt.datetime | None = None) -> str:
    """Revoke the owner's current token and return a new secret (only its hash is stored).

    The old URL stops working at once; the new one is shown to the user once."""
    now = now or utcnow()
    owner: ColumnElement[bool]
    if company is not None and programme is None:
        owner = FeedToken.company_id == company.id
    elif programme is not None and company is None:
        owner = FeedToken.programme_id == programme.id
    else:
        raise ValueError("exactly one of company and programme")
    db.session.execute(update(FeedToken).where(owner, FeedToken.revoked_at.is_(None))
                       .values(revoked_at=now).execution_options(synchronize_session="fetch"))
    token = secrets.token_urlsafe(32)
    db.session.add(FeedToken(token_hash=hash_token(token), company_id=company.id if company else None,
                             programme_id=programme.id if programme else None,
                             created_by_id=actor.id, created_at=now))
    db.session.flush()
    return token


def resolve_token(token: str) -> FeedToken | None:
    """The live token for `token`, or None whether it never existed or was revoked."""
    if not TOKEN_RE.match(token):
        return None
    wanted = hash_token(token)
    row = db.session.scalar(select(FeedToken).where(FeedToken.token_hash == wanted))
    # The lookup is by hash (an attacker cannot steer it); compare in constant time anyway.
    if row is None or not hmac.compare_digest(row.token_hash, wanted) or row.revoked_at is not None:
        return None
    return row


def programmes_with_tokens() -> Sequence[tuple[Programme, FeedToken | None]]:
    """Every programme, newest first, with its live feed token (for the coordinators' page)."""
    return [(p, active_token(programme=p)) for p in catalogue.list_programmes()]
