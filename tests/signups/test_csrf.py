"""With CSRF protection on (as in production), a form without a valid token saves nothing."""
from __future__ import annotations

import pytest

from planner.signups.models import Application
from tests.factories import make_offer, make_user
from tests.signups.conftest import booth_post


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def test_application_posted_without_a_valid_csrf_token_is_refused(client, db, login_as):
    login_as(make_user())
    offer = make_offer()
    db.session.commit()
    response = client.post(f"/offers/{offer.id}/apply/booth", data=booth_post(csrf_token="expired"))
    assert 400 <= response.status_code < 500
    assert db.session.scalar(db.select(db.func.count()).select_from(Application)) == 0
