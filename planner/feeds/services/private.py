"""Private calendars behind a token: a company's shows, places and deadlines, and a programme's
windows, milestones and confirmation deadlines for its coordinators."""
from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import ColumnElement, distinct, func, select

from planner.accounts.models import Company
from planner.catalogue.models import Offer, Programme
from planner.extensions import db
from planner.feeds.ical import CalendarInfo, FeedEvent, build_calendar
from planner.feeds.models import FeedToken
from planner.feeds.services.events import (
    deadline,
    event_order,
    host_of,
    if_cancelled,
    offer_milestones,
    show_event,
    show_title,
)
from planner.feeds.services.versions import CachedFeed, aware, latest
from planner.signups.models import Application, ApplicationEvent, ApplicationStatus
from planner.signups.services import HELD_STATUSES

__all__ = ["company_calendar", "programme_calendar", "private_feed"]

HELD = tuple(sorted(HELD_STATUSES))  # the one definition: planner.signups.services.places
PENDING = (ApplicationStatus.submitted, ApplicationStatus.waitlisted)


def _changes_per_offer(*where: ColumnElement[bool]) -> dict[int, tuple[int, dt.datetime | None]]:
    """Per offer, among the applications matching `where`: how many there are (whatever their
    status now) plus their recorded status changes, and when they last changed.

    The count only grows (applications are not deleted, the audit trail is never rewritten), so a
    SEQUENCE built on it never goes back, even when a place is declined or an allocation is
    overridden back to the waitlist; a status rank would."""
    rows = db.session.execute(
        select(Application.offer_id, func.count(distinct(Application.id)) + func.count(ApplicationEvent.id),
               func.max(Application.updated_at))
        .outerjoin(ApplicationEvent, ApplicationEvent.application_id == Application.id)
        .where(*where).group_by(Application.offer_id))
    return {offer_id: (int(changes), aware(last)) for offer_id, changes, last in rows}


def company_calendar(company: Company, *, site_url: str) -> tuple[CalendarInfo, dt.datetime]:
    """A company's shows (places held), application and confirmation deadlines and milestones.

    Returns the calendar and the last change of anything in it."""
    applications = db.session.scalars(
        select(Application).where(Application.company_id == company.id,
                                  Application.status.in_(HELD + PENDING))
        .order_by(Application.offer_id, Application.kind)).all()
    host = host_of(site_url)
    prefix = f"c{company.id}"
    events: list[FeedEvent] = []
    by_offer: dict[int, list[Application]] = {}
    for application in applications:
        by_offer.setdefault(application.offer_id, []).append(application)
    # Withdrawn or declined applications leave the feed: their changes count as changes too.
    history = _changes_per_offer(Application.company_id == company.id)
    last_change = latest(company.updated_at, *(last for _, last in history.values()))
    for group in by_offer.values():
        offer = group[0].offer
        exhibition = offer.exhibition
        changes, applications_changed = history.get(offer.id, (0, None))
        # The company's name is in the descriptions.
        stamp = latest(offer.updated_at, exhibition.updated_at, applications_changed, company.updated_at)
        last_change = latest(last_change, stamp)
        show = show_title(exhibition.name, exhibition.edition_year)
        url = f"{site_url}/exhibitions/{exhibition.slug}"
        held = [a for a in group if a.status in HELD]
        pending = [a for a in group if a.status in PENDING]
        sequence = exhibition.sequence + offer.sequence + changes
        deadlines: list[FeedEvent] = []
        if held:
            base = show_event(exhibition, [str(s) for s in exhibition.sectors], site_url=site_url)
            places = ", ".join(f"{a.kind} place {a.status}" for a in held)
            events.append(FeedEvent(
                uid=f"{prefix}-exhibition-{exhibition.id}@{host}", summary=f"{base.summary}: {places}",
                start=base.start, end=base.end, stamp=stamp, sequence=sequence, location=base.location,
                categories=base.categories, description=f"{company.legal_name}: {places}.\n{base.description}",
                url=url, status=base.status))
            events.extend(offer_milestones(offer, prefix=prefix, site_url=site_url, stamp=stamp,
                                           include_window=False))
            for a in held:
                if a.status == ApplicationStatus.allocated and a.confirm_by is not None:
                    deadlines.append(deadline(
                        f"{prefix}-application-{a.id}-confirm@{host}",
                        f"Confirm your {a.kind} place: {show}", a.confirm_by, offer.timezone, stamp,
                        sequence, f"Confirm or decline the {a.kind} place allocated to "
                                  f"{company.legal_name} at {show}, or it expires.", url))
        if pending and not held:
            kinds = " and ".join(str(a.kind) for a in pending)
            deadlines.append(deadline(
                f"{prefix}-offer-{offer.id}-closes@{host}", f"Applications close: {show}",
                offer.closes_at, offer.timezone, stamp, sequence,
                f"{company.legal_name} applied for {kinds} places at {show}; applications close.", url))
        events.extend(if_cancelled(deadlines, exhibition))
    events.sort(key=event_order)
    name = f"{company.legal_name}: exhibitions and deadlines"
    description = (f"Shows where {company.legal_name} holds places, its application and confirmation "
                   "deadlines and milestones, from the Defence Export Exhibition Planner.")
    return CalendarInfo(name=name, description=description, events=events), last_change


def _pending_confirmations(programme_id: int) -> dict[int, tuple[dt.datetime, int, int, dt.datetime | None]]:
    """Per offer with allocated places awaiting confirmation: the last confirmation deadline,
    how many are pending, a change count that only grows (see _changes_per_offer), and the last
    change."""
    pending: dict[int, tuple[dt.datetime, int]] = {}
    for offer_id, last, n in db.session.execute(
            select(Application.offer_id, func.max(Application.confirm_by), func.count())
            .where(Application.programme_id == programme_id, Application.status == ApplicationStatus.allocated,
                   Application.confirm_by.is_not(None))
            .group_by(Application.offer_id)):
        if last is not None:  # always: only applications with a deadline are counted
            pending[offer_id] = (aware(last), int(n))
    if not pending:
        return {}
    changes = _changes_per_offer(Application.offer_id.in_(sorted(pending)))
    return {offer_id: (due, n, *changes.get(offer_id, (0, None))) for offer_id, (due, n) in pending.items()}


def programme_calendar(programme: Programme, *, site_url: str) -> tuple[CalendarInfo, dt.datetime]:
    """Every window and milestone of a programme's offers (for coordinators), and, once places
    are allocated, the last day companies have to confirm them."""
    offers = db.session.scalars(select(Offer).where(Offer.programme_id == programme.id)
                                .order_by(Offer.id)).all()
    pending = _pending_confirmations(programme.id)
    host = host_of(site_url)
    events: list[FeedEvent] = []
    last_change = programme.updated_at
    for offer in offers:
        stamp = latest(offer.updated_at, offer.exhibition.updated_at)
        last_change = latest(last_change, stamp)
        events.extend(offer_milestones(offer, prefix=f"p{programme.id}", site_url=site_url,
                                       stamp=stamp, include_window=True))
        if offer.id in pending:
            due, count, changes, changed_at = pending[offer.id]
            confirm_stamp = latest(stamp, changed_at)
            last_change = latest(last_change, confirm_stamp)
            show = show_title(offer.exhibition.name, offer.exhibition.edition_year)
            events.extend(if_cancelled([deadline(
                f"p{programme.id}-offer-{offer.id}-confirmations@{host}", f"Confirmations due: {show}",
                due, offer.timezone, confirm_stamp, offer.sequence + offer.exhibition.sequence + changes,
                f"{count} allocated place(s) at {show} await confirmation; unconfirmed places expire "
                f"and go to the waitlist.", f"{site_url}/backoffice/allocation/offers/{offer.id}")],
                offer.exhibition))
    events.sort(key=event_order)
    return CalendarInfo(name=f"{programme.name}: deadlines and milestones",
                        description=f"Application windows and milestones of every offer in {programme.name}.",
                        events=events), last_change



def private_feed(token: FeedToken, *, site_url: str) -> CachedFeed | None:
    """The calendar behind a live token (its company's or its programme's)."""
    if token.company_id is not None:
        company = db.session.get(Company, token.company_id)
        if company is None:
            return None
        calendar, last = company_calendar(company, site_url=site_url)
    elif token.programme_id is not None:
        programme = db.session.get(Programme, token.programme_id)
        if programme is None:
            return None
        calendar, last = programme_calendar(programme, site_url=site_url)
    else:
        return None
    body = build_calendar(calendar)
    return CachedFeed(body, '"' + hashlib.sha256(body).hexdigest()[:40] + '"', last)  # small: no gzip
