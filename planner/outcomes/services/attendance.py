"""Who held a place at a show, whether the show is over, and who attended it."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import exc, select, update

from planner.accounts.models import Company, User
from planner.catalogue.models import Exhibition, Offer
from planner.db import utcnow
from planner.extensions import db
from planner.i18n import _
from planner.outcomes.models import Attendance, AttendanceStatus
from planner.outcomes.services.errors import NoPlaceHeld, OutcomeError, ShowNotEnded, StaleChange
from planner.signups import services as signups
from planner.signups.models import Application


def local_today(offer: Offer, now: dt.datetime | None = None) -> dt.date:
    """Today in the offer's zone: the calendar every deadline of the offer is announced in."""
    return (now or utcnow()).astimezone(ZoneInfo(offer.timezone)).date()


def show_has_ended(offer: Offer, now: dt.datetime | None = None) -> bool:
    return offer.exhibition.ends_on < local_today(offer, now)


def holder_ids(offer_ids: Iterable[int]) -> dict[int, set[int]]:
    """Companies holding a place (allocated or confirmed) per offer: those who owe a report."""
    ids = sorted(set(offer_ids))
    out: dict[int, set[int]] = {offer_id: set() for offer_id in ids}
    if ids:
        for offer_id, company_id in db.session.execute(
                select(Application.offer_id, Application.company_id).distinct()
                .where(Application.offer_id.in_(ids), Application.status.in_(list(signups.HELD_STATUSES)))):
            out[offer_id].add(company_id)
    return out


def held_a_place(offer: Offer, company_id: int) -> bool:
    return company_id in holder_ids([offer.id])[offer.id]


def list_ended_offers(now: dt.datetime | None = None) -> list[Offer]:
    """Offers whose show is over, latest first."""
    # Every zone is within a day of UTC: narrow in SQL, then decide per offer's own zone.
    horizon = (now or utcnow()).date() + dt.timedelta(days=1)
    offers = db.session.scalars(select(Offer).join(Offer.exhibition)
                                .where(Exhibition.ends_on < horizon)
                                .order_by(Exhibition.ends_on.desc(), Offer.id))
    return [offer for offer in offers if show_has_ended(offer, now)]


@dataclass(frozen=True)
class AttendanceRow:
    company: Company
    attendance: Attendance | None


def list_attendance(offer: Offer) -> list[AttendanceRow]:
    """Each company that held a place at the offer, with its recorded attendance if any."""
    companies = holder_ids([offer.id])[offer.id]
    recorded = {a.company_id: a for a in db.session.scalars(
        select(Attendance).where(Attendance.offer_id == offer.id))}
    rows = db.session.scalars(select(Company).where(Company.id.in_(companies | set(recorded)))
                              .order_by(Company.legal_name))
    return [AttendanceRow(company, recorded.get(company.id)) for company in rows]


def record_attendance(offer: Offer, company_id: int, status: AttendanceStatus, *, reason: str | None,
                      actor: User | None, now: dt.datetime | None = None) -> Attendance:
    """Record whether a company that held a place attended the show.

    A no-show needs a reason. The company's no-show count, which allocation's no-show
    criterion reads, changes in the same transaction (by one, up or down), so counts the agency
    kept before attendance was recorded here stay. Raises ShowNotEnded before the show's last
    day is over, NoPlaceHeld for a company without a place, StaleChange when someone else
    recorded the same company at the same moment.
    """
    now = now or utcnow()
    status = AttendanceStatus(status)
    reason = (reason or "").strip() or None
    if not show_has_ended(offer, now):
        raise ShowNotEnded(_("Attendance can be recorded once the show is over."))
    if not held_a_place(offer, company_id):
        raise NoPlaceHeld(_("This company held no place at this show."))
    if status == AttendanceStatus.no_show and not reason:
        raise OutcomeError(_("Give the reason for a no-show."))
    existing = db.session.scalar(select(Attendance).where(
        Attendance.offer_id == offer.id, Attendance.company_id == company_id))
    actor_id = actor.id if actor else None
    if existing is None:
        attendance = Attendance(offer_id=offer.id, company_id=company_id, status=status, reason=reason,
                                recorded_by_id=actor_id, recorded_at=now)
        try:
            with db.session.begin_nested():
                db.session.add(attendance)
                db.session.flush()
        except exc.IntegrityError:
            raise StaleChange(_("Someone else recorded this company at the same time. Reload the page.")) from None
        previous = None
    else:
        previous = existing.status
        changed = db.session.execute(
            update(Attendance).where(Attendance.id == existing.id, Attendance.status == previous)
            .values(status=status, reason=reason, recorded_by_id=actor_id, recorded_at=now)
            .execution_options(synchronize_session=False)).rowcount  # type: ignore[attr-defined]
        if changed != 1:
            raise StaleChange(_("Someone else recorded this company at the same time. Reload the page."))
        db.session.refresh(existing)
        attendance = existing
    delta = (status == AttendanceStatus.no_show) - (previous == AttendanceStatus.no_show)
    if delta:
        db.session.execute(update(Company).where(Company.id == company_id)
                           .values(no_show_count=Company.no_show_count + delta)
                           .execution_options(synchronize_session=False))
        company = db.session.get(Company, company_id)
        if company is not None:
            db.session.refresh(company, ["no_show_count"])
    return attendance


def no_show_ids(offer_id: int) -> set[int]:
    return set(db.session.scalars(select(Attendance.company_id).where(
        Attendance.offer_id == offer_id, Attendance.status == AttendanceStatus.no_show)))
