"""After-show services without a request: attendance, reports, follow-ups, past results."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from planner.notifications.models import OutboxMessage
from planner.outcomes import services
from planner.outcomes.criteria import PastResults
from planner.outcomes.models import AttendanceStatus, FollowUpArea, FollowUpStatus, ReportStatus
from planner.outcomes.services import (
    ContractLine,
    LeadLine,
    NoPlaceHeld,
    OutcomeError,
    ReportData,
    ShowNotEnded,
    StaleChange,
)
from planner.signups.models import ApplicationStatus
from tests.factories import make_company, make_coordinator, make_user
from tests.outcomes.conftest import NOW, ended_offer, hold_place

UTC = dt.timezone.utc
FULL = ReportData(leads=(LeadLine("PL", 5, 2),), contracts=(ContractLine("PL", "signed", Decimal("1000"), "EUR"),),
                  mous_signed=1, satisfaction=4)


def test_a_show_is_over_only_after_its_last_day_in_the_offers_zone(app):
    offer = ended_offer(timezone="Asia/Seoul")
    # 18 June 23:30 in Seoul is still the last day; 19 June 00:30 in Seoul is after it.
    assert not services.show_has_ended(offer, dt.datetime(2027, 6, 18, 14, 30, tzinfo=UTC))
    assert services.show_has_ended(offer, dt.datetime(2027, 6, 18, 15, 30, tzinfo=UTC))


def test_recording_a_no_show_updates_the_count_scoring_reads(app, db):
    offer = ended_offer()
    company = make_company(no_show_count=1)  # a no-show the agency counted before
    hold_place(offer, company)
    coordinator = make_coordinator()
    services.record_attendance(offer, company.id, AttendanceStatus.no_show, reason="Visa refused",
                               actor=coordinator, now=NOW)
    assert company.no_show_count == 2
    services.record_attendance(offer, company.id, AttendanceStatus.no_show, reason="Visa refused, checked",
                               actor=coordinator, now=NOW)
    assert company.no_show_count == 2
    services.record_attendance(offer, company.id, AttendanceStatus.attended, reason=None,
                               actor=coordinator, now=NOW)
    db.session.expire_all()
    assert company.no_show_count == 1


def test_attendance_rules(app):
    offer = ended_offer()
    company, stranger = make_company(), make_company()
    hold_place(offer, company)
    with pytest.raises(OutcomeError):
        services.record_attendance(offer, company.id, AttendanceStatus.no_show, reason=" ", actor=None, now=NOW)
    with pytest.raises(NoPlaceHeld):
        services.record_attendance(offer, stranger.id, AttendanceStatus.attended, reason=None, actor=None, now=NOW)
    with pytest.raises(ShowNotEnded):
        services.record_attendance(offer, company.id, AttendanceStatus.attended, reason=None, actor=None,
                                   now=dt.datetime(2027, 6, 16, tzinfo=UTC))
    rows = services.list_attendance(offer)
    assert [r.company.id for r in rows] == [company.id]


def test_report_draft_submit_and_amend_with_history(app):
    offer = ended_offer()
    user = make_user()
    hold_place(offer, user.company)
    report = services.open_report(offer, user.company_id, now=NOW)
    assert report.status == ReportStatus.draft
    assert report.due_on == dt.date(2027, 7, 18)
    services.save_draft(report, ReportData(mous_signed=2), version=report.version, actor=user, now=NOW)
    with pytest.raises(OutcomeError):
        services.submit_report(report, ReportData(), version=report.version, actor=user, now=NOW)
    services.submit_report(report, FULL, version=report.version, actor=user, now=NOW)
    assert report.status == ReportStatus.submitted and report.submitted_at == NOW
    assert services.filed_on_time(report) is True
    with pytest.raises(StaleChange):
        services.save_draft(report, ReportData(), version=report.version, actor=user, now=NOW)
    coordinator = make_coordinator()
    with pytest.raises(OutcomeError):
        services.amend_report(report, FULL, version=report.version, reason="", actor=coordinator, now=NOW)
    services.amend_report(report, ReportData(leads=FULL.leads, mous_signed=3, satisfaction=5),
                          version=report.version, reason="Company phoned a correction", actor=coordinator, now=NOW)
    assert report.mous_signed == 3 and report.contracts == []
    assert [e.action for e in report.events] == ["saved", "submitted", "amended"]
    assert report.events[-1].before["mous_signed"] == 1
    assert report.events[-1].before["contracts"][0]["currency"] == "EUR"


def test_a_stale_version_is_a_conflict(app):
    offer = ended_offer()
    user = make_user()
    hold_place(offer, user.company)
    report = services.open_report(offer, user.company_id, now=NOW)
    old = report.version
    services.save_draft(report, ReportData(mous_signed=1), version=old, actor=user, now=NOW)
    with pytest.raises(StaleChange) as caught:
        services.submit_report(report, FULL, version=old, actor=user, now=NOW)
    assert caught.value.status_code == 409


def test_reports_need_a_place_and_an_ended_show(app):
    offer = ended_offer()
    company = make_company()
    with pytest.raises(NoPlaceHeld):
        services.open_report(offer, company.id, now=NOW)
    hold_place(offer, company)
    with pytest.raises(ShowNotEnded):
        services.open_report(offer, company.id, now=dt.datetime(2027, 6, 1, tzinfo=UTC))


def test_report_values_are_checked(app):
    offer = ended_offer()
    user = make_user()
    hold_place(offer, user.company)
    report = services.open_report(offer, user.company_id, now=NOW)
    for bad in (ReportData(contracts=(ContractLine("PL", "signed", Decimal("1"), "XXX"),)),
                ReportData(leads=(LeadLine("Poland", 1, 1),)),
                ReportData(leads=(LeadLine("PL", -1, 1),)),
                ReportData(satisfaction=6)):
        with pytest.raises(OutcomeError):
            services.save_draft(report, bad, version=report.version, actor=user, now=NOW)


def test_request_reports_opens_them_once_and_mails_the_company(app, db):
    offer = ended_offer()
    user = make_user()
    no_show = make_company()
    hold_place(offer, user.company)
    hold_place(offer, no_show)
    hold_place(offer, make_company(), status=ApplicationStatus.withdrawn)
    services.record_attendance(offer, no_show.id, AttendanceStatus.no_show, reason="Ill", actor=None, now=NOW)
    assert services.request_reports(now=NOW) == 1
    assert services.request_reports(now=NOW) == 0
    mails = db.session.scalars(db.select(OutboxMessage)).all()
    assert [m.to_addr for m in mails] == [user.email]
    assert "18" in mails[0].body_text or "2027-07-18" in mails[0].body_text


def test_reports_due_lists_each_ended_show_with_its_status(app):
    offer = ended_offer()
    user = make_user()
    hold_place(offer, user.company)
    due = services.reports_due(user.company_id, now=NOW)
    assert [(d.offer.id, d.due_on, d.status) for d in due] == [(offer.id, dt.date(2027, 7, 18), "missing")]
    services.open_report(offer, user.company_id, now=NOW)
    assert services.reports_due(user.company_id, now=NOW)[0].status == "draft"


def test_due_days_are_a_programme_setting(app):
    offer = ended_offer()
    user = make_user()
    hold_place(offer, user.company)
    report = services.open_report(offer, user.company_id, now=NOW)
    services.set_report_due_days(offer.programme, 15)
    assert report.due_on == dt.date(2027, 7, 3)
    with pytest.raises(OutcomeError):
        services.set_report_due_days(offer.programme, 0)


def test_follow_up_is_taken_and_closed_with_history_and_mail(app, db):
    offer = ended_offer()
    user = make_user()
    hold_place(offer, user.company)
    report = services.open_report(offer, user.company_id, now=NOW)
    request = services.ask_follow_up(report, FollowUpArea.export_finance, note="Bond for PL tender",
                                     actor=user, now=NOW)
    with pytest.raises(OutcomeError):
        services.ask_follow_up(report, FollowUpArea.export_finance, note="again", actor=user, now=NOW)
    coordinator = make_coordinator()
    services.change_follow_up(request, FollowUpStatus.in_progress, expected=FollowUpStatus.open,
                              actor=coordinator, now=NOW)
    assert request.owner_id == coordinator.id
    with pytest.raises(StaleChange):
        services.change_follow_up(request, FollowUpStatus.in_progress, expected=FollowUpStatus.open,
                                  actor=make_coordinator(), now=NOW)
    with pytest.raises(OutcomeError):
        services.change_follow_up(request, FollowUpStatus.closed, expected=FollowUpStatus.in_progress,
                                  actor=coordinator, now=NOW)
    services.change_follow_up(request, FollowUpStatus.closed, expected=FollowUpStatus.in_progress,
                              actor=coordinator, note="Introduced to K-SURE", now=NOW)
    assert request.outcome == "Introduced to K-SURE"
    assert [(e.from_status, e.to_status) for e in request.events] == [
        (None, "open"), ("open", "in-progress"), ("in-progress", "closed")]
    subjects = [m.subject for m in db.session.scalars(db.select(OutboxMessage))]
    assert len(subjects) == 2 and "Closed" in subjects[-1]


def test_past_results_from_the_records(app):
    coordinator = make_coordinator()
    early = ended_offer()
    company, other = make_company(), make_company()
    hold_place(early, company)
    hold_place(early, other)
    services.record_attendance(early, company.id, AttendanceStatus.attended, reason=None, actor=coordinator, now=NOW)
    services.record_attendance(early, other.id, AttendanceStatus.no_show, reason="Ill", actor=coordinator, now=NOW)
    report = services.open_report(early, company.id, now=NOW)
    services.submit_report(report, FULL, version=report.version, actor=None, now=NOW)
    late = ended_offer()
    hold_place(late, company)
    late_report = services.open_report(late, company.id, now=NOW)
    services.submit_report(late_report, ReportData(satisfaction=3), version=late_report.version, actor=None,
                           now=dt.datetime(2027, 8, 1, tzinfo=UTC))
    results = services.past_results([company.id, other.id, 999], before=dt.date(2028, 1, 1))
    assert results[company.id] == PastResults(attended=1, no_shows=0, reports_on_time=1,
                                              reports_late_or_missing=1, contracts_reported=1)
    assert results[other.id] == PastResults(no_shows=1)
    assert results[999] == PastResults()
    # Before the reports were due nothing counts as on time or late yet.
    assert services.past_results([company.id], before=dt.date(2027, 7, 1))[company.id] == PastResults(
        attended=1, contracts_reported=1)
