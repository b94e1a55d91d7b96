"""Finding and showing exhibitions: the filtered listing (one page at a time), the year's
timeline, the coming shows for the home page, and one exhibition's page with its offers."""
from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import ColumnElement, case, func

from planner.catalogue.models import Exhibition, Offer
from planner.catalogue.services.filters import ExhibitionFilters, FilterError, filter_clauses, includes_past
from planner.catalogue.services.programmes import (
    SLUG_PATTERN,
    SizeTerms,
    company_share_krw,
    is_valid_timezone,
    offers_for_exhibition,
    size_class_terms,
)
from planner.catalogue.services.vocabulary import MAX_YEAR, MIN_YEAR
from planner.db import utcnow
from planner.errors import NotFound
from planner.extensions import db
from planner.i18n import _, ngettext_, seoul_offset_hours
from planner.vocab import SizeClass

__all__ = ["PER_PAGE", "PageNotFound", "ExhibitionPage", "list_upcoming", "search_exhibitions",
           "open_exhibition_ids", "get_exhibition", "Timeline", "TimelineMonth", "TimelineBar", "parse_year",
           "parse_timeline_start", "add_months", "timeline", "OfferSummary", "offer_summaries", "seoul_offset_hours_for"]

PER_PAGE = 20
TIMELINE_LIMIT = 400


class PageNotFound(NotFound):
    """The requested page is past the last page of results."""

    def __init__(self, page: int, pages: int) -> None:
        super().__init__(ngettext_("There is no page %(page)s: the results have %(num)s page.",
                                   "There is no page %(page)s: the results have %(num)s pages.", pages, page=page))
        self.page = page
        self.pages = pages


def host_country_codes() -> frozenset[str]:
    """Countries that host a show in the catalogue: offered first in country lists."""
    return frozenset(db.session.scalars(db.select(Exhibition.country_code).distinct()))


def list_upcoming(*, limit: int = 6, today: dt.date | None = None) -> Sequence[Exhibition]:
    today = today or dt.date.today()
    return db.session.scalars(
        db.select(Exhibition).where(Exhibition.ends_on >= today)
        .order_by(Exhibition.starts_on, Exhibition.id).limit(limit)).all()


def _listing_where(filters: ExhibitionFilters, *, today: dt.date, now: dt.datetime) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [] if includes_past(filters, today) else [Exhibition.ends_on >= today]
    return where + filter_clauses(filters, now=now)


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
    where = _listing_where(filters, today=today, now=now)
    is_past = Exhibition.ends_on < today
    order: tuple[Any, ...]
    if includes_past(filters, today):
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
    query = (
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
    """The exhibition at /exhibitions/<slug>; None for an unknown or impossible slug (a NUL
    byte would be an error on PostgreSQL, so impossible slugs are refused before asking)."""
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
    column: int           # 1-based grid column of the first day shown
    span: int             # days shown
    starts_before: bool   # began before the first day shown
    ends_after: bool      # runs past the last day shown


@dataclass(frozen=True)
class Timeline:
    first_day: dt.date    # the first day of the first month shown
    last_day: dt.date     # the last day of the last month shown
    days: int
    months: Sequence[TimelineMonth]
    bars: Sequence[TimelineBar]
    truncated: bool
    # 1-based grid column of today, when today is shown.
    today_column: int | None = None
    today: dt.date | None = None

    @property
    def calendar_year(self) -> int | None:
        """The year, when the timeline shows exactly January to December of one year."""
        if (self.first_day.month, self.first_day.day, self.last_day.month, self.last_day.day) == (1, 1, 12, 31) \
                and self.first_day.year == self.last_day.year:
            return self.first_day.year
        return None


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after (or before) `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def parse_year(value: str | None, *, default: int) -> int:
    text = (value or "").strip()
    if not text:
        return default
    if not text.isdigit() or not MIN_YEAR <= int(text) <= MAX_YEAR:
        raise FilterError("year", _("“year” must be a year between %(low)s and %(high)s.",
                                    low=MIN_YEAR, high=MAX_YEAR))
    return int(text)


def parse_timeline_start(value: str | None, *, today: dt.date) -> dt.date:
    """The first month a timeline shows, from "YYYY-MM"; without one, this month: the default
    view is the twelve months from today's, so in December it is not a year already past."""
    text = (value or "").strip()
    if not text:
        return dt.date(today.year, today.month, 1)
    year, _sep, month = text.partition("-")
    if not (year.isdigit() and month.isdigit() and len(year) == 4 and len(month) == 2
            and MIN_YEAR <= int(year) <= MAX_YEAR and 1 <= int(month) <= 12):
        raise FilterError("start", _("“start” must be a month written as YYYY-MM, between %(low)s and %(high)s.",
                                     low=MIN_YEAR, high=MAX_YEAR))
    return dt.date(int(year), int(month), 1)


def timeline(first_month: dt.date, filters: ExhibitionFilters | None = None, *,
             now: dt.datetime | None = None, months: int = 12) -> Timeline:
    """The shows of `months` months from `first_month` (those on for at least a day of them)
    as bars on a grid of days, a column per day, so a template can draw them with CSS grid and
    no script. A calendar year is the window from its January."""
    now = now or utcnow()
    filters = replace(filters or ExhibitionFilters(), include_past=True, month_from=None, month_to=None)
    first = dt.date(first_month.year, first_month.month, 1)
    last = add_months(first, months) - dt.timedelta(days=1)
    where = _listing_where(filters, today=now.date(), now=now)
    rows = db.session.scalars(
        db.select(Exhibition).where(*where, Exhibition.ends_on >= first, Exhibition.starts_on <= last)
        .order_by(Exhibition.starts_on, Exhibition.name).limit(TIMELINE_LIMIT + 1)).all()
    grid = []
    for n in range(months):
        day = add_months(first, n)
        grid.append(TimelineMonth(day, (day - first).days + 1, calendar.monthrange(day.year, day.month)[1]))
    bars = []
    for exhibition in rows[:TIMELINE_LIMIT]:
        start, end = max(exhibition.starts_on, first), min(exhibition.ends_on, last)
        bars.append(TimelineBar(exhibition, (start - first).days + 1, (end - start).days + 1,
                                exhibition.starts_on < first, exhibition.ends_on > last))
    today = now.date()
    shown = first <= today <= last
    return Timeline(first_day=first, last_day=last, days=(last - first).days + 1, months=grid, bars=bars,
                    truncated=len(rows) > TIMELINE_LIMIT, today_column=(today - first).days + 1 if shown else None,
                    today=today if shown else None)


# --- one exhibition's page -----------------------------------------------------------------

@dataclass(frozen=True)
class OfferSummary:
    """An offer as an exhibition's page shows it, with what each eligible size class pays."""

    offer: Offer
    is_open: bool
    not_yet_open: bool
    booth_shares: Sequence[tuple[str, int]]        # (size class, company's share in KRW)
    delegation_shares: Sequence[tuple[str, int]]
    terms: SizeTerms | None = None                  # the viewing company's, if one is signed in


def offer_summaries(exhibition: Exhibition, *, now: dt.datetime | None = None,
                    size_class: str | None = None) -> list[OfferSummary]:
    """The exhibition's offers, newest programme first, in one query; with `size_class` (the
    signed-in company's), what that company may do in each programme."""
    now = now or utcnow()
    summaries = []
    for offer in offers_for_exhibition(exhibition.id):
        sizes = [s for s in SizeClass if s.value in (offer.programme.eligible_size_classes or [])]
        summaries.append(OfferSummary(
            offer=offer, is_open=offer.opens_at <= now < offer.closes_at, not_yet_open=now < offer.opens_at,
            booth_shares=[(s.value, company_share_krw(offer.booth_cost_krw, offer.programme, s.value))
                          for s in sizes],
            delegation_shares=[(s.value, company_share_krw(offer.delegation_cost_krw, offer.programme, s.value))
                               for s in sizes],
            terms=size_class_terms(offer.programme, size_class) if size_class else None))
    return summaries


def seoul_offset_hours_for(exhibition: Exhibition) -> float | None:
    """Hours the venue's clocks are ahead of (positive) or behind Seoul during the show."""
    if not is_valid_timezone(exhibition.timezone):
        return None
    return seoul_offset_hours(exhibition.timezone, exhibition.starts_on)
