"""The markets a company may name (target markets, the catalogue's country filter): which
codes are offered, which come first, and how they are grouped by region for the chooser in
templates/_macros/market_chooser.html. Countries hosting a show in the catalogue and the
usual defence export markets come first; uninhabited territories (Antarctica, Bouvet
Island...) and codes that are not countries are not offered, but a code already stored on a
record is always shown (and kept) so that nothing a company chose is lost."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from flask import has_request_context
from flask_babel import force_locale, get_locale
from flask_babel import lazy_gettext as _l

from planner.catalogue.regions import NOT_PLACES, REGION_LABELS, REGIONS, region_of
from planner.i18n import country_name, known_country_codes

__all__ = ["DEFENCE_EXPORT_MARKETS", "NOT_MARKETS", "NOT_SHOW_PLACES", "MarketGroup", "MarketOption", "market_codes",
           "market_groups"]

# Markets Korean defence SMEs name most often: with the countries hosting shows, offered first.
DEFENCE_EXPORT_MARKETS = frozenset({
    "PL", "AE", "SA", "EG", "IN", "ID", "PH", "MY", "TH", "VN", "AU", "RO", "NO", "EE", "TR", "US",
    "GB", "FR", "DE", "CA", "PE", "QA"})
# Territories nobody sells to (no population, or a base only) and Babel's codes that are parts
# of other countries rather than countries (Canary Islands, Ceuta and Melilla, Diego Garcia...).
UNINHABITED = frozenset({"AQ", "BV", "HM", "GS", "TF", "UM", "IO", "CP", "CQ", "DG", "AC", "TA", "EA", "IC"})
# Korea itself is not an export market (but holds shows).
NOT_SHOW_PLACES = NOT_PLACES | UNINHABITED
NOT_MARKETS = NOT_SHOW_PLACES | {"KR"}
OTHER_GROUP = "other"


@dataclass(frozen=True)
class MarketOption:
    code: str
    label: str       # the name in the viewer's language
    names: str       # every name the filter box matches: English, Korean and the code, folded


@dataclass(frozen=True)
class MarketGroup:
    key: str         # "main", a region slug, or "other"
    label: str
    options: tuple[MarketOption, ...]


def market_codes(*, exclude: Iterable[str] = NOT_MARKETS) -> frozenset[str]:
    """The codes offered: every known country but the excluded ones."""
    return known_country_codes() - frozenset(exclude)


def _option(code: str, locale_code: str) -> MarketOption:
    names = {country_name(code, "en"), country_name(code, "ko"), code}
    return MarketOption(code=code, label=country_name(code, locale_code),
                        names=" | ".join(sorted(n.casefold() for n in names)))


def market_groups(*, leading: Iterable[str] = (), kept: Iterable[str] = (), exclude: Iterable[str] = NOT_MARKETS,
                  defence_markets: bool = True, locale_code: str | None = None) -> list[MarketGroup]:
    """The chooser's groups: the leading markets (`leading`, e.g. the countries hosting shows,
    and the defence export markets unless `defence_markets` is false) first, then every other
    offered country under its region. Codes in `kept` (already stored on the record, or asked
    for in a link) are offered even when excluded; an unknown one goes to a last group."""
    if locale_code is None:
        locale_code = str(get_locale() or "en") if has_request_context() else "en"
    return list(_groups(frozenset(c.upper() for c in leading), frozenset(c.upper() for c in kept if c),
                        frozenset(exclude), defence_markets, locale_code))


@lru_cache(maxsize=64)
def _groups(leading: frozenset[str], kept_codes: frozenset[str], exclude: frozenset[str], defence_markets: bool,
            locale_code: str) -> tuple[MarketGroup, ...]:
    # Some 230 names sorted per form would show on every page that has a chooser; the groups
    # are immutable, so the few combinations in use are kept.
    offered = market_codes(exclude=exclude) | (kept_codes & known_country_codes())
    main = (set(DEFENCE_EXPORT_MARKETS if defence_markets else ()) | leading) & offered

    def sort(codes: Iterable[str]) -> tuple[MarketOption, ...]:
        return tuple(sorted((_option(c, locale_code) for c in codes), key=lambda o: o.label.casefold()))

    with force_locale(locale_code):  # the labels are cached per language: make them in that one
        groups = [MarketGroup("main", str(_l("Main markets")), sort(main))]
        for slug, label in REGION_LABELS.items():
            codes = (REGIONS[slug] & offered) - main
            if codes:
                groups.append(MarketGroup(slug, str(label), sort(codes)))
        unplaced = {c for c in offered - main if region_of(c) is None} | (kept_codes - known_country_codes())
        if unplaced:
            groups.append(MarketGroup(OTHER_GROUP, str(_l("Other")), tuple(
                MarketOption(c, country_name(c, locale_code), c.casefold()) for c in sorted(unplaced))))
    return tuple(groups)
