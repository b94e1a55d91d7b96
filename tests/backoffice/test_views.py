"""Back-office pages: access, programme and offer forms, review list, ineligibility, exports."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from planner.catalogue import services as catalogue
from planner.catalogue.models import Offer, Programme
from planner.signups.models import ApplicationEvent, ApplicationStatus
from tests.factories import make_application, make_company, make_exhibition, make_offer, make_programme

UTC = dt.timezone.utc


def _urls(offer, application):
    programme = offer.programme
    get = ["/backoffice/", "/backoffice/programmes", "/backoffice/programmes/new",
           f"/backoffice/programmes/{programme.slug}", f"/backoffice/programmes/{programme.slug}/edit",
           f"/backoffice/programmes/{programme.slug}/offers/new", f"/backoffice/offers/{offer.id}/edit",
           "/backoffice/applications", f"/backoffice/offers/{offer.id}/applications",
           f"/backoffice/applications/{application.id}", "/backoffice/applications.csv",
           "/backoffice/applications.xlsx"]
    post = [f"/backoffice/applications/{application.id}/ineligible", "/backoffice/programmes/new",
            f"/backoffice/offers/{offer.id}/edit"]
    return get, post


def test_applicant_gets_403_on_every_back_office_url(client, login_as, applicant):
    application = make_application(company=applicant.company)
    get, post = _urls(application.offer, application)
    login_as(applicant)
    for url in get:
        assert client.get(url).status_code == 403, url
    for url in post:
        assert client.post(url, data={"reason": "x"}).status_code == 403, url
    assert application.status == ApplicationStatus.submitted


def test_anonymous_visitor_is_sent_to_log_in(client, app):
    application = make_application()
    get, post = _urls(application.offer, application)
    for url in get + post:
        response = client.get(url) if url in get else client.post(url)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"], url


def test_every_back_office_page_renders_for_a_coordinator(client, login_as, coordinator):
    application = make_application()
    get, _post = _urls(application.offer, application)
    login_as(coordinator)
    for url in get:
        assert client.get(url).status_code == 200, url


def test_every_back_office_page_renders_for_an_admin(client, login_as, admin):
    application = make_application()
    get, _post = _urls(application.offer, application)
    login_as(admin)
    for url in get:
        assert client.get(url).status_code == 200, url


def test_unknown_ids_and_slugs_are_404(client, login_as, coordinator):
    login_as(coordinator)
    for url in ["/backoffice/programmes/nope", "/backoffice/programmes/nope/edit",
                "/backoffice/programmes/nope/offers/new", "/backoffice/offers/999/edit",
                "/backoffice/offers/999/applications", "/backoffice/applications/999"]:
        assert client.get(url).status_code == 404, url
    assert client.post("/backoffice/applications/999/ineligible", data={"reason": "x"}).status_code == 404


PROGRAMME_FORM = {
    "slug": "overseas-2028", "name": "2028 overseas exhibitions", "name_ko": "", "year": "2028",
    "budget_krw": "2000000000", "cap_per_company": "2",
    "eligible_size_classes": ["small", "medium"],
    "share_small": "70", "share_medium": "50", "share_middle_market": "30", "share_large": "0",
    "points_small": "30", "points_medium": "20", "points_middle_market": "5", "points_large": "0",
    "first_time_at_exhibition": "20", "no_subsidy_last_year": "15", "sector_fit": "10",
    "export_readiness": "15", "no_show_penalty": "-25", "description": "",
}


def test_admin_creates_a_programme_then_an_offer_through_the_forms(client, login_as, admin, db):
    login_as(admin)
    response = client.post("/backoffice/programmes/new", data=PROGRAMME_FORM)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/backoffice/programmes/overseas-2028")
    programme = catalogue.get_programme_by_slug("overseas-2028")
    assert programme.subsidy_shares == {"small": 0.7, "medium": 0.5, "middle-market": 0.3, "large": 0.0}
    assert programme.eligible_size_classes == ["small", "medium"]
    assert programme.criteria["no_show_penalty"] == -25

    exhibition = make_exhibition(name="Eurosatory 2028", starts_on=dt.date(2028, 6, 12),
                                 ends_on=dt.date(2028, 6, 16))
    db.session.commit()
    page = client.get("/backoffice/programmes/overseas-2028/offers/new")
    assert "Eurosatory 2028" in page.get_data(as_text=True)
    response = client.post("/backoffice/programmes/overseas-2028/offers/new", data={
        "exhibition_id": str(exhibition.id), "booth_capacity": "8", "booth_size_sqm": "9",
        "booth_cost_krw": "24000000", "delegation_capacity": "4", "delegation_people_per_place": "2",
        "delegation_min_staff": "1", "delegation_cost_krw": "6000000", "timezone": "Europe/Paris",
        "opens_local": "2028-01-10T09:00", "closes_local": "2028-02-28T18:00", "mode": "ranked",
        "confirmation_days": "7", "payment_due_local": "", "licence_due_local": "",
        "shipping_cutoff_local": "", "buildup_starts_on": "2028-06-10", "buildup_ends_on": "2028-06-11",
        "notes": "Korean pavilion, hall 5"})
    assert response.status_code == 302, response.get_data(as_text=True)
    offer = db.session.scalar(db.select(Offer).where(Offer.programme_id == programme.id))
    assert offer.closes_at == dt.datetime(2028, 2, 28, 17, 0, tzinfo=UTC)
    assert offer.booth_capacity == 8
    detail = client.get("/backoffice/programmes/overseas-2028").get_data(as_text=True)
    assert "Eurosatory 2028" in detail and "0 / 0 / 8" in detail


def test_programme_form_shows_errors_and_keeps_what_was_typed(client, login_as, admin, db):
    login_as(admin)
    data = dict(PROGRAMME_FORM, share_small="150", no_show_penalty="5", name="<script>x</script>")
    response = client.post("/backoffice/programmes/new", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>x</script>" not in html
    assert 'value="overseas-2028"' in html
    assert db.session.scalar(db.select(db.func.count(Programme.id))) == 0


def test_duplicate_slug_is_refused_with_a_message(client, login_as, admin):
    make_programme(slug="overseas-2028")
    login_as(admin)
    response = client.post("/backoffice/programmes/new", data=PROGRAMME_FORM)
    assert response.status_code == 400
    assert "already uses the slug" in response.get_data(as_text=True)


def test_editing_a_programme_prefills_and_saves(client, login_as, admin):
    programme = make_programme(slug="p-edit", subsidy_shares={"small": 0.6})
    login_as(admin)
    html = client.get("/backoffice/programmes/p-edit/edit").get_data(as_text=True)
    assert 'name="share_small" type="number" value="60"' in html or 'value="60"' in html
    response = client.post("/backoffice/programmes/p-edit/edit",
                           data=dict(PROGRAMME_FORM, slug="p-edit", cap_per_company="3"))
    assert response.status_code == 302
    assert programme.cap_per_company == 3


def _as_shown(app, programme) -> dict:
    """The programme form's data as its edit page shows it."""
    from planner.backoffice.forms import ProgrammeForm
    with app.test_request_context():
        shown = ProgrammeForm(formdata=None, meta={"csrf": False})
        shown.load(programme)
        return {f.name: f.data if isinstance(f.data, list) else "" if f.data is None else str(f.data)
                for f in shown}


def test_a_coordinator_creates_a_programme_with_its_rules(client, login_as, coordinator, db):
    login_as(coordinator)
    assert "/backoffice/programmes/new" in client.get("/backoffice/programmes").get_data(as_text=True)
    response = client.post("/backoffice/programmes/new", data=PROGRAMME_FORM)
    assert response.status_code == 302
    assert db.session.scalar(db.select(db.func.count(Programme.id))) == 1


def _with_an_application(programme):
    make_application(offer=make_offer(programme=programme))
    return programme


@pytest.mark.parametrize("change", [{"cap_per_company": "9"}, {"share_small": "100"},
                                    {"eligible_size_classes": ["small", "medium", "middle-market", "large"]},
                                    {"points_small": "999"}, {"no_show_penalty": "0"}])
def test_once_companies_applied_a_coordinator_cannot_change_the_rules(app, client, login_as, coordinator,
                                                                      db, change):
    programme = _with_an_application(make_programme(slug="p-rules", cap_per_company=2))
    before = (programme.cap_per_company, dict(programme.subsidy_shares), list(programme.eligible_size_classes),
              dict(programme.criteria))
    db.session.commit()  # the refused request rolls back its own unit only
    login_as(coordinator)
    response = client.post("/backoffice/programmes/p-rules/edit", data=dict(_as_shown(app, programme), **change))
    assert response.status_code == 403
    assert "only an administrator may change them" in response.get_data(as_text=True)
    db.session.refresh(programme)
    assert (programme.cap_per_company, programme.subsidy_shares, programme.eligible_size_classes,
            programme.criteria) == before


def test_before_anyone_applied_a_coordinator_may_still_change_the_rules(app, client, login_as, coordinator, db):
    programme = make_programme(slug="p-draft", cap_per_company=2)
    login_as(coordinator)
    response = client.post("/backoffice/programmes/p-draft/edit",
                           data=dict(_as_shown(app, programme), cap_per_company="3"))
    assert response.status_code == 302
    db.session.refresh(programme)
    assert programme.cap_per_company == 3


def test_a_coordinator_edits_the_rest_of_a_programme_and_its_rules_stay_exact(app, client, login_as,
                                                                              coordinator, db):
    # A share the form shows rounded (33 %) must not be rewritten to 0.33 by someone who
    # only renamed the programme.
    programme = _with_an_application(make_programme(slug="p-name", subsidy_shares={"small": 0.333, "medium": 0.5}))
    shown = _as_shown(app, programme)
    login_as(coordinator)
    assert "only an administrator may change them" in client.get("/backoffice/programmes/p-name/edit").get_data(as_text=True)
    response = client.post("/backoffice/programmes/p-name/edit",
                           data=dict(shown, name="Renamed programme", budget_krw="5"))
    assert response.status_code == 302
    db.session.refresh(programme)
    assert programme.name == "Renamed programme" and programme.budget_krw == 5
    assert programme.subsidy_shares == {"small": 0.333, "medium": 0.5}


def test_offer_edit_refuses_a_window_after_the_show_and_keeps_the_offer(client, login_as, coordinator):
    offer = make_offer(exhibition=make_exhibition(starts_on=dt.date(2027, 6, 14), ends_on=dt.date(2027, 6, 18)))
    closes = offer.closes_at
    login_as(coordinator)
    form = client.get(f"/backoffice/offers/{offer.id}/edit").get_data(as_text=True)
    assert 'name="opens_local"' in form
    response = client.post(f"/backoffice/offers/{offer.id}/edit", data={
        "booth_capacity": "3", "booth_size_sqm": "9", "booth_cost_krw": "1", "delegation_capacity": "2",
        "delegation_people_per_place": "2", "delegation_min_staff": "1", "delegation_cost_krw": "1",
        "timezone": "Asia/Seoul", "opens_local": "2027-01-01T09:00", "closes_local": "2027-07-01T09:00",
        "mode": "ranked", "confirmation_days": "7"})
    assert response.status_code == 400
    assert "before the exhibition starts" in response.get_data(as_text=True)
    assert offer.closes_at == closes


def test_offer_form_refuses_an_unknown_time_zone(client, login_as, coordinator):
    offer = make_offer()
    login_as(coordinator)
    response = client.post(f"/backoffice/offers/{offer.id}/edit", data={
        "booth_capacity": "3", "booth_size_sqm": "9", "booth_cost_krw": "1", "delegation_capacity": "2",
        "delegation_people_per_place": "2", "delegation_min_staff": "1", "delegation_cost_krw": "1",
        "timezone": "Mars/Olympus", "opens_local": "2027-01-01T09:00", "closes_local": "2027-02-01T09:00",
        "mode": "ranked", "confirmation_days": "7"})
    assert response.status_code == 400


@pytest.fixture
def listed(app):
    programme = make_programme(slug="p-list")
    offer = make_offer(programme=programme, exhibition=make_exhibition(name="Eurosatory X"))
    other = make_offer(programme=programme, exhibition=make_exhibition(name="IDEX X"))
    alpha = make_application(offer=offer, company=make_company(legal_name="Alpha Optics"))
    beta = make_application(offer=other, company=make_company(legal_name="Beta Marine",
                                                              size_class="medium"), kind="delegation")
    return dict(programme=programme, offer=offer, other=other, alpha=alpha, beta=beta)


def test_review_list_filters_by_query_arguments(client, login_as, coordinator, listed):
    login_as(coordinator)
    html = client.get("/backoffice/applications?size_class=medium").get_data(as_text=True)
    assert "Beta Marine" in html and "Alpha Optics" not in html
    html = client.get("/backoffice/applications?q=alpha").get_data(as_text=True)
    assert "Alpha Optics" in html and "Beta Marine" not in html
    html = client.get(f"/backoffice/offers/{listed['offer'].id}/applications").get_data(as_text=True)
    assert "Alpha Optics" in html and "Beta Marine" not in html
    # Nonsense filter values are ignored, not a server error.
    assert client.get("/backoffice/applications?programme=abc&status=bogus&page=-3&sort=x").status_code == 200


def test_application_detail_shows_answers_company_and_history(client, login_as, coordinator, listed):
    login_as(coordinator)
    html = client.get(f"/backoffice/applications/{listed['alpha'].id}").get_data(as_text=True)
    assert "Thermal sight" in html and "Alpha Optics" in html and "No status changes yet" in html


def test_marking_ineligible_needs_a_reason_then_records_it(client, login_as, coordinator, listed, db):
    login_as(coordinator)
    db.session.commit()  # the refused request rolls back its own unit only
    application = listed["alpha"]
    url = f"/backoffice/applications/{application.id}/ineligible"
    response = client.post(url, data={"reason": ""})
    assert response.status_code == 400
    assert application.status == ApplicationStatus.submitted
    response = client.post(url, data={"reason": "Exhibit is civilian only"})
    assert response.status_code == 302
    db.session.expire_all()
    application = db.session.get(type(application), application.id)
    assert application.status == ApplicationStatus.ineligible
    assert application.ineligible_reason == "Exhibit is civilian only"
    event = db.session.scalar(db.select(ApplicationEvent).where(ApplicationEvent.application_id == application.id))
    assert event.reason == "Exhibit is civilian only" and event.actor_id == coordinator.id
    html = client.get(f"/backoffice/applications/{application.id}").get_data(as_text=True)
    assert "Exhibit is civilian only" in html
    # A second attempt is refused with a message, not a 500.
    again = client.post(url, data={"reason": "again"})
    assert again.status_code == 400


def test_csv_download_honours_filters(client, login_as, coordinator, listed):
    login_as(coordinator)
    response = client.get("/backoffice/applications.csv?q=beta")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert "Beta Marine" in text and "Alpha Optics" not in text


def test_xlsx_download_opens_with_openpyxl(client, login_as, coordinator, listed):
    login_as(coordinator)
    response = client.get(f"/backoffice/applications.xlsx?offer={listed['offer'].id}")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][7] == "Alpha Optics"


def test_dashboard_counts_applications_to_review(client, login_as, coordinator, listed):
    login_as(coordinator)
    html = client.get("/backoffice/").get_data(as_text=True)
    assert "Applications to review" in html and "Alpha Optics" in html


def test_programme_page_shows_what_each_size_class_pays(client, login_as, coordinator):
    programme = make_programme(slug="p-pays", eligible_size_classes=["small"], subsidy_shares={"small": 0.7})
    make_offer(programme=programme, booth_cost_krw=20_000_000, delegation_cost_krw=5_000_000)
    login_as(coordinator)
    html = client.get("/backoffice/programmes/p-pays").get_data(as_text=True)
    assert "₩6,000,000" in html and "₩1,500,000" in html


def _every_back_office_rule(app):
    """(method, url) for every /backoffice rule of any blueprint, with placeholder arguments."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/backoffice"):
            continue
        url = rule.rule
        for argument in rule.arguments:
            url = url.replace(f"<int:{argument}>", "1").replace(f"<{argument}>", "x")
        method = "POST" if "POST" in rule.methods else "GET"
        found.append((method, url, rule.endpoint))
    return found


def _back_office_urls(app):
    rules = _every_back_office_rule(app)
    # The back office proper, allocation and feeds all serve /backoffice URLs.
    assert {endpoint.split(".")[0] for _m, _u, endpoint in rules} >= {"backoffice", "allocation", "feeds"}
    return [(method, url) for method, url, _endpoint in rules] + [("GET", "/backoffice/no-such-page")]


def test_one_staff_check_sends_anonymous_visitors_of_every_back_office_url_to_log_in(app, client):
    for method, url in _back_office_urls(app):
        response = client.open(url, method=method)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_one_staff_check_refuses_applicants_every_back_office_url(app, client, login_as, applicant):
    login_as(applicant)
    for method, url in _back_office_urls(app):
        assert client.open(url, method=method).status_code == 403, url
