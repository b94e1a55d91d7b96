"""The catalogue as CSV: export every exhibition, and import a file in the same format (create
or update by slug, all rows checked before anything is written). Cells are spreadsheet-safe,
so an exported file imports to exactly what was exported."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from planner.catalogue.models import DateCertainty, Exhibition, ExhibitionStatus
from planner.catalogue.services.editing import (
    ExhibitionInput,
    apply_input,
    clean_input,
    exhibition_input_from,
    validate_exhibition,
)
from planner.db import utcnow
from planner.extensions import db
from planner.i18n import _
from planner.spreadsheet import from_safe_cell, safe_text

__all__ = ["CSV_COLUMNS", "REQUIRED_COLUMNS", "MAX_IMPORT_BYTES", "RowError", "ImportReport", "export_csv",
           "import_csv"]


CSV_COLUMNS = ("slug", "name", "name_ko", "acronym", "edition_year", "starts_on", "ends_on",
               "date_certainty", "city", "city_ko", "country_code", "venue", "timezone", "organiser",
               "website", "sectors", "status", "status_note", "description", "description_ko", "source")
REQUIRED_COLUMNS = ("slug", "name", "starts_on", "ends_on", "city", "country_code", "timezone", "sectors")
MAX_IMPORT_BYTES = 5 * 1024 * 1024


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
            row.append("" if value is None else safe_text(str(value)))
        writer.writerow(row)
    return out.getvalue()


def _parse_row(row: Mapping[str, str | None]) -> tuple[ExhibitionInput | None, list[tuple[str, str]]]:
    def text(column: str) -> str:
        return from_safe_cell((row.get(column) or "").strip())

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


def import_csv(content: bytes | str, *,
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
            data = clean_input(data)
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
            apply_input(exhibition, data)
            db.session.add(exhibition)
            created += 1
            continue
        before = exhibition_input_from(exhibition)
        if before == data:
            unchanged += 1
            continue
        if apply_input(exhibition, data):
            exhibition.sequence = (exhibition.sequence or 0) + 1
        exhibition.updated_at = now
        updated += 1
    db.session.flush()
    return ImportReport(created=created, updated=updated, unchanged=unchanged)
