"""Calendar events from the catalogue: a show as an all-day event, an offer's windows and
milestones as short deadline blocks (with an alarm the day before), marked cancelled when their
show is, in English or Korean. Public and private feeds build their events here, so the same
show reads the same."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Protocol
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import has_app_context
from flask_babel import force_locale, gettext

from planner.catalogue.models import DateCertainty, Exhibition, ExhibitionStatus
from planner.feeds.ical import Alarm, FeedEvent
from planner.i18n import N_, country_name, place_name

__all__ = ["DEADLINE_LENGTH", "FEED_LANGUAGES", "ShowRow", "SHOW_COLUMNS", "OfferShow", "OfferRow", "words", "host_of", "exhibition_uid",
           "show_title", "show_name", "show_event", "deadline", "if_cancelled", "offer_milestones", "milestone_plan", "event_order"]

DEADLINE_LENGTH = dt.timedelta(minutes=30)
FEED_LANGUAGES = ("en", "ko")


def words(lang: str, message: str) -> str:
    """`message` (an N_-marked msgid, with %(name)s fields left to the caller) in `lang`.

    Feeds fill the same few sentences thousands of times per build: each is looked up once
    per process and language instead of once per event. English, or no app: the msgid."""
    if lang == "en":
        return message
    # A plain dict first: this runs tens of thousands of times per programme feed.
    found = _TRANSLATED.get((lang, message))
    if found is not None:
        return found
    if not has_app_context():
        return message
    with force_locale(lang):
        found = _TRANSLATED[lang, message] = str(gettext(message))
    return found


# Every message is an N_-marked constant, so this holds a few hundred entries at most.
_TRANSLATED: dict[tuple[str, str], str] = {}


@lru_cache(maxsize=8)
def host_of(site_url: str) -> str:
    return urlsplit(site_url).hostname or "localhost"


def exhibition_uid(exhibition_id: int, site_url: str) -> str:
    """Stable per exhibition: built from its id, so editing the slug or dates keeps it."""
    return f"exhibition-{exhibition_id}@{host_of(site_url)}"


def exhibition_url(slug: str, site_url: str, lang: str) -> str:
    # The page in the feed's language: the site reads ?lang= before the visitor's cookie.
    return f"{site_url}/exhibitions/{slug}" + ("?lang=ko" if lang == "ko" else "")


class ShowRow(Protocol):
    """What a show event needs: an Exhibition, or a row of SHOW_COLUMNS (cheaper in bulk)."""

    id: int
    slug: str
    name: str
    name_ko: str | None
    edition_year: int
    starts_on: dt.date
    ends_on: dt.date
    city: str
    city_ko: str | None
    country_code: str
    venue: str | None
    organiser: str | None
    website: str | None
    description: str | None
    description_ko: str | None
    status_note: str | None
    sequence: int
    updated_at: dt.datetime

    # Read-only, so a model's enum columns (StrEnums) match as well as a row's strings.
    @property
    def date_certainty(self) -> str: ...
    @property
    def status(self) -> str: ...


SHOW_COLUMNS = (Exhibition.id, Exhibition.slug, Exhibition.name, Exhibition.name_ko, Exhibition.edition_year,
                Exhibition.starts_on, Exhibition.ends_on, Exhibition.date_certainty, Exhibition.city,
                Exhibition.city_ko, Exhibition.country_code, Exhibition.venue, Exhibition.organiser,
                Exhibition.website, Exhibition.description, Exhibition.description_ko, Exhibition.status,
                Exhibition.status_note, Exhibition.sequence, Exhibition.updated_at)
_CERTAINTY_NOTE = {
    DateCertainty.month.value: N_("Dates provisional: only the month is announced."),
    DateCertainty.projected.value: N_("Dates provisional: projected from the show's usual cycle."),
}
# Sector names: the catalogue's own labels ("Land", ...), so feeds and pages use the same words.
_SECTOR_NAMES = {"land": "Land", "air": "Air", "naval": "Naval", "security": "Security", "space": "Space",
                 "cyber": "Cyber"}


_DIGIT = re.compile(r"\d")


def show_title(name: str, edition_year: int) -> str:
    # Edition names carry their year ("Eurosatory 2026"); add it only where one is missing.
    return name if _DIGIT.search(name) else f"{name} {edition_year}"


def _ko(lang: str, english: str | None, korean: str | None) -> str:
    return korean if lang == "ko" and korean else (english or "")


def show_name(exhibition: OfferShow, lang: str) -> str:
    """The show's title in `lang` (its Korean name where one is recorded)."""
    return show_title(_ko(lang, exhibition.name, exhibition.name_ko), exhibition.edition_year)


def show_event(row: ShowRow, sectors: Sequence[str], *, site_url: str, lang: str = "en") -> FeedEvent:
    """One exhibition as an all-day event over its local dates."""
    status = str(row.status)
    certainty = str(row.date_certainty)
    title = show_name(row, lang)
    notes: list[str] = []
    if status == ExhibitionStatus.cancelled:
        title = words(lang, N_("%(title)s (cancelled)")) % {"title": title}
        notes.append(words(lang, N_("Cancelled.")) + (f" {row.status_note}" if row.status_note else ""))
        ical_status = "CANCELLED"
    else:
        if status == ExhibitionStatus.postponed:
            title = words(lang, N_("%(title)s (postponed)")) % {"title": title}
            notes.append(words(lang, N_("Postponed: now %(start)s to %(end)s.")) % {
                "start": row.starts_on.isoformat(), "end": row.ends_on.isoformat()}
                + (f" {row.status_note}" if row.status_note else ""))
        if certainty != DateCertainty.confirmed:
            title = words(lang, N_("%(title)s (dates provisional)")) % {"title": title}
            notes.append(words(lang, _CERTAINTY_NOTE.get(certainty, N_("Dates provisional."))))
            ical_status = "TENTATIVE"
        else:
            ical_status = "CONFIRMED"
    country = country_name(row.country_code, lang)
    url = exhibition_url(row.slug, site_url, lang)
    description = _ko(lang, row.description, row.description_ko)
    if description:
        notes.append(description.strip())
    if row.organiser:
        notes.append(words(lang, N_("Organiser: %(name)s")) % {"name": row.organiser})
    if row.website:
        notes.append(words(lang, N_("Website: %(url)s")) % {"url": row.website})
    notes.append(words(lang, N_("Details: %(url)s")) % {"url": url})
    return FeedEvent(
        uid=exhibition_uid(row.id, site_url), summary=title,
        start=row.starts_on, end=row.ends_on + dt.timedelta(days=1),
        stamp=row.updated_at, sequence=row.sequence,
        location=", ".join(p for p in (row.venue, place_name(_ko(lang, row.city, row.city_ko), country)) if p),
        categories=tuple(words(lang, _SECTOR_NAMES.get(s, s)) for s in sectors) + (country,),
        description="\n".join(notes), url=url, status=ical_status)


def deadline(uid: str, summary: str, at: dt.datetime, tzid: str, stamp: dt.datetime, sequence: int,
             description: str, url: str, *, lang: str = "en") -> FeedEvent:
    # A deadline is a short block starting at the moment things are due, so the alarm a day
    # before the start is a day before the deadline.
    local = at.astimezone(ZoneInfo(tzid))
    when = f"{local.year:04}-{local.month:02}-{local.day:02} {local.hour:02}:{local.minute:02}"
    due = words(lang, N_("Due: %(when)s (%(zone)s)")) % {"when": when, "zone": tzid}
    return FeedEvent(uid=uid, summary=summary, start=at, end=at + DEADLINE_LENGTH, stamp=stamp,
                     sequence=sequence, tzid=tzid, description=f"{description}\n{due}\n{url}", url=url,
                     alarm=Alarm(words(lang, N_("Tomorrow: %(summary)s")) % {"summary": summary}))


class OfferShow(Protocol):
    """What an offer's events read of its show: an Exhibition, or a lighter row."""

    @property
    def slug(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def name_ko(self) -> str | None: ...
    @property
    def edition_year(self) -> int: ...
    @property
    def venue(self) -> str | None: ...
    @property
    def city(self) -> str: ...
    @property
    def city_ko(self) -> str | None: ...
    @property
    def sequence(self) -> int: ...
    @property
    def updated_at(self) -> dt.datetime: ...
    @property
    def status(self) -> str: ...


class OfferRow(Protocol):
    """What an offer's milestones need: an Offer, or a lighter row (programme feeds read
    thousands)."""

    @property
    def id(self) -> int: ...
    @property
    def sequence(self) -> int: ...
    @property
    def timezone(self) -> str: ...
    @property
    def opens_at(self) -> dt.datetime: ...
    @property
    def closes_at(self) -> dt.datetime: ...
    @property
    def payment_due_at(self) -> dt.datetime | None: ...
    @property
    def licence_due_at(self) -> dt.datetime | None: ...
    @property
    def shipping_cutoff_at(self) -> dt.datetime | None: ...
    @property
    def buildup_starts_on(self) -> dt.date | None: ...
    @property
    def buildup_ends_on(self) -> dt.date | None: ...
    @property
    def updated_at(self) -> dt.datetime: ...
    @property
    def exhibition(self) -> OfferShow: ...


def if_cancelled(events: list[FeedEvent], exhibition: OfferShow, *, lang: str = "en") -> list[FeedEvent]:
    """A cancelled show's deadlines stay in the feed, marked cancelled and without their alarms,
    so subscribers see the change instead of a reminder to pay for a show that will not happen."""
    if exhibition.status != ExhibitionStatus.cancelled:
        return events
    template = words(lang, N_("%(title)s (cancelled)"))
    return [replace(e, summary=template % {"title": e.summary}, status="CANCELLED", alarm=None) for e in events]


_WINDOW = (("opens", "opens_at", N_("Applications open: %(show)s"), N_("Applications for places at %(show)s open.")),
           ("closes", "closes_at", N_("Applications close: %(show)s"),
            N_("Last moment to apply for places at %(show)s.")))
_MILESTONES = (("payment", "payment_due_at", N_("Co-funding payment due: %(show)s"),
                N_("Co-funding payment due for %(show)s.")),
               ("licence", "licence_due_at", N_("Export licence filing due: %(show)s"),
                N_("Export licence filing due for %(show)s.")),
               ("shipping", "shipping_cutoff_at", N_("Shipping cut-off: %(show)s"),
                N_("Shipping cut-off for %(show)s.")))


def milestone_plan(offer: OfferRow, *, include_window: bool
                   ) -> list[tuple[str, dt.date | dt.datetime, dt.date | dt.datetime, str | None]]:
    """What `offer_milestones` makes of `offer`, without making it: per event, in its order,
    the name it is built under (`only=`), its start, end and zone (None: all day). A long feed
    plans every event and builds only those it keeps."""
    plan: list[tuple[str, dt.date | dt.datetime, dt.date | dt.datetime, str | None]] = []
    for what, attribute, _summary, _description in (_WINDOW + _MILESTONES) if include_window else _MILESTONES:
        at = getattr(offer, attribute)
        if at is not None:
            plan.append((what, at, at + DEADLINE_LENGTH, offer.timezone))
    if offer.buildup_starts_on is not None:
        last = offer.buildup_ends_on or offer.buildup_starts_on
        plan.append(("buildup", offer.buildup_starts_on, last + dt.timedelta(days=1), None))
    return plan


def offer_milestones(offer: OfferRow, *, prefix: str, site_url: str, stamp: dt.datetime,
                     include_window: bool, lang: str = "en", only: str | None = None) -> list[FeedEvent]:
    """An offer's dated milestones (and its application window) as events; `only` the one of
    them `milestone_plan` names so."""
    exhibition = offer.exhibition
    show = {"show": show_name(exhibition, lang)}
    url = exhibition_url(exhibition.slug, site_url, lang)
    host = host_of(site_url)
    # The events carry the show's name and status too, so its edits raise their SEQUENCE.
    seq = offer.sequence + exhibition.sequence
    events: list[FeedEvent] = []

    def uid(what: str) -> str:
        return f"{prefix}-offer-{offer.id}-{what}@{host}"

    for what, attribute, summary, description in (_WINDOW + _MILESTONES) if include_window else _MILESTONES:
        at = getattr(offer, attribute)
        if at is not None and only in (None, what):
            events.append(deadline(uid(what), words(lang, summary) % show, at, offer.timezone, stamp, seq,
                                   words(lang, description) % show, url, lang=lang))
    if offer.buildup_starts_on is not None and only in (None, "buildup"):
        last = offer.buildup_ends_on or offer.buildup_starts_on
        events.append(FeedEvent(
            uid=uid("buildup"), summary=words(lang, N_("Build-up: %(show)s")) % show,
            start=offer.buildup_starts_on, end=last + dt.timedelta(days=1), stamp=stamp, sequence=seq,
            location=", ".join(p for p in (exhibition.venue, _ko(lang, exhibition.city, exhibition.city_ko)) if p),
            description=words(lang, N_("Stand build-up days for %(show)s.")) % show + f"\n{url}", url=url))
    return if_cancelled(events, exhibition, lang=lang)


class Ordered(Protocol):
    """What the order of a feed's events reads: a FeedEvent, or a plan of one."""

    @property
    def uid(self) -> str: ...
    @property
    def start(self) -> dt.date | dt.datetime: ...


def event_order(event: Ordered) -> tuple[str, str]:
    start = event.start
    key = start.astimezone(dt.timezone.utc).isoformat() if isinstance(start, dt.datetime) else start.isoformat()
    return key, event.uid
