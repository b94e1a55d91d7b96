"""Issue 16's journey, through the pages: a show ends, the company is asked for its report,
files it, asks for export-finance follow-up; a coordinator takes and closes the request; next
year's programme, publishing the past-results criteria, scores the company with them."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from planner.allocation import services as allocation
from planner.allocation.models import AllocationResult
from planner.notifications.models import OutboxMessage
from planner.outcomes import services as outcomes
from planner.outcomes.models import FollowUpRequest, FollowUpStatus, ReportStatus, ResultsReport
from tests.allocation.conftest import apply, closed_offer
from tests.factories import make_coordinator, make_exhibition, make_programme, make_user
from tests.outcomes.conftest import ended_offer, hold_place
from tests.outcomes.test_views import _report_form


def test_report_follow_up_and_next_years_selection(app, db, client, login_as):
    today = dt.date.today()
    show = make_exhibition(starts_on=today - dt.timedelta(days=10), ends_on=today - dt.timedelta(days=5))
    offer = ended_offer(exhibition=show)
    user = make_user(email="kim@example.com")
    hold_place(offer, user.company)
    coordinator = make_coordinator()
    db.session.commit()

    # The show is over: the timer asks the company for its report.
    assert outcomes.request_reports() == 1
    db.session.commit()
    assert db.session.scalar(select(OutboxMessage.to_addr)) == "kim@example.com"

    # The company files it and asks for export-finance follow-up.
    login_as(user)
    report = db.session.scalar(select(ResultsReport))
    assert client.post(f"/my/outcomes/{offer.id}", data=_report_form(report.version, submit="1")).status_code == 302
    assert client.post(f"/my/outcomes/{offer.id}/follow-ups",
                       data={"area": "export-finance", "note": "Performance bond for a Polish order"}).status_code == 302
    db.session.expire_all()
    assert report.status == ReportStatus.submitted
    request = db.session.scalar(select(FollowUpRequest))

    # A coordinator takes the request and closes it; the company sees the outcome.
    login_as(coordinator)
    url = f"/backoffice/outcomes/follow-ups/{request.id}"
    assert client.post(url, data={"expected": "open", "to": "in-progress"}).status_code == 302
    assert client.post(url, data={"expected": "in-progress", "to": "closed",
                                  "note": "K-SURE guarantee arranged"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(FollowUpRequest, request.id).status == FollowUpStatus.closed
    login_as(user)
    assert "K-SURE guarantee arranged" in client.get(f"/my/outcomes/{offer.id}").get_data(as_text=True)

    # Next year's programme publishes the past-results criteria. Its call closes after this
    # report was due (a report counts once its due day has passed); the run, after the close,
    # scores the company's record with them.
    now = dt.datetime.now(dt.timezone.utc)
    next_year = make_programme(slug="overseas-next", year=today.year + 1)
    next_year.criteria = {**(next_year.criteria or {}), "report_on_time": 6, "contracts_reported": 4}
    closes = now + dt.timedelta(days=90)
    next_offer = closed_offer(next_year, opens_at=now, closes_at=closes)
    application = apply(user.company, next_offer, 1)
    db.session.flush()
    run = allocation.run_allocation(next_year, actor=None, dry_run=True, now=closes + dt.timedelta(days=1))
    breakdown = db.session.scalar(select(AllocationResult.breakdown).where(
        AllocationResult.run_id == run.id, AllocationResult.application_id == application.id))
    assert breakdown["report_on_time"] == 6.0 and breakdown["contracts_reported"] == 4.0
