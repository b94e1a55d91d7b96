"""Exhibitions: search filters, listing, timeline, editing and CSV import/export."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from planner.catalogue.models import Exhibition
from planner.extensions import db

__all__ = ["list_upcoming"]


def list_upcoming(*, limit: int = 6, today: dt.date | None = None) -> Sequence[Exhibition]:
    today = today or dt.date.today()
    return db.session.scalars(
        db.select(Exhibition).where(Exhibition.ends_on >= today)
        .order_by(Exhibition.starts_on, Exhibition.id).limit(limit)).all()
