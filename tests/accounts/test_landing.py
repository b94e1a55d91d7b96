"""Where one lands after signing in (issue 14 walk): coordinators in the back office, also
after the second factor every staff sign-in passes; companies on the home page; `next` wins."""
from __future__ import annotations

import pyotp
import pytest

from planner.accounts import services
from planner.accounts.models import Role
from tests.factories import PASSWORD, make_user


@pytest.fixture
def app_config(tmp_path):
    return {"MAIL_DIR": str(tmp_path / "mail"), "STAFF_TWO_FACTOR": True}


def _enrolled(role=Role.coordinator):
    user = make_user(role=role)
    row = services.begin_enrolment(user)
    recovery_codes = services.confirm_enrolment(user, pyotp.TOTP(row.secret).now())
    return user, recovery_codes[0]


def _sign_in(client, user, recovery_code, next_url=None):
    query = f"?next={next_url}" if next_url else ""
    step = client.post(f"/account/login{query}", data={"email": user.email, "password": PASSWORD})
    assert "/account/two-factor" in step.headers["Location"]
    # A recovery code: the TOTP code the enrolment used cannot be replayed.
    return client.post(step.headers["Location"], data={"code": recovery_code})


def test_a_coordinator_lands_in_the_back_office_after_the_second_factor(app, client, db):
    coordinator, code = _enrolled()
    db.session.commit()
    response = _sign_in(client, coordinator, code)
    assert response.status_code == 302 and response.headers["Location"] == "/backoffice/"


def test_next_still_wins_for_a_coordinator(app, client, db):
    coordinator, code = _enrolled()
    db.session.commit()
    response = _sign_in(client, coordinator, code, next_url="/exhibitions")
    assert response.headers["Location"] == "/exhibitions"


def test_a_company_user_lands_on_the_home_page(app, client, db):
    user = make_user()
    db.session.commit()
    response = client.post("/account/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
