"""What every private feed (a company's, a programme's) shares: its window (60 days back to two
years ahead), its size bound and the notes saying so, and the change counts its SEQUENCEs build on."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, distinct, func, select

from planner.extensions import db
from planner.feeds.services.versions import aware
from planner.i18n import N_
from planner.signups.models import Application, ApplicationEvent

__all__ = ["PRIVATE_WINDOW_BEFORE", "PRIVATE_WINDOW_AFTER", "PRIVATE_MAX_BYTES", "WINDOW_NOTE", "CUT_NOTE", "window",
           "in_window", "changes_per_offer"]

# The documented window of every private feed: what is coming, and what just passed.
PRIVATE_WINDOW_BEFORE = dt.timedelta(days=60)
PRIVATE_WINDOW_AFTER = dt.timedelta(days=730)
# Calendar services drop feeds over about 1 MB; the oldest events go first.
PRIVATE_MAX_BYTES = 950_000
WINDOW_NOTE = N_("Events from 60 days ago to two years ahead.")
CUT_NOTE = N_("To stay under 1 MB, events starting on or before %(date)s are left out.")


def window(today: dt.date) -> tuple[dt.date, dt.date]:
    return today - PRIVATE_WINDOW_BEFORE, today + PRIVATE_WINDOW_AFTER


def in_window(event_start: dt.date | dt.datetime, start: dt.date, end: dt.date) -> bool:
    """Whether an event starting at `event_start` (its UTC day, or its date) is in the window."""
    day = event_start.astimezone(dt.timezone.utc).date() if isinstance(event_start, dt.datetime) else event_start
    return start <= day < end


def changes_per_offer(*where: ColumnElement[bool]) -> dict[int, tuple[int, dt.datetime | None]]:
    """Per offer, among the applications matching `where`: how many there are (whatever their
    status now) plus their recorded status changes, and when they last changed.

    The count only grows (applications are not deleted, the audit trail is never rewritten), so a
    SEQUENCE built on it never goes back, even when a place is declined or an allocation is
    overridden back to the waitlist; a status rank would."""
    rows = db.session.execute(
        select(Application.offer_id, func.count(distinct(Application.id)) + func.count(ApplicationEvent.id),
               func.max(Application.updated_at))
        .outerjoin(ApplicationEvent, ApplicationEvent.application_id == Application.id)
        .where(*where).group_by(Application.offer_id))
    return {offer_id: (int(changes), aware(last)) for offer_id, changes, last in rows}
