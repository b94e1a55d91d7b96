"""Follow-up requests: a company asks, from its report, for support in a named area; a
coordinator takes the request, works on it and closes it with an outcome. Each status change
is a compare-and-set, kept in the request's history and mailed to the company."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import select, update

from planner.accounts.models import User
from planner.accounts.recipients import company_recipients
from planner.db import utcnow
from planner.extensions import db
from planner.i18n import _
from planner.notifications.services import absolute_url, notify
from planner.outcomes.models import FollowUpArea, FollowUpEvent, FollowUpRequest, FollowUpStatus, ResultsReport
from planner.outcomes.services.errors import OutcomeError, StaleChange

F = FollowUpStatus
# Who may move a request where: a coordinator takes it (open -> in progress), hands it back,
# closes it with an outcome, or reopens a closed one.
TRANSITIONS: Mapping[FollowUpStatus, frozenset[FollowUpStatus]] = {
    F.open: frozenset({F.in_progress, F.closed}),
    F.in_progress: frozenset({F.open, F.closed}),
    F.closed: frozenset({F.in_progress}),
}


def ask_follow_up(report: ResultsReport, area: FollowUpArea, *, note: str, actor: User | None,
                  now: dt.datetime | None = None) -> FollowUpRequest:
    """A company's request for follow-up support; one open request per area and report."""
    now = now or utcnow()
    area = FollowUpArea(area)
    if db.session.scalar(select(FollowUpRequest.id).where(
            FollowUpRequest.report_id == report.id, FollowUpRequest.area == area,
            FollowUpRequest.status != F.closed).limit(1)) is not None:
        raise OutcomeError(_("You already asked for follow-up in this area; the agency is on it."))
    request = FollowUpRequest(report_id=report.id, area=area, note=note.strip() or None,
                              status=F.open, created_at=now, updated_at=now)
    db.session.add(request)
    db.session.flush()
    db.session.add(FollowUpEvent(request_id=request.id, actor_id=actor.id if actor else None, at=now,
                                 from_status=None, to_status=F.open, note=request.note))
    db.session.flush()
    db.session.expire(report, ["follow_ups"])
    return request


def change_follow_up(request: FollowUpRequest, to: FollowUpStatus, *, expected: FollowUpStatus,
                     actor: User, note: str = "", now: dt.datetime | None = None) -> FollowUpRequest:
    """Move a request from `expected` to `to` (taking it makes `actor` its owner; closing needs
    the outcome in `note`). Raises StaleChange when the request is no longer in `expected`."""
    now = now or utcnow()
    to, expected = FollowUpStatus(to), FollowUpStatus(expected)
    note = note.strip()
    if to not in TRANSITIONS[expected]:
        raise OutcomeError(_("A follow-up request cannot move that way."))
    if to == F.closed and not note:
        raise OutcomeError(_("Say what came of the request before you close it."))
    values: dict[str, object] = {"status": to, "updated_at": now}
    if to == F.in_progress:
        values["owner_id"] = actor.id
    if to == F.open:
        values["owner_id"] = None
    if to == F.closed:
        values["outcome"] = note
    changed = db.session.execute(
        update(FollowUpRequest).where(FollowUpRequest.id == request.id, FollowUpRequest.status == expected)
        .values(**values).execution_options(synchronize_session=False)).rowcount  # type: ignore[attr-defined]
    if changed != 1:
        raise StaleChange(_("Someone else changed this request in the meantime. Reload the queue."))
    db.session.add(FollowUpEvent(request_id=request.id, actor_id=actor.id, at=now, from_status=expected,
                                 to_status=to, note=note or None))
    db.session.flush()
    db.session.refresh(request)
    report = request.report
    recipients = company_recipients([report.company_id]).get(report.company_id, [])
    notify(recipients, "outcomes/email/follow_up_status.txt", follow_up=request, offer=report.offer,
           link=absolute_url("outcomes.report", offer_id=report.offer_id))
    return request


def list_queue(*, status: FollowUpStatus | None = None) -> list[FollowUpRequest]:
    """The coordinators' queue: open requests first, then in progress, then closed; oldest first."""
    query = select(FollowUpRequest).order_by(FollowUpRequest.created_at, FollowUpRequest.id)
    if status is not None:
        query = query.where(FollowUpRequest.status == status)
    order = {F.open: 0, F.in_progress: 1, F.closed: 2}
    return sorted(db.session.scalars(query), key=lambda r: order[r.status])


def get_follow_up(request_id: int) -> FollowUpRequest | None:
    return db.session.get(FollowUpRequest, request_id)
