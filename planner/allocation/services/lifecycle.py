"""A place after publication: the company confirms, declines or withdraws; unanswered places
expire in bulk; each freed place is offered on at once (allocation rule 6, promotion.py).
Coordinators' overrides are in overrides.py."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, select, update

from planner.accounts.models import User
from planner.allocation.models import AllocationRun
from planner.allocation.services.errors import ConfirmationClosed, NotAllocated, NotYours
from planner.allocation.services.promotion import (
    company_under_cap,
    fill_freed_place,
    lock_programmes,
    offer_on,
    tell_company,
)
from planner.allocation.services.runs import get_published_run
from planner.catalogue.models import Offer, OfferMode, Programme
from planner.db import utcnow
from planner.extensions import db
from planner.i18n import _
from planner.signups import reasons
from planner.signups.models import Application, ApplicationEvent, ApplicationStatus, PlaceKind
from planner.signups.services import change_status, free_place, free_places

S = ApplicationStatus


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
    tell_company(application, "allocation/email/confirmed.txt")
    return application


def decline(application: Application, actor: User, now: dt.datetime | None = None) -> list[Application]:
    """The company gives up an allocated place; it goes to the waitlist (rule 6). The company's
    other applications stay as they are. Returns the applications promoted."""
    now = now or utcnow()
    _check_answerable(application, actor, now,
                      not_allocated=_("Only an allocated place can be declined."),
                      closed=_("The deadline to answer for this place has passed."))
    lock_programmes([application.programme_id])  # before any row: see lock_programmes
    event = change_status(application, S.declined, actor=actor, reason=reasons.DECLINED, now=now)
    free_place(application.offer_id, str(application.kind))
    tell_company(application, "allocation/email/declined.txt")
    return offer_on(application, event, now=now)


def withdraw(application: Application, actor: User, now: dt.datetime | None = None) -> list[Application]:
    """After publication (a first-come place at any time), the company leaves a waitlist or
    gives up a place it holds (allocated or confirmed). A freed place goes to the waitlist
    (allocation rule 6); the company's other applications stay as they are. Returns the
    applications promoted."""
    now = now or utcnow()
    _check_company(application, actor)
    current = ApplicationStatus(application.status)
    ranked = application.offer.mode == OfferMode.ranked
    if current not in (S.waitlisted, S.allocated, S.confirmed) \
            or (ranked and get_published_run(application.offer.programme) is None):
        raise NotAllocated(_("Only a waitlisted or held place of a published allocation can be "
                             "withdrawn here."))
    if current != S.waitlisted:
        lock_programmes([application.programme_id])  # a place is freed: see lock_programmes
    application.confirm_by = None
    event = change_status(application, S.withdrawn, actor=actor, reason=reasons.WITHDRAWN, now=now)
    if current == S.waitlisted:
        return []
    free_place(application.offer_id, str(application.kind))
    return offer_on(application, event, now=now)


def expire_overdue(now: dt.datetime | None = None) -> tuple[int, int]:
    """Allocated places whose confirmation window has passed become expired, in bulk: one
    conditional UPDATE (a place the company confirmed meanwhile is left alone), one INSERT of
    the audit rows, one counter update per kind; then each freed place is offered on (rule 6)
    and each company told. The programmes concerned are locked first, in id order, as every
    release does (promotion.lock_programmes); with nothing overdue that one indexed SELECT is
    all. Returns (expired, promoted)."""
    now = now or utcnow()
    t = Application.__table__
    overdue = (t.c.status == S.allocated.value, t.c.confirm_by < now)
    programme_ids = list(db.session.scalars(
        select(Programme.id).where(Programme.id.in_(select(t.c.programme_id).where(*overdue)))
        .order_by(Programme.id).with_for_update(key_share=True)))
    if not programme_ids:
        return 0, 0
    rows = db.session.execute(
        update(t).where(*overdue, t.c.programme_id.in_(programme_ids))
        .values(status=S.expired.value).returning(t.c.id, t.c.offer_id, t.c.kind)).all()
    if not rows:
        return 0, 0
    e = ApplicationEvent.__table__
    event_ids: dict[int, int] = dict(db.session.execute(
        insert(e).returning(e.c.application_id, e.c.id, sort_by_parameter_order=True),
        [dict(application_id=r.id, actor_id=None, at=now, from_status=S.allocated.value,
              to_status=S.expired.value, reason=reasons.EXPIRED, is_override=False)
         for r in rows]).all())
    freed: dict[tuple[int, str], int] = {}
    for r in rows:
        freed[(r.offer_id, str(r.kind))] = freed.get((r.offer_id, str(r.kind)), 0) + 1
    free_places(freed)
    expired = list(db.session.scalars(
        select(Application).where(Application.id.in_([r.id for r in rows]))
        .order_by(Application.id).execution_options(populate_existing=True)))
    causes = {a.id: db.session.get(ApplicationEvent, event_ids[a.id]) for a in expired}
    for application in expired:
        tell_company(application, "allocation/email/expired.txt")
    promoted = 0
    first_of_slot: dict[tuple[int, str], Application] = {}
    for application in expired:
        first_of_slot.setdefault((application.offer_id, str(application.kind)), application)
    for application in first_of_slot.values():
        promoted += len(fill_freed_place(application.offer, str(application.kind), now=now,
                                         cause=causes[application.id]))
    for application in expired:
        if application.offer.mode == OfferMode.ranked:
            promoted += len(company_under_cap(application.company_id, application.programme_id,
                                              now=now, cause=causes[application.id]))
    return len(expired), promoted


def fill_all_freed_places(now: dt.datetime | None = None) -> int:
    """Promote from the waitlists into every free place of a published programme: a repair
    (places freed outside this module), never the timer's job, since every freed place is
    offered on at once and a sweep would undo a coordinator's move to the waitlist (rule 7).
    Returns the number of promotions."""
    now = now or utcnow()
    published = select(AllocationRun.published_programme_id).where(
        AllocationRun.published_programme_id.is_not(None))
    lock_programmes(db.session.scalars(published))
    promoted = 0
    for offer in db.session.scalars(
            select(Offer).where(Offer.programme_id.in_(published), Offer.mode == OfferMode.ranked)
            .order_by(Offer.id)):
        for kind in PlaceKind:
            promoted += len(fill_freed_place(offer, kind.value, now=now))
    return promoted
