"""The catalogue's shared words and limits: status and date-certainty labels, the countries a
show can be in (and their names for select boxes), the years it may fall in, and the control
characters no text may hold. Search filters, editing and the CSV all check against these."""
from __future__ import annotations

import re
from functools import lru_cache

from flask import has_request_context
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from planner.catalogue.models import DateCertainty, ExhibitionStatus
from planner.catalogue.regions import NOT_PLACES
from planner.i18n import country_name, known_country_codes

__all__ = ["CERTAINTY_LABELS", "STATUS_LABELS", "MIN_YEAR", "MAX_YEAR", "CONTROL_CHARS",
           "country_choices", "is_known_country"]

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

MIN_YEAR, MAX_YEAR = 1990, 2100
# PostgreSQL refuses NUL in text, and no name or address holds control characters.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def is_known_country(code: str | None) -> bool:
    """An ISO code of a real country (not "unknown region" and the like), any case."""
    upper = (code or "").upper()
    return bool(upper) and upper in known_country_codes() and upper not in NOT_PLACES


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
