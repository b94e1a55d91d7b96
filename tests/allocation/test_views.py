"""Allocation pages: coordinator preview and publication, overrides, public results, and a
company's own results with confirm and decline."""
from __future__ import annotations

import pytest
from flask import g
from sqlalchemy import select

from planner.allocation import services
from planner.allocation.models import AllocationRun
from planner.signups.models import ApplicationStatus as S
from tests.allocation.conftest import apply, closed_offer, company_with_user
from tests.factories import make_coordinator, make_user


@pytest.fixture
def world(db, programme):
    a = closed_offer(programme)
    b = closed_offer(programme)
    x, ux = company_with_user(size_class="small")
    y, uy = company_with_user(size_class="medium")
    apps = {"xa": apply(x, a, 1), "ya": apply(y, a, 1), "yb": apply(y, b, 2)}
    coordinator = make_coordinator()
    db.session.commit()
    return dict(a=a, b=b, apps=apps, ux=ux, uy=uy, coordinator=coordinator)


def test_coordinator_previews_then_publishes_a_run(client, login_as, db, programme, world):
    login_as(world["coordinator"])
    assert client.get("/backoffice/allocation").status_code == 200
    response = client.post(f"/backoffice/allocation/programmes/{programme.id}/preview")
    assert response.status_code == 302
    run = db.session.scalars(select(AllocationRun)).one()
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Cut-off score" in page and "Fill rate" in page and "100%" in page
    assert "Applications" in client.get(f"/backoffice/allocation/runs/{run.id}?offer={world['a'].id}").get_data(as_text=True)
    db.session.refresh(world["apps"]["xa"])
    assert world["apps"]["xa"].status == S.submitted

    unconfirmed = client.post(f"/backoffice/allocation/runs/{run.id}/publish", data={"seed": run.seed})
    assert unconfirmed.status_code == 400 and "Tick the box" in unconfirmed.get_data(as_text=True)
    published = client.post(f"/backoffice/allocation/runs/{run.id}/publish",
                            data={"seed": run.seed, "confirm": "y"})
    assert published.status_code == 302
    db.session.expire_all()
    assert world["apps"]["xa"].status == S.allocated
    published_run = services.get_published_run(programme)
    assert published_run.seed == run.seed
    again = client.post(f"/backoffice/allocation/runs/{run.id}/publish",
                        data={"seed": run.seed, "confirm": "y"})
    assert again.status_code == 409 and "already published" in again.get_data(as_text=True)
    assert client.post(f"/backoffice/allocation/programmes/{programme.id}/preview").status_code == 409


def test_publishing_uses_the_previewed_seed_never_one_posted_in_its_place(client, login_as, db,
                                                                         programme, world):
    # The seed is a hidden field: a hand-picked one (ground offline to favour one company's
    # lottery numbers) must not be publishable.
    login_as(world["coordinator"])
    client.post(f"/backoffice/allocation/programmes/{programme.id}/preview")
    run = db.session.scalars(select(AllocationRun)).one()
    chosen = client.post(f"/backoffice/allocation/runs/{run.id}/publish",
                         data={"seed": "hand-picked-seed", "confirm": "y"})
    assert chosen.status_code == 409 and "Only a previewed run can be published" in chosen.get_data(as_text=True)
    assert services.get_published_run(programme) is None
    published = client.post(f"/backoffice/allocation/runs/{run.id}/publish",
                            data={"seed": run.seed, "confirm": "y"})
    assert published.status_code == 302
    assert services.get_published_run(programme).seed == run.seed


def test_applicants_are_refused_coordinator_pages(client, login_as, programme, world):
    login_as(world["ux"])
    assert client.get("/backoffice/allocation").status_code == 403
    assert client.post(f"/backoffice/allocation/programmes/{programme.id}/preview").status_code == 403
    assert client.get(f"/backoffice/allocation/offers/{world['a'].id}").status_code == 403


def test_override_needs_a_reason_and_lands_in_the_offer_audit_log(client, login_as, db, programme, world):
    services.run_allocation(programme, actor=None, dry_run=False)
    db.session.commit()
    login_as(world["coordinator"])
    xa = world["apps"]["xa"]
    no_reason = client.post(f"/backoffice/allocation/applications/{xa.id}/override",
                            data={"to_status": "waitlisted", "reason": ""})
    assert no_reason.status_code == 400
    full = client.post(f"/backoffice/allocation/applications/{world['apps']['ya'].id}/override",
                       data={"to_status": "allocated", "reason": "strategic"})
    assert full.status_code == 409 and "already holds its cap" in full.get_data(as_text=True)
    ok = client.post(f"/backoffice/allocation/applications/{xa.id}/override",
                     data={"to_status": "waitlisted", "reason": "licence refused"})
    assert ok.status_code == 302
    page = client.get(f"/backoffice/allocation/offers/{world['a'].id}").get_data(as_text=True)
    assert "licence refused" in page and "Subsidy committed" in page


def test_public_results_page_publishes_the_seed_and_the_recipe(client, db, programme, world):
    assert "not been published" in client.get(f"/programmes/{programme.slug}/results").get_data(as_text=True)
    run = services.run_allocation(programme, actor=None, dry_run=False)
    db.session.commit()
    page = client.get(f"/programmes/{programme.slug}/results").get_data(as_text=True)
    assert run.seed in page and "HMAC-SHA256" in page
    assert client.get("/programmes/nope/results").status_code == 404


def test_company_sees_only_its_own_results_and_confirms_or_declines(client, login_as, db, programme, world):
    services.run_allocation(programme, actor=None, dry_run=False)
    db.session.commit()
    login_as(world["ux"])
    page = client.get("/my/allocation").get_data(as_text=True)
    assert "Score breakdown" in page and "First time at this exhibition" in page
    assert f'application-{world["apps"]["xa"].id}' in page
    assert f'application-{world["apps"]["yb"].id}' not in page
    assert client.post(f"/my/allocation/{world['apps']['yb'].id}/confirm").status_code == 404
    assert client.post(f"/my/allocation/{world['apps']['xa'].id}/decline").status_code == 302
    db.session.expire_all()
    assert world["apps"]["xa"].status == S.declined
    # Y is at its cap (it holds B), so nobody is promoted into A.
    assert world["apps"]["ya"].status == S.waitlisted
    g.pop("_login_user", None)  # the test app context outlives requests; Flask-Login caches in g
    login_as(world["uy"])
    assert client.post(f"/my/allocation/{world['apps']['yb'].id}/confirm").status_code == 302
    db.session.expire_all()
    assert world["apps"]["yb"].status == S.confirmed
    again = client.post(f"/my/allocation/{world['apps']['yb'].id}/decline")
    assert again.status_code == 409


def test_staff_without_a_company_cannot_open_company_results(client, login_as, world):
    login_as(world["coordinator"])
    assert client.get("/my/allocation").status_code == 403


def test_programme_and_offer_pages_show_the_subsidy_budget(client, login_as, db, programme, world):
    services.run_allocation(programme, actor=None, dry_run=False)
    db.session.commit()
    login_as(world["coordinator"])
    page = client.get(f"/backoffice/programmes/{programme.slug}").get_data(as_text=True)
    assert "Subsidy committed" in page and "Subsidy confirmed" in page and "Still available" in page
    assert f"/backoffice/allocation/offers/{world['a'].id}" in page
    offer_page = client.get(f"/backoffice/allocation/offers/{world['a'].id}").get_data(as_text=True)
    assert "Still available" in offer_page


def test_company_sees_its_lottery_number_and_its_deadline_in_the_offer_zone(client, login_as, db,
                                                                            programme, world):
    world["a"].timezone = "Europe/Paris"
    run = services.run_allocation(programme, actor=None, dry_run=False)
    db.session.commit()
    login_as(world["ux"])
    page = client.get("/my/allocation").get_data(as_text=True)
    from planner.allocation import lottery
    assert repr(lottery.tiebreak(run.seed, str(world["apps"]["xa"].id))) in page
    assert "(Europe/Paris)" in page and "(Asia/Seoul)" not in page


def test_company_leaves_a_waitlist_from_its_results_page(client, login_as, db, programme, world):
    services.run_allocation(programme, actor=None, dry_run=False)
    db.session.commit()
    login_as(world["uy"])
    ya = world["apps"]["ya"]
    assert f"/my/allocation/{ya.id}/withdraw" in client.get("/my/allocation").get_data(as_text=True)
    assert client.post(f"/my/allocation/{ya.id}/withdraw").status_code == 302
    db.session.expire_all()
    assert ya.status == S.withdrawn and world["apps"]["yb"].status == S.allocated


def test_reasons_show_in_korean_and_a_coordinators_percent_sign_breaks_no_page(client, login_as, db,
                                                                               programme, world):
    reason = "Only 40% of the profile is filled in"
    ineligible = apply(world["ux"].company, world["b"], 2, status=S.ineligible, ineligible_reason=reason)
    db.session.commit()
    run = services.run_allocation(programme, actor=None, dry_run=False)
    db.session.commit()
    login_as(world["ux"])
    results = client.get("/my/allocation?lang=ko")
    assert results.status_code == 200 and reason in results.get_data(as_text=True)
    history = client.get(f"/my/applications/{world['apps']['xa'].id}?lang=ko").get_data(as_text=True)
    assert "배정 결과 공개" in history and "allocation run published" not in history
    assert reason in client.get(f"/my/applications/{ineligible.id}?lang=ko").get_data(as_text=True)
    g.pop("_login_user", None)
    login_as(world["coordinator"])
    assert client.get(f"/backoffice/allocation/runs/{run.id}?lang=ko").status_code == 200
    audit = client.get(f"/backoffice/allocation/offers/{world['a'].id}?lang=ko").get_data(as_text=True)
    assert "배정 결과 공개" in audit


def test_korean_run_and_filter_pages_name_shows_in_korean(app, client, db, login_as):
    from planner.accounts.models import Role
    from planner.allocation import services as allocation
    from tests.allocation.conftest import apply, closed_offer, company_with_user
    from tests.factories import make_programme

    programme = make_programme(slug="ko-names")
    offer = closed_offer(programme, booth_capacity=1)
    offer.exhibition.name_ko = "한국어 전시회 이름"
    apply(company_with_user()[0], offer, 1)
    run = allocation.run_allocation(programme, actor=None, dry_run=True)
    coordinator = make_user(role=Role.coordinator)
    db.session.commit()
    login_as(coordinator)
    for path in (f"/backoffice/allocation/runs/{run.id}", "/backoffice/applications"):
        page = client.get(path, headers={"Accept-Language": "ko"}).get_data(as_text=True)
        assert "한국어 전시회 이름" in page, path


def test_without_smtp_results_and_promotion_mails_are_written_at_once(app, client, login_as, db,
                                                                       programme, tmp_path):
    # The README promises allocation results as .eml files in development, with no timer
    # running: publication and a decline that promotes a waitlisted company deliver at once.
    app.config["MAIL_DIR"] = str(tmp_path / "mail")
    a = closed_offer(programme)
    x, ux = company_with_user(size_class="small")
    y, uy = company_with_user(size_class="medium")
    xa, ya = apply(x, a, 1), apply(y, a, 1)
    coordinator = make_coordinator()
    db.session.commit()
    login_as(coordinator)
    client.post(f"/backoffice/allocation/programmes/{programme.id}/preview")
    run = db.session.scalars(select(AllocationRun)).one()
    assert client.post(f"/backoffice/allocation/runs/{run.id}/publish",
                       data={"seed": run.seed, "confirm": "y"}).status_code == 302
    mails = lambda: sorted((tmp_path / "mail").glob("*.eml"))  # noqa: E731
    assert len(mails()) == 2  # one results mail per company
    db.session.expire_all()
    winner, loser = (xa, ya) if xa.status == S.allocated else (ya, xa)
    assert loser.status == S.waitlisted
    g.pop("_login_user", None)
    login_as(ux if winner is xa else uy)
    assert client.post(f"/my/allocation/{winner.id}/decline").status_code == 302
    db.session.expire_all()
    assert loser.status == S.allocated
    assert len(mails()) == 3  # the promoted company is told


def test_a_place_given_by_an_english_coordinators_override_is_mailed_in_the_companys_korean(
        app, client, login_as, db, programme):
    # Issue 9: the "a place is yours" mail used the language of whoever made the request and
    # gave the deadline in UTC with the English show name.
    from flask_babel import force_locale

    from planner.i18n import format_local_datetime
    from planner.notifications.models import OutboxMessage

    offer = closed_offer(programme, booth_capacity=1, timezone="Europe/Paris")
    offer.exhibition.name = "Eurosatory"
    offer.exhibition.name_ko = "유로사토리"
    english, _english_user = company_with_user(size_class="small")
    korean, korean_user = company_with_user(size_class="medium")
    korean_user.locale = "ko"
    holder, waiting = apply(english, offer, 1), apply(korean, offer, 1)
    coordinator = make_coordinator(locale="en")
    services.run_allocation(programme, actor=None, dry_run=False)
    db.session.commit()
    assert (holder.status, waiting.status) == (S.allocated, S.waitlisted)
    db.session.execute(OutboxMessage.__table__.delete())
    db.session.commit()

    login_as(coordinator)
    headers = {"Accept-Language": "en"}
    for application, to in ((holder, "waitlisted"), (waiting, "allocated")):
        response = client.post(f"/backoffice/allocation/applications/{application.id}/override?lang=en",
                               data={"to_status": to, "reason": "licence refused"}, headers=headers)
        assert response.status_code == 302
    db.session.expire_all()
    assert waiting.status == S.allocated
    (mail,) = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_addr == korean_user.email))
    assert mail.subject == "자리가 배정되었습니다: 유로사토리"
    assert "유로사토리" in mail.body_text and "Eurosatory" not in mail.body_text
    with app.test_request_context(), force_locale("ko"):
        deadline = format_local_datetime(waiting.confirm_by, "Europe/Paris")
    assert deadline in mail.body_text and "UTC" not in mail.body_text
    assert app.config["SITE_URL"] + "/my/allocation" in mail.body_text
