"""Issue 12, findings 4 and 5: control characters are refused in one place (every form field,
every URL) with a 4xx and a clear message before they reach the database; exports clean what
is stored already; a blank rank order is a 4xx."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from planner.accounts.models import Role
from tests.factories import make_application, make_exhibition, make_programme, make_user


@pytest.mark.parametrize("path", ["/programmes/a%00b", "/programmes/a%01b/offers", "/exhibitions/a%00b",
                                  "/account/reset/a%00b", "/account/invitations/a%00b",
                                  "/calendar/private/a%00b.ics", "/backoffice/programmes/a%00b"])
def test_a_control_character_in_the_address_is_not_found(client, db, login_as, path):
    login_as(make_user(role=Role.admin))
    db.session.commit()
    response = client.get(path)
    assert response.status_code in (400, 404), path


def test_a_nul_in_a_form_field_is_refused_with_a_message(client, db):
    response = client.post("/account/register", data={"name": "Kim\x00", "email": "kim@example.com"})
    assert response.status_code == 400
    assert "control character" in response.text
    response = client.post("/account/login", data={"email": "kim\x00@example.com", "password": "x"})
    assert response.status_code == 400


def test_line_breaks_and_tabs_stay_allowed_in_text(client, db):
    # Text areas hold several lines; only the other control characters are refused.
    response = client.post("/account/login", data={"email": "kim@example.com", "password": "a\tb\r\nc"})
    assert response.status_code == 400
    assert "control character" not in response.text


def test_a_nul_in_the_query_string_is_dropped_not_a_500(app, client, db, login_as):
    login_as(make_user(role=Role.coordinator))
    db.session.commit()
    for path in ["/backoffice/applications?q=a%00b", "/exhibitions?q=air%00show", "/api/v1/exhibitions?q=x%00"]:
        assert client.get(path).status_code == 200, path


def test_the_json_api_refuses_control_characters_in_json(client, db):
    response = client.get("/api/v1/exhibitions/a%00b")
    assert response.status_code in (400, 404)
    assert response.is_json


def test_a_blank_rank_order_is_refused_not_a_500(client, db, login_as):
    application = make_application()
    user = make_user(company=application.company)
    db.session.commit()
    login_as(user)
    response = client.post("/my/applications/reorder", data={"move": f"{application.id}:up", "order": ""})
    assert response.status_code < 500
    response = client.post("/my/applications/reorder", data={"move": f"{application.id}:up", "order": " "})
    assert response.status_code < 500


def test_the_applications_export_cleans_control_characters_already_stored(client, db, login_as):
    make_exhibition(slug="show")
    make_programme()
    application = make_application(answers={"exhibits": [{"name": "Thermal\x01sight\x0b", "needs_licence": False}],
                                            "target_markets": ["FR"], "needs": []})
    application.company.legal_name = "Hanbit\x02 Co."  # PostgreSQL stores no NUL, but these
    login_as(make_user(role=Role.coordinator))
    db.session.commit()
    response = client.get("/backoffice/applications.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    text = " ".join(str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value)
    assert "\x01" not in text and "\x02" not in text
