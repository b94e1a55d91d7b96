"""The coordinators' calendar of a programme: every offer's application window and milestones,
and the last day to confirm allocated places; in the owner's language, within the private feeds'
window and under their size bound.

A programme has thousands of offers and its feed keeps only the newest events that fit in 1 MB
(about one in eight for 5,000 offers): every event is planned from the rows (its UID, start, end
and zone, which fix its order and the VTIMEZONEs), and only those kept are built and rendered.
`programme_calendar` builds them all, the reference the bounded feed is tested against."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, fields
from functools import lru_cache

from sqlalchemy import func, select

from planner.catalogue.models import Exhibition, Offer, Programme
from planner.extensions import db
from planner.feeds.ical import CalendarInfo, FeedEvent, bounded_build
from planner.feeds.services.events import (
    DEADLINE_LENGTH,
    deadline,
    event_order,
    host_of,
    if_cancelled,
    milestone_plan,
    offer_milestones,
    show_name,
    words,
)
from planner.feeds.services.versions import aware, latest
from planner.feeds.services.window import CUT_NOTE, WINDOW_NOTE, changes_per_offer, in_window, window
from planner.i18n import N_
from planner.signups.models import Application, ApplicationStatus

__all__ = ["programme_calendar", "programme_feed_body"]

# An offer's pending confirmations: the last deadline, how many, a change count, the last change.
Pending = dict[int, tuple[dt.datetime, int, int, dt.datetime | None]]


def _pending_confirmations(programme_id: int) -> dict[int, tuple[dt.datetime, int, int, dt.datetime | None]]:
    """Per offer with allocated places awaiting confirmation: the last confirmation deadline,
    how many are pending, a change count that only grows (see changes_per_offer), and the last
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
    changes = changes_per_offer(Application.offer_id.in_(sorted(pending)))
    return {offer_id: (due, n, *changes.get(offer_id, (0, None))) for offer_id, (due, n) in pending.items()}


@dataclass(frozen=True, slots=True)
class _Show:
    id: int
    slug: str
    name: str
    name_ko: str | None
    edition_year: int
    venue: str | None
    city: str
    city_ko: str | None
    status: str
    sequence: int
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class _Offer:
    id: int
    sequence: int
    timezone: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    payment_due_at: dt.datetime | None
    licence_due_at: dt.datetime | None
    shipping_cutoff_at: dt.datetime | None
    buildup_starts_on: dt.date | None
    buildup_ends_on: dt.date | None
    updated_at: dt.datetime
    exhibition: _Show


_SHOW_FIELDS = tuple(f.name for f in fields(_Show))
_OFFER_FIELDS = tuple(f.name for f in fields(_Offer))[:-1]


def _programme_offers(programme_id: int, today: dt.date | None) -> list[_Offer]:
    """The programme's offers with what their events show of their exhibitions, as plain rows:
    a programme has thousands, and mapped objects (with every column, sectors and programme)
    would cost more than the feed."""
    stmt = select(*(getattr(Offer, name) for name in _OFFER_FIELDS),
                  *(getattr(Exhibition, name).label(f"show_{name}") for name in _SHOW_FIELDS)) \
        .join(Exhibition, Exhibition.id == Offer.exhibition_id).where(Offer.programme_id == programme_id)
    if today is not None:
        start, end = window(today)
        # Offers whose every date lies outside the window add nothing: leave them in the database.
        stmt = stmt.where(Exhibition.ends_on >= start,
                          Offer.opens_at < dt.datetime.combine(end, dt.time(), dt.timezone.utc))
    shows: dict[int, _Show] = {}
    offers = []
    width = len(_OFFER_FIELDS)
    # Core, not the ORM: plain rows need none of its loading machinery.
    for values in db.session.connection().execute(stmt.order_by(Offer.id)):
        show = shows.get(values[width])
        if show is None:
            show = shows[values[width]] = _Show(*values[width:])
        offers.append(_Offer(*values[:width], show))  # type: ignore[call-arg]  # (a Row slice, uncounted)
    return offers


@dataclass(frozen=True, slots=True)
class _Planned:
    """One event of the feed before it is built: what fixes its place in the feed and its size
    budget (UID, start, end, zone), and what it is built from."""

    uid: str
    start: dt.date | dt.datetime
    end: dt.date | dt.datetime
    tzid: str | None
    offer: _Offer
    what: str  # a name of `milestone_plan`, or "confirmations"
    stamp: dt.datetime


def _plan(programme: Programme, *, site_url: str, today: dt.date) -> tuple[list[_Planned], Pending]:
    """Every event of the programme's calendar within the window, planned, in the feed's order
    (`programme_calendar`'s events: the reference test holds them equal); and its offers'
    pending confirmations."""
    offers = _programme_offers(programme.id, today)
    pending = _pending_confirmations(programme.id)
    host = host_of(site_url)
    prefix = f"p{programme.id}"
    low, high = window(today)
    planned: list[_Planned] = []
    for offer in offers:
        stamp = latest(offer.updated_at, offer.exhibition.updated_at)
        planned.extend(_Planned(f"{prefix}-offer-{offer.id}-{what}@{host}", start, end, tzid, offer, what, stamp)
                       for what, start, end, tzid in milestone_plan(offer, include_window=True)
                       if in_window(start, low, high))
        if offer.id in pending:
            due, _count, _changes, changed_at = pending[offer.id]
            if in_window(due, low, high):
                planned.append(_Planned(f"{prefix}-offer-{offer.id}-confirmations@{host}", due,
                                        due + DEADLINE_LENGTH, offer.timezone, offer, "confirmations",
                                        latest(stamp, changed_at)))
    planned.sort(key=event_order)
    return planned, pending


@lru_cache(maxsize=32_768)
def _milestone(offer: _Offer, what: str, prefix: str, site_url: str, stamp: dt.datetime, lang: str) -> FeedEvent:
    # Keyed by every value the event is built from (the offer's and its show's rows included),
    # so an edit simply misses: a programme feed rebuilt after one change rebuilds one offer.
    return offer_milestones(offer, prefix=prefix, site_url=site_url, stamp=stamp, include_window=True, lang=lang,
                            only=what)[0]


def _confirmations(offer: _Offer, pending: Pending, *, prefix: str, site_url: str, stamp: dt.datetime,
                   lang: str) -> FeedEvent:
    """The last day to confirm the places allocated at `offer`."""
    due, count, changes, _changed_at = pending[offer.id]
    show = {"show": show_name(offer.exhibition, lang), "count": count}
    return if_cancelled([deadline(
        f"{prefix}-offer-{offer.id}-confirmations@{host_of(site_url)}",
        words(lang, N_("Confirmations due: %(show)s")) % show,
        due, offer.timezone, stamp, offer.sequence + offer.exhibition.sequence + changes,
        words(lang, N_("%(count)s allocated place(s) at %(show)s await confirmation; unconfirmed places "
                       "expire and go to the waitlist.")) % show,
        f"{site_url}/backoffice/allocation/offers/{offer.id}", lang=lang)], offer.exhibition, lang=lang)[0]


def _builder(programme_id: int, pending: Pending, *, site_url: str, lang: str) -> Callable[[_Planned], FeedEvent]:
    prefix = f"p{programme_id}"

    def build(item: _Planned) -> FeedEvent:
        if item.what == "confirmations":
            return _confirmations(item.offer, pending, prefix=prefix, site_url=site_url, stamp=item.stamp, lang=lang)
        return _milestone(item.offer, item.what, prefix, site_url, item.stamp, lang)
    return build


def _titles(programme: Programme, lang: str) -> tuple[str, str]:
    name = {"name": (programme.name_ko or programme.name) if lang == "ko" else programme.name}
    return (words(lang, N_("%(name)s: deadlines and milestones")) % name,
            words(lang, N_("Application windows and milestones of every offer in %(name)s.")) % name)


def programme_calendar(programme: Programme, *, site_url: str, lang: str = "en",
                       today: dt.date | None = None) -> CalendarInfo:
    """Every window and milestone of a programme's offers (for coordinators), and, once places
    are allocated, the last day companies have to confirm them; in `lang`, within the window
    around `today` (everything when None). Every event built, as before the feed planned them:
    the reference `programme_feed_body` is tested against."""
    offers = _programme_offers(programme.id, today)
    pending = _pending_confirmations(programme.id)
    prefix = f"p{programme.id}"
    events: list[FeedEvent] = []
    for offer in offers:
        stamp = latest(offer.updated_at, offer.exhibition.updated_at)
        events.extend(offer_milestones(offer, prefix=prefix, site_url=site_url, stamp=stamp, include_window=True,
                                       lang=lang))
        if offer.id in pending:
            stamp = latest(stamp, pending[offer.id][3])
            events.append(_confirmations(offer, pending, prefix=prefix, site_url=site_url, stamp=stamp, lang=lang))
    if today is not None:
        start, end = window(today)
        events = [e for e in events if in_window(e.start, start, end)]
    events.sort(key=event_order)
    name, description = _titles(programme, lang)
    return CalendarInfo(name=name, description=description, events=events)


def programme_feed_body(programme: Programme, *, site_url: str, lang: str, today: dt.date, max_bytes: int) -> bytes:
    """The programme's feed: its calendar within the window around `today`, under `max_bytes`
    (the oldest days left out, and the description saying so), building only what it keeps."""
    planned, pending = _plan(programme, site_url=site_url, today=today)
    name, description = _titles(programme, lang)
    return bounded_build(name, f"{description} {words(lang, WINDOW_NOTE)}", planned,
                         _builder(programme.id, pending, site_url=site_url, lang=lang), max_bytes=max_bytes,
                         note=lambda day: words(lang, CUT_NOTE) % {"date": day.isoformat()})
