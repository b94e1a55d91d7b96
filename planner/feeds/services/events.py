"""Calendar events from the catalogue: a show as an all-day event, an offer's windows and
milestones as short deadline blocks (with an alarm the day before), marked cancelled when their
show is. Public and private feeds build their events here, so the same show reads the same."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Protocol
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from planner.catalogue.models import DateCertainty, Exhibition, ExhibitionStatus, Offer
from planner.feeds.ical import Alarm, FeedEvent
from planner.i18n import country_name
from planner.vocab import Sector

__all__ = ["DEADLINE_LENGTH", "ShowRow", "SHOW_COLUMNS", "host_of", "exhibition_uid", "show_title", "show_event",
           "deadline", "if_cancelled", "offer_milestones", "event_order"]

DEADLINE_LENGTH = dt.timedelta(minutes=30)


@lru_cache(maxsize=8)
def host_of(site_url: str) -> str:
    return urlsplit(site_url).hostname or "localhost"


def exhibition_uid(exhibition_id: int, site_url: str) -> str:
    """Stable per exhibition: built from its id, so editing the slug or dates keeps it."""
    return f"exhibition-{exhibition_id}@{host_of(site_url)}"


class ShowRow(Protocol):
    """What a show event needs: an Exhibition, or a row of SHOW_COLUMNS (cheaper in bulk)."""

    id: int
    slug: str
    name: str
    edition_year: int
    starts_on: dt.date
    ends_on: dt.date
    date_certainty: str
    city: str
    country_code: str
    venue: str | None
    organiser: str | None
    website: str | None
    description: str | None
    status: str
    status_note: str | None
    sequence: int
    updated_at: dt.datetime


SHOW_COLUMNS = (Exhibition.id, Exhibition.slug, Exhibition.name, Exhibition.edition_year,
                 Exhibition.starts_on, Exhibition.ends_on, Exhibition.date_certainty, Exhibition.city,
                 Exhibition.country_code, Exhibition.venue, Exhibition.organiser, Exhibition.website,
                 Exhibition.description, Exhibition.status, Exhibition.status_note,
                 Exhibition.sequence, Exhibition.updated_at)
_SECTOR_NAMES = {s.value: s.value.capitalize() for s in Sector}
_CERTAINTY_NOTE = {
    DateCertainty.month.value: "Dates provisional: only the month is announced.",
    DateCertainty.projected.value: "Dates provisional: projected from the show's usual cycle.",
}


_DIGIT = re.compile(r"\d")


def show_title(name: str, edition_year: int) -> str:
    # Edition names carry their year ("Eurosatory 2026"); add it only where one is missing.
    return name if _DIGIT.search(name) else f"{name} {edition_year}"


def show_event(row: ShowRow, sectors: Sequence[str], *, site_url: str) -> FeedEvent:
    """One exhibition as an all-day event over its local dates."""
    status = str(row.status)
    certainty = str(row.date_certainty)
    title = show_title(row.name, row.edition_year)
    notes: list[str] = []
    if status == ExhibitionStatus.cancelled:
        title += " (cancelled)"
        notes.append("Cancelled." + (f" {row.status_note}" if row.status_note else ""))
        ical_status = "CANCELLED"
    else:
        if status == ExhibitionStatus.postponed:
            title += " (postponed)"
            notes.append(f"Postponed: now {row.starts_on.isoformat()} to {row.ends_on.isoformat()}."
                         + (f" {row.status_note}" if row.status_note else ""))
        if certainty != DateCertainty.confirmed:
            title += " (dates provisional)"
            notes.append(_CERTAINTY_NOTE.get(certainty, "Dates provisional."))
            ical_status = "TENTATIVE"
        else:
            ical_status = "CONFIRMED"
    country = country_name(row.country_code, "en")
    url = f"{site_url}/exhibitions/{row.slug}"
    if row.description:
        notes.append(row.description.strip())
    if row.organiser:
        notes.append(f"Organiser: {row.organiser}")
    if row.website:
        notes.append(f"Website: {row.website}")
    notes.append(f"Details: {url}")
    return FeedEvent(
        uid=exhibition_uid(row.id, site_url), summary=title,
        start=row.starts_on, end=row.ends_on + dt.timedelta(days=1),
        stamp=row.updated_at, sequence=row.sequence,
        location=", ".join(p for p in (row.venue, row.city, country) if p),
        categories=tuple(_SECTOR_NAMES.get(s, s) for s in sectors) + (country,),
        description="\n".join(notes), url=url, status=ical_status)



def deadline(uid: str, summary: str, at: dt.datetime, tzid: str, stamp: dt.datetime, sequence: int,
              description: str, url: str) -> FeedEvent:
    # A deadline is a short block starting at the moment things are due, so the alarm a day
    # before the start is a day before the deadline.
    local = at.astimezone(ZoneInfo(tzid))
    description = f"{description}\nDue: {local:%Y-%m-%d %H:%M} ({tzid})\n{url}"
    return FeedEvent(uid=uid, summary=summary, start=at, end=at + DEADLINE_LENGTH, stamp=stamp,
                     sequence=sequence, tzid=tzid, description=description, url=url,
                     alarm=Alarm(f"Tomorrow: {summary}"))


def if_cancelled(events: list[FeedEvent], exhibition: Exhibition) -> list[FeedEvent]:
    """A cancelled show's deadlines stay in the feed, marked cancelled and without their alarms,
    so subscribers see the change instead of a reminder to pay for a show that will not happen."""
    if exhibition.status != ExhibitionStatus.cancelled:
        return events
    return [replace(e, summary=f"{e.summary} (cancelled)", status="CANCELLED", alarm=None) for e in events]


def offer_milestones(offer: Offer, *, prefix: str, site_url: str, stamp: dt.datetime,
                     include_window: bool) -> list[FeedEvent]:
    """An offer's dated milestones (and its application window) as events."""
    show = show_title(offer.exhibition.name, offer.exhibition.edition_year)
    url = f"{site_url}/exhibitions/{offer.exhibition.slug}"
    host = host_of(site_url)
    # The events carry the show's name and status too, so its edits raise their SEQUENCE.
    seq = offer.sequence + offer.exhibition.sequence
    events: list[FeedEvent] = []

    def uid(what: str) -> str:
        return f"{prefix}-offer-{offer.id}-{what}@{host}"

    if include_window:
        events.append(deadline(uid("opens"), f"Applications open: {show}", offer.opens_at, offer.timezone,
                                stamp, seq, f"Applications for places at {show} open.", url))
        events.append(deadline(uid("closes"), f"Applications close: {show}", offer.closes_at,
                                offer.timezone, stamp, seq, f"Last moment to apply for places at {show}.", url))
    for what, at, label in (("payment", offer.payment_due_at, "Co-funding payment due"),
                            ("licence", offer.licence_due_at, "Export licence filing due"),
                            ("shipping", offer.shipping_cutoff_at, "Shipping cut-off")):
        if at is not None:
            events.append(deadline(uid(what), f"{label}: {show}", at, offer.timezone, stamp, seq,
                                    f"{label} for {show}.", url))
    if offer.buildup_starts_on is not None:
        last = offer.buildup_ends_on or offer.buildup_starts_on
        events.append(FeedEvent(
            uid=uid("buildup"), summary=f"Build-up: {show}", start=offer.buildup_starts_on,
            end=last + dt.timedelta(days=1), stamp=stamp, sequence=seq,
            location=", ".join(p for p in (offer.exhibition.venue, offer.exhibition.city) if p),
            description=f"Stand build-up days for {show}.\n{url}", url=url))
    return if_cancelled(events, offer.exhibition)



def event_order(event: FeedEvent) -> tuple[str, str]:
    start = event.start
    key = start.astimezone(dt.timezone.utc).isoformat() if isinstance(start, dt.datetime) else start.isoformat()
    return key, event.uid
