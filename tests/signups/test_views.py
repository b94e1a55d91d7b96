"""Applicant pages over HTTP: programmes, applying, my applications, ranks, withdrawal, access."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from flask import render_template_string

from planner.catalogue.models import OfferMode
from planner.signups import services
from planner.signups.models import Application, PlaceKind
from planner.signups.models import ApplicationStatus as S
from planner.vocab import SizeClass
from tests.factories import make_application, make_coordinator, make_offer, make_programme, make_user
from tests.signups.conftest import booth_post, delegation_post

UTC = dt.timezone.utc


def count_applications(db) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Application))


@pytest.fixture
def applicant(db, login_as):
    return login_as(make_user())


# --- public pages ---------------------------------------------------------------------------

def test_programmes_page_lists_programmes_with_their_offers(client, db):
    offer = make_offer()
    db.session.commit()
    page = client.get("/programmes").get_data(as_text=True)
    assert offer.programme.name in page and offer.exhibition.name in page
    assert f"/offers/{offer.id}/apply/booth" in page


def test_programme_page_explains_shares_cap_criteria_and_allocation(client, db):
    programme = make_programme(cap_per_company=2, subsidy_shares={"small": 0.7, "medium": 0.5,
                                                                  "middle-market": 0.3, "large": 0})
    make_offer(programme=programme)
    db.session.commit()
    response = client.get(f"/programmes/{programme.slug}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "70%" in page and "30%" in page
    assert "at most 2 subsidised places" in page
    assert "First time at this exhibition" in page and "-25" in page
    assert "deferred acceptance" in page and "lottery" in page
    assert "misreporting" not in page


def test_programme_page_states_the_ranking_guarantee_only_with_a_cap_of_one(client, db):
    programme = make_programme(cap_per_company=1)
    make_offer(programme=programme)
    db.session.commit()
    page = client.get(f"/programmes/{programme.slug}").get_data(as_text=True)
    assert "no company can gain by misreporting its ranks" in page


def test_first_come_programme_page_says_places_are_confirmed_on_submission(client, db):
    programme = make_programme()
    make_offer(programme=programme, mode=OfferMode.first_come)
    db.session.commit()
    page = client.get(f"/programmes/{programme.slug}").get_data(as_text=True)
    assert "confirmed on submission" in page


def test_unknown_programme_is_404(client, db):
    assert client.get("/programmes/nope").status_code == 404


# --- applying -------------------------------------------------------------------------------

def test_apply_page_needs_a_login(client, db):
    offer = make_offer()
    db.session.commit()
    response = client.get(f"/offers/{offer.id}/apply/booth")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_apply_form_shows_the_deadline_and_the_allowance(client, db, applicant):
    offer = make_offer(programme=make_programme(cap_per_company=2))
    db.session.commit()
    page = client.get(f"/offers/{offer.id}/apply/booth").get_data(as_text=True)
    assert "0 of 2 subsidised places held, 2 remaining" in page
    assert "Deadline" in page and "(Asia/Seoul)" in page
    assert page.count('name="exhibits-') >= 5 * 3


def test_applying_for_a_booth_saves_the_answers_and_shows_the_application(client, db, applicant):
    offer = make_offer()
    db.session.commit()
    response = client.post(f"/offers/{offer.id}/apply/booth", data=booth_post())
    assert response.status_code == 303
    application = db.session.scalar(db.select(Application))
    assert response.headers["Location"].endswith(f"/my/applications/{application.id}")
    assert application.answers["exhibits"] == [
        {"name": "Thermal sight", "needs_licence": True, "licence_status": "granted"}]
    assert application.answers["target_markets"] == ["FR", "PL"]
    assert (application.preference, application.status, application.submitted_by_id) == (1, S.submitted, applicant.id)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Thermal sight" in page and "Poland" in page


def test_applying_for_a_delegation_saves_the_named_people(client, db, applicant):
    offer = make_offer(delegation_people_per_place=2)
    db.session.commit()
    response = client.post(f"/offers/{offer.id}/apply/delegation",
                           data=delegation_post(**{"delegates-1-name": "Lee Jun", "delegates-1-role": "Engineer"}))
    assert response.status_code == 303
    application = db.session.scalar(db.select(Application))
    assert application.kind == PlaceKind.delegation
    assert application.answers["delegates"] == [{"name": "Kim Minji", "role": "CEO"},
                                                {"name": "Lee Jun", "role": "Engineer"}]


def test_delegation_with_too_few_people_is_refused_and_keeps_the_typed_data(client, db, applicant):
    offer = make_offer(delegation_min_staff=2, delegation_people_per_place=3)
    db.session.commit()
    response = client.post(f"/offers/{offer.id}/apply/delegation", data=delegation_post())
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Name at least 2 delegates." in page
    assert 'value="Kim Minji"' in page and 'value="Thermal sight"' in page
    assert count_applications(db) == 0


def test_a_delegate_without_a_role_is_refused_and_keeps_the_typed_data(client, db, applicant):
    offer = make_offer()
    db.session.commit()
    response = client.post(f"/offers/{offer.id}/apply/delegation",
                           data=delegation_post(**{"delegates-0-role": ""}))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "role, e.g. CEO or engineer." in page and 'value="Kim Minji"' in page
    assert count_applications(db) == 0


def test_an_error_in_a_delegate_or_exhibit_row_is_listed_at_the_top_of_the_form(client, db, applicant):
    # Row errors are added after WTForms has gathered the form's errors; the summary at the top
    # must still list them, or the applicant sees an unchanged form and an error far below.
    offer = make_offer()
    db.session.commit()
    page = client.post(f"/offers/{offer.id}/apply/delegation",
                       data=delegation_post(**{"delegates-0-role": ""})).get_data(as_text=True)
    assert "Please correct the highlighted fields." in page and 'href="#delegates-0-role"' in page
    page = client.post(f"/offers/{offer.id}/apply/booth",
                       data=booth_post(**{"exhibits-0-name": ""})).get_data(as_text=True)
    assert "Please correct the highlighted fields." in page and 'href="#exhibits-0-name"' in page


def test_missing_attestation_is_refused_and_everything_typed_is_kept(client, db, applicant):
    offer = make_offer()
    db.session.commit()
    response = client.post(f"/offers/{offer.id}/apply/booth", data=booth_post(export_control_attested=None))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "You must give the export-control attestation to apply." in page
    assert 'value="Thermal sight"' in page
    assert 'value="PL" checked' in page
    assert "Army procurement offices" in page
    assert count_applications(db) == 0


def test_exhibit_needing_a_licence_must_say_its_status(client, db, applicant):
    offer = make_offer()
    db.session.commit()
    response = client.post(f"/offers/{offer.id}/apply/booth",
                           data=booth_post(**{"exhibits-0-licence_status": "not_needed"}))
    assert response.status_code == 400
    assert "choose whether it is applied for, granted or refused" in response.get_data(as_text=True)


def test_booth_without_any_exhibit_is_refused(client, db, applicant):
    offer = make_offer()
    db.session.commit()
    response = client.post(f"/offers/{offer.id}/apply/booth", data=booth_post(**{"exhibits-0-name": ""}))
    assert response.status_code == 400
    assert "Name at least one exhibit" in response.get_data(as_text=True)


def test_over_long_text_and_unknown_country_are_refused(client, db, applicant):
    offer = make_offer()
    db.session.commit()
    response = client.post(f"/offers/{offer.id}/apply/booth",
                           data=booth_post(**{"exhibits-0-name": "x" * 201, "target_markets": ["XX"]}))
    assert response.status_code == 400
    assert count_applications(db) == 0


def test_html_in_answers_is_shown_escaped(client, db, applicant):
    offer = make_offer()
    db.session.commit()
    script = "<script>alert(1)</script>"
    response = client.post(f"/offers/{offer.id}/apply/booth",
                           data=booth_post(**{"exhibits-0-name": script, "b2b_buyers": script}))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert script not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_second_identical_submission_shows_the_existing_application(client, db, applicant):
    offer = make_offer()
    db.session.commit()
    first = client.post(f"/offers/{offer.id}/apply/booth", data=booth_post())
    assert first.status_code == 303
    # A double click or the back button posts the form again: refused (409), shown the first.
    second = client.post(f"/offers/{offer.id}/apply/booth", data=booth_post())
    assert second.status_code == 409
    assert count_applications(db) == 1
    page = second.get_data(as_text=True)
    assert "already applied" in page
    assert first.headers["Location"] + "/edit" in page
    # Opening the form again (GET) simply leads to the existing application.
    again = client.get(f"/offers/{offer.id}/apply/booth")
    assert again.status_code == 303 and again.headers["Location"] == first.headers["Location"]


def test_submission_after_the_deadline_is_refused_and_saves_nothing(client, db, applicant):
    now = dt.datetime.now(UTC)
    offer = make_offer(opens_at=now - dt.timedelta(days=10), closes_at=now - dt.timedelta(seconds=1))
    db.session.commit()
    response = client.post(f"/offers/{offer.id}/apply/booth", data=booth_post())
    assert response.status_code == 403
    assert "deadline" in response.get_data(as_text=True)
    assert count_applications(db) == 0
    assert client.get(f"/offers/{offer.id}/apply/booth").status_code == 403


def test_ineligible_size_class_is_told_before_filling_the_form(client, db, login_as):
    user = make_user()
    user.company.size_class = SizeClass.large
    login_as(user)
    offer = make_offer(programme=make_programme(eligible_size_classes=["small"]))
    db.session.commit()
    response = client.get(f"/offers/{offer.id}/apply/booth")
    assert response.status_code == 403
    assert "does not subsidise companies of your size class" in response.get_data(as_text=True)


def test_unverified_user_cannot_apply(client, db, login_as):
    login_as(make_user(email_verified_at=None))
    offer = make_offer()
    db.session.commit()
    response = client.post(f"/offers/{offer.id}/apply/booth", data=booth_post())
    assert response.status_code == 403
    assert "Confirm your email first" in response.get_data(as_text=True)
    assert count_applications(db) == 0


def test_unknown_kind_and_kind_without_places_are_404(client, db, applicant):
    offer = make_offer(delegation_capacity=0)
    db.session.commit()
    assert client.get(f"/offers/{offer.id}/apply/boat").status_code == 404
    assert client.get(f"/offers/{offer.id}/apply/delegation").status_code == 404
    assert client.get("/offers/999999/apply/booth").status_code == 404


def test_coordinator_without_company_cannot_apply(client, db, login_as):
    login_as(make_coordinator())
    offer = make_offer()
    db.session.commit()
    assert client.get(f"/offers/{offer.id}/apply/booth").status_code == 403


def test_first_come_submission_is_confirmed_at_once(client, db, applicant):
    offer = make_offer(mode=OfferMode.first_come, booth_capacity=1)
    db.session.commit()
    response = client.post(f"/offers/{offer.id}/apply/booth", data=booth_post(), follow_redirects=True)
    assert "your place is confirmed" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(Application)).status == S.confirmed


# --- my applications, edit, withdraw, reorder -----------------------------------------------

def test_my_applications_shows_status_rank_history_and_next_step(client, db, applicant):
    application = make_application(company=applicant.company)
    db.session.commit()
    client.post(f"/offers/{make_offer(programme=application.offer.programme).id}/apply/booth", data=booth_post())
    page = client.get("/my/applications").get_data(as_text=True)
    assert application.offer.exhibition.name in page
    assert "Submitted" in page and "History" in page
    assert "Places are allocated after the deadline" in page
    assert f'value="{application.id}:down"' in page


def test_edit_keeps_answers_and_saves_changes(client, db, applicant):
    offer = make_offer()
    db.session.commit()
    location = client.post(f"/offers/{offer.id}/apply/booth", data=booth_post()).headers["Location"]
    application_id = int(location.rsplit("/", 1)[1])
    form = client.get(f"/my/applications/{application_id}/edit").get_data(as_text=True)
    assert 'value="Thermal sight"' in form
    response = client.post(f"/my/applications/{application_id}/edit",
                           data=booth_post(**{"exhibits-0-name": "Night vision"}))
    assert response.status_code == 303
    assert db.session.get(Application, application_id).answers["exhibits"][0]["name"] == "Night vision"


def test_edit_after_the_deadline_is_refused(client, db, applicant):
    now = dt.datetime.now(UTC)
    offer = make_offer(opens_at=now - dt.timedelta(days=10), closes_at=now - dt.timedelta(seconds=1))
    application = make_application(offer=offer, company=applicant.company)
    db.session.commit()
    response = client.post(f"/my/applications/{application.id}/edit",
                           data=booth_post(**{"exhibits-0-name": "Changed"}))
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Application, application.id).answers["exhibits"][0]["name"] == "Thermal sight"
    assert "read-only" in client.get(f"/my/applications/{application.id}").get_data(as_text=True)


def test_withdrawal_needs_the_confirmation_box(client, db, applicant):
    application = make_application(company=applicant.company)
    db.session.commit()
    response = client.post(f"/my/applications/{application.id}/withdraw", data={})
    assert response.status_code == 400
    assert "Tick the box to confirm" in response.get_data(as_text=True)
    response = client.post(f"/my/applications/{application.id}/withdraw", data={"confirm": "y"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == S.withdrawn


def test_reorder_buttons_swap_ranks(client, db, applicant):
    programme = make_programme()
    first = make_application(offer=make_offer(programme=programme), company=applicant.company)
    second = make_application(offer=make_offer(programme=programme), company=applicant.company)
    db.session.commit()
    response = client.post("/my/applications/reorder", data={"move": f"{second.id}:up"})
    assert response.status_code == 303
    db.session.expire_all()
    assert (db.session.get(Application, first.id).preference,
            db.session.get(Application, second.id).preference) == (2, 1)


def test_a_second_click_on_a_rank_button_moves_nothing_and_says_so(client, db, applicant):
    programme = make_programme()
    first, second, third = (make_application(offer=make_offer(programme=programme), company=applicant.company)
                            for _ in range(3))
    db.session.commit()
    page = client.get("/my/applications").get_data(as_text=True)
    shown = f"{first.id},{second.id},{third.id}"
    assert f'name="order" value="{shown}"' in page
    move = {"move": f"{third.id}:up", "order": shown}
    assert client.post("/my/applications/reorder", data=move).status_code == 303
    again = client.post("/my/applications/reorder", data=move)
    assert again.status_code == 409
    assert "nothing was moved" in again.get_data(as_text=True)
    db.session.expire_all()
    assert [db.session.get(Application, a.id).preference for a in (first, third, second)] == [1, 2, 3]


def test_an_allocated_place_links_to_where_it_is_confirmed(client, db, applicant):
    application = make_application(company=applicant.company, status=S.allocated)
    db.session.commit()
    for url in (f"/my/applications/{application.id}", "/my/applications"):
        page = client.get(url).get_data(as_text=True)
        assert 'href="/my/allocation">Confirm or decline this place' in page


def test_a_new_application_is_mailed_at_once_in_development(client, db, applicant):
    from planner.notifications.models import OutboxMessage
    offer = make_offer()
    db.session.commit()
    assert client.post(f"/offers/{offer.id}/apply/booth", data=booth_post()).status_code == 303
    receipt = db.session.scalar(db.select(OutboxMessage).where(OutboxMessage.to_addr == applicant.email))
    assert receipt is not None and receipt.sent_at is not None


def test_the_csv_export_declares_one_charset(client, db, login_as):
    make_application(offer=make_offer(), company=make_user().company)
    login_as(make_coordinator())
    db.session.commit()
    response = client.get("/backoffice/applications.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_reorder_with_nonsense_is_400(client, db, applicant):
    assert client.post("/my/applications/reorder", data={"move": "drop table"}).status_code == 400


# --- authorisation: every applicant URL and form with another company's ids ------------------

@pytest.fixture
def foreign_application(db):
    other = make_user()
    application = make_application(company=other.company)
    db.session.commit()
    return application


@pytest.mark.parametrize("method,url,data", [
    ("get", "/my/applications/{id}", None),
    ("get", "/my/applications/{id}/edit", None),
    ("post", "/my/applications/{id}/edit", "booth"),
    ("post", "/my/applications/{id}/withdraw", {"confirm": "y"}),
    ("post", "/my/applications/reorder", {"move": "{id}:up"}),
    ("post", "/my/applications/reorder", {"move": "{id}:down"}),
])
def test_another_companys_application_is_404_everywhere(client, db, applicant, foreign_application,
                                                         method, url, data):
    if data == "booth":
        data = booth_post()
    elif data:
        data = {k: v.format(id=foreign_application.id) for k, v in data.items()}
    before = (foreign_application.status, foreign_application.preference, dict(foreign_application.answers))
    response = getattr(client, method)(url.format(id=foreign_application.id), data=data)
    assert response.status_code == 404
    db.session.expire_all()
    again = db.session.get(Application, foreign_application.id)
    assert (again.status, again.preference, again.answers) == before


def test_my_applications_lists_only_the_own_company(client, db, applicant, foreign_application):
    page = client.get("/my/applications").get_data(as_text=True)
    assert foreign_application.offer.exhibition.name not in page


def test_applying_creates_the_application_for_the_users_company_only(client, db, applicant, foreign_application):
    # The company comes from the session, never from the form: a posted company_id is ignored.
    offer = foreign_application.offer
    response = client.post(f"/offers/{offer.id}/apply/booth",
                           data=booth_post(company_id=str(foreign_application.company_id)))
    assert response.status_code == 303
    mine = db.session.scalar(db.select(Application).where(Application.company_id == applicant.company_id))
    assert mine is not None and mine.id != foreign_application.id


def test_coordinator_pages_are_closed_to_applicants(client, db, applicant):
    response = client.get("/backoffice/")
    assert response.status_code in (403, 404)


# --- allowance partial ----------------------------------------------------------------------

def test_allowance_partial_shows_places_held_cap_and_remaining(app, db, login_as):
    user = make_user()
    programme = make_programme(cap_per_company=2, name="Programme Alpha")
    make_application(offer=make_offer(programme=programme), company=user.company, status=S.allocated)
    db.session.commit()
    with app.test_request_context():
        html = render_template_string('{% include "_macros/allowance.html" %}',
                                      allowances=services.company_allowances(user.company_id))
    assert "Programme Alpha" in html
    assert "<td>1</td>" in html and "<td>2</td>" in html


def test_the_company_page_shows_the_allowance_computed_by_its_view_not_its_template(app, client, db,
                                                                                   login_as):
    user = make_user()
    programme = make_programme(cap_per_company=2, name="Programme Alpha")
    make_application(offer=make_offer(programme=programme), company=user.company, status=S.allocated)
    db.session.commit()
    login_as(user)
    page = client.get("/account/company").get_data(as_text=True)
    assert "Programme Alpha" in page and "<td>1</td>" in page and "<td>2</td>" in page
    source = (Path(app.root_path).parent / "templates/_macros/allowance.html").read_text()
    assert "company_allowances(" not in source


def test_allowance_helper_runs_no_query_on_pages_that_do_not_use_it(app, client, db):
    from sqlalchemy import event
    statements: list[str] = []
    engine = db.engine

    def record(conn, cursor, statement, *args):
        statements.append(statement)
    event.listen(engine, "before_cursor_execute", record)
    try:
        client.get("/programmes/nope")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert not any("applications" in s for s in statements)


def test_withdrawing_a_first_come_place_in_the_browser_gives_it_to_the_waitlist(client, db, applicant):
    offer = make_offer(mode=OfferMode.first_come, booth_capacity=1)
    mine = make_application(offer=offer, company=applicant.company, status=S.confirmed)
    offer.booth_taken = 1
    waiting = make_application(offer=offer, status=S.waitlisted)
    db.session.commit()
    response = client.post(f"/my/applications/{mine.id}/withdraw", data={"confirm": "y"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Application, waiting.id).status == S.confirmed
    assert db.session.get(type(offer), offer.id).booth_taken == 1


def test_apply_form_and_detail_show_the_rank(client, db, applicant):
    programme = make_programme()
    make_application(offer=make_offer(programme=programme), company=applicant.company)
    offer = make_offer(programme=programme)
    db.session.commit()
    assert "will be rank 2" in client.get(f"/offers/{offer.id}/apply/booth").get_data(as_text=True)
    location = client.post(f"/offers/{offer.id}/apply/booth", data=booth_post()).headers["Location"]
    assert "Rank 2 of 2" in client.get(location).get_data(as_text=True)
