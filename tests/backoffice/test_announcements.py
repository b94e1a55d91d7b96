"""Coordinators write to an offer's applicants by status, in English and Korean: they preview
the reach and one message, then send; the announcement is kept on the offer's page."""
from __future__ import annotations

import pytest

from planner.notifications.models import OutboxMessage
from planner.notifications.preferences import set_categories_off
from planner.signups.models import Announcement
from planner.signups.models import ApplicationStatus as S
from tests.factories import make_application, make_company, make_exhibition, make_offer, make_user


@pytest.fixture
def idex(app, db):
    offer = make_offer(exhibition=make_exhibition(name="IDEX", name_ko="아이덱스"))
    companies = {}
    for name, status, locale in (("allocated-en", S.allocated, "en"), ("allocated-ko", S.allocated, "ko"),
                                 ("waitlisted", S.waitlisted, "en")):
        company = make_company()
        make_user(company=company, email=f"{name}@example.com", locale=locale)
        make_application(company=company, offer=offer, status=status)
        companies[name] = company
    db.session.commit()
    return offer


FORM = {"statuses": ["allocated"], "subject_en": "Booth build-up times", "body_en": "Build-up starts at 8:00.",
        "subject_ko": "부스 설치 시간", "body_ko": "설치는 8시에 시작합니다."}


def test_preview_counts_the_companies_and_shows_one_message_then_send_queues_each_in_its_language(
        app, db, client, login_as, coordinator, idex):
    login_as(coordinator)
    page = client.post(f"/backoffice/offers/{idex.id}/announcements", data=dict(FORM, action="preview"))
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Send to 2 companies" in text and "Booth build-up times" in text
    assert db.session.scalar(db.select(OutboxMessage)) is None  # a preview sends nothing
    sent = client.post(f"/backoffice/offers/{idex.id}/announcements", data=dict(FORM, action="send"))
    assert sent.status_code == 303
    mails = {m.to_addr: m for m in db.session.scalars(db.select(OutboxMessage))}
    assert set(mails) == {"allocated-en@example.com", "allocated-ko@example.com"}
    assert mails["allocated-ko@example.com"].subject == "부스 설치 시간 · 아이덱스"
    assert "설치는 8시에" in mails["allocated-ko@example.com"].body_text
    assert mails["allocated-en@example.com"].subject == "Booth build-up times · IDEX"
    assert all("/mail/unsubscribe/" in m.body_text for m in mails.values())
    assert {m.reply_to for m in mails.values()} == {coordinator.email}
    [kept] = db.session.scalars(db.select(Announcement).where(Announcement.state == "sent")).all()
    assert kept.company_count == 2 and kept.statuses == ["allocated"] and kept.sent_by_id == coordinator.id
    assert "Booth build-up times" in client.get(f"/backoffice/offers/{idex.id}/announcements").get_data(as_text=True)


def test_readers_who_turned_announcements_off_are_skipped(app, db, client, login_as, coordinator, idex):
    set_categories_off("allocated-en@example.com", ["announcements"])
    db.session.commit()
    login_as(coordinator)
    client.post(f"/backoffice/offers/{idex.id}/announcements", data=dict(FORM, action="send"))
    assert [m.to_addr for m in db.session.scalars(db.select(OutboxMessage))] == ["allocated-ko@example.com"]


def test_half_a_korean_version_or_no_recipient_is_refused(app, db, client, login_as, coordinator, idex):
    login_as(coordinator)
    half = dict(FORM, body_ko="", action="send")
    response = client.post(f"/backoffice/offers/{idex.id}/announcements", data=half)
    assert response.status_code == 400 and "Korean subject and text" in response.get_data(as_text=True)
    nobody = dict(FORM, statuses=["declined"], action="send")
    assert client.post(f"/backoffice/offers/{idex.id}/announcements", data=nobody).status_code == 400
    assert db.session.scalar(db.select(Announcement)) is None
    assert db.session.scalar(db.select(OutboxMessage)) is None


def test_applicants_cannot_write_announcements(app, db, client, login_as, applicant, idex):
    login_as(applicant)
    assert client.get(f"/backoffice/offers/{idex.id}/announcements").status_code == 403
