"""CSV and XLSX of the outcome figures, and a company's own reports as CSV."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from decimal import Decimal

from planner.outcomes.models import ResultsReport
from planner.outcomes.rates import RATES_DATE
from planner.outcomes.services.figures import Figures, Tally
from planner.spreadsheet import safe_cell

FIGURES_HEADER = ("group", "key", "subsidy_krw", "reports", "meetings", "leads", "mous",
                  "contracts_signed", "signed_value_usd", "contracts_expected", "expected_value_usd")
REPORTS_HEADER = ("exhibition", "ends_on", "due_on", "status", "submitted_at", "meetings", "leads",
                  "leads_by_country", "mous_signed", "contracts", "products_shown", "satisfaction",
                  "support_note", "comments", "follow_ups")


def _tally_row(group: str, key: str, tally: Tally) -> list[object]:
    return [group, key, tally.subsidy_krw, tally.reports, tally.meetings, tally.leads, tally.mous,
            tally.contracts_signed, tally.signed_usd, tally.contracts_expected, tally.expected_usd]


def figure_rows(figures: Figures, scope_label: str) -> Iterator[list[object]]:
    """The figures as rows: a preamble (scope, rate date, report counts), then the header and
    one row per total, country, sector and size class. Values in USD are at the reference rates."""
    yield ["scope", scope_label]
    yield ["usd_rates_date", RATES_DATE.isoformat(), "programme reference rates (planner.outcomes.rates)"]
    yield ["confirmed_places", figures.places]
    yield ["reports_expected", figures.reports_expected]
    yield ["reports_submitted", figures.reports_submitted]
    yield ["reports_outstanding_share", figures.outstanding_share]
    yield list(FIGURES_HEADER)
    yield _tally_row("total", "", figures.total)
    for group, tallies in (("country", figures.by_country), ("sector", figures.by_sector),
                           ("size_class", figures.by_size_class)):
        for key, tally in tallies.items():
            yield _tally_row(group, key, tally)


def _csv(rows: Iterator[Sequence[object]]) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # lets Excel read Korean text as UTF-8
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([safe_cell("" if v is None else str(v)) for v in row])
    return buffer.getvalue()


def figures_csv(figures: Figures, scope_label: str) -> str:
    return _csv(figure_rows(figures, scope_label))


def figures_xlsx(figures: Figures, scope_label: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("outcomes")
    for row in figure_rows(figures, scope_label):
        # Numbers stay numbers in the workbook; text goes through the spreadsheet-safe cell.
        sheet.append([safe_cell(v) if isinstance(v, str) else
                      (float(v) if isinstance(v, Decimal) else v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _report_row(report: ResultsReport) -> list[object]:
    leads = report.leads or []
    return [
        report.offer.exhibition.name, report.offer.exhibition.ends_on.isoformat(), report.due_on.isoformat(),
        str(report.status), report.submitted_at.isoformat() if report.submitted_at else "",
        sum(int(line["meetings"]) for line in leads), sum(int(line["leads"]) for line in leads),
        "; ".join(f"{line['country']} {line['meetings']}/{line['leads']}" for line in leads),
        report.mous_signed,
        "; ".join(f"{line['country']} {line['stage']} {line['value']} {line['currency']}"
                  for line in report.contracts or []),
        report.products_shown or "", report.satisfaction or "", report.support_note or "",
        report.comments or "",
        "; ".join(f"{r.area} {r.status}" + (f": {r.outcome}" if r.outcome else "") for r in report.follow_ups),
    ]


def company_reports_csv(reports: Sequence[ResultsReport]) -> str:
    """A company's own reports and follow-ups: contract values in their own currencies."""
    def rows() -> Iterator[Sequence[object]]:
        yield REPORTS_HEADER
        for report in reports:
            yield _report_row(report)
    return _csv(rows())
