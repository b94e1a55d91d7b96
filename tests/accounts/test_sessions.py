"""Issue 12, finding 1: logout ends the session on the server, remember-me included, and the
account lists its signed-in browsers with a way to end one or all of them."""
from __future__ import annotations

from planner.accounts import services
from planner.accounts.models import LoginSession
from tests.factories import PASSWORD, make_user


def _sign_in(app, user, *, remember: bool = False, agent: str = "Firefox"):
    client = app.test_client()
    response = client.post("/account/login", data={"email": user.email, "password": PASSWORD,
                                                   "remember": "y" if remember else ""},
                           headers={"User-Agent": agent})
    assert response.status_code == 302
    return client


def _copy(app, client):
    thief = app.test_client()
    for cookie in client._cookies.values():
        thief.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
    return thief


def _count(db, user) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(LoginSession)
                             .where(LoginSession.user_id == user.id))


def test_a_session_cookie_copied_before_logout_opens_nothing_after_it(app, db):
    user = make_user()
    db.session.commit()
    client = _sign_in(app, user)
    thief = _copy(app, client)
    assert thief.get("/my/applications").status_code == 200
    assert client.post("/account/logout").status_code == 302
    assert thief.get("/my/applications").status_code == 302


def test_a_remember_me_cookie_copied_before_logout_opens_nothing_after_it(app, db):
    user = make_user()
    db.session.commit()
    client = _sign_in(app, user, remember=True)
    remember = client.get_cookie("remember_token")
    assert remember is not None
    thief = app.test_client()
    thief.set_cookie("remember_token", remember.value)
    assert thief.get("/my/applications").status_code == 200
    client.post("/account/logout")
    stale = app.test_client()
    stale.set_cookie("remember_token", remember.value)
    assert stale.get("/my/applications").status_code == 302


def test_the_account_lists_its_browsers_and_logs_out_everywhere(app, db):
    user = make_user()
    db.session.commit()
    first = _sign_in(app, user, agent="Firefox on the office PC")
    second = _sign_in(app, user, agent="Safari on a phone")
    page = first.get("/account/sessions")
    assert page.status_code == 200
    assert "Firefox on the office PC" in page.text and "Safari on a phone" in page.text
    assert first.post("/account/sessions/end-all").status_code == 303
    assert second.get("/my/applications").status_code == 302
    assert first.get("/my/applications").status_code == 302
    assert _count(db, user) == 0


def test_ending_one_browser_leaves_the_others(app, db):
    user = make_user()
    db.session.commit()
    services.end_all_sessions(user)
    db.session.commit()
    first = _sign_in(app, user, agent="Firefox")
    second = _sign_in(app, user, agent="Safari")
    sessions = services.list_sessions(user)
    from planner.accounts.session_views import handle
    safari = next(s for s in sessions if s.user_agent == "Safari")
    assert first.post(f"/account/sessions/{handle(safari)}/end").status_code == 303
    assert second.get("/my/applications").status_code == 302
    assert first.get("/my/applications").status_code == 200


def test_another_users_session_cannot_be_ended(app, db):
    owner, stranger = make_user(), make_user()
    db.session.commit()
    (own,) = services.list_sessions(owner)
    assert services.end_session(stranger, own.id) is False
    assert services.load_user(owner.get_id()) == owner
