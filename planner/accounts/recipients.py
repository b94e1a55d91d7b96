"""Who reads a company's mail: its active users, each in the language they chose."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select

from planner.accounts.models import User
from planner.extensions import db
from planner.notifications.services import Recipient


def user_recipient(user: User, *, fallback_locale: str = "en") -> Recipient:
    return Recipient(email=user.email, locale=user.locale or fallback_locale, name=user.name or "")


def company_recipients(company_ids: Iterable[int]) -> dict[int, list[Recipient]]:
    """Each company's active users as mail recipients (in batches: publication asks for
    thousands of companies at once)."""
    ids = sorted(set(company_ids))
    out: dict[int, list[Recipient]] = defaultdict(list)
    u = User.__table__
    for start in range(0, len(ids), 5000):
        for row in db.session.execute(
                select(u.c.company_id, u.c.email, u.c.locale, u.c.name)
                .where(u.c.company_id.in_(ids[start:start + 5000]), u.c.is_active_account.is_(True))
                .order_by(u.c.id)):
            out[row.company_id].append(Recipient(email=row.email, locale=row.locale or "en",
                                                 name=row.name or ""))
    return out
