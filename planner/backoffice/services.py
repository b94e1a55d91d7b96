"""Back-office reads and actions: application review lists, exports, marking ineligible, dashboard."""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_

from planner.accounts.models import Company, User
from planner.backoffice import exports
from planner.catalogue.models import Exhibition, ExhibitionStatus, Offer, Programme
from planner.catalogue.services import company_share_krw
from planner.db import is_valid_id, utcnow
from planner.errors import PlannerError
from planner.extensions import db
from planner.i18n import _
from planner.signups import services as signups
from planner.signups.models import Application, ApplicationEvent, ApplicationStatus, PlaceKind
from planner.vocab import SizeClass

PER_PAGE = 50
MAX_REASON = 2000
SORTS = ("submitted", "-submitted", "company", "-company", "preference", "-preference",
         "status", "-status")


class ReviewError(PlannerError):
    pass


@dataclass(frozen=True)
class ApplicationFilters:
    """What a coordinator narrows the review list (and its exports) to."""

    programme_id: int | None = None
    offer_id: int | None = None
    kind: PlaceKind | None = None
    status: ApplicationStatus | None = None
    size_class: SizeClass | None = None
    q: str = ""
    sort: str = "-submitted"

    def with_offer(self, offer: Offer) -> ApplicationFilters:
        return replace(self, offer_id=offer.id, programme_id=offer.programme_id)


@dataclass(frozen=True)
class Page:
    items: list[Application]
    number: int
    pages: int
    total: int


def _filtered(filters: ApplicationFilters) -> Select[Any]:
    query = (db.select(Application).join(Application.company).join(Application.offer)
             .join(Offer.exhibition))
    if filters.programme_id is not None:
        query = query.where(Application.programme_id == filters.programme_id)
    if filters.offer_id is not None:
        query = query.where(Application.offer_id == filters.offer_id)
    if filters.kind is not None:
        query = query.where(Application.kind == filters.kind)
    if filters.status is not None:
        query = query.where(Application.status == filters.status)
    if filters.size_class is not None:
        query = query.where(Company.size_class == filters.size_class)
    text = filters.q.strip()
    if text:
        # Escape LIKE wildcards so a search for "50%" means the characters typed.
        pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions: list[ColumnElement[bool]] = [func.lower(Company.legal_name).like(pattern, escape="\\"),
                      Company.registration_number.like(pattern, escape="\\"),
                      func.lower(Exhibition.name).like(pattern, escape="\\"),
                      func.lower(Exhibition.slug).like(pattern, escape="\\")]
        # ASCII only: "²" is a digit to isdigit() but not to int().
        if text.isascii() and text.isdigit() and is_valid_id(int(text)):
            conditions.append(Application.id == int(text))
        query = query.where(or_(*conditions))
    return query


def _ordered(query: Select[Any], sort: str) -> Select[Any]:
    key = sort if sort in SORTS else "-submitted"
    column = {"submitted": Application.created_at, "company": func.lower(Company.legal_name),
              "preference": Application.preference, "status": Application.status}[key.lstrip("-")]
    ordered = column.desc() if key.startswith("-") else column.asc()
    # The id breaks ties so pages never repeat or skip a row.
    return query.order_by(ordered, Application.id.desc() if key.startswith("-") else Application.id)


def list_applications(filters: ApplicationFilters, *, page: int = 1,
                      per_page: int = PER_PAGE) -> Page:
    """One page of applications matching `filters`, sorted as asked (newest first by default)."""
    query = _filtered(filters)
    total = db.session.scalar(query.with_only_columns(func.count(Application.id)).order_by(None)) or 0
    pages = max(1, math.ceil(total / per_page))
    number = min(max(1, page), pages)
    items = list(db.session.scalars(
        _ordered(query, filters.sort).limit(per_page).offset((number - 1) * per_page)))
    return Page(items=items, number=number, pages=pages, total=total)


def iter_applications(filters: ApplicationFilters) -> Iterator[Application]:
    """Every application matching `filters` in the list's order, for exports."""
    query = _ordered(_filtered(filters), filters.sort).execution_options(yield_per=500)
    yield from db.session.scalars(query)


def get_application(application_id: int) -> Application | None:
    return db.session.get(Application, application_id)


def list_events(application: Application) -> list[ApplicationEvent]:
    return list(db.session.scalars(
        db.select(ApplicationEvent).where(ApplicationEvent.application_id == application.id)
        .order_by(ApplicationEvent.at, ApplicationEvent.id)))


def mark_ineligible(application: Application, *, actor: User, reason: str,
                    now: dt.datetime | None = None) -> ApplicationEvent:
    """Mark an application ineligible with a reason the company will read.

    Raises ReviewError for an empty or over-long reason, TransitionNotAllowed when the
    application's status does not allow it (only submitted or waitlisted ones).
    """
    reason = reason.strip()
    if not reason:
        raise ReviewError(_("Give the reason the application is ineligible."))
    if len(reason) > MAX_REASON:
        raise ReviewError(_("Keep the reason under %(n)s characters.", n=MAX_REASON))
    event = signups.change_status(application, ApplicationStatus.ineligible, actor=actor,
                                  reason=reason, now=now or utcnow())
    application.ineligible_reason = reason
    db.session.flush()
    return event


def exhibitions_open_for_offer(programme: Programme, *, today: dt.date) -> list[Exhibition]:
    """Exhibitions a new offer of `programme` may be at: not cancelled, not started before
    `today`, and without an offer of the programme yet."""
    taken = db.select(Offer.exhibition_id).where(Offer.programme_id == programme.id)
    return list(db.session.scalars(
        db.select(Exhibition).where(Exhibition.status != ExhibitionStatus.cancelled,
                                    Exhibition.starts_on >= today, Exhibition.id.not_in(taken))
        .order_by(Exhibition.starts_on, Exhibition.name)))


def programme_has_applications(programme: Programme) -> bool:
    """Whether any company has applied in the programme: from then on its published rules are
    what companies applied under, and only an administrator may change them."""
    return db.session.scalar(db.select(Application.id).where(Application.programme_id == programme.id)
                             .limit(1)) is not None


def offer_fill(offers: Sequence[Offer]) -> dict[int, dict[str, int]]:
    """Per offer id: applications per kind (not withdrawn) to compare with capacity."""
    counts: dict[int, dict[str, int]] = {o.id: {"booth": 0, "delegation": 0} for o in offers}
    if not offers:
        return counts
    rows = db.session.execute(
        db.select(Application.offer_id, Application.kind, func.count(Application.id))
        .where(Application.offer_id.in_(list(counts)),
               Application.status.not_in([ApplicationStatus.withdrawn]))
        .group_by(Application.offer_id, Application.kind))
    for offer_id, kind, count in rows:
        counts[offer_id][PlaceKind(kind).value] = count
    return counts


def company_shares(programme: Programme, offers: Sequence[Offer]) -> dict[int, dict[str, tuple[int, int]]]:
    """Per offer id and eligible size class: what a company pays for a booth and a delegation place."""
    return {offer.id: {size: (company_share_krw(offer.booth_cost_krw, programme, size),
                              company_share_krw(offer.delegation_cost_krw, programme, size))
                       for size in programme.eligible_size_classes or []}
            for offer in offers}


@dataclass(frozen=True)
class Dashboard:
    programmes: int
    open_offers: int
    closing_soon: list[Offer]
    by_status: dict[str, int]
    latest: list[Application]


def dashboard(now: dt.datetime | None = None) -> Dashboard:
    """Figures for the back-office front page."""
    now = now or utcnow()
    soon = now + dt.timedelta(days=14)
    open_filter = (Offer.opens_at <= now, Offer.closes_at > now)
    by_status = {status.value: 0 for status in ApplicationStatus}
    for status, count in db.session.execute(
            db.select(Application.status, func.count(Application.id)).group_by(Application.status)):
        by_status[ApplicationStatus(status).value] = count
    return Dashboard(
        programmes=db.session.scalar(db.select(func.count(Programme.id))) or 0,
        open_offers=db.session.scalar(db.select(func.count(Offer.id)).where(*open_filter)) or 0,
        closing_soon=list(db.session.scalars(
            db.select(Offer).where(*open_filter, Offer.closes_at <= soon).order_by(Offer.closes_at)
            .limit(10))),
        by_status=by_status,
        latest=list(db.session.scalars(
            db.select(Application).order_by(Application.created_at.desc(), Application.id.desc())
            .limit(10))))


# --- exports (columns, labels and writers: exports.py) ----------------------------------------

def export_table(filters: ApplicationFilters) -> exports.Table:
    """The filtered applications with their allocation results, in the list's order."""
    rows = exports.application_rows(_ordered(_filtered(filters), filters.sort),
                                    offer_id=filters.offer_id, programme_id=filters.programme_id)
    return exports.Table(name=_("Applications"), columns=exports.application_columns(), rows=rows)


def applications_csv(filters: ApplicationFilters) -> str:
    return exports.to_csv(export_table(filters))


def applications_xlsx(filters: ApplicationFilters) -> bytes:
    return exports.to_xlsx([export_table(filters)])


def filter_choices() -> tuple[list[Programme], list[Offer]]:
    """Programmes and offers for the filter menus."""
    programmes = list(db.session.scalars(db.select(Programme).order_by(Programme.year.desc(),
                                                                      Programme.name)))
    offers = list(db.session.scalars(db.select(Offer).join(Offer.exhibition)
                                     .order_by(Exhibition.starts_on, Exhibition.name)))
    return programmes, offers
