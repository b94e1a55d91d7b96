"""The accounts audit log: who changed which company role, document, size-class check or staff
account, and when."""
from __future__ import annotations

import datetime as dt

from planner.accounts.models import AccountEvent, User
from planner.db import utcnow
from planner.extensions import db


def record_event(action: str, *, actor: User | None, company_id: int | None = None,
                 user_id: int | None = None, now: dt.datetime | None = None,
                 **details: object) -> AccountEvent:
    """Add one audit row in the caller's transaction; `details` are JSON values."""
    event = AccountEvent(action=action, actor_id=actor.id if actor is not None else None,
                         company_id=company_id, user_id=user_id, at=now or utcnow(),
                         details=dict(details))
    db.session.add(event)
    db.session.flush()
    return event


def list_events(*, company_id: int | None = None, staff: bool = False, limit: int = 100) -> list[AccountEvent]:
    """The newest events of one company, or (staff=True) those about staff accounts."""
    query = db.select(AccountEvent).order_by(AccountEvent.at.desc(), AccountEvent.id.desc()).limit(limit)
    if company_id is not None:
        query = query.where(AccountEvent.company_id == company_id)
    if staff:
        query = query.where(AccountEvent.action.like("staff-%"))
    return list(db.session.scalars(query))
