"""Dashboard figures, co-funding and exports against hand-computed fixtures."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from planner.backoffice import cofunding, exports, figures
from planner.backoffice.models import PaymentState
from planner.extensions import db
from planner.signups.models import ApplicationEvent, ApplicationStatus, PlaceKind
from tests.factories import make_application, make_company, make_exhibition, make_offer, make_programme

UTC = dt.timezone.utc
NOW = dt.datetime(2027, 3, 1, tzinfo=UTC)
PAID_ON = dt.date(2026, 1, 5)


@pytest.fixture
def board_data(app, coordinator):
    """Budget 100M; small pays 30% (agency 70%), medium 50%. Paris (FR, europe) booth 20M for
    2 places; Dubai (AE, middle-east) delegation 4M for 1 place."""
    programme = make_programme(slug="dash", budget_krw=100_000_000, eligible_size_classes=["small", "medium"],
                               subsidy_shares={"small": 0.7, "medium": 0.5})
    paris = make_offer(programme=programme, exhibition=make_exhibition(name="Paris Show", country_code="FR"),
                       booth_capacity=2, booth_cost_krw=20_000_000, delegation_capacity=0,
                       payment_due_at=NOW + dt.timedelta(days=10))
    dubai = make_offer(programme=programme, exhibition=make_exhibition(name="Dubai Show", country_code="AE"),
                       booth_capacity=0, delegation_capacity=1, delegation_cost_krw=4_000_000)
    small = make_company(legal_name="Small Co", size_class="small", prior_exhibitions=[])
    medium = make_company(legal_name="Medium Co", size_class="medium",  # chose DSEI on its profile
                          past_shows=[{"series": "dsei", "year": 2025, "name": "DSEI", "name_ko": ""}])
    other = make_company(legal_name="Other Co", size_class="small", prior_exhibitions=[])
    a1 = make_application(company=small, offer=paris, kind=PlaceKind.booth, status=ApplicationStatus.confirmed,
                          answers={"exhibits": [{"name": "Ballistic panels", "needs_licence": True,
                                                 "licence_status": "applied"}]})
    a2 = make_application(company=medium, offer=paris, kind=PlaceKind.booth, status=ApplicationStatus.allocated)
    a3 = make_application(company=other, offer=paris, kind=PlaceKind.booth, status=ApplicationStatus.waitlisted)
    a4 = make_application(company=medium, offer=dubai, kind=PlaceKind.delegation, preference=2,
                          status=ApplicationStatus.confirmed,
                          answers={"delegates": [{"name": "Kim Min", "role": "Export manager"}]})
    db.session.flush()
    return dict(programme=programme, paris=paris, dubai=dubai, a1=a1, a2=a2, a3=a3, a4=a4,
                coordinator=coordinator)


def test_programme_board_figures_match_hand_computation(board_data):
    cofunding.mark_paid(board_data["a1"], actor=board_data["coordinator"], paid_on=NOW.date(), now=NOW)
    board = figures.programme_board(board_data["programme"], now=NOW)
    # Subsidy: a1 small booth 14M (confirmed, paid), a2 medium booth 10M (allocated),
    # a4 medium delegation 2M (confirmed).
    assert (board.committed_krw, board.confirmed_krw, board.paid_krw) == (26_000_000, 16_000_000, 14_000_000)
    sizes = {row[0]: row[1:] for row in figures.find_figure(board.figures, "subsidy-by-size").rows}
    assert sizes["Small"] == (14_000_000, 14_000_000, 14_000_000)
    assert sizes["Medium"] == (12_000_000, 2_000_000, 0)
    regions = {row[0]: row[1:] for row in figures.find_figure(board.figures, "subsidy-by-region").rows}
    assert regions["Europe"] == (24_000_000, 14_000_000, 14_000_000)
    assert regions["Middle East"] == (2_000_000, 2_000_000, 0)
    over = {row[0]: row[1:] for row in figures.find_figure(board.figures, "oversubscription").rows}
    assert over["Paris Show · Booth"] == (3, 2, "1.50") and over["Dubai Show · Delegation"] == (1, 1, "1.00")
    waitlists = dict(figures.find_figure(board.figures, "waitlists").rows)
    assert waitlists == {"Paris Show · Booth": 1, "Dubai Show · Delegation": 0}
    # Small Co and Other Co list no earlier show: 2 of 3 applicants, 1 of 2 holders.
    ft = board.first_timers
    assert (ft.first_time_applicants, ft.applicants, ft.first_time_holders, ft.holders) == (2, 3, 1, 2)
    # Shares due: small booth 6M, medium delegation 2M; 6M paid.
    assert board.cofunding.overall.due_krw == 8_000_000 and board.cofunding.overall.paid_krw == 6_000_000
    assert board.cofunding.by_size_class["medium"].outstanding_krw == 2_000_000
    assert [d.what for d in board.deadlines] == ["Company shares due"]


def test_marks_keep_who_and_when_and_a_waiver_needs_a_reason(board_data):
    actor = board_data["coordinator"]
    with pytest.raises(cofunding.CofundingError):
        cofunding.mark_waived(board_data["a4"], actor=actor, reason=" ", now=NOW)
    with pytest.raises(cofunding.CofundingError):
        cofunding.mark_paid(board_data["a2"], actor=actor, paid_on=NOW.date(), now=NOW)  # not confirmed
    cofunding.mark_waived(board_data["a4"], actor=actor, reason="Hardship", now=NOW)
    [share] = cofunding.list_shares(application_ids=[board_data["a4"].id])
    assert share.state == PaymentState.waived and share.reason == "Hardship" and share.marked_at == NOW
    cofunding.mark_due(board_data["a4"], actor=actor, reason="Waived in error", now=NOW)
    history = cofunding.payment_history([board_data["a4"].id])[board_data["a4"].id]
    assert [m.state for m in history] == [PaymentState.waived, PaymentState.due]
    assert all(m.actor_id == actor.id for m in history)


def test_a_cancellation_after_confirming_is_charged_when_the_rules_say_so(board_data):
    a1 = board_data["a1"]
    a1.status = ApplicationStatus.withdrawn
    db.session.add(ApplicationEvent(application_id=a1.id, from_status="confirmed", to_status="withdrawn"))
    db.session.flush()
    assert [s.application_id for s in cofunding.list_shares(programme_id=board_data["programme"].id)] \
        == [board_data["a4"].id]
    cofunding.save_settings(board_data["programme"], cancellation_charge_percent=25, payment_instructions="",
                            actor=board_data["coordinator"], now=NOW)
    [charge] = cofunding.list_shares(application_ids=[a1.id])
    assert charge.cancelled and charge.due_krw == 1_500_000  # 25% of the 6M share


def test_chart_svg_has_its_numbers_and_accessible_names(client, login_as, board_data):
    login_as(board_data["coordinator"])
    html = client.get("/backoffice/programmes/dash/dashboard").get_data(as_text=True)
    svgs = re.findall(r"<svg[^>]*>.*?</svg>", html, re.S)
    assert len(svgs) == 5
    over = next(s for s in svgs if "oversubscription-title" in s)
    assert 'role="img"' in over and 'aria-labelledby="oversubscription-title oversubscription-desc"' in over
    assert "<title id=\"oversubscription-title\">Applications against places</title>" in over
    assert "3 for 2 places" in over and "1 for 1 place" in over
    assert "₩24,000,000" in next(s for s in svgs if "subsidy-by-region" in s)
    csv = client.get("/backoffice/programmes/dash/dashboard/subsidy-by-size.csv").get_data(as_text=True)
    assert "Small,14000000,14000000,0" in csv
    korean = client.get("/backoffice/programmes/dash/dashboard", headers={"Accept-Language": "ko"})
    assert korean.status_code == 200
    assert client.get("/backoffice/").status_code == 200
    assert client.get("/backoffice/figures/programmes-subsidy.csv").status_code == 200
    assert client.get("/backoffice/figures/nope.csv").status_code == 404


def test_payments_page_marks_paid_and_the_letter_prints(client, login_as, board_data):
    login_as(board_data["coordinator"])
    offer = board_data["paris"]
    assert "Small Co" in client.get(f"/backoffice/offers/{offer.id}/payments").get_data(as_text=True)
    response = client.post(f"/backoffice/applications/{board_data['a1'].id}/payment",
                           data={"action": "paid", "paid_on": PAID_ON.isoformat()})
    assert response.status_code == 302
    assert client.post(f"/backoffice/applications/{board_data['a1'].id}/payment",
                       data={"action": "waived", "reason": ""}).status_code == 400
    letter = client.get(f"/backoffice/programmes/dash/companies/{board_data['a1'].company_id}/letter")
    text = letter.get_data(as_text=True)
    assert "₩6,000,000" in text and f"Paid on {PAID_ON.isoformat()}" in text
    assert 'print.css' in text


def test_exports_read_as_labels(board_data):
    table = exports.pavilion_table(board_data["paris"])
    rows = list(table.rows)
    assert [c.header for c in table.columns][:3] == ["Company (English)", "Company (Korean)", "Fascia name"]
    assert rows == [["Small Co", "", "Small Co", "", 9, "Ballistic panels"]]
    delegation = list(exports.delegation_table(board_data["dubai"]).rows)
    assert delegation[0][:3] == ["Kim Min", "Export manager", "Medium Co"]
    assert exports.exhibit_text({"name": "Ballistic panels", "needs_licence": True, "licence_status": "applied"}) \
        == "Ballistic panels (export licence: Applied for)"
    sheet = load_workbook(io.BytesIO(exports.to_xlsx([exports.pavilion_table(board_data["paris"])]))).active
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:F1"
    assert sheet["A1"].font.bold and sheet.column_dimensions["F"].width == 50


def test_applications_export_has_shares_and_no_raw_booleans(board_data):
    from planner.backoffice import services
    rows = list(load_workbook(io.BytesIO(services.applications_xlsx(
        services.ApplicationFilters(programme_id=board_data["programme"].id)))).active.iter_rows(values_only=True))
    header = rows[0]
    by_id = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    first = by_id[board_data["a1"].id]
    assert first["Exhibits"] == "Ballistic panels (export licence: Applied for)"
    assert first["Company share due (KRW)"] == 6_000_000 and first["Share paid"] == "Not paid yet"
    assert first["Export control attested"] in ("Yes", "No") and first["Place"] == "Booth"
    assert by_id[board_data["a4"].id]["Delegates"] == "Kim Min (Export manager)"
