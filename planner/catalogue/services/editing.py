"""Editing exhibitions: the rules an exhibition must meet (shared by the form and the CSV
import), creating, updating, cancelling and postponing one, and raising its calendar SEQUENCE
whenever subscribers would see a change."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from urllib.parse import urlsplit

from planner.catalogue.models import DateCertainty, Exhibition, ExhibitionStatus
from planner.catalogue.services.programmes import SLUG_PATTERN, is_valid_timezone
from planner.catalogue.services.vocabulary import CONTROL_CHARS, MAX_YEAR, MIN_YEAR, is_known_country
from planner.db import utcnow
from planner.errors import PlannerError
from planner.extensions import db
from planner.i18n import _
from planner.vocab import Sector

__all__ = ["ExhibitionInput", "ExhibitionInvalid", "MAX_LENGTHS", "CALENDAR_FIELDS", "is_valid_website",
           "clean_input", "validate_exhibition", "apply_input", "create_exhibition", "update_exhibition",
           "cancel_exhibition", "postpone_exhibition", "exhibition_input_from"]


@dataclass(frozen=True)
class ExhibitionInput:
    """An exhibition as a coordinator (or a CSV row) describes it."""

    slug: str
    name: str
    starts_on: dt.date
    ends_on: dt.date
    city: str
    country_code: str
    timezone: str
    sectors: Sequence[str]
    edition_year: int | None = None
    date_certainty: str = DateCertainty.confirmed.value
    status: str = ExhibitionStatus.planned.value
    name_ko: str | None = None
    acronym: str | None = None
    city_ko: str | None = None
    venue: str | None = None
    organiser: str | None = None
    website: str | None = None
    description: str | None = None
    description_ko: str | None = None
    status_note: str | None = None
    source: str | None = None


class ExhibitionInvalid(PlannerError):
    """An exhibition breaks one or more rules; `problems` lists (field, message)."""

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        super().__init__("; ".join(message for _field, message in problems))
        self.problems = list(problems)


MAX_LENGTHS = {"slug": 120, "name": 200, "name_ko": 200, "acronym": 40, "city": 120, "city_ko": 120,
               "venue": 200, "organiser": 200, "website": 300, "status_note": 300, "timezone": 64}
# What an iCalendar subscriber sees of an exhibition; a change to any raises its SEQUENCE.
CALENDAR_FIELDS = ("name", "acronym", "starts_on", "ends_on", "date_certainty", "city", "country_code",
                   "venue", "timezone", "website", "description", "status", "status_note")


def is_valid_website(url: str | None) -> bool:
    # Any whitespace is refused, and before urlsplit(), which silently drops tabs and line breaks.
    if not url or any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        return False
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError:  # an unclosed IPv6 bracket, "https://[example.org"
        return False
    return parts.scheme in ("http", "https") and bool(hostname) and "." in (hostname or "")


def clean_input(data: ExhibitionInput) -> ExhibitionInput:
    def text(value: str | None) -> str | None:
        value = (value or "").strip()
        return value or None

    return replace(
        data, slug=data.slug.strip().lower(), name=data.name.strip(), city=data.city.strip(),
        country_code=data.country_code.strip().upper(), timezone=data.timezone.strip(),
        sectors=tuple(sorted({s.strip().lower() for s in data.sectors if s.strip()})),
        edition_year=data.edition_year or data.starts_on.year,
        name_ko=text(data.name_ko), acronym=text(data.acronym), city_ko=text(data.city_ko),
        venue=text(data.venue), organiser=text(data.organiser), website=text(data.website),
        description=text(data.description), description_ko=text(data.description_ko),
        status_note=text(data.status_note), source=text(data.source))


def validate_exhibition(data: ExhibitionInput, *, existing: Exhibition | None = None,
                        check_slug_taken: bool = True) -> list[tuple[str, str]]:
    """Every rule an exhibition must meet, as (field, message) pairs; empty when valid.

    The form and the CSV import both use it, so a row is refused for the same reasons.
    """
    problems: list[tuple[str, str]] = []
    for name in ("slug", "name", "city", "country_code", "timezone"):
        if not getattr(data, name):
            problems.append((name, _("This field is required.")))
    for name, limit in MAX_LENGTHS.items():
        value = getattr(data, name)
        if value and len(value) > limit:
            problems.append((name, _("At most %(n)s characters.", n=limit)))
    for item in fields(ExhibitionInput):
        value = getattr(data, item.name)
        if isinstance(value, str) and CONTROL_CHARS.search(value):
            problems.append((item.name, _("Remove the control characters (such as NUL) from this text.")))
    if data.slug and not SLUG_PATTERN.match(data.slug):
        problems.append(("slug", _("Use lowercase letters, digits and single hyphens only, e.g. eurosatory-2026.")))
    elif data.slug and check_slug_taken:
        taken = db.session.scalar(db.select(Exhibition.id).where(Exhibition.slug == data.slug))
        if taken is not None and (existing is None or taken != existing.id):
            problems.append(("slug", _("Another exhibition already uses the address “%(slug)s”.", slug=data.slug)))
    if data.ends_on < data.starts_on:
        problems.append(("ends_on", _("The end date is before the start date.")))
    for name in ("starts_on", "ends_on"):
        if not MIN_YEAR <= getattr(data, name).year <= MAX_YEAR:
            problems.append((name, _("The year must be between %(low)s and %(high)s.", low=MIN_YEAR, high=MAX_YEAR)))
    if data.edition_year is not None and not MIN_YEAR <= data.edition_year <= MAX_YEAR:
        problems.append(("edition_year", _("The year must be between %(low)s and %(high)s.",
                                           low=MIN_YEAR, high=MAX_YEAR)))
    if data.country_code and not is_known_country(data.country_code):
        problems.append(("country_code", _("“%(value)s” is not a known ISO country code.", value=data.country_code)))
    if data.timezone and not is_valid_timezone(data.timezone):
        problems.append(("timezone", _("“%(value)s” is not an IANA time zone such as Europe/Paris.",
                                       value=data.timezone)))
    if data.website and not is_valid_website(data.website):
        problems.append(("website", _("Give a full web address starting with http:// or https://.")))
    if not data.sectors:
        problems.append(("sectors", _("Choose at least one sector.")))
    for sector in data.sectors:
        if sector not in Sector._value2member_map_:
            problems.append(("sectors", _("“%(value)s” is not a sector.", value=sector)))
    if data.date_certainty not in DateCertainty._value2member_map_:
        problems.append(("date_certainty", _("“%(value)s” is not a date certainty.", value=data.date_certainty)))
    if data.status not in ExhibitionStatus._value2member_map_:
        problems.append(("status", _("“%(value)s” is not a status.", value=data.status)))
    return problems


def apply_input(exhibition: Exhibition, data: ExhibitionInput) -> bool:
    """Copy `data` onto `exhibition`; True when a calendar subscriber would see a change."""
    before = {name: getattr(exhibition, name) for name in CALENDAR_FIELDS}
    for item in fields(ExhibitionInput):
        if item.name == "sectors":
            continue
        value = getattr(data, item.name)
        if item.name == "date_certainty":
            value = DateCertainty(value)
        elif item.name == "status":
            value = ExhibitionStatus(value)
        setattr(exhibition, item.name, value)
    exhibition.sectors = list(data.sectors)
    return exhibition.id is not None and any(
        before[name] != getattr(exhibition, name) for name in CALENDAR_FIELDS)


def create_exhibition(data: ExhibitionInput, *,
                      now: dt.datetime | None = None) -> Exhibition:
    """Add an exhibition to the catalogue. Raises ExhibitionInvalid listing every broken rule."""
    data = clean_input(data)
    problems = validate_exhibition(data)
    if problems:
        raise ExhibitionInvalid(problems)
    exhibition = Exhibition(sequence=0, created_at=now or utcnow())
    apply_input(exhibition, data)
    db.session.add(exhibition)
    db.session.flush()
    return exhibition


def update_exhibition(exhibition: Exhibition, data: ExhibitionInput, *,
                      now: dt.datetime | None = None) -> Exhibition:
    """Change an exhibition; a change calendar subscribers would see raises its sequence."""
    data = clean_input(data)
    problems = validate_exhibition(data, existing=exhibition)
    if problems:
        raise ExhibitionInvalid(problems)
    if apply_input(exhibition, data):
        exhibition.sequence = (exhibition.sequence or 0) + 1
    exhibition.updated_at = now or utcnow()
    db.session.flush()
    return exhibition


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise ExhibitionInvalid([("reason", _("Give a reason; visitors will see it."))])
    if CONTROL_CHARS.search(text):
        raise ExhibitionInvalid([("reason", _("Remove the control characters (such as NUL) from this text."))])
    if len(text) > MAX_LENGTHS["status_note"]:
        raise ExhibitionInvalid([("reason", _("At most %(n)s characters.", n=MAX_LENGTHS["status_note"]))])
    return text


def cancel_exhibition(exhibition: Exhibition, *, reason: str,
                      now: dt.datetime | None = None) -> Exhibition:
    """Mark an exhibition cancelled with the reason shown to visitors and subscribers."""
    note = _reason(reason)
    if exhibition.status == ExhibitionStatus.cancelled:
        raise ExhibitionInvalid([("status", _("This exhibition is already cancelled."))])
    exhibition.status = ExhibitionStatus.cancelled
    exhibition.status_note = note
    exhibition.sequence = (exhibition.sequence or 0) + 1
    exhibition.updated_at = now or utcnow()
    db.session.flush()
    return exhibition


def postpone_exhibition(exhibition: Exhibition, *, starts_on: dt.date, ends_on: dt.date, reason: str,
                        date_certainty: str = DateCertainty.confirmed.value,
                        now: dt.datetime | None = None) -> Exhibition:
    """Move an exhibition to new dates, marked postponed with a note for visitors."""
    note = _reason(reason)
    if exhibition.status == ExhibitionStatus.cancelled:
        raise ExhibitionInvalid([("status", _("A cancelled exhibition cannot be postponed; edit it instead."))])
    data = replace(exhibition_input_from(exhibition), starts_on=starts_on, ends_on=ends_on,
                   date_certainty=date_certainty, status=ExhibitionStatus.postponed.value,
                   status_note=note, edition_year=starts_on.year)
    problems = [p for p in validate_exhibition(clean_input(data), existing=exhibition, check_slug_taken=False)
                if p[0] in ("starts_on", "ends_on", "date_certainty", "edition_year")]
    if problems:
        raise ExhibitionInvalid(problems)
    if (starts_on, ends_on) == (exhibition.starts_on, exhibition.ends_on):
        raise ExhibitionInvalid([("starts_on", _("The new dates are the same as the current ones."))])
    apply_input(exhibition, clean_input(data))
    exhibition.sequence = (exhibition.sequence or 0) + 1
    exhibition.updated_at = now or utcnow()
    db.session.flush()
    return exhibition


def exhibition_input_from(exhibition: Exhibition) -> ExhibitionInput:
    values = {item.name: getattr(exhibition, item.name) for item in fields(ExhibitionInput)}
    values["sectors"] = tuple(s.value for s in exhibition.sectors)
    values["date_certainty"] = exhibition.date_certainty.value
    values["status"] = exhibition.status.value
    return ExhibitionInput(**values)
