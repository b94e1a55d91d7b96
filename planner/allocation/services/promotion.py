"""Promotion from the waitlist after publication (allocation rule 6): a freed place goes at once,
in the transaction that freed it, to the first waitlisted application of its slot type whose
company is under the run's cap; a company dropping under its cap is offered the free places of
the slot types where it waits. The system promotes (no actor) and names the change that caused it."""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import and_, select

from planner.accounts.models import User
from planner.accounts.recipients import company_recipients
from planner.allocation.models import AllocationResult, AllocationRun
from planner.allocation.services.results import run_cap
from planner.allocation.services.runs import get_published_run
from planner.catalogue.models import Offer, OfferMode, Programme
from planner.db import utcnow
from planner.extensions import db
from planner.notifications.services import absolute_url, notify
from planner.signups import reasons
from planner.signups.models import Application, ApplicationEvent, ApplicationStatus, PlaceKind
from planner.signups.services import (
    capacity,
    change_status,
    held_places,
    promote_first_come,
    take_place,
    taken,
)

S = ApplicationStatus


def tell_company(application: Application, template: str, **context: Any) -> None:
    """Mail the application's company about a change of its place, each reader in their own
    language, dates in the offer's zone (the template formats them)."""
    notify(company_recipients([application.company_id]).get(application.company_id, []),
           template, application=application, offer=application.offer,
           link=absolute_url("allocation.my_results"), **context)


def allocate(application: Application, *, actor: User | None, now: dt.datetime, reason: str,
             is_override: bool = False, cause: ApplicationEvent | None = None) -> ApplicationEvent:
    """Give the application the place just taken for it; its confirmation window starts now and
    its company is told."""
    application.confirm_by = now + dt.timedelta(days=application.offer.confirmation_days)
    application.waitlist_order = None
    event = change_status(application, S.allocated, actor=actor, reason=reason,
                          is_override=is_override, now=now, cause=cause)
    tell_company(application, "allocation/email/place_allocated.txt")
    return event


def promotion_cap(programme: Programme, run: AllocationRun | None = None) -> int:
    """The cap promotion applies: the published run's (rule 6), not the programme's current one,
    which an admin may have changed since."""
    run = run or get_published_run(programme)
    return run_cap(run) if run is not None else programme.cap_per_company


def lock_programmes(programme_ids: Iterable[int]) -> None:
    """Serialise the releases and promotions of these programmes. A transaction that frees a
    ranked place takes its programme's lock first, before any application or offer row: one
    promotion locks a whole waitlist and, for the cap, every application of the companies on it,
    so two promotions at once on offers where the same companies wait would otherwise lock the
    same rows in opposite orders (a deadlock on PostgreSQL). Locked in id order, FOR NO KEY
    UPDATE, so submissions (which only reference the programme) are not held up. Taking it
    again in the same transaction is free; SQLite serialises writers anyway."""
    ids = sorted(set(programme_ids))
    if ids:
        db.session.execute(select(Programme.id).where(Programme.id.in_(ids)).order_by(Programme.id)
                           .with_for_update(key_share=True)).all()


def waitlist(offer: Offer, kind: str) -> list[tuple[Application, AllocationResult | None]]:
    """The slot type's waitlisted applications in order: a coordinator's chosen order first if
    one was set, then the published run's (priority, then lottery number)."""
    run = get_published_run(offer.programme)
    if run is None:
        return []
    return [(a, r) for a, r in db.session.execute(
        select(Application, AllocationResult)
        .outerjoin(AllocationResult, and_(AllocationResult.application_id == Application.id,
                                          AllocationResult.run_id == run.id))
        .where(Application.offer_id == offer.id, Application.kind == kind,
               Application.status == S.waitlisted)
        .order_by(Application.waitlist_order.asc().nulls_last(),
                  AllocationResult.priority.desc().nulls_last(),
                  AllocationResult.tiebreak.desc().nulls_last(), Application.id)
        # Locked and re-read, so two places freed at once never promote the same application.
        .with_for_update(of=Application).execution_options(populate_existing=True))]


def fill_freed_place(offer: Offer, kind: str, *, now: dt.datetime | None = None,
                     cause: ApplicationEvent | None = None,
                     exclude: Collection[int] = ()) -> list[Application]:
    """Give the slot type's free places to the first waitlisted applications whose company is
    still under the run's cap (rule 6); skipped companies keep their positions. `exclude`: an
    application a coordinator just moved off this place, which must not get it straight back.
    Returns the promoted."""
    now = now or utcnow()
    if offer.mode != OfferMode.ranked or taken(offer, kind) >= capacity(offer, kind):
        return []  # first-come waitlists are not the run's; nothing free: nothing to walk
    lock_programmes([offer.programme_id])  # normally taken already, by whoever freed the place
    cap = promotion_cap(offer.programme)
    promoted: list[Application] = []
    for application, _result in waitlist(offer, kind):
        if application.id in exclude:
            continue
        if held_places(application.company_id, offer.programme_id, lock=True) >= cap:
            continue
        if not take_place(offer.id, kind):
            break
        allocate(application, actor=None, now=now, reason=reasons.PROMOTED, cause=cause)
        promoted.append(application)
    return promoted


def offer_on(application: Application, cause: ApplicationEvent, *, now: dt.datetime,
             exclude: Collection[int] = ()) -> list[Application]:
    """After `application` gave up its place (`cause`): offer the place on at once, then, as its
    company has dropped a place, the free places of the slot types where that company waits.
    Returns the promoted."""
    if application.offer.mode != OfferMode.ranked:
        # A first-come place goes to its own waitlist, confirmed as first-come places are,
        # also after the window has closed.
        first = promote_first_come(application.offer, PlaceKind(application.kind), actor=None, now=now,
                                   cause=cause)
        return [first] if first is not None else []
    promoted = fill_freed_place(application.offer, str(application.kind), now=now, cause=cause,
                                exclude=exclude)
    promoted += company_under_cap(application.company_id, application.programme_id, now=now,
                                  cause=cause, exclude={application.id, *exclude})
    return promoted


def company_under_cap(company_id: int, programme_id: int, *, now: dt.datetime,
                      cause: ApplicationEvent | None = None,
                      exclude: Collection[int] = ()) -> list[Application]:
    """The company may hold fewer places than the cap now: offer it (in each waitlist's order)
    the free places of the ranked slot types where it is waitlisted."""
    waiting = db.session.execute(
        select(Application.offer_id, Application.kind).join(Offer, Offer.id == Application.offer_id)
        .where(Application.company_id == company_id, Application.programme_id == programme_id,
               Application.status == S.waitlisted, Offer.mode == OfferMode.ranked,
               Application.id.not_in(list(exclude)) if exclude else Application.id.is_not(None))
        .order_by(Application.preference)).all()
    promoted: list[Application] = []
    for offer_id, kind in waiting:
        offer = db.session.get(Offer, offer_id)
        if offer is not None:
            promoted += fill_freed_place(offer, str(kind), now=now, cause=cause, exclude=exclude)
    return promoted
