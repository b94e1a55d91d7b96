"""Exhibitions: search filters, listing, timeline, editing and CSV import/export."""
from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from urllib.parse import urlsplit

from flask import has_request_context
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, bindparam, case, exists, func, or_
from sqlalchemy import text as sql_text

from planner.catalogue.models import DateCertainty, Exhibition, ExhibitionSector, ExhibitionStatus, Offer
from planner.catalogue.regions import NOT_PLACES, REGIONS, countries_in
from planner.catalogue.services.programmes import (SLUG_PATTERN, company_share_krw, is_valid_timezone,
                                                   offers_for_exhibition)
from planner.db import UTCDateTime, utcnow
from planner.errors import PlannerError
from planner.extensions import db
from planner.i18n import countries_matching, country_name, known_country_codes, seoul_offset_hours
from planner.vocab import Sector, SizeClass

__all__ = [
    "list_upcoming", "FilterError", "PageNotFound", "ExhibitionFilters", "ExhibitionPage",
    "parse_filters", "search_exhibitions", "open_exhibition_ids", "get_exhibition",
    "Timeline", "TimelineMonth", "TimelineBar", "parse_year", "timeline",
    "ExhibitionInput", "ExhibitionInvalid", "validate_exhibition", "create_exhibition",
    "update_exhibition", "cancel_exhibition", "postpone_exhibition", "exhibition_input_from",
    "CSV_COLUMNS", "export_csv", "import_csv", "ImportReport", "RowError",
    "is_known_country", "is_valid_website", "PER_PAGE", "MAX_QUERY_LENGTH", "OfferSummary",
    "offer_summaries", "seoul_offset_hours_for", "catalogue_version", "STATUS_LABELS", "CERTAINTY_LABELS",
    "country_choices",
]



def _(message: str, **values: object) -> str:
    # Services also run from the CLI and tests, where there is no request to pick a locale.
    if has_request_context():
        return gettext(message, **values)
    return message % values if values else message


CERTAINTY_LABELS = {
    DateCertainty.confirmed: _l("Confirmed by the organiser"),
    DateCertainty.month: _l("Month announced, days not yet confirmed"),
    DateCertainty.projected: _l("Projected from the show's usual cycle"),
}
STATUS_LABELS = {
    ExhibitionStatus.planned: _l("Planned"),
    ExhibitionStatus.postponed: _l("Postponed"),
    ExhibitionStatus.cancelled: _l("Cancelled"),
    ExhibitionStatus.completed: _l("Completed"),
}

PER_PAGE = 20
MAX_QUERY_LENGTH = 200
MAX_PAGE = 100_000
# More words than this in a search are almost certainly pasted text, not a query.
MAX_QUERY_WORDS = 8
MIN_YEAR, MAX_YEAR = 1990, 2100
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
# PostgreSQL refuses NUL in text, and no name or address holds control characters.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FILTER_PARAMS = ("q", "country", "region", "sector", "from", "to", "open", "past")
TIMELINE_LIMIT = 400


def list_upcoming(*, limit: int = 6, today: dt.date | None = None) -> Sequence[Exhibition]:
    today = today or dt.date.today()
    return db.session.scalars(
        db.select(Exhibition).where(Exhibition.ends_on >= today)
        .order_by(Exhibition.starts_on, Exhibition.id).limit(limit)).all()


# --- search filters ----------------------------------------------------------------------

class FilterError(PlannerError):
    """A search filter has a value we cannot use; `param` names the parameter."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(message)
        self.param = param


class PageNotFound(PlannerError):
    """The requested page is past the last page of results."""

    def __init__(self, page: int, pages: int) -> None:
        super().__init__(_("There is no page %(page)s: the results have %(pages)s page(s).",
                           page=page, pages=pages))
        self.page = page
        self.pages = pages


@dataclass(frozen=True)
class ExhibitionFilters:
    """What a visitor asked for in /exhibitions (or the API); all optional."""

    q: str | None = None
    country: str | None = None
    region: str | None = None
    sector: Sector | None = None
    month_from: dt.date | None = None   # first day of the `from` month
    month_to: dt.date | None = None     # last day of the `to` month
    open_only: bool = False
    include_past: bool = False
    page: int = 1

    def to_args(self) -> dict[str, str]:
        """The filters as URL query arguments (without the page), for links and forms."""
        args: dict[str, str] = {}
        if self.q:
            args["q"] = self.q
        if self.country:
            args["country"] = self.country
        if self.region:
            args["region"] = self.region
        if self.sector:
            args["sector"] = self.sector.value
        if self.month_from:
            args["from"] = self.month_from.strftime("%Y-%m")
        if self.month_to:
            args["to"] = self.month_to.strftime("%Y-%m")
        if self.open_only:
            args["open"] = "1"
        if self.include_past:
            args["past"] = "1"
        return args

    @property
    def is_filtered(self) -> bool:
        return bool(self.to_args())


def _month(param: str, value: str, *, end: bool) -> dt.date:
    match = MONTH_PATTERN.match(value)
    if not match or not 1 <= int(match.group(2)) <= 12 or not MIN_YEAR <= int(match.group(1)) <= MAX_YEAR:
        raise FilterError(param, _("“%(param)s” must be a month written YYYY-MM, for example 2027-06.",
                                   param=param))
    year, month = int(match.group(1)), int(match.group(2))
    return dt.date(year, month, calendar.monthrange(year, month)[1] if end else 1)


def _flag(param: str, value: str) -> bool:
    if value in ("", "0"):
        return False
    if value in ("1", "on", "true"):
        return True
    raise FilterError(param, _("“%(param)s” must be 1 or left out.", param=param))


def parse_filters(args: Mapping[str, str]) -> ExhibitionFilters:
    """Read and check the search filters of a request's query arguments.

    Unknown argument names are ignored (links get tracking parameters); a known filter with
    a value we cannot use raises FilterError naming it.
    """
    def arg(name: str) -> str:
        return (args.get(name) or "").strip()

    q = re.sub(r"\s+", " ", CONTROL_CHARS.sub(" ", arg("q"))).strip() or None
    if q and len(q) > MAX_QUERY_LENGTH:
        raise FilterError("q", _("The search text is too long: at most %(n)s characters.",
                                 n=MAX_QUERY_LENGTH))
    country = arg("country").upper() or None
    if country and (country not in known_country_codes() or country in NOT_PLACES):
        raise FilterError("country", _("“%(value)s” is not a country code we know (use ISO codes such as FR).",
                                       value=country[:10]))
    region = arg("region").lower() or None
    if region and region not in REGIONS:
        raise FilterError("region", _("“%(value)s” is not a region. Choose one of: %(choices)s.",
                                      value=region[:30], choices=", ".join(REGIONS)))
    sector_text = arg("sector").lower()
    sector: Sector | None = None
    if sector_text:
        try:
            sector = Sector(sector_text)
        except ValueError:
            raise FilterError("sector", _("“%(value)s” is not a sector. Choose one of: %(choices)s.",
                                          value=sector_text[:30],
                                          choices=", ".join(s.value for s in Sector))) from None
    month_from = _month("from", arg("from"), end=False) if arg("from") else None
    month_to = _month("to", arg("to"), end=True) if arg("to") else None
    if month_from and month_to and month_to < month_from:
        raise FilterError("to", _("The “to” month comes before the “from” month."))
    page_text = arg("page") or "1"
    if not page_text.isdigit() or not 1 <= int(page_text) <= MAX_PAGE:
        raise FilterError("page", _("“page” must be a whole number of 1 or more."))
    return ExhibitionFilters(q=q, country=country, region=region, sector=sector,
                             month_from=month_from, month_to=month_to,
                             open_only=_flag("open", arg("open")),
                             include_past=_flag("past", arg("past")), page=int(page_text))


@lru_cache(maxsize=512)
def _countries_matching(word: str) -> frozenset[str]:
    # The lookup walks every territory name in two languages; searches repeat, so cache it.
    return frozenset(countries_matching(word))


def _open_clause(now: dt.datetime) -> ColumnElement[bool]:
    return exists().where(Offer.exhibition_id == Exhibition.id, Offer.opens_at <= now,
                          Offer.closes_at > now)


def _word_clause(word: str) -> ColumnElement[bool]:
    columns = (Exhibition.name, Exhibition.name_ko, Exhibition.acronym, Exhibition.city,
               Exhibition.city_ko, Exhibition.description, Exhibition.description_ko)
    clauses: list[ColumnElement[bool]] = [c.icontains(word, autoescape=True) for c in columns]
    codes = _countries_matching(word)
    if codes:
        clauses.append(Exhibition.country_code.in_(sorted(codes)))
    return or_(*clauses)


def _includes_past(filters: ExhibitionFilters, today: dt.date) -> bool:
    # Asking for months already gone is asking for past editions.
    return filters.include_past or (filters.month_from is not None and filters.month_from < today) \
        or (filters.month_to is not None and filters.month_to < today)


def _where(filters: ExhibitionFilters, *, today: dt.date, now: dt.datetime) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if not _includes_past(filters, today):
        where.append(Exhibition.ends_on >= today)
    if filters.q:
        where.extend(_word_clause(word) for word in filters.q.split(" ")[:MAX_QUERY_WORDS])
    if filters.country:
        where.append(Exhibition.country_code == filters.country)
    if filters.region:
        where.append(Exhibition.country_code.in_(sorted(countries_in(filters.region))))
    if filters.sector:
        where.append(exists().where(ExhibitionSector.exhibition_id == Exhibition.id,
                                    ExhibitionSector.sector == filters.sector))
    # A show overlapping the month range counts: it is on during those months.
    if filters.month_from:
        where.append(Exhibition.ends_on >= filters.month_from)
    if filters.month_to:
        where.append(Exhibition.starts_on <= filters.month_to)
    if filters.open_only:
        where.append(_open_clause(now))
    return where


@dataclass(frozen=True)
class ExhibitionPage:
    items: Sequence[Exhibition]
    total: int
    number: int
    pages: int
    per_page: int
    # Ids of the exhibitions on this page that have an application window open now.
    open_ids: frozenset[int] = field(default_factory=frozenset)


def search_exhibitions(filters: ExhibitionFilters, *, today: dt.date | None = None,
                       now: dt.datetime | None = None, per_page: int = PER_PAGE) -> ExhibitionPage:
    """One page of the exhibitions matching `filters`: upcoming first by start date, then
    (when past editions are included) past ones, latest first. Three queries at most.

    Raises PageNotFound for a page past the last one (page 1 always exists, maybe empty).
    """
    now = now or utcnow()
    today = today or now.date()
    where = _where(filters, today=today, now=now)
    is_past = Exhibition.ends_on < today
    if _includes_past(filters, today):
        order = (case((is_past, 1), else_=0), case((is_past, None), else_=Exhibition.starts_on),
                 Exhibition.starts_on.desc(), Exhibition.name, Exhibition.id)
    else:  # every row is upcoming: a plain order the starts_on index can serve
        order = (Exhibition.starts_on, Exhibition.name, Exhibition.id)
    # The total rides along in the same statement, saving a query per page. Without a text
    # search an uncorrelated subquery counts from the indexes alone (a window count(*) OVER ()
    # was six times slower on SQLite); with one, the window count avoids matching every row
    # against the words twice.
    if filters.q:
        count: ColumnElement[int] = func.count().over()
    else:
        count = db.select(func.count()).select_from(Exhibition).where(*where).correlate(None).scalar_subquery()
    query: Select[tuple[Exhibition, int]] = (
        db.select(Exhibition, count).where(*where).order_by(*order)
        .limit(per_page).offset((filters.page - 1) * per_page))
    rows = db.session.execute(query).all()
    items = [row[0] for row in rows]
    if rows:
        total = rows[0][1]
    else:
        total = db.session.scalar(db.select(func.count()).select_from(Exhibition).where(*where)) or 0
    pages = max(1, math.ceil(total / per_page))
    if filters.page > pages:
        raise PageNotFound(filters.page, pages)
    return ExhibitionPage(items=items, total=total, number=filters.page, pages=pages,
                          per_page=per_page, open_ids=open_exhibition_ids([e.id for e in items], now=now))


def open_exhibition_ids(ids: Iterable[int], *, now: dt.datetime | None = None) -> frozenset[int]:
    """Which of `ids` have an offer whose application window is open at `now`."""
    wanted = sorted(set(ids))
    if not wanted:
        return frozenset()
    now = now or utcnow()
    return frozenset(db.session.scalars(
        db.select(Offer.exhibition_id).where(Offer.exhibition_id.in_(wanted), Offer.opens_at <= now,
                                             Offer.closes_at > now).distinct()))


def get_exhibition(slug: str) -> Exhibition | None:
    """The exhibition at /exhibitions/<slug>; None for an unknown or impossible slug."""
    if len(slug) > 120 or not SLUG_PATTERN.match(slug):
        return None
    return db.session.scalar(db.select(Exhibition).where(Exhibition.slug == slug))


# --- timeline ------------------------------------------------------------------------------

@dataclass(frozen=True)
class TimelineMonth:
    first_day: dt.date
    column: int   # 1-based grid column of the month's first day
    span: int     # days in the month


@dataclass(frozen=True)
class TimelineBar:
    exhibition: Exhibition
    column: int           # 1-based grid column of the first day shown this year
    span: int             # days shown this year
    starts_before: bool   # began in the previous year
    ends_after: bool      # runs into the next year


@dataclass(frozen=True)
class Timeline:
    year: int
    days: int
    months: Sequence[TimelineMonth]
    bars: Sequence[TimelineBar]
    truncated: bool


def parse_year(value: str | None, *, default: int) -> int:
    text = (value or "").strip()
    if not text:
        return default
    if not text.isdigit() or not MIN_YEAR <= int(text) <= MAX_YEAR:
        raise FilterError("year", _("“year” must be a year between %(low)s and %(high)s.",
                                    low=MIN_YEAR, high=MAX_YEAR))
    return int(text)


def timeline(year: int, filters: ExhibitionFilters | None = None, *,
             now: dt.datetime | None = None) -> Timeline:
    """The shows of `year` (those on for at least a day of it) as bars on a grid of days,
    a column per day, so a template can draw them with CSS grid and no script."""
    now = now or utcnow()
    filters = replace(filters or ExhibitionFilters(), include_past=True, month_from=None, month_to=None)
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    where = _where(filters, today=now.date(), now=now)
    rows = db.session.scalars(
        db.select(Exhibition).where(*where, Exhibition.ends_on >= first, Exhibition.starts_on <= last)
        .order_by(Exhibition.starts_on, Exhibition.name).limit(TIMELINE_LIMIT + 1)).all()
    months = []
    for month in range(1, 13):
        day = dt.date(year, month, 1)
        months.append(TimelineMonth(day, day.timetuple().tm_yday, calendar.monthrange(year, month)[1]))
    bars = []
    for exhibition in rows[:TIMELINE_LIMIT]:
        start, end = max(exhibition.starts_on, first), min(exhibition.ends_on, last)
        bars.append(TimelineBar(exhibition, start.timetuple().tm_yday, (end - start).days + 1,
                                exhibition.starts_on < first, exhibition.ends_on > last))
    return Timeline(year=year, days=last.timetuple().tm_yday, months=months, bars=bars,
                    truncated=len(rows) > TIMELINE_LIMIT)


# --- editing -------------------------------------------------------------------------------

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


def country_choices(locale_code: str | None = None) -> tuple[tuple[str, str], ...]:
    """Every country as (ISO code, name in the locale), sorted by that name, for select boxes."""
    if locale_code is None:
        locale_code = str(get_locale() or "en") if has_request_context() else "en"
    return _sorted_countries(locale_code)


@lru_cache(maxsize=8)
def _sorted_countries(locale_code: str) -> tuple[tuple[str, str], ...]:
    # Sorting some 250 names per request showed up in the catalogue benchmark.
    codes = known_country_codes() - NOT_PLACES
    return tuple(sorted(((code, country_name(code, locale_code)) for code in codes),
                        key=lambda c: c[1].casefold()))


def is_known_country(code: str | None) -> bool:
    return bool(code) and code.upper() in known_country_codes() and code.upper() not in NOT_PLACES


def is_valid_website(url: str | None) -> bool:
    # Any whitespace is refused, and before urlsplit(), which silently drops tabs and line breaks.
    if not url or any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and "." in (parts.hostname or "")


def _clean(data: ExhibitionInput) -> ExhibitionInput:
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


def _apply(exhibition: Exhibition, data: ExhibitionInput) -> bool:
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


def create_exhibition(data: ExhibitionInput, *, actor: object | None = None,
                      now: dt.datetime | None = None) -> Exhibition:
    """Add an exhibition to the catalogue. Raises ExhibitionInvalid listing every broken rule."""
    data = _clean(data)
    problems = validate_exhibition(data)
    if problems:
        raise ExhibitionInvalid(problems)
    exhibition = Exhibition(sequence=0, created_at=now or utcnow())
    _apply(exhibition, data)
    db.session.add(exhibition)
    db.session.flush()
    return exhibition


def update_exhibition(exhibition: Exhibition, data: ExhibitionInput, *, actor: object | None = None,
                      now: dt.datetime | None = None) -> Exhibition:
    """Change an exhibition; a change calendar subscribers would see raises its sequence."""
    data = _clean(data)
    problems = validate_exhibition(data, existing=exhibition)
    if problems:
        raise ExhibitionInvalid(problems)
    if _apply(exhibition, data):
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


def cancel_exhibition(exhibition: Exhibition, *, reason: str, actor: object | None = None,
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
                        date_certainty: str = DateCertainty.confirmed.value, actor: object | None = None,
                        now: dt.datetime | None = None) -> Exhibition:
    """Move an exhibition to new dates, marked postponed with a note for visitors."""
    note = _reason(reason)
    if exhibition.status == ExhibitionStatus.cancelled:
        raise ExhibitionInvalid([("status", _("A cancelled exhibition cannot be postponed; edit it instead."))])
    data = replace(exhibition_input_from(exhibition), starts_on=starts_on, ends_on=ends_on,
                   date_certainty=date_certainty, status=ExhibitionStatus.postponed.value,
                   status_note=note, edition_year=starts_on.year)
    problems = [p for p in validate_exhibition(_clean(data), existing=exhibition, check_slug_taken=False)
                if p[0] in ("starts_on", "ends_on", "date_certainty", "edition_year")]
    if problems:
        raise ExhibitionInvalid(problems)
    if (starts_on, ends_on) == (exhibition.starts_on, exhibition.ends_on):
        raise ExhibitionInvalid([("starts_on", _("The new dates are the same as the current ones."))])
    _apply(exhibition, _clean(data))
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


# --- CSV -----------------------------------------------------------------------------------

CSV_COLUMNS = ("slug", "name", "name_ko", "acronym", "edition_year", "starts_on", "ends_on",
               "date_certainty", "city", "city_ko", "country_code", "venue", "timezone", "organiser",
               "website", "sectors", "status", "status_note", "description", "description_ko", "source")
REQUIRED_COLUMNS = ("slug", "name", "starts_on", "ends_on", "city", "country_code", "timezone", "sectors")
MAX_IMPORT_BYTES = 5 * 1024 * 1024
# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection:
# "=HYPERLINK(...)" in an exhibition's name). The export puts an apostrophe before such a cell,
# and before one that already starts with apostrophes and then such a character, and the import
# takes one off again, so every exported file imports to exactly what was exported.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _spreadsheet_safe(value: str) -> str:
    return "'" + value if value.lstrip("'").startswith(_FORMULA_PREFIXES) else value


def _from_spreadsheet_safe(value: str) -> str:
    if value.startswith("'") and value.lstrip("'").startswith(_FORMULA_PREFIXES):
        return value[1:]
    return value


@dataclass(frozen=True)
class RowError:
    row: int        # as a spreadsheet numbers it: the header is row 1
    column: str
    message: str


@dataclass(frozen=True)
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: Sequence[RowError] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


def export_csv() -> str:
    """The whole catalogue as CSV (UTF-8, header row, sectors separated by semicolons)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for exhibition in db.session.scalars(db.select(Exhibition).order_by(Exhibition.starts_on, Exhibition.slug)):
        data = exhibition_input_from(exhibition)
        row = []
        for column in CSV_COLUMNS:
            value = getattr(data, column)
            if column == "sectors":
                value = ";".join(value)
            elif isinstance(value, dt.date):
                value = value.isoformat()
            row.append("" if value is None else _spreadsheet_safe(str(value)))
        writer.writerow(row)
    return out.getvalue()


def _parse_row(row: Mapping[str, str | None]) -> tuple[ExhibitionInput | None, list[tuple[str, str]]]:
    def text(column: str) -> str:
        return _from_spreadsheet_safe((row.get(column) or "").strip())

    problems: list[tuple[str, str]] = []
    dates: dict[str, dt.date] = {}
    for column in ("starts_on", "ends_on"):
        try:
            dates[column] = dt.date.fromisoformat(text(column))
        except ValueError:
            problems.append((column, _("“%(value)s” is not a date written YYYY-MM-DD.", value=text(column)[:40])))
    year: int | None = None
    if text("edition_year"):
        if text("edition_year").isdigit():
            year = int(text("edition_year"))
        else:
            problems.append(("edition_year", _("“%(value)s” is not a year.", value=text("edition_year")[:20])))
    if problems:
        return None, problems
    return ExhibitionInput(
        slug=text("slug"), name=text("name"), name_ko=text("name_ko"), acronym=text("acronym"),
        edition_year=year, starts_on=dates["starts_on"], ends_on=dates["ends_on"],
        date_certainty=text("date_certainty") or DateCertainty.confirmed.value, city=text("city"),
        city_ko=text("city_ko"), country_code=text("country_code"), venue=text("venue"),
        timezone=text("timezone"), organiser=text("organiser"), website=text("website"),
        sectors=tuple(re.split(r"[;,|]", text("sectors"))) if text("sectors") else (),
        status=text("status") or ExhibitionStatus.planned.value, status_note=text("status_note"),
        description=text("description"), description_ko=text("description_ko"), source=text("source"),
    ), []


def import_csv(content: bytes | str, *, actor: object | None = None,
               now: dt.datetime | None = None) -> ImportReport:
    """Create or update (by slug) every exhibition of a CSV in export_csv()'s format.

    Every row is checked with the form's rules first; if any row is bad nothing is written and
    the report lists each problem with its row number and column.
    """
    now = now or utcnow()
    if isinstance(content, bytes):
        if len(content) > MAX_IMPORT_BYTES:
            return ImportReport(errors=[RowError(0, "", _("The file is larger than 5 MB."))])
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            return ImportReport(errors=[RowError(0, "", _("The file is not UTF-8 text; save it as CSV UTF-8."))])
    content = content.lstrip("\ufeff")
    try:
        reader = csv.DictReader(io.StringIO(content, newline=""))
        header = [h.strip() for h in (reader.fieldnames or [])]
        reader.fieldnames = header
        rows = list(reader)
    except csv.Error as exc:
        return ImportReport(errors=[RowError(0, "", _("The file is not valid CSV: %(error)s", error=str(exc)))])
    if not header:
        return ImportReport(errors=[RowError(1, "", _("The file is empty; it needs a header row."))])
    errors = [RowError(1, column, _("The header has no “%(column)s” column.", column=column))
              for column in REQUIRED_COLUMNS if column not in header]
    errors += [RowError(1, column, _("Unknown column “%(column)s”.", column=column))
               for column in header if column not in CSV_COLUMNS]
    if errors:
        return ImportReport(errors=errors)
    if not rows:
        return ImportReport(errors=[RowError(2, "", _("The file has no exhibitions after its header."))])

    existing = {e.slug: e for e in db.session.scalars(db.select(Exhibition))}
    seen: dict[str, int] = {}
    parsed: list[tuple[ExhibitionInput, Exhibition | None]] = []
    for number, row in enumerate(rows, start=2):
        if None in row:  # DictReader puts surplus cells under the key None
            errors.append(RowError(number, "", _("This row has more cells than the header.")))
            continue
        data, problems = _parse_row(row)
        if data is not None:
            data = _clean(data)
            problems = validate_exhibition(data, check_slug_taken=False)
            if data.slug in seen:
                problems.append(("slug", _("The slug “%(slug)s” is also on row %(row)s.",
                                           slug=data.slug, row=seen[data.slug])))
            seen.setdefault(data.slug, number)
        errors.extend(RowError(number, column, message) for column, message in problems)
        if data is not None and not problems:
            parsed.append((data, existing.get(data.slug)))
    if errors:
        return ImportReport(errors=errors)

    created = updated = unchanged = 0
    for data, exhibition in parsed:
        if exhibition is None:
            exhibition = Exhibition(sequence=0, created_at=now)
            _apply(exhibition, data)
            db.session.add(exhibition)
            created += 1
            continue
        before = exhibition_input_from(exhibition)
        if before == data:
            unchanged += 1
            continue
        if _apply(exhibition, data):
            exhibition.sequence = (exhibition.sequence or 0) + 1
        exhibition.updated_at = now
        updated += 1
    db.session.flush()
    return ImportReport(created=created, updated=updated, unchanged=unchanged)


# --- offers on an exhibition's page ---------------------------------------------------------

@dataclass(frozen=True)
class OfferSummary:
    """An offer as an exhibition's page shows it, with what each eligible size class pays."""

    offer: Offer
    is_open: bool
    not_yet_open: bool
    booth_shares: Sequence[tuple[str, int]]        # (size class, company's share in KRW)
    delegation_shares: Sequence[tuple[str, int]]


def offer_summaries(exhibition: Exhibition, *, now: dt.datetime | None = None) -> list[OfferSummary]:
    """The exhibition's offers, newest programme first, in one query."""
    now = now or utcnow()
    summaries = []
    for offer in offers_for_exhibition(exhibition.id):
        sizes = [s for s in SizeClass if s.value in (offer.programme.eligible_size_classes or [])]
        summaries.append(OfferSummary(
            offer=offer, is_open=offer.opens_at <= now < offer.closes_at, not_yet_open=now < offer.opens_at,
            booth_shares=[(s.value, company_share_krw(offer.booth_cost_krw, offer.programme, s.value))
                          for s in sizes],
            delegation_shares=[(s.value, company_share_krw(offer.delegation_cost_krw, offer.programme, s.value))
                               for s in sizes]))
    return summaries


def seoul_offset_hours_for(exhibition: Exhibition) -> float | None:
    """Hours the venue's clocks are ahead of (positive) or behind Seoul during the show."""
    if not is_valid_timezone(exhibition.timezone):
        return None
    return seoul_offset_hours(exhibition.timezone, exhibition.starts_on)


# Plain SQL, prepared once: this runs on every public page view, before any cache lookup.
_VERSION_SQL = sql_text(
    "SELECT (SELECT count(*) FROM exhibitions), (SELECT max(updated_at) FROM exhibitions),"
    " (SELECT count(*) FROM exhibition_sectors),"
    " (SELECT count(*) FROM offers), (SELECT max(updated_at) FROM offers),"
    " (SELECT max(updated_at) FROM programmes),"
    " (SELECT min(opens_at) FROM offers WHERE opens_at > :now),"
    " (SELECT min(closes_at) FROM offers WHERE closes_at > :now)"
).bindparams(bindparam("now", type_=UTCDateTime()))


def catalogue_version(*, now: dt.datetime | None = None) -> str:
    """A token that changes whenever a public catalogue page could change: an exhibition,
    offer or programme added, removed or edited, the day turning, or an application window
    opening or closing (the next such moment is part of the token, so passing it changes it).

    One indexed query; pages rendered for a token can be reused while it stays the same.
    """
    now = now or utcnow()
    row = db.session.execute(_VERSION_SQL, {"now": now}).one()
    return "|".join(str(value) for value in (now.date(), *row))
