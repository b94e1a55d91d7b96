"""The exhibition filter, the one way of asking for exhibitions by words, country, region,
sector, months and open windows: its names, parsing and checks, and its SQL WHERE clauses.
The listing, the timeline, the JSON API and the public calendar feeds all use it."""
from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import ColumnElement, and_, exists, func, or_
from sqlalchemy.orm import aliased

from planner.catalogue.models import Exhibition, ExhibitionSector, Offer
from planner.catalogue.regions import REGIONS, countries_in
from planner.catalogue.services.vocabulary import CONTROL_CHARS, MAX_YEAR, MIN_YEAR, is_known_country
from planner.errors import PlannerError
from planner.i18n import _, countries_matching
from planner.vocab import Sector

__all__ = ["FILTER_NAMES", "MAX_QUERY_LENGTH", "MAX_QUERY_WORDS", "FilterError", "ExhibitionFilters",
           "parse_filters", "parse_filter_pairs", "filter_clauses", "includes_past"]

# The filters, as query arguments; `page` is the listing's, not a filter.
FILTER_NAMES = ("q", "country", "region", "sector", "from", "to", "open", "past")
MAX_QUERY_LENGTH = 200
MAX_PAGE = 100_000
# More words than this in a search are almost certainly pasted text, not a query.
MAX_QUERY_WORDS = 8
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


class FilterError(PlannerError):
    """A search filter has a value we cannot use; `param` names the parameter."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(message)
        self.param = param


@dataclass(frozen=True)
class ExhibitionFilters:
    """What a visitor asked for in /exhibitions (or the API or a feed); all optional."""

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
    if country and not is_known_country(country):
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
    # ASCII digits only: str.isdigit() also takes "²" and other digits int() refuses.
    if not re.fullmatch(r"[0-9]{1,6}", page_text) or not 1 <= int(page_text) <= MAX_PAGE:
        raise FilterError("page", _("“page” must be a whole number of 1 or more."))
    return ExhibitionFilters(q=q, country=country, region=region, sector=sector,
                             month_from=month_from, month_to=month_to,
                             open_only=_flag("open", arg("open")),
                             include_past=_flag("past", arg("past")), page=int(page_text))


def parse_filter_pairs(pairs: Iterable[tuple[str, str]]) -> ExhibitionFilters:
    """parse_filters for addresses people subscribe to rather than click (calendar feeds): an
    unknown name or a filter given twice with different values is refused too, since a
    subscriber who mistypes a filter would otherwise silently get every show."""
    values: dict[str, str] = {}
    for name, value in pairs:
        if name not in FILTER_NAMES:
            raise FilterError(name[:40], _("Unknown filter “%(name)s”. Known filters: %(known)s.",
                                           name=name[:40], known=", ".join(FILTER_NAMES)))
        if name in values and values[name] != value:
            raise FilterError(name, _("Give the filter “%(name)s” only once.", name=name))
        values[name] = value
    return parse_filters(values)


@lru_cache(maxsize=512)
def _countries_matching(word: str) -> frozenset[str]:
    # The lookup walks every territory name in two languages; searches repeat, so cache it.
    return frozenset(countries_matching(word))


def _word_clause(word: str) -> ColumnElement[bool]:
    columns = (Exhibition.name, Exhibition.name_ko, Exhibition.acronym, Exhibition.city,
               Exhibition.city_ko)
    clauses: list[ColumnElement[bool]] = [c.icontains(word, autoescape=True) for c in columns]
    codes = _countries_matching(word)
    if codes:
        clauses.append(Exhibition.country_code.in_(sorted(codes)))
    # A word naming a place means shows held there, not every description that mentions it:
    # "파리" (Paris) must not find Farnborough, which "alternates with the Paris Air Show".
    if not codes:
        other = aliased(Exhibition)
        names_a_city = exists().where(or_(func.lower(other.city) == word.lower(), other.city_ko == word))
        clauses.append(and_(~names_a_city, or_(Exhibition.description.icontains(word, autoescape=True),
                                              Exhibition.description_ko.icontains(word, autoescape=True))))
    return or_(*clauses)


def includes_past(filters: ExhibitionFilters, today: dt.date) -> bool:
    """Whether the listing shows past editions: asked for, or months already gone asked for."""
    return filters.include_past or (filters.month_from is not None and filters.month_from < today) \
        or (filters.month_to is not None and filters.month_to < today)


def filter_clauses(filters: ExhibitionFilters, *, now: dt.datetime) -> list[ColumnElement[bool]]:
    """The WHERE clauses over Exhibition for every filter given. Whether past shows count is
    the caller's choice (the listing hides them, a feed keeps a year of them)."""
    where: list[ColumnElement[bool]] = []
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
        where.append(exists().where(Offer.exhibition_id == Exhibition.id, Offer.opens_at <= now,
                                    Offer.closes_at > now))
    return where
