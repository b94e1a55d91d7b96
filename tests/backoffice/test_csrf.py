"""Back-office forms with CSRF protection on, as in production."""
from __future__ import annotations

import pytest

from planner.signups.models import ApplicationStatus
from tests.backoffice.test_views import PROGRAMME_FORM
from tests.factories import make_application, make_programme


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def test_post_without_a_csrf_token_changes_nothing(client, login_as, coordinator):
    application = make_application()
    programme = make_programme(slug="p-csrf", cap_per_company=1)
    login_as(coordinator)
    response = client.post(f"/backoffice/applications/{application.id}/ineligible", data={"reason": "No"})
    assert response.status_code == 400
    assert application.status == ApplicationStatus.submitted
    response = client.post("/backoffice/programmes/p-csrf/edit", data=dict(PROGRAMME_FORM, slug="p-csrf", cap_per_company="5"))
    assert response.status_code == 400
    assert programme.cap_per_company == 1


def test_the_filter_form_works_without_a_token(client, login_as, coordinator):
    login_as(coordinator)
    assert client.get("/backoffice/applications?q=x&status=submitted").status_code == 200
