"""Applications: submission, ranks, withdrawal, and the one place that changes a status."""
from __future__ import annotations

import datetime as dt

from planner.accounts.models import User
from planner.db import utcnow
from planner.errors import PlannerError
from planner.extensions import db
from planner.signups.models import Application, ApplicationEvent, ApplicationStatus

S = ApplicationStatus


class SignupError(PlannerError):
    pass


class TransitionNotAllowed(SignupError):
    pass


# The application lifecycle of DOMAIN.md; anything else is refused.
ALLOWED_TRANSITIONS: dict[ApplicationStatus, frozenset[ApplicationStatus]] = {
    S.submitted: frozenset({S.allocated, S.waitlisted, S.withdrawn, S.ineligible, S.confirmed}),
    S.waitlisted: frozenset({S.allocated, S.withdrawn, S.ineligible}),
    S.allocated: frozenset({S.confirmed, S.declined, S.expired, S.withdrawn, S.waitlisted}),
    S.confirmed: frozenset({S.withdrawn}),
    S.declined: frozenset(),
    S.expired: frozenset(),
    S.withdrawn: frozenset(),
    S.ineligible: frozenset({S.submitted}),
}


def change_status(application: Application, to: ApplicationStatus, *, actor: User | None,
                  reason: str | None = None, is_override: bool = False,
                  now: dt.datetime | None = None) -> ApplicationEvent:
    """Move an application to `to`, recording who, when, from, to and why.

    Raises TransitionNotAllowed for a change the lifecycle does not allow.
    """
    current = ApplicationStatus(application.status)
    if to not in ALLOWED_TRANSITIONS[current]:
        raise TransitionNotAllowed(f"An application that is {current} cannot become {to}.")
    event = ApplicationEvent(application=application, actor_id=actor.id if actor else None,
                             at=now or utcnow(), from_status=current.value, to_status=to.value,
                             reason=reason, is_override=is_override)
    application.status = to
    db.session.add(event)
    db.session.flush()
    return event
