"""Two-factor sign-in (issue 12): required for staff, who enrol at their first sign-in with a
typed setup key; optional for applicants; recovery codes work once; codes are not replayable."""
from __future__ import annotations

import datetime as dt
import re

import pyotp
import pytest

from planner.accounts import services
from planner.accounts.models import Role
from planner.db import utcnow
from tests.factories import PASSWORD, make_user


@pytest.fixture
def app_config(tmp_path):
    return {"MAIL_DIR": str(tmp_path / "mail"), "STAFF_TWO_FACTOR": True}


def _password_step(client, user, **extra):
    return client.post("/account/login", data={"email": user.email, "password": PASSWORD, **extra})


def _secret(page: str) -> str:
    match = re.search(r'<code id="totp-secret">([A-Z2-7]+)</code>', page)
    assert match, page
    return match.group(1)


def test_a_coordinator_must_enrol_before_reaching_the_back_office(app, client, db):
    coordinator = make_user(role=Role.coordinator)
    db.session.commit()
    response = _password_step(client, coordinator)
    assert response.status_code == 302 and "/account/two-factor" in response.headers["Location"]
    # Password alone is not signed in.
    assert client.get("/backoffice/applications").status_code in (302, 403)
    page = client.get("/account/two-factor")
    assert page.status_code == 200 and "otpauth://totp/" in page.text
    secret = _secret(page.text)
    assert client.post("/account/two-factor", data={"code": "000000"}).status_code == 400
    done = client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    codes = re.findall(r"<code>([0-9a-f]{6}-[0-9a-f]{6})</code>", done.text)
    assert len(codes) == 10
    assert client.get("/backoffice/applications").status_code == 200


def test_an_enrolled_coordinator_needs_a_code_and_a_recovery_code_works_once(app, db):
    coordinator = make_user(role=Role.coordinator)
    row = services.begin_enrolment(coordinator)
    codes = services.confirm_enrolment(coordinator, pyotp.TOTP(row.secret).now())
    db.session.commit()

    client = app.test_client()
    _password_step(client, coordinator)
    assert client.post("/account/two-factor", data={"code": "123456"}).status_code == 400
    assert client.post("/account/two-factor", data={"code": codes[0]}).status_code == 302
    assert client.get("/backoffice/applications").status_code == 200

    again = app.test_client()
    _password_step(again, coordinator)
    assert again.post("/account/two-factor", data={"code": codes[0]}).status_code == 400


def test_a_remember_me_cookie_from_a_half_finished_sign_in_opens_nothing(app, client, db):
    coordinator = make_user(role=Role.coordinator)
    db.session.commit()
    _password_step(client, coordinator, remember="y")
    assert client.get_cookie("remember_token") is None
    assert client.get("/backoffice/applications").status_code in (302, 403)


def test_an_old_session_without_the_second_factor_is_not_signed_in(app, client, db, login_as):
    # A coordinator's session from before the requirement (or one that skipped the step).
    coordinator = make_user(role=Role.coordinator)
    db.session.commit()
    login_as(coordinator)
    assert client.get("/backoffice/applications").status_code in (302, 403)


def test_a_code_counts_once(app, db):
    user = make_user()
    row = services.begin_enrolment(user)
    now = utcnow()
    code = pyotp.TOTP(row.secret).at(now)
    services.confirm_enrolment(user, code, now=now)
    with pytest.raises(services.AccountError):
        services.check_second_factor(user, code, now=now)
    later = now + dt.timedelta(seconds=60)
    services.check_second_factor(user, pyotp.TOTP(row.secret).at(later), now=later)


def test_applicants_may_turn_it_on_and_then_need_it(app, client, db, login_as):
    applicant = make_user()
    db.session.commit()
    assert _password_step(client, applicant).status_code == 302
    assert client.get("/my/applications").status_code == 200  # no second factor asked
    page = client.get("/account/two-factor")
    secret = _secret(page.text)
    assert client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()}).status_code == 200
    assert client.get("/my/applications").status_code == 200  # this browser stays signed in

    other = app.test_client()
    response = _password_step(other, applicant)
    assert "/account/two-factor" in response.headers["Location"]
    assert other.get("/my/applications").status_code == 302
