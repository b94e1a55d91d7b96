"""The one status machine: the only code that changes `Application.status`, one application at a
time or in bulk, each change a compare-and-set with its audit row (who, when, from, to, why)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import insert, select, update
from sqlalchemy.orm.attributes import set_committed_value

from planner.accounts.models import User
from planner.db import utcnow
from planner.extensions import db
from planner.i18n import _
from planner.signups.models import Application, ApplicationEvent, ApplicationStatus
from planner.signups.services.errors import StatusChanged, TransitionNotAllowed
from planner.signups.services.places import recorded_price

S = ApplicationStatus

# The application lifecycle of DOMAIN.md; anything else is refused.
ALLOWED_TRANSITIONS: dict[ApplicationStatus, frozenset[ApplicationStatus]] = {
    S.submitted: frozenset({S.allocated, S.waitlisted, S.withdrawn, S.ineligible, S.confirmed}),
    S.waitlisted: frozenset({S.allocated, S.withdrawn, S.ineligible}),
    S.allocated: frozenset({S.confirmed, S.declined, S.expired, S.withdrawn, S.waitlisted, S.removed}),
    S.confirmed: frozenset({S.withdrawn, S.waitlisted, S.removed}),
    S.declined: frozenset(),
    S.expired: frozenset(),
    S.withdrawn: frozenset(),
    # A coordinator restores it: before the run to submitted, after publication to the waitlist.
    S.ineligible: frozenset({S.submitted, S.waitlisted}),
    S.removed: frozenset(),
}
# Keeps every IN list within each driver's parameter limit.
CHUNK = 5000


def check_transition(current: ApplicationStatus, to: ApplicationStatus) -> None:
    """Raise TransitionNotAllowed for a change the lifecycle does not allow."""
    if to not in ALLOWED_TRANSITIONS[current]:
        raise TransitionNotAllowed(_("An application that is %(current)s cannot become %(to)s.",
                                     current=current.value, to=ApplicationStatus(to).value))


def _changed_meanwhile(current: ApplicationStatus | None) -> StatusChanged:
    if current is None:
        return StatusChanged(_("This application no longer exists."), None)
    return StatusChanged(_("This application changed meanwhile: it is now %(status)s. Nothing was "
                           "changed; please check it and try again.", status=_(current.value)), current)


def change_status(application: Application, to: ApplicationStatus, *, actor: User | None,
                  reason: str | None = None, is_override: bool = False,
                  now: dt.datetime | None = None,
                  cause: ApplicationEvent | None = None) -> ApplicationEvent:
    """Move an application to `to`, recording who, when, from, to and why.

    The change is a compare-and-set on the status this code read (`UPDATE ... WHERE status =
    :old`), so of two requests racing to change the same application only one wins.
    Raises TransitionNotAllowed for a change the lifecycle does not allow, StatusChanged (409,
    carrying the current status) when the application changed since it was read. `cause` is the
    change that made the system act (actor None): the audit trail names who caused it.
    """
    current = ApplicationStatus(application.status)
    to = ApplicationStatus(to)
    check_transition(current, to)
    db.session.flush()  # the row exists and its other pending changes are written first
    t = Application.__table__
    # A confirmed place keeps the price of the rules it was confirmed under (rule 9), recorded in
    # the same compare-and-set.
    price = recorded_price(application) if to == S.confirmed else {}
    result = db.session.execute(update(t).where(t.c.id == application.id, t.c.status == current.value)
                                .values(status=to.value, **price))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        now_status = db.session.scalar(select(t.c.status).where(t.c.id == application.id))
        latest = ApplicationStatus(now_status) if now_status is not None else None
        if latest is not None:
            set_committed_value(application, "status", latest)
        raise _changed_meanwhile(latest)
    # The row already says `to`: record it as loaded, so the session writes it no second time.
    set_committed_value(application, "status", to)
    for column, value in price.items():
        set_committed_value(application, column, value)
    event = ApplicationEvent(application=application, actor_id=actor.id if actor else None,
                             at=now or utcnow(), from_status=current.value, to_status=to.value,
                             reason=reason, is_override=is_override,
                             cause_id=cause.id if cause is not None else None)
    db.session.add(event)
    db.session.flush()
    return event


@dataclass(frozen=True)
class BulkChange:
    """Many applications moving from one status to another for one reason, with the same new
    values of other columns (a confirmation deadline, an ineligibility reason)."""

    ids: Sequence[int]
    from_status: ApplicationStatus
    to: ApplicationStatus
    reason: str | None
    values: Mapping[str, object] = field(default_factory=dict)


def change_statuses(changes: Iterable[BulkChange], *, actor: User | None,
                    now: dt.datetime | None = None) -> int:
    """`change_status` for thousands at once (publication): one conditional UPDATE per change
    (chunked) and one INSERT of all audit rows. Returns how many applications changed.

    Raises TransitionNotAllowed, or StatusChanged when any application is no longer in the
    change's `from_status` (the caller's transaction must then roll back: some rows changed).
    """
    now = now or utcnow()
    actor_id = actor.id if actor else None
    t = Application.__table__
    events: list[dict[str, object]] = []
    for change in changes:
        check_transition(change.from_status, change.to)
        ids = list(change.ids)
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            result = db.session.execute(
                update(t).where(t.c.id.in_(chunk), t.c.status == change.from_status.value)
                .values(status=change.to.value, **change.values))
            if result.rowcount != len(chunk):  # type: ignore[attr-defined]
                raise StatusChanged(_("Applications changed meanwhile, so nothing was changed. "
                                      "Please try again."), None)
        events.extend(dict(application_id=application_id, actor_id=actor_id, at=now,
                           from_status=change.from_status.value, to_status=change.to.value,
                           reason=change.reason, is_override=False) for application_id in ids)
    if events:
        db.session.execute(insert(ApplicationEvent.__table__), events)
    return len(events)


def record_edit(application: Application, *, actor: User | None, reason: str,
                now: dt.datetime | None = None) -> ApplicationEvent:
    """Put a change that is not a change of status (answers, ranks, delegates) in the
    application's history: an event from its status to the same status."""
    status = ApplicationStatus(application.status).value
    event = ApplicationEvent(application=application, actor_id=actor.id if actor else None,
                             at=now or utcnow(), from_status=status, to_status=status, reason=reason)
    db.session.add(event)
    return event

