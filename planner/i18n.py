"""Locale and time-zone choice, and the formatting helpers templates use (dates, money, countries)."""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import get_timezone_location
from flask import Flask, current_app, has_app_context, has_request_context, request
from flask_babel import format_currency, format_date, format_time, get_locale, gettext, ngettext
from flask_login import current_user

from planner.vocab import SECTOR_LABELS, SIZE_CLASS_LABELS, Sector

LOCALE_COOKIE = "locale"


def _(message: str, **variables: object) -> str:
    """Translate `message` into the current locale: the request's, or the one a caller forced
    with `force_locale` (mail to a Korean reader from a timer). Without an application (pure
    code, some tests) the English text is used, with its variables filled in."""
    if has_app_context():
        return gettext(message, **variables)
    return message % variables if variables else message


def ngettext_(singular: str, plural: str, num: int, **variables: object) -> str:
    """Plural-aware `_`: "1 place" / "2 places" in English; Korean has one form."""
    if has_app_context():
        return str(ngettext(singular, plural, num, **variables))
    variables.setdefault("num", num)
    return (singular if num == 1 else plural) % variables


def N_(message: str) -> str:
    """Mark a message for extraction (pybabel -k N_) without translating it here: it is stored
    in English (audit reasons, eligibility reasons) and translated when shown."""
    return message
SEOUL = ZoneInfo("Asia/Seoul")


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    # Commands and timers translate their messages too; they have no request to ask.
    if not has_request_context():
        return "en"
    chosen = request.args.get("lang") or request.cookies.get(LOCALE_COOKIE)
    if chosen is not None and chosen in languages:
        return chosen
    if getattr(current_user, "is_authenticated", False) and getattr(current_user, "locale", None) in languages:
        return str(current_user.locale)
    return request.accept_languages.best_match(languages) or "en"


def select_timezone() -> str:
    return "Asia/Seoul"


@lru_cache(maxsize=4)
def _territories(locale_code: str) -> dict[str, str]:
    return {code: name for code, name in Locale.parse(locale_code).territories.items()
            if len(code) == 2 and code.isalpha()}


def country_name(code: str | None, locale_code: str | None = None) -> str:
    if not code:
        return ""
    locale_code = locale_code or str(get_locale() or "en")
    return _territories(locale_code).get(code.upper(), code.upper())


def known_country_codes() -> frozenset[str]:
    return frozenset(_territories("en"))


def countries_matching(text: str) -> set[str]:
    """ISO codes whose English or Korean name contains `text` (case-insensitive)."""
    needle = text.casefold().strip()
    if not needle:
        return set()
    found: set[str] = set()
    for locale_code in ("en", "ko"):
        for code, name in _territories(locale_code).items():
            if needle in name.casefold():
                found.add(code)
    return found


def is_safe_redirect(target: str | None) -> bool:
    """A path on this site. Browsers read a backslash as a slash ("/\\evil.example" leaves the
    site) and drop tabs and line breaks; a line break would also break the Location header."""
    if not target or "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//")


def seoul_offset_hours(tz_name: str, on: dt.date) -> float:
    """Hours that local time at `tz_name` is behind (negative) or ahead of Seoul on a day."""
    noon = dt.datetime.combine(on, dt.time(12), tzinfo=ZoneInfo(tz_name))
    local = noon.utcoffset() or dt.timedelta()
    seoul = noon.astimezone(SEOUL).utcoffset() or dt.timedelta()
    return (local - seoul).total_seconds() / 3600


def format_krw(amount: int | float | None) -> str:
    if amount is None:
        return ""
    return format_currency(amount, "KRW")


def format_date_range(start: dt.date, end: dt.date) -> str:
    if start == end:
        return format_date(start, "medium")
    return f"{format_date(start, 'medium')} – {format_date(end, 'medium')}"


def format_local_datetime(value: dt.datetime | None, tz_name: str) -> str:
    if value is None:
        return ""
    zone = ZoneInfo(tz_name)
    local = value.astimezone(zone).replace(tzinfo=None)
    # Deadlines fall on the minute: seconds are noise. English readers know IANA names; in Korean
    # "Asia/Seoul" is untranslated jargon, so say the zone's place instead ("대한민국 시간").
    locale_code = str(get_locale() or "en")
    zone_label = tz_name if locale_code == "en" else get_timezone_location(zone, locale=locale_code)
    return f"{format_date(local, 'medium', rebase=False)} {format_time(local, 'short', rebase=False)} ({zone_label})"


def localized(obj: object, attribute: str) -> str:
    """`obj.<attribute>_ko` on Korean pages when it is filled in, else `obj.<attribute>`:
    exhibitions and programmes keep their Korean name and city beside the English ones."""
    if str(get_locale() or "en") == "ko":
        korean = getattr(obj, f"{attribute}_ko", None)
        if korean:
            return str(korean)
    return str(getattr(obj, attribute, "") or "")


def place_name(city: str | None, country: str | None) -> str:
    """"City, Country", or the city alone when it is its country (Singapore, Monaco): the one
    way every page, mail and feed names where a show is."""
    city, country = (city or "").strip(), (country or "").strip()
    if not country or city.casefold() == country.casefold():
        return city or country
    return f"{city}, {country}" if city else country


def exhibition_place(exhibition: object) -> str:
    """Where `exhibition` is, in the reader's language ("Paris, France"; "Singapore")."""
    return place_name(localized(exhibition, "city"), country_name(getattr(exhibition, "country_code", None)))


def register_template_helpers(app: Flask) -> None:
    from planner import resources
    if not resources.installed():
        # A checkout (fresh clone, edited .po): compile there. The wheel ships compiled
        # catalogues and may be read-only, so an installed copy never writes into itself.
        from planner.message_catalogues import compile_translations
        compile_translations(app.config["BABEL_TRANSLATION_DIRECTORIES"])
    app.jinja_env.globals.update(
        country_name=country_name,
        exhibition_place=exhibition_place,
        sector_label=lambda s: SECTOR_LABELS.get(Sector(s), s) if s in Sector._value2member_map_ else s,
        size_class_label=lambda s: SIZE_CLASS_LABELS.get(s, s),
        format_krw=format_krw,
        format_date_range=format_date_range,
        format_local_datetime=format_local_datetime,
        localized=localized,
        current_locale=lambda: str(get_locale() or "en"),
        SECTORS=list(Sector),
        has_endpoint=lambda name: name in app.view_functions,
    )
    app.jinja_env.filters["krw"] = format_krw
