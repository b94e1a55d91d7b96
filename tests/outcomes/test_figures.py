"""Outcome figures against hand-computed fixtures; the pure criteria, rates and charts."""
from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from planner.outcomes import services
from planner.outcomes.charts import bar_chart
from planner.outcomes.criteria import PAST_RESULT_CODES, PastResults, past_result_points
from planner.outcomes.models import AttendanceStatus
from planner.outcomes.rates import RATES_DATE, UnknownCurrency, to_usd
from planner.outcomes.services import ContractLine, LeadLine, ReportData
from planner.signups.models import ApplicationStatus, PlaceKind
from planner.vocab import SizeClass
from tests.factories import make_company
from tests.outcomes.conftest import NOW, ended_offer, hold_place


def _fixture():
    # Booth 20,000,000 KRW, delegation 5,000,000 KRW; shares small 0.7, medium 0.5.
    offer = ended_offer()
    small = make_company(size_class=SizeClass.small, sectors=["land", "air"])
    medium = make_company(size_class=SizeClass.medium, sectors=["naval"])
    absent = make_company(size_class=SizeClass.small, sectors=["land"])
    hold_place(offer, small)                                    # subsidy 14,000,000
    hold_place(offer, small, kind=PlaceKind.delegation)         # subsidy 3,500,000
    hold_place(offer, medium)                                   # subsidy 10,000,000
    hold_place(offer, absent, status=ApplicationStatus.allocated)  # held, never confirmed: no subsidy
    services.record_attendance(offer, absent.id, AttendanceStatus.no_show, reason="Ill", actor=None, now=NOW)
    report = services.open_report(offer, small.id, now=NOW)
    services.submit_report(report, ReportData(
        leads=(LeadLine("PL", 10, 4), LeadLine("AE", 3, 1)),
        contracts=(ContractLine("PL", "signed", Decimal("1000000"), "EUR"),      # 1,170,000.00 USD
                   ContractLine("AE", "expected", Decimal("500000"), "AED"),     # 136,150.00 USD
                   ContractLine("PL", "signed", Decimal("100000000"), "KRW")),   # 69,000.00 USD
        mous_signed=2, satisfaction=5), version=report.version, actor=None, now=NOW)
    services.open_report(offer, medium.id, now=NOW)  # a draft: not counted, outstanding
    return offer


def test_offer_figures_match_the_hand_computed_ones(app):
    offer = _fixture()
    figures = services.compute_figures([offer], now=NOW)
    assert figures.places == 3
    assert figures.total.subsidy_krw == 14_000_000 + 3_500_000 + 10_000_000
    assert figures.by_size_class["small"].subsidy_krw == 17_500_000
    assert figures.by_size_class["medium"].subsidy_krw == 10_000_000
    # Two companies owe a report (the no-show owes none), one submitted.
    assert (figures.reports_expected, figures.reports_submitted) == (2, 1)
    assert figures.outstanding_share == Decimal("0.5")
    total = figures.total
    assert (total.meetings, total.leads, total.mous) == (13, 5, 2)
    assert (total.contracts_signed, total.signed_usd) == (2, Decimal("1239000.00"))
    assert (total.contracts_expected, total.expected_usd) == (1, Decimal("136150.00"))
    assert figures.by_country["PL"].signed_usd == Decimal("1239000.00")
    assert figures.by_country["AE"].expected_usd == Decimal("136150.00")
    assert figures.by_country["AE"].leads == 1
    # A company counts under its first sector, so sectors add up to the total.
    assert figures.by_sector["land"].signed_usd == Decimal("1239000.00")
    assert sum(t.subsidy_krw for t in figures.by_sector.values()) == total.subsidy_krw


def test_programme_and_year_scopes_and_unfinished_shows(app):
    offer = _fixture()
    upcoming = ended_offer(programme=offer.programme)
    upcoming.exhibition.ends_on = upcoming.exhibition.ends_on.replace(year=2030)
    upcoming.exhibition.starts_on = upcoming.exhibition.starts_on.replace(year=2030)
    hold_place(upcoming, make_company())
    by_programme = services.compute_figures(services.offers_in_scope("programme", offer.programme_id), now=NOW)
    by_year = services.compute_figures(services.offers_in_scope("year", offer.programme.year), now=NOW)
    assert [o.id for o in by_programme.offers] == [offer.id]
    assert by_programme.total.subsidy_krw == by_year.total.subsidy_krw == 27_500_000


def test_csv_states_the_rate_date_and_xlsx_opens(app):
    offer = _fixture()
    figures = services.compute_figures([offer], now=NOW)
    rows = list(csv.reader(io.StringIO(services.figures_csv(figures, "=Show").lstrip("\ufeff"))))
    assert rows[0] == ["scope", "'=Show"]
    assert rows[1][:2] == ["usd_rates_date", RATES_DATE.isoformat()]
    total = next(r for r in rows if r[0] == "total")
    assert total[8] == "1239000.00"
    from openpyxl import load_workbook
    sheet = load_workbook(io.BytesIO(services.figures_xlsx(figures, "Show"))).active
    assert sheet.cell(row=2, column=2).value == RATES_DATE.isoformat()


def test_currencies_are_converted_never_guessed():
    assert to_usd(Decimal("1000"), "usd") == Decimal("1000.00")
    assert to_usd("1450000", "KRW") == Decimal("1000.50")
    with pytest.raises(UnknownCurrency):
        to_usd(1, "XXX")


CRITERIA = {"past_no_show": -10, "report_on_time": 5, "report_late_or_missing": 8, "contracts_reported": 7}


def test_past_results_points_follow_the_published_rules():
    points = dict(past_result_points(PastResults(attended=2, no_shows=1, reports_on_time=2,
                                                 contracts_reported=3), CRITERIA))
    assert points == {"past_no_show": -10.0, "report_on_time": 5.0, "report_late_or_missing": 0.0,
                      "contracts_reported": 7.0}
    late = dict(past_result_points(PastResults(reports_on_time=1, reports_late_or_missing=2), CRITERIA))
    assert late["report_on_time"] == 0.0 and late["report_late_or_missing"] == -16.0


def test_unpublished_criteria_give_zero_lines_in_order():
    assert past_result_points(PastResults(no_shows=3), {}) == tuple((c, 0.0) for c in PAST_RESULT_CODES)


def test_bad_points_or_counts_are_refused():
    with pytest.raises(ValueError):
        past_result_points(PastResults(), {"report_on_time": "five"})
    with pytest.raises(ValueError):
        past_result_points(PastResults(no_shows=-1), CRITERIA)


def test_bar_chart_scales_to_the_largest_value():
    chart = bar_chart("t", [("a", 50), ("b", 100), ("c", 0)])
    assert [b.width for b in chart.bars] == [180, 360, 0]
    assert bar_chart("t", []).bars == ()
