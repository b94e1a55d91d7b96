"""Rate limits (login, sign-up, password reset) and expired CSRF tokens, as users meet them."""
from __future__ import annotations

import re
import uuid

import pytest

from planner.extensions import limiter
from tests.accounts.conftest import registration_data
from tests.factories import PASSWORD, brn_with_check_digit, make_company, make_user


@pytest.fixture
def app_config(tmp_path):
    return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://",
            "MAIL_DIR": str(tmp_path / "mail")}


@pytest.fixture(autouse=True)
def _fresh_limits(app):
    limiter.reset()
    yield
    limiter.reset()


def test_the_eleventh_login_attempt_in_a_minute_gets_the_friendly_429_page(client):
    for _ in range(10):
        response = client.post("/account/login", data={"email": "a@example.com", "password": "wrong-password"})
        assert response.status_code == 400
    response = client.post("/account/login", data={"email": "a@example.com", "password": "wrong-password"})
    assert response.status_code == 429
    assert "Too many attempts" in response.text
    assert response.headers["Retry-After"]
    assert "Please try again in 1 minute." in response.text


def test_guesses_from_elsewhere_do_not_lock_the_owner_out(client, db):
    # Issue 12, finding 9: ten wrong passwords from anywhere locked the owner out for a minute.
    owner = make_user(email="victim@example.com")
    db.session.commit()
    for _ in range(10):
        client.post("/account/login", data={"email": owner.email, "password": "guess"},
                    environ_base={"REMOTE_ADDR": "10.0.0.66"})
    assert client.post("/account/login", data={"email": owner.email, "password": "guess"},
                       environ_base={"REMOTE_ADDR": "10.0.0.66"}).status_code == 429
    response = client.post("/account/login", data={"email": owner.email, "password": PASSWORD},
                           environ_base={"REMOTE_ADDR": "192.0.2.10"})
    assert response.status_code == 302


def test_showing_the_login_page_does_not_count_as_an_attempt(client):
    for _ in range(15):
        assert client.get("/account/login").status_code == 200


def test_sign_up_is_limited_to_five_an_hour_per_address(client, db):
    # Submissions that pass the form's checks count, also when the service then refuses them.
    make_company(registration_number=brn_with_check_digit("220811234"))
    db.session.commit()
    for _n in range(5):
        response = client.post("/account/register", data=registration_data())
        assert response.status_code == 400
        assert "already registered" in response.text
    response = client.post("/account/register", data=registration_data())
    assert response.status_code == 429
    # The limit counts per hour, so the page must not say "wait a minute".
    minutes = int(response.headers["Retry-After"]) / 60
    assert minutes > 50
    assert re.search(r"Please try again in (59|60) minutes\.", response.text)


def test_a_form_with_typing_errors_does_not_count_towards_the_sign_up_limit(client):
    for _n in range(8):
        response = client.post("/account/register", data=registration_data(registration_number="12345"))
        assert response.status_code == 400
    response = client.post("/account/register", data=registration_data())
    assert response.status_code == 302


def test_forgot_password_is_limited_to_five_an_hour(client):
    for _ in range(5):
        assert client.post("/account/password/forgot", data={"email": "x@example.com"}).status_code == 200
    assert client.post("/account/password/forgot", data={"email": "x@example.com"}).status_code == 429


def test_guessing_the_current_password_is_limited_like_a_login(client, db, login_as):
    user = make_user()
    db.session.commit()
    login_as(user)
    form = {"current_password": "wrong-guess-123", "password": "new-harbour-falcon",
            "confirm": "new-harbour-falcon"}
    for _ in range(10):
        assert client.post("/account/password", data=form).status_code == 400
    assert client.post("/account/password", data=form).status_code == 429


class TestExpiredCsrf:
    @pytest.fixture
    def app_config(self, tmp_path):
        return {"WTF_CSRF_ENABLED": True, "MAIL_DIR": str(tmp_path / "mail")}

    def test_a_form_posted_without_a_valid_token_explains_it_expired(self, client, db):
        user = make_user()
        db.session.commit()
        response = client.post("/account/login", data={"email": user.email, "password": "whatever-1234",
                                                       "csrf_token": "stale"})
        assert response.status_code == 400
        assert "The form expired" in response.text
        assert 'href="/account/login" role="button"' in response.text

    def test_nothing_is_saved_when_the_token_is_missing(self, client, db):
        from planner.accounts.models import Company
        response = client.post("/account/register", data=registration_data())
        assert response.status_code == 400
        assert "The form expired" in response.text
        assert db.session.scalar(db.select(db.func.count(Company.id))) == 0

    def test_a_post_only_address_offers_the_home_page_to_reload(self, client):
        response = client.post("/account/logout")
        assert response.status_code == 400
        assert 'href="/" role="button"' in response.text


class TestLimitsSharedThroughRedis:
    """Several gunicorn workers (or hosts) must count one client's attempts together."""

    @pytest.fixture
    def app_config(self, tmp_path):
        redis = pytest.importorskip("redis")
        url = "redis://127.0.0.1:6379/0"
        try:
            redis.Redis.from_url(url, socket_timeout=1).ping()
        except redis.RedisError:
            pytest.skip("no Redis server on 127.0.0.1:6379")
        # A storage prefix of its own, so limiter.reset() here or in a parallel run of the suite
        # clears only this test's counters.
        return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": url,
                "RATELIMIT_STORAGE_OPTIONS": {"key_prefix": f"planner-test-{uuid.uuid4().hex}"},
                "MAIL_DIR": str(tmp_path / "mail")}

    def test_attempts_counted_by_one_worker_are_refused_by_another(self, app, app_config, another_app):
        worker_one = app.test_client()
        for _ in range(10):
            worker_one.post("/account/login", data={"email": "a@example.com", "password": "wrong-password"})
        worker_two = another_app(**app_config)
        response = worker_two.test_client().post(
            "/account/login", data={"email": "a@example.com", "password": "wrong-password"})
        assert response.status_code == 429
        limiter.reset()
