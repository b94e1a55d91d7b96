"""Loads the real exhibition catalogue from planner/data/exhibitions.yaml into the database."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from sqlalchemy import select

from planner.catalogue.models import DateCertainty, Exhibition, ExhibitionStatus
from planner.extensions import db
from planner.i18n import known_country_codes
from planner.vocab import Sector

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "exhibitions.yaml"

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# Fields a show may set for all its editions; an edition may override any of them.
SHOW_FIELDS = frozenset({
    "name", "name_ko", "acronym", "city", "city_ko", "country_code", "venue", "timezone",
    "organiser", "website", "sectors", "description", "description_ko",
})
EDITION_FIELDS = SHOW_FIELDS | {
    "year", "slug", "starts_on", "ends_on", "date_certainty", "status", "status_note", "source",
}
REQUIRED = ("name", "city", "country_code", "timezone", "sectors", "starts_on", "ends_on",
            "date_certainty", "status", "source")
# Column widths of Exhibition, checked here so PostgreSQL never truncates or refuses a row.
MAX_LENGTHS = {"slug": 120, "name": 200, "name_ko": 200, "acronym": 40, "city": 120,
               "city_ko": 120, "venue": 200, "organiser": 200, "website": 300, "status_note": 300}


@dataclass(frozen=True)
class ExhibitionRow:
    """One validated edition, ready to be written as an Exhibition."""

    slug: str
    name: str
    name_ko: str | None
    acronym: str | None
    edition_year: int
    starts_on: dt.date
    ends_on: dt.date
    date_certainty: DateCertainty
    city: str
    city_ko: str | None
    country_code: str
    venue: str | None
    timezone: str
    organiser: str | None
    website: str | None
    description: str | None
    description_ko: str | None
    status: ExhibitionStatus
    status_note: str | None
    source: str
    sectors: tuple[Sector, ...]

    def column_values(self) -> dict[str, Any]:
        values = asdict(self)
        del values["sectors"]
        return values


def read_exhibitions(path: Path | None = None, *, today: dt.date | None = None) -> list[ExhibitionRow]:
    """Parse and validate the catalogue file; every edition of every show becomes one row.

    A planned or postponed edition that ended before `today` is returned as completed, so the
    catalogue stays right as time passes. Raises ValueError naming the show and edition at the
    first bad row.
    """
    path = path or DATA_FILE
    today = today or dt.date.today()
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValueError(f"{path.name}: not valid YAML: {exc}") from exc
    if not isinstance(document, Mapping) or not isinstance(document.get("shows"), list):
        raise ValueError(f"{path.name}: expected a mapping with a list under 'shows'")

    countries = known_country_codes()
    rows: list[ExhibitionRow] = []
    seen: dict[str, str] = {}
    for index, show in enumerate(document["shows"], start=1):
        where = f"{path.name}: show #{index}"
        if not isinstance(show, Mapping):
            raise ValueError(f"{where}: expected a mapping")
        key = show.get("key")
        if not isinstance(key, str) or not SLUG_RE.match(key):
            raise ValueError(f"{where}: 'key' must be lowercase letters, digits and hyphens")
        where = f"{path.name}: show '{key}'"
        unknown = set(show) - SHOW_FIELDS - {"key", "editions"}
        if unknown:
            raise ValueError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        editions = show.get("editions")
        if not isinstance(editions, list) or not editions:
            raise ValueError(f"{where}: needs a non-empty list of editions")
        for edition in editions:
            row = _edition_row(show, edition, where=where, countries=countries, today=today)
            if row.slug in seen:
                raise ValueError(f"{where}: slug '{row.slug}' is used twice (also by show '{seen[row.slug]}')")
            seen[row.slug] = key
            rows.append(row)
    return rows


def _edition_row(show: Mapping[str, Any], edition: Any, *, where: str, countries: frozenset[str],
                 today: dt.date) -> ExhibitionRow:
    if not isinstance(edition, Mapping):
        raise ValueError(f"{where}: each edition must be a mapping")
    year = edition.get("year")
    if not isinstance(year, int) or not 1900 < year < 2200:
        raise ValueError(f"{where}: an edition has no valid 'year'")
    slug = str(edition.get("slug") or f"{show['key']}-{year}")
    where = f"{where}, edition {year} ({slug})"
    unknown = set(edition) - EDITION_FIELDS
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")

    merged: dict[str, Any] = {k: v for k, v in show.items() if k in SHOW_FIELDS}
    merged.update(edition)
    if "name" not in edition and merged.get("name"):
        merged["name"] = f"{merged['name']} {year}"
    if "name_ko" not in edition and merged.get("name_ko"):
        merged["name_ko"] = f"{merged['name_ko']} {year}"
    missing = [field for field in REQUIRED if merged.get(field) in (None, "", [])]
    if missing:
        raise ValueError(f"{where}: missing {', '.join(missing)}")

    def text(field: str) -> str | None:
        value = merged.get(field)
        if value is None:
            return None
        if not isinstance(value, (str, int, float)):
            raise ValueError(f"{where}: '{field}' must be text")
        value = " ".join(str(value).split())
        if field in MAX_LENGTHS and len(value) > MAX_LENGTHS[field]:
            raise ValueError(f"{where}: '{field}' is longer than {MAX_LENGTHS[field]} characters")
        return value or None

    if not SLUG_RE.match(slug) or len(slug) > MAX_LENGTHS["slug"]:
        raise ValueError(f"{where}: slug must be lowercase letters, digits and hyphens")
    starts_on = _date(merged["starts_on"], "starts_on", where)
    ends_on = _date(merged["ends_on"], "ends_on", where)
    if ends_on < starts_on:
        raise ValueError(f"{where}: ends_on {ends_on} is before starts_on {starts_on}")
    if starts_on.year != year:
        raise ValueError(f"{where}: starts_on {starts_on} is not in the edition year {year}")

    country = str(merged["country_code"]).upper()
    if country not in countries:
        raise ValueError(f"{where}: unknown country code '{merged['country_code']}'")
    timezone = str(merged["timezone"])
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{where}: unknown time zone '{timezone}'") from None

    sectors_value = merged["sectors"]
    if not isinstance(sectors_value, list):
        raise ValueError(f"{where}: 'sectors' must be a list")
    try:
        sectors = tuple(sorted({Sector(str(s)) for s in sectors_value}))
    except ValueError:
        raise ValueError(f"{where}: unknown sector in {sectors_value}; "
                         f"use {', '.join(s.value for s in Sector)}") from None
    try:
        certainty = DateCertainty(str(merged["date_certainty"]))
    except ValueError:
        raise ValueError(f"{where}: unknown date_certainty '{merged['date_certainty']}'; "
                         f"use {', '.join(c.value for c in DateCertainty)}") from None
    try:
        status = ExhibitionStatus(str(merged["status"]))
    except ValueError:
        raise ValueError(f"{where}: unknown status '{merged['status']}'; "
                         f"use {', '.join(s.value for s in ExhibitionStatus)}") from None
    if status is ExhibitionStatus.completed and starts_on > today:
        raise ValueError(f"{where}: marked completed but starts on {starts_on}, after {today}")
    if status in (ExhibitionStatus.planned, ExhibitionStatus.postponed) and ends_on < today:
        status = ExhibitionStatus.completed

    website = text("website")
    if website is not None and not re.match(r"^https://[^\s/]+\.[^\s]+$", website):
        raise ValueError(f"{where}: website must be an https:// URL")

    return ExhibitionRow(
        slug=slug, name=text("name") or "", name_ko=text("name_ko"), acronym=text("acronym"),
        edition_year=year, starts_on=starts_on, ends_on=ends_on, date_certainty=certainty,
        city=text("city") or "", city_ko=text("city_ko"), country_code=country,
        venue=text("venue"), timezone=timezone, organiser=text("organiser"), website=website,
        description=text("description"), description_ko=text("description_ko"),
        status=status, status_note=text("status_note"), source=text("source") or "",
        sectors=sectors,
    )


def _date(value: Any, field: str, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        raise ValueError(f"{where}: '{field}' must be a date, not a date and time")
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{where}: '{field}' is not a date (YYYY-MM-DD): {value!r}") from None


def load_exhibitions(path: Path | None = None, *, today: dt.date | None = None) -> tuple[int, int]:
    """Upsert the catalogue file's editions by slug; returns (created, updated).

    Every row is validated before anything is written, so a bad row loads nothing (ValueError).
    A changed edition gets its `sequence` raised by one, so calendar subscribers see the change;
    an unchanged one is not written at all, so a second run returns (0, 0). Flushes only.
    """
    rows = read_exhibitions(path, today=today)
    existing = {
        exhibition.slug: exhibition
        for exhibition in db.session.scalars(
            select(Exhibition).where(Exhibition.slug.in_([row.slug for row in rows])))
    }
    created = updated = 0
    for row in rows:
        values = row.column_values()
        exhibition = existing.get(row.slug)
        if exhibition is None:
            exhibition = Exhibition(**values, sequence=0)
            exhibition.sectors = list(row.sectors)
            db.session.add(exhibition)
            created += 1
            continue
        changed = {name: value for name, value in values.items() if getattr(exhibition, name) != value}
        sectors_changed = tuple(exhibition.sectors) != row.sectors
        if not changed and not sectors_changed:
            continue
        for name, value in changed.items():
            setattr(exhibition, name, value)
        if sectors_changed:
            exhibition.sectors = list(row.sectors)
        exhibition.sequence = (exhibition.sequence or 0) + 1
        updated += 1
    db.session.flush()
    return created, updated
