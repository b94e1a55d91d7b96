"""Reminders before deadlines: sent once per threshold however often the timer runs, in the
reader's language with dates in the offer's zone, and never after the company acted."""
from __future__ import annotations

import datetime as dt

import pytest

from planner.accounts.models import User
from planner.notifications.models import OutboxMessage
from planner.notifications.preferences import set_categories_off
from planner.reminders import send_due_reminders
from planner.signups.models import ApplicationStatus as S
from planner.signups.models import OfferFollow
from tests.factories import make_application, make_company, make_exhibition, make_offer, make_user

UTC = dt.timezone.utc
DEADLINE = dt.datetime(2027, 3, 10, 9, 0, tzinfo=UTC)  # 18:00 in Seoul


def _mails(db):
    return db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)).all()


@pytest.fixture
def allocated(app, db):
    exhibition = make_exhibition(name="Eurosatory", name_ko="유로사토리")
    offer = make_offer(exhibition=exhibition, timezone="Asia/Seoul",
                       opens_at=DEADLINE - dt.timedelta(days=60), closes_at=DEADLINE - dt.timedelta(days=30))
    company = make_company()
    make_user(company=company, email="kim@example.com", locale="ko")
    application = make_application(company=company, offer=offer, status=S.allocated, confirm_by=DEADLINE)
    db.session.commit()
    return application


def test_a_confirmation_deadline_is_reminded_three_days_and_one_day_before_once_each(app, db, allocated):
    assert send_due_reminders(now=DEADLINE - dt.timedelta(days=4)) == 0
    for hours in range(0, 48, 6):  # a timer running every six hours for two days
        send_due_reminders(now=DEADLINE - dt.timedelta(days=3) + dt.timedelta(hours=hours))
    assert len(_mails(db)) == 1
    for hours in range(0, 24, 1):
        send_due_reminders(now=DEADLINE - dt.timedelta(days=1) + dt.timedelta(hours=hours))
    first, second = _mails(db)
    assert second.to_addr == "kim@example.com"
    # In the reader's language, the Korean show name, the deadline in the offer's zone.
    assert "유로사토리" in second.subject
    assert "2027. 3. 10." in second.body_text and "오후 6:00" in second.body_text
    assert "/my/allocation" in second.body_text
    assert second.category is None  # required: it cannot be turned off
    assert send_due_reminders(now=DEADLINE + dt.timedelta(hours=1)) == 0


def test_a_company_first_reminded_on_the_last_day_gets_one_mail_not_two(app, db, allocated):
    assert send_due_reminders(now=DEADLINE - dt.timedelta(hours=20)) == 1
    assert send_due_reminders(now=DEADLINE - dt.timedelta(hours=19)) == 0


def test_no_reminder_once_the_place_is_confirmed_or_declined(app, db, allocated):
    allocated.status = S.confirmed
    db.session.commit()
    assert send_due_reminders(now=DEADLINE - dt.timedelta(days=2)) == 0


def test_followers_who_have_not_applied_are_reminded_before_the_window_closes(app, db):
    closes = DEADLINE
    offer = make_offer(opens_at=closes - dt.timedelta(days=30), closes_at=closes)
    follower, applicant = make_company(), make_company()
    make_user(company=follower, email="follow@example.com")
    make_user(company=applicant, email="applied@example.com")
    make_application(company=applicant, offer=offer)
    db.session.add_all([OfferFollow(company_id=follower.id, offer_id=offer.id),
                        OfferFollow(company_id=applicant.id, offer_id=offer.id)])
    db.session.commit()
    assert send_due_reminders(now=closes - dt.timedelta(days=2)) == 1
    [mail] = _mails(db)
    assert mail.to_addr == "follow@example.com" and mail.category == "reminders"
    assert "/mail/unsubscribe/" in mail.body_text
    # Turned off: the one-day reminder is not sent.
    set_categories_off("follow@example.com", ["reminders"])
    db.session.commit()
    assert send_due_reminders(now=closes - dt.timedelta(hours=12)) == 0


def test_confirmed_companies_are_reminded_of_their_milestones(app, db):
    offer = make_offer(payment_due_at=DEADLINE, buildup_starts_on=dt.date(2027, 3, 20), timezone="Europe/Paris")
    company = make_company()
    make_user(company=company, email="kim@example.com")
    make_application(company=company, offer=offer, status=S.confirmed)
    db.session.commit()
    assert send_due_reminders(now=DEADLINE - dt.timedelta(days=6)) == 1
    [mail] = _mails(db)
    assert "Payment of your company's share" in mail.subject
    assert "(Europe/Paris)" in mail.body_text
    # Build-up starts at midnight in Paris on the 20th: 23:00 UTC on the 19th.
    assert send_due_reminders(now=dt.datetime(2027, 3, 19, 0, 0, tzinfo=UTC)) == 1
    assert "Build-up of the pavilion" in _mails(db)[-1].subject


def test_the_remind_command_reports_what_it_queued(app, db, runner, allocated):
    result = runner.invoke(args=["notifications", "remind", "--now", "2027-03-08T12:00:00"])
    assert result.exit_code == 0, result.output
    assert "Queued 1 reminder(s)." in result.output
    again = runner.invoke(args=["notifications", "remind", "--now", "2027-03-08T13:00:00"])
    assert "Queued 0 reminder(s)." in again.output


def test_journey_allocated_reminded_twice_confirms_and_hears_no_more(app, db, client, login_as, allocated):
    send_due_reminders(now=DEADLINE - dt.timedelta(days=3))
    send_due_reminders(now=DEADLINE - dt.timedelta(days=1))
    assert len(_mails(db)) == 2
    login_as(db.session.scalar(db.select(User).where(User.company_id == allocated.company_id)))
    response = client.post(f"/my/allocation/{allocated.id}/confirm")
    assert response.status_code in (302, 303)
    db.session.expire_all()
    assert db.session.get(type(allocated), allocated.id).status == S.confirmed
    before = len(_mails(db))
    send_due_reminders(now=DEADLINE - dt.timedelta(hours=2))
    assert len(_mails(db)) == before


def test_a_draft_results_report_is_reminded_before_it_is_due_and_not_once_submitted(app, db):
    from planner.outcomes import services as outcomes
    from planner.outcomes.models import ReportStatus
    from tests.outcomes.conftest import NOW, ended_offer, hold_place
    offer = ended_offer(timezone="Asia/Seoul")
    company = make_company()
    make_user(company=company, email="kim@example.com", locale="ko")
    hold_place(offer, company)
    report = outcomes.open_report(offer, company.id, now=NOW)
    db.session.commit()
    due_end = dt.datetime.combine(report.due_on + dt.timedelta(days=1), dt.time(0),
                                  tzinfo=dt.timezone(dt.timedelta(hours=9)))  # midnight in Seoul
    assert send_due_reminders(now=due_end - dt.timedelta(days=8)) == 0
    assert send_due_reminders(now=due_end - dt.timedelta(days=6)) == 1
    assert send_due_reminders(now=due_end - dt.timedelta(days=5)) == 0
    mail = _mails(db)[-1]
    assert mail.to_addr == "kim@example.com" and "성과 보고서" in mail.subject
    report.status = ReportStatus.submitted
    db.session.commit()
    assert send_due_reminders(now=due_end - dt.timedelta(hours=12)) == 0


def test_a_draft_results_report_is_in_the_companys_private_feed_until_submitted(app, db):
    from planner.feeds.services.private import company_calendar
    from planner.outcomes import services as outcomes
    from planner.outcomes.models import ReportStatus
    from tests.outcomes.conftest import NOW, ended_offer, hold_place
    offer = ended_offer(timezone="Asia/Seoul")
    company = make_company()
    hold_place(offer, company)
    report = outcomes.open_report(offer, company.id, now=NOW)
    db.session.commit()
    calendar = company_calendar(company, site_url="https://planner.example", lang="ko")
    [due] = [e for e in calendar.events if "-report-" in e.uid]
    assert due.summary.startswith("성과 보고서 제출 기한")
    assert due.start.astimezone(dt.timezone(dt.timedelta(hours=9))).date() == report.due_on + dt.timedelta(days=1)
    report.status = ReportStatus.submitted
    db.session.commit()
    calendar = company_calendar(company, site_url="https://planner.example", lang="ko")
    assert not [e for e in calendar.events if "-report-" in e.uid]
