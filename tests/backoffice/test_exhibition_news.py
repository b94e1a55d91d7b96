"""Applicants hear when a show they applied for changes, is postponed or is cancelled; those who
withdrew, and companies that did not apply, do not."""
from __future__ import annotations

import datetime as dt

import pytest

from planner.notifications.models import OutboxMessage
from planner.signups.models import ApplicationStatus as S
from tests.factories import make_application, make_company, make_exhibition, make_offer, make_user


@pytest.fixture
def show(app, db):
    exhibition = make_exhibition(slug="idex-2027", name="IDEX", name_ko="아이덱스",
                                 starts_on=dt.date(2027, 2, 15), ends_on=dt.date(2027, 2, 19))
    offer = make_offer(exhibition=exhibition)
    for email, status, locale in (("going@example.com", S.confirmed, "ko"), ("left@example.com", S.withdrawn, "en")):
        company = make_company()
        make_user(company=company, email=email, locale=locale)
        make_application(company=company, offer=offer, status=status)
    make_user(company=make_company(), email="other@example.com")
    db.session.commit()
    return exhibition


def _mails(db):
    return db.session.scalars(db.select(OutboxMessage)).all()


def test_a_postponement_is_told_to_applicants_still_going_in_their_language(app, db, client, login_as,
                                                                           coordinator, show):
    login_as(coordinator)
    response = client.post("/backoffice/exhibitions/idex-2027/postpone",
                           data={"starts_on": "2027-03-01", "ends_on": "2027-03-05", "reason": "Venue works",
                                 "date_certainty": "confirmed"})
    assert response.status_code == 302
    [mail] = _mails(db)
    assert mail.to_addr == "going@example.com" and mail.category == "exhibition_updates"
    assert "아이덱스" in mail.subject and "Venue works" in mail.body_text
    assert "2027. 3. 1." in mail.body_text and "2027. 2. 15." in mail.body_text  # new dates, and the old ones


def test_a_cancellation_is_told_and_an_edit_that_changes_nothing_applicants_care_about_is_not(
        app, db, client, login_as, coordinator, show):
    from planner.signups.services import exhibition_news
    before = exhibition_news.Facts.of(show)
    show.website = "https://www.idexuae.ae/"
    assert exhibition_news.tell_applicants(show, exhibition_news.Change.changed, before=before) == 0
    login_as(coordinator)
    client.post("/backoffice/exhibitions/idex-2027/cancel", data={"reason": "Organiser cancelled"})
    [mail] = _mails(db)
    assert mail.to_addr == "going@example.com" and "취소" in mail.subject


def test_a_postponement_to_a_month_not_yet_fixed_tells_the_month_not_placeholder_days(
        app, db, client, login_as, coordinator, show):
    login_as(coordinator)
    client.post("/backoffice/exhibitions/idex-2027/postpone",
                data={"starts_on": "2027-09-07", "ends_on": "2027-09-10", "reason": "Venue works",
                      "date_certainty": "month"})
    [mail] = _mails(db)
    assert "2027년 9월" in mail.body_text and "2027. 9. 7." not in mail.body_text
