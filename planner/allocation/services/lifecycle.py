"""A place after publication: the company confirms, declines or withdraws; unanswered places
expire; freed places go to the waitlist (allocation rule 6); coordinators override (rule 7)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from planner.accounts.models import User
from planner.accounts.recipients import company_recipients
from planner.allocation.models import AllocationResult, AllocationRun
from planner.allocation.services.errors import (
    AllocationError,
    CapacityFull,
    CapReached,
    ConfirmationClosed,
    NotAllocated,
    NotYours,
    ReasonRequired,
)
from planner.allocation.services.runs import get_published_run
from planner.catalogue.models import Offer, OfferMode
from planner.db import utcnow
from planner.extensions import db
from planner.i18n import _
from planner.notifications.services import absolute_url, notify
from planner.signups import reasons
from planner.signups.models import Application, ApplicationStatus, PlaceKind
from planner.signups.services import (
    ALLOWED_TRANSITIONS,
    HELD_STATUSES,
    change_status,
    free_place,
    held_places,
    take_place,
)

S = ApplicationStatus


def _allocate(application: Application, *, actor: User | None, now: dt.datetime, reason: str,
              is_override: bool = False) -> None:
    """Give the application the place just taken for it; its confirmation window starts now and
    its company is told, each reader in their own language, the deadline in the offer's zone."""
    application.confirm_by = now + dt.timedelta(days=application.offer.confirmation_days)
    change_status(application, S.allocated, actor=actor, reason=reason, is_override=is_override,
                  now=now)
    notify(company_recipients([application.company_id]).get(application.company_id, []),
           "allocation/email/place_allocated.txt", application=application,
           offer=application.offer, link=absolute_url("allocation.my_results"))


def waitlist(offer: Offer, kind: str) -> list[tuple[Application, AllocationResult]]:
    """The slot type's waitlisted applications in the published run's order (priority, then
    lottery number; the same order as the run's waitlist positions)."""
    run = get_published_run(offer.programme)
    if run is None:
        return []
    return [(a, r) for a, r in db.session.execute(
        select(Application, AllocationResult)
        .join(AllocationResult, AllocationResult.application_id == Application.id)
        .where(AllocationResult.run_id == run.id, Application.offer_id == offer.id,
               Application.kind == kind, Application.status == S.waitlisted)
        .order_by(AllocationResult.priority.desc(), AllocationResult.tiebreak.desc(),
                  Application.id)
        # Locked and re-read, so two places freed at once never promote the same application.
        .with_for_update(of=Application).execution_options(populate_existing=True))]


def fill_freed_place(offer: Offer, kind: str, *, now: dt.datetime | None = None,
                     actor: User | None = None) -> list[Application]:
    """Give the slot type's free places to the first waitlisted applications whose company is
    still under its cap (allocation rule 6); skipped companies keep their positions. Each
    promoted company is mailed and its confirmation window starts now. Returns the promoted."""
    now = now or utcnow()
    cap = offer.programme.cap_per_company
    promoted: list[Application] = []
    for application, _result in waitlist(offer, kind):
        if held_places(application.company_id, offer.programme_id, lock=True) >= cap:
            continue
        if not take_place(offer.id, kind):
            break
        _allocate(application, actor=actor, now=now, reason=reasons.PROMOTED)
        promoted.append(application)
    return promoted


def _check_company(application: Application, actor: User) -> None:
    if actor.company_id != application.company_id:
        raise NotYours(_("Only the company that applied can answer for this place."))


def _check_answerable(application: Application, actor: User, now: dt.datetime, *, not_allocated: str,
                      closed: str) -> None:
    _check_company(application, actor)
    if application.status != S.allocated:
        raise NotAllocated(not_allocated)
    if application.confirm_by is not None and now > application.confirm_by:
        raise ConfirmationClosed(closed)


def confirm(application: Application, actor: User, now: dt.datetime | None = None) -> Application:
    """The company takes its allocated place, within its confirmation window."""
    now = now or utcnow()
    _check_answerable(application, actor, now,
                      not_allocated=_("Only an allocated place can be confirmed."),
                      closed=_("The deadline to confirm this place has passed."))
    change_status(application, S.confirmed, actor=actor, reason=reasons.CONFIRMED, now=now)
    return application


def decline(application: Application, actor: User, now: dt.datetime | None = None) -> list[Application]:
    """The company gives up an allocated place; it goes to the waitlist (rule 6). The company's
    other applications stay as they are. Returns the applications promoted."""
    now = now or utcnow()
    _check_answerable(application, actor, now,
                      not_allocated=_("Only an allocated place can be declined."),
                      closed=_("The deadline to answer for this place has passed."))
    change_status(application, S.declined, actor=actor, reason=reasons.DECLINED, now=now)
    free_place(application.offer_id, str(application.kind))
    return fill_freed_place(application.offer, str(application.kind), now=now, actor=actor)


def withdraw(application: Application, actor: User, now: dt.datetime | None = None) -> list[Application]:
    """After publication, the company leaves a waitlist or gives up a place it holds
    (allocated or confirmed). A freed place goes to the waitlist (allocation rule 6); the
    company's other applications stay as they are. Returns the applications promoted."""
    now = now or utcnow()
    _check_company(application, actor)
    current = ApplicationStatus(application.status)
    if current not in (S.waitlisted, S.allocated, S.confirmed) \
            or get_published_run(application.offer.programme) is None:
        raise NotAllocated(_("Only a waitlisted or held place of a published allocation can be "
                             "withdrawn here."))
    application.confirm_by = None
    change_status(application, S.withdrawn, actor=actor, reason=reasons.WITHDRAWN, now=now)
    if current == S.waitlisted:
        return []
    free_place(application.offer_id, str(application.kind))
    return fill_freed_place(application.offer, str(application.kind), now=now, actor=actor)


def expire_overdue(now: dt.datetime | None = None, *, actor: User | None = None) -> tuple[int, int]:
    """Allocated places whose confirmation window has passed become expired and go to the
    waitlist (rule 6). Returns (expired, promoted)."""
    now = now or utcnow()
    overdue = list(db.session.scalars(
        select(Application).where(Application.status == S.allocated, Application.confirm_by < now)
        .order_by(Application.confirm_by, Application.id)))
    freed: set[tuple[int, str]] = set()
    for application in overdue:
        change_status(application, S.expired, actor=actor, reason=reasons.EXPIRED, now=now)
        free_place(application.offer_id, str(application.kind))
        freed.add((application.offer_id, str(application.kind)))
    promoted = 0
    for offer_id, kind in sorted(freed):
        offer = db.session.get(Offer, offer_id)
        if offer is not None:
            promoted += len(fill_freed_place(offer, kind, now=now, actor=actor))
    return len(overdue), promoted


def fill_all_freed_places(now: dt.datetime | None = None, *,
                          actor: User | None = None) -> int:
    """Promote from the waitlists into every free place of a published programme (e.g. places
    freed by withdrawals). Returns the number of promotions."""
    now = now or utcnow()
    published = select(AllocationRun.published_programme_id).where(
        AllocationRun.published_programme_id.is_not(None))
    promoted = 0
    for offer in db.session.scalars(
            select(Offer).where(Offer.programme_id.in_(published), Offer.mode == OfferMode.ranked)
            .order_by(Offer.id)):
        for kind in PlaceKind:
            promoted += len(fill_freed_place(offer, kind.value, now=now, actor=actor))
    return promoted


def override(application: Application, to_status: ApplicationStatus | str, *, actor: User,
             reason: str, now: dt.datetime | None = None) -> Application:
    """A coordinator's change of a result (allocation rule 7): allocated or waitlisted, with a
    written reason, never beyond a capacity or the company's cap; recorded as an override."""
    now = now or utcnow()
    to = ApplicationStatus(to_status)
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired(_("An override needs a written reason."))
    if to not in (S.allocated, S.waitlisted):
        raise AllocationError(_("An override can only allocate a place or put it on the waitlist."))
    current = ApplicationStatus(application.status)
    if to == current:
        raise AllocationError(_("The application is already %(status)s.", status=_(current.value)))
    if to not in ALLOWED_TRANSITIONS[current]:
        raise AllocationError(_("An application that is %(status)s cannot be overridden to %(to)s.",
                                status=_(current.value), to=_(to.value)))
    if application.offer.mode != OfferMode.ranked:
        raise AllocationError(_("First-come offers are not allocated by runs."))
    if get_published_run(application.offer.programme) is None:
        raise AllocationError(_("Overrides become possible once the allocation is published."))
    if to == S.allocated:
        if held_places(application.company_id, application.programme_id, lock=True) \
                >= application.offer.programme.cap_per_company:
            raise CapReached(_("The company already holds its cap of places in this programme."))
        if not take_place(application.offer_id, str(application.kind)):
            raise CapacityFull(_("All places of this kind are taken."))
        _allocate(application, actor=actor, now=now, reason=reason, is_override=True)
    else:
        application.confirm_by = None
        change_status(application, S.waitlisted, actor=actor, reason=reason, is_override=True, now=now)
        if current in HELD_STATUSES:
            free_place(application.offer_id, str(application.kind))
    return application

