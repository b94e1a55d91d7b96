"""A coordinator's override of a result (allocation rule 7), with explicit targets: allocate
(never beyond a capacity; beyond the company's cap only when asked, and the record says so),
move to the waitlist at a chosen position, remove (the place is offered on), restore an
ineligible application. Each is a compare-and-set, recorded as an override, mailed to the
company, and never undone by a timer (the timer only expires; see lifecycle.py)."""
from __future__ import annotations

import datetime as dt
from enum import StrEnum

from planner.accounts.models import User
from planner.allocation.services.errors import (
    AllocationError,
    CapacityFull,
    CapReached,
    ReasonRequired,
)
from planner.allocation.services.promotion import (
    allocate,
    lock_programmes,
    offer_on,
    promotion_cap,
    tell_company,
    waitlist,
)
from planner.allocation.services.runs import get_published_run
from planner.catalogue.models import OfferMode
from planner.db import utcnow
from planner.i18n import _
from planner.signups.models import Application, ApplicationStatus
from planner.signups.services import (
    HELD_STATUSES,
    TransitionNotAllowed,
    change_status,
    check_transition,
    free_place,
    held_places,
    record_edit,
    take_place,
)

S = ApplicationStatus


class Target(StrEnum):
    allocated = "allocated"
    waitlisted = "waitlisted"
    removed = "removed"
    restored = "restored"


def _place_in_waitlist(application: Application, position: int | None) -> int | None:
    """Put the (waitlisted) application at `position` (1-based, clamped) of its slot type's
    waitlist by numbering the whole waitlist, so the order holds for every later promotion.
    Without a position it keeps its place in the run's order. Returns the position given."""
    if position is None:
        return None
    others = [a for a, _result in waitlist(application.offer, str(application.kind))
              if a.id != application.id]
    position = max(1, min(position, len(others) + 1))
    ordered = others[:position - 1] + [application] + others[position - 1:]
    for number, member in enumerate(ordered, start=1):
        member.waitlist_order = number
    return position


def override(application: Application, to_status: Target | str, *, actor: User, reason: str,
             now: dt.datetime | None = None, position: int | None = None,
             beyond_cap: bool = False) -> Application:
    """Apply a coordinator's override with a written reason. Raises ReasonRequired,
    AllocationError (a target the application cannot reach), CapReached (the company holds its
    cap and `beyond_cap` was not asked), CapacityFull, StatusChanged (changed meanwhile)."""
    now = now or utcnow()
    target = Target(to_status)
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired(_("An override needs a written reason."))
    current = ApplicationStatus(application.status)
    offer = application.offer
    run = get_published_run(offer.programme)
    # An override takes, frees or reorders places: the programme's lock first, before any row,
    # as every release takes it (see lock_programmes).
    lock_programmes([application.programme_id])
    if target == Target.restored:
        return _restore(application, actor=actor, reason=reason, now=now, position=position,
                        published=run is not None)
    if offer.mode != OfferMode.ranked:
        raise AllocationError(_("First-come offers are not allocated by runs."))
    if run is None:
        raise AllocationError(_("Overrides become possible once the allocation is published."))
    if target == Target.waitlisted and current == S.waitlisted:
        if position is None:
            raise AllocationError(_("The application is already waitlisted: choose a position."))
        _place_in_waitlist(application, position)
        record_edit(application, actor=actor, reason=reason, now=now).is_override = True
        tell_company(application, "allocation/email/waitlisted.txt", position=position)
        return application
    if target.value == current.value:
        raise AllocationError(_("The application is already %(status)s.", status=_(current.value)))
    to = ApplicationStatus(target.value)
    try:
        check_transition(current, to)
    except TransitionNotAllowed:
        raise AllocationError(_("An application that is %(status)s cannot be overridden to %(to)s.",
                                status=_(current.value), to=_(to.value))) from None
    if to == S.allocated:
        cap = promotion_cap(offer.programme, run)
        if held_places(application.company_id, application.programme_id, lock=True) >= cap:
            if not beyond_cap:
                raise CapReached(_("The company already holds its cap of places in this programme. "
                                   "Tick “beyond the cap” and say why to allocate anyway."))
            reason = f"{reason} [beyond the cap of {cap}]"
        if not take_place(offer.id, str(application.kind)):
            raise CapacityFull(_("All places of this kind are taken."))
        allocate(application, actor=actor, now=now, reason=reason, is_override=True)
        return application
    application.confirm_by = None
    event = change_status(application, to, actor=actor, reason=reason, is_override=True, now=now)
    if to == S.waitlisted:
        given = _place_in_waitlist(application, position)
        tell_company(application, "allocation/email/waitlisted.txt", position=given)
    else:
        tell_company(application, "allocation/email/removed.txt", reason=reason)
    if current in HELD_STATUSES:
        free_place(application.offer_id, str(application.kind))
        # Offered on at once, never straight back to the application the coordinator moved.
        offer_on(application, event, now=now, exclude={application.id})
    return application


def _restore(application: Application, *, actor: User, reason: str, now: dt.datetime,
             position: int | None, published: bool) -> Application:
    if application.status != S.ineligible:
        raise AllocationError(_("Only an ineligible application can be restored."))
    # Before publication the next run decides; after it, the application joins the waitlist.
    to = S.waitlisted if published and application.offer.mode == OfferMode.ranked else S.submitted
    application.ineligible_reason = None
    change_status(application, to, actor=actor, reason=reason, is_override=True, now=now)
    given = _place_in_waitlist(application, position) if to == S.waitlisted else None
    tell_company(application, "allocation/email/restored.txt", position=given)
    return application
