"""What a coordinator weighs on the application page besides the answers: the score and its
breakdown from the programme's run, and the coordinators' internal notes."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from planner.accounts.models import User
from planner.allocation import scoring
from planner.allocation.models import AllocationResult, AllocationRun
from planner.backoffice.models import ApplicationNote
from planner.db import utcnow
from planner.errors import PlannerError
from planner.extensions import db
from planner.i18n import _
from planner.signups.models import Application

MAX_NOTE = 4000


class NoteError(PlannerError):
    pass


@dataclass(frozen=True)
class ScoreCard:
    run: AllocationRun
    published: bool
    total: float | None
    breakdown: tuple[tuple[str, float], ...]
    # The company size class the run scored the application with (its size-class points).
    size_class: str | None
    lottery: float | None
    outcome: str
    waitlist_position: int | None
    reason: str | None


def score_card(application: Application) -> ScoreCard | None:
    """The application's result in its programme's published run, else in the latest run."""
    rows = db.session.execute(
        select(AllocationResult, AllocationRun).join(AllocationRun, AllocationRun.id == AllocationResult.run_id)
        .where(AllocationResult.application_id == application.id)
        .order_by(AllocationRun.published_programme_id.is_(None), AllocationRun.id.desc()).limit(1)).first()
    if rows is None:
        return None
    result, run = rows
    breakdown = tuple((code, float((result.breakdown or {}).get(code, 0.0))) for code in scoring.CRITERIA_CODES)
    return ScoreCard(run=run, published=run.published_programme_id is not None, total=result.priority,
                     breakdown=breakdown, size_class=result.size_class, lottery=result.tiebreak, outcome=result.outcome,
                     waitlist_position=result.waitlist_position, reason=result.reason)


def list_notes(application: Application) -> list[ApplicationNote]:
    return list(db.session.scalars(select(ApplicationNote).where(ApplicationNote.application_id == application.id)
                                   .order_by(ApplicationNote.created_at, ApplicationNote.id)))


def add_note(application: Application, *, author: User, body: str,
             now: dt.datetime | None = None) -> ApplicationNote:
    body = body.strip()
    if not body:
        raise NoteError(_("Write the note."))
    if len(body) > MAX_NOTE:
        raise NoteError(_("Keep the note under %(n)s characters.", n=MAX_NOTE))
    note = ApplicationNote(application_id=application.id, author_id=author.id, body=body, created_at=now or utcnow())
    db.session.add(note)
    db.session.flush()
    return note
