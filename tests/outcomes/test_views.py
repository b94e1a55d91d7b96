"""After-show pages through the test client: the company's report, the coordinators' pages,
and who may see what."""
from __future__ import annotations

import datetime as dt

import pytest

from planner.outcomes import services
from planner.outcomes.models import FollowUpRequest, FollowUpStatus, ReportStatus, ResultsReport
from tests.factories import make_coordinator, make_user
from tests.outcomes.conftest import ended_offer, hold_place


@pytest.fixture
def setup(app, db):
    # The factory's default dates are in 2027; the pages use the real clock, so the show must be over now.
    today = dt.date.today()
    from tests.factories import make_exhibition
    exhibition = make_exhibition(starts_on=today - dt.timedelta(days=10), ends_on=today - dt.timedelta(days=5))
    offer = ended_offer(exhibition=exhibition)
    user = make_user()
    hold_place(offer, user.company)
    db.session.commit()
    return offer, user


def _report_form(version, **extra):
    data = {"version": str(version), "leads-0-country": "PL", "leads-0-meetings": "4", "leads-0-leads": "2",
            "contracts-0-country": "PL", "contracts-0-stage": "signed", "contracts-0-value": "250000",
            "contracts-0-currency": "EUR", "mous_signed": "1", "satisfaction": "4",
            "products_shown": "Thermal sight"}
    data.update(extra)
    return data


def test_company_files_its_report_and_asks_for_follow_up(client, login_as, setup, db):
    offer, user = setup
    login_as(user)
    page = client.get(f"/my/outcomes/{offer.id}")
    assert page.status_code == 200 and b"Submit the report" in page.data
    report = db.session.scalar(db.select(ResultsReport))
    assert client.post(f"/my/outcomes/{offer.id}", data=_report_form(report.version, save="1")).status_code == 302
    db.session.expire_all()
    assert report.status == ReportStatus.draft and report.leads[0]["country"] == "PL"
    response = client.post(f"/my/outcomes/{offer.id}", data=_report_form(report.version, submit="1"))
    assert response.status_code == 302
    db.session.expire_all()
    assert report.status == ReportStatus.submitted
    # Read-only afterwards: a late post changes nothing.
    assert client.post(f"/my/outcomes/{offer.id}", data=_report_form(report.version, mous_signed="9",
                                                                     submit="1")).status_code == 400
    db.session.expire_all()
    assert report.mous_signed == 1
    response = client.post(f"/my/outcomes/{offer.id}/follow-ups", data={"area": "export-finance", "note": "Bond"})
    assert response.status_code == 302
    listing = client.get("/my/outcomes")
    assert b"Export finance or guarantees" in listing.data
    exported = client.get("/my/outcomes.csv")
    assert exported.status_code == 200 and b"250000.00 EUR" in exported.data


def test_a_stale_form_is_a_conflict(client, login_as, setup, db):
    offer, user = setup
    login_as(user)
    client.get(f"/my/outcomes/{offer.id}")
    report = db.session.scalar(db.select(ResultsReport))
    old = report.version
    client.post(f"/my/outcomes/{offer.id}", data=_report_form(old, save="1"))
    assert client.post(f"/my/outcomes/{offer.id}", data=_report_form(old, submit="1")).status_code == 409
    db.session.expire_all()
    assert report.status == ReportStatus.draft


def _saved(db, user):
    db.session.commit()
    return user


def test_another_companys_report_is_not_found(client, login_as, setup, db):
    offer, _user = setup
    login_as(_saved(db, make_user()))
    assert client.get(f"/my/outcomes/{offer.id}").status_code == 404
    assert client.post(f"/my/outcomes/{offer.id}/follow-ups", data={"area": "export-finance"}).status_code == 404


def test_an_applicant_cannot_reach_the_back_office_pages(client, login_as, setup, db):
    offer, user = setup
    login_as(user)
    report = services.open_report(offer, user.company_id)
    db.session.commit()
    for url in ("/backoffice/outcomes/", "/backoffice/outcomes/follow-ups", f"/backoffice/outcomes/offers/{offer.id}",
                f"/backoffice/outcomes/reports/{report.id}", f"/backoffice/outcomes/figures/offer/{offer.id}",
                f"/backoffice/outcomes/figures/year/{offer.programme.year}.csv"):
        assert client.get(url).status_code == 403, url


def test_anonymous_visitors_are_sent_to_log_in(client, setup):
    offer, _user = setup
    assert client.get("/my/outcomes").status_code == 302
    assert client.get("/backoffice/outcomes/follow-ups").status_code == 302


def test_coordinator_records_attendance_takes_and_closes_a_request(client, login_as, setup, db):
    offer, user = setup
    report = services.open_report(offer, user.company_id)
    request = services.ask_follow_up(report, "export-finance", note="Bond", actor=user)
    db.session.commit()
    login_as(_saved(db, make_coordinator()))
    assert client.get(f"/backoffice/outcomes/offers/{offer.id}").status_code == 200
    response = client.post(f"/backoffice/outcomes/offers/{offer.id}",
                           data={"company_id": str(user.company_id), "status": "no-show", "reason": "Visa"})
    assert response.status_code == 302
    db.session.expire_all()
    assert user.company.no_show_count == 1
    assert b"Take it" in client.get("/backoffice/outcomes/follow-ups").data
    url = f"/backoffice/outcomes/follow-ups/{request.id}"
    assert client.post(url, data={"expected": "open", "to": "in-progress"}).status_code == 302
    assert client.post(url, data={"expected": "in-progress", "to": "closed",
                                  "note": "Guarantee arranged"}).status_code == 302
    db.session.expire_all()
    request = db.session.get(FollowUpRequest, request.id)
    assert request.status == FollowUpStatus.closed and request.outcome == "Guarantee arranged"
    # A click on a request someone else already moved is a conflict and changes nothing. (Last:
    # the test's app context shares `g` between requests, so a doomed unit would doom the next.)
    assert client.post(url, data={"expected": "open", "to": "in-progress"}).status_code == 409
    assert client.post(f"/backoffice/outcomes/offers/{offer.id}",
                       data={"company_id": str(user.company_id), "status": "no-show", "reason": ""}).status_code == 400


def test_coordinator_amends_only_with_a_reason(client, login_as, setup, db):
    offer, user = setup
    report = services.open_report(offer, user.company_id)
    services.submit_report(report, services.ReportData(satisfaction=3), version=report.version, actor=user)
    db.session.commit()
    login_as(_saved(db, make_coordinator()))
    url = f"/backoffice/outcomes/reports/{report.id}"
    assert client.get(url).status_code == 200
    assert client.post(url, data=_report_form(report.version, reason="")).status_code == 400
    assert client.post(url, data=_report_form(report.version, reason="Phoned in")).status_code == 302
    db.session.expire_all()
    assert report.mous_signed == 1 and report.events[-1].reason == "Phoned in"


def test_figures_page_and_exports(client, login_as, setup, db):
    offer, _user = setup
    login_as(_saved(db, make_coordinator()))
    page = client.get(f"/backoffice/outcomes/figures/programme/{offer.programme_id}")
    assert page.status_code == 200 and b"reference rates" in page.data
    csv_response = client.get(f"/backoffice/outcomes/figures/offer/{offer.id}.csv")
    assert csv_response.status_code == 200 and b"usd_rates_date" in csv_response.data
    assert client.get(f"/backoffice/outcomes/figures/year/{offer.programme.year}.xlsx").status_code == 200
    assert client.get("/backoffice/outcomes/figures/offer/99999").status_code == 404
    assert client.get(f"/backoffice/outcomes/programmes/{offer.programme_id}/settings").status_code == 200
    assert client.post(f"/backoffice/outcomes/programmes/{offer.programme_id}/settings",
                       data={"report_due_days": "20"}).status_code == 302
    assert services.report_due_days(offer.programme_id) == 20


def test_korean_pages(client, login_as, setup):
    offer, user = setup
    login_as(user)
    page = client.get(f"/my/outcomes/{offer.id}?lang=ko")
    assert page.status_code == 200 and "결과 보고서".encode() in page.data
