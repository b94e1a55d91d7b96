"""Exports a pavilion team can use: applications with their allocation results, the pavilion
builder's participant list and the delegation list, as CSV and as XLSX with a styled, frozen,
filtered header. Every cell carries a label in the coordinator's language, never a code or a
raw boolean, and goes through planner.spreadsheet.safe_cell."""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import and_, select

from planner.accounts.models import Company, User
from planner.allocation import scoring
from planner.allocation.models import AllocationResult, AllocationRun
from planner.backoffice import cofunding
from planner.backoffice.models import PaymentState
from planner.catalogue.models import Exhibition, Offer, Programme
from planner.extensions import db
from planner.i18n import N_, _, country_name, localized
from planner.signups.models import Application, ApplicationStatus, PlaceKind
from planner.spreadsheet import safe_cell, safe_text
from planner.vocab import SECTOR_LABELS, SIZE_CLASS_LABELS, Sector, SizeClass

LICENCE_LABELS = {"not_needed": N_("Not needed"), "applied": N_("Applied for"),
                  "granted": N_("Granted"), "refused": N_("Refused")}
NEED_LABELS = {"guarantee": N_("Guarantee or financing support"), "b2b": N_("B2B meetings"),
               "licence_help": N_("Help with export licences")}
STATUS_LABELS = {S.value: label for S, label in (
    (ApplicationStatus.submitted, N_("Submitted")), (ApplicationStatus.waitlisted, N_("Waitlisted")),
    (ApplicationStatus.allocated, N_("Allocated")), (ApplicationStatus.confirmed, N_("Confirmed")),
    (ApplicationStatus.declined, N_("Declined")), (ApplicationStatus.expired, N_("Expired")),
    (ApplicationStatus.withdrawn, N_("Withdrawn")), (ApplicationStatus.ineligible, N_("Ineligible")))}
CRITERION_LABELS = {"size_class": N_("Company size class"),
                    "first_time_at_exhibition": N_("First time at this exhibition"),
                    "no_subsidy_last_year": N_("No subsidised place last year"),
                    "sector_fit": N_("Sector fit with the exhibition"),
                    "export_readiness": N_("Export readiness"),
                    "no_show_penalty": N_("Penalty for past no-shows")}
PAYMENT_LABELS = {PaymentState.due: N_("Not paid yet"), PaymentState.paid: N_("Paid"), PaymentState.waived: N_("Waived")}


@dataclass(frozen=True)
class Column:
    header: str
    width: int = 14


@dataclass(frozen=True)
class Table:
    name: str                      # the XLSX sheet's name
    columns: Sequence[Column]
    rows: Iterable[Sequence[object]]


# --- labels ----------------------------------------------------------------------------------

def yes_no(value: object) -> str:
    return _("Yes") if value else _("No")


def kind_label(kind: object) -> str:
    return _("Booth") if str(kind) == PlaceKind.booth.value else _("Delegation")


def status_label(status: object) -> str:
    return _(STATUS_LABELS.get(str(status), str(status)))


def size_label(size: object) -> str:
    value = str(size)
    return str(SIZE_CLASS_LABELS[SizeClass(value)]) if value in SizeClass._value2member_map_ else value


def _sectors(codes: object) -> str:
    return ", ".join(str(SECTOR_LABELS[Sector(c)]) if c in Sector._value2member_map_ else str(c)
                     for c in (codes or []))  # type: ignore[attr-defined]


def exhibit_text(exhibit: dict[str, Any]) -> str:
    """"Ballistic panels (export licence: applied for)" rather than "Ballistic panels True applied"."""
    name = str(exhibit.get("name") or "").strip()
    if not exhibit.get("needs_licence"):
        return name
    status = _(LICENCE_LABELS.get(str(exhibit.get("licence_status")), str(exhibit.get("licence_status"))))
    return _("%(name)s (export licence: %(status)s)", name=name, status=status)


def _exhibits(answers: dict[str, Any]) -> str:
    return "; ".join(exhibit_text(e) for e in answers.get("exhibits") or [] if isinstance(e, dict))


def _needs(answers: dict[str, Any]) -> str:
    return ", ".join(_(NEED_LABELS.get(str(n), str(n))) for n in answers.get("needs") or [])


def _markets(answers: dict[str, Any]) -> str:
    return ", ".join(country_name(str(c)) for c in answers.get("target_markets") or [])


def _delegates(answers: dict[str, Any]) -> list[dict[str, str]]:
    return [{"name": str(d.get("name") or "").strip(), "role": str(d.get("role") or "").strip()}
            for d in answers.get("delegates") or [] if isinstance(d, dict)]


def _delegates_text(answers: dict[str, Any]) -> str:
    return "; ".join(f"{d['name']} ({d['role']})" if d["role"] else d["name"] for d in _delegates(answers))


# --- writers ---------------------------------------------------------------------------------

def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def to_csv(table: Table) -> str:
    """The table as CSV text (a UTF-8 BOM lets Excel read Korean names)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([safe_text(c.header) for c in table.columns])
    for row in table.rows:
        writer.writerow([safe_text(_text(v)) for v in row])
    return buffer.getvalue()


def to_xlsx(tables: Sequence[Table]) -> bytes:
    """The tables as sheets with a bold, shaded header row that stays in view and filters."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    for table in tables:
        sheet = workbook.create_sheet(table.name[:31])
        for index, column in enumerate(table.columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = f"A1:{get_column_letter(max(1, len(table.columns)))}1"
        header = []
        for column in table.columns:
            cell = WriteOnlyCell(sheet, value=safe_cell(column.header))
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = PatternFill("solid", fgColor="1F5FA8")
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            header.append(cell)
        sheet.append(header)
        for row in table.rows:
            sheet.append([safe_cell(v if not isinstance(v, bool) else yes_no(v)) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- applications and allocation results -------------------------------------------------------

def _chosen_runs() -> list[int]:
    """Per programme the run whose scores the export shows: the published one, else the latest."""
    latest: dict[int, int] = {}
    published: dict[int, int] = {}
    for run_id, programme_id, published_for in db.session.execute(
            select(AllocationRun.id, AllocationRun.programme_id, AllocationRun.published_programme_id)
            .order_by(AllocationRun.id)):
        latest[programme_id] = run_id
        if published_for is not None:
            published[programme_id] = run_id
    return [published.get(programme_id, run_id) for programme_id, run_id in latest.items()]


def application_columns() -> list[Column]:
    return [Column(_("Application"), 10), Column(_("Programme"), 24), Column(_("Exhibition"), 28),
            Column(_("Starts on"), 12), Column(_("Place"), 12), Column(_("Status"), 13),
            Column(_("Preference"), 10), Column(_("Company"), 30), Column(_("Registration number"), 14),
            Column(_("Size class now"), 14), Column(_("Size class when applying"), 14),
            Column(_("Size class scored with"), 14), Column(_("Employees"), 10), Column(_("Sectors"), 18),
            Column(_("Defence exports"), 10), Column(_("No-shows"), 9),
            Column(_("Export control attested"), 10), Column(_("Exhibits"), 40),
            Column(_("Target markets"), 24), Column(_("Needs"), 24), Column(_("B2B buyers"), 24),
            Column(_("Delegates"), 30), Column(_("Contact person"), 20), Column(_("Contact e-mail"), 28),
            Column(_("Total score"), 9),
            *[Column(_(CRITERION_LABELS[c]), 11) for c in scoring.CRITERIA_CODES],
            Column(_("Lottery number"), 12), Column(_("Waitlist position"), 10),
            Column(_("Company share due (KRW)"), 14), Column(_("Share paid"), 11), Column(_("Paid on"), 12),
            Column(_("Ineligible reason"), 30), Column(_("Submitted (UTC)"), 17)]


def application_rows(query: Any, *, offer_id: int | None = None,
                     programme_id: int | None = None) -> Iterator[list[object]]:
    """Rows of `query` (the review list's filtered, ordered select of applications) with their
    scores, lottery numbers and company shares. Selects columns, not ORM objects: tens of
    thousands of rows load in a second this way."""
    runs = _chosen_runs()
    shares = {s.application_id: s for s in cofunding.list_shares(programme_id=programme_id, offer_id=offer_id)}
    query = (query.join(Offer.programme)
             .outerjoin(User, User.id == Application.submitted_by_id)
             .outerjoin(AllocationResult, and_(AllocationResult.application_id == Application.id,
                                               AllocationResult.run_id.in_(runs or [0])))
             .with_only_columns(
                 Application.id, Programme.name, Programme.name_ko, Exhibition.name, Exhibition.name_ko,
                 Exhibition.starts_on, Application.kind, Application.status, Application.preference,
                 Company.legal_name, Company.registration_number, Company.size_class,
                 Application.submitted_size_class, Application.scored_size_class, AllocationResult.size_class,
                 Company.employees,
                 Company.sectors, Company.has_defence_exports, Company.no_show_count,
                 Application.export_control_attested, Application.answers, User.name, User.email,
                 AllocationResult.priority, AllocationResult.breakdown, AllocationResult.tiebreak,
                 AllocationResult.waitlist_position, Application.ineligible_reason, Application.created_at)
             .execution_options(yield_per=1000))
    for (app_id, programme, programme_ko, exhibition, exhibition_ko, starts_on, kind, status, preference,
         legal_name, number, size, size_applied, size_published, size_run, employees, sectors, exporter,
         no_shows, attested, answers, contact, email, priority, breakdown, tiebreak, position, reason, created_at) in db.session.execute(query):
        answers = answers or {}
        share = shares.get(app_id)
        yield [app_id, _pick(programme, programme_ko), _pick(exhibition, exhibition_ko), starts_on,
               kind_label(kind), status_label(status), preference, legal_name, number, size_label(size),
               size_label(size_applied) if size_applied else "",
               # The published run's, kept on the application; else the chosen dry run's.
               size_label(size_published or size_run) if (size_published or size_run) else "",
               employees, _sectors(sectors), yes_no(exporter), no_shows, yes_no(attested),
               _exhibits(answers), _markets(answers), _needs(answers), str(answers.get("b2b_buyers") or ""),
               _delegates_text(answers), contact or "", email or "",
               _points(priority), *[_points((breakdown or {}).get(c)) if breakdown is not None else None
                                    for c in scoring.CRITERIA_CODES],
               f"{tiebreak:.6f}" if tiebreak is not None else "", position,
               share.due_krw if share else None,
               _(PAYMENT_LABELS[share.state]) if share else "", share.paid_on if share else None,
               reason or "", created_at.replace(tzinfo=None)]


def _points(value: object) -> float | int | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return int(number) if number.is_integer() else round(number, 2)


def _pick(english: str, korean: str | None) -> str:
    return localized(SimpleNamespace(name=english, name_ko=korean), "name")


# --- participant lists ---------------------------------------------------------------------------

def _confirmed(offer: Offer, kind: PlaceKind) -> list[Application]:
    return list(db.session.scalars(
        select(Application).join(Company, Company.id == Application.company_id)
        .where(Application.offer_id == offer.id, Application.kind == kind,
               Application.status == ApplicationStatus.confirmed)
        .order_by(Company.legal_name, Application.id)))


def pavilion_table(offer: Offer) -> Table:
    """What the pavilion builder needs for each confirmed booth: who (in English and Korean),
    the name on the fascia board, the booth size and what will stand on it. Nothing about
    scores, money or people."""
    rows = [[a.company.legal_name, a.company.legal_name_ko or "", fascia_name(a.company),
             a.company.fascia_name_ko or "", offer.booth_size_sqm,
             "; ".join(str(e.get("name") or "").strip() for e in (a.answers or {}).get("exhibits") or []
                       if isinstance(e, dict) and str(e.get("name") or "").strip())]
            for a in _confirmed(offer, PlaceKind.booth)]
    return Table(name=_("Pavilion"), rows=rows, columns=[
        Column(_("Company (English)"), 32), Column(_("Company (Korean)"), 24), Column(_("Fascia name"), 30),
        Column(_("Fascia name (Korean)"), 24), Column(_("Booth size (m²)"), 12), Column(_("Exhibits"), 50)])


def fascia_name(company: Company) -> str:
    """The English line of the fascia board: the company's fascia name, else its legal name."""
    return company.fascia_name or company.legal_name


def delegation_table(offer: Offer) -> Table:
    """What the delegation's organisers need: one row per delegate with name and role in their
    own columns, the company, and whom to contact there."""
    rows = []
    for application in _confirmed(offer, PlaceKind.delegation):
        contact = _contact(application)
        for delegate in _delegates(application.answers or {}):
            rows.append([delegate["name"], delegate["role"], application.company.legal_name,
                         contact[0], contact[1]])
    return Table(name=_("Delegation"), rows=rows, columns=[
        Column(_("Name"), 24), Column(_("Role"), 22), Column(_("Company"), 30),
        Column(_("Contact person"), 22), Column(_("Contact e-mail"), 30)])


def _contact(application: Application) -> tuple[str, str]:
    user = db.session.get(User, application.submitted_by_id) if application.submitted_by_id else None
    return (user.name, user.email) if user else ("", "")


EXPORTS: dict[str, Callable[[Offer], Table]] = {"pavilion": pavilion_table, "delegation": delegation_table}
