"""What a feed's 304 costs (SQL statements, the session, the user) and where a new private
address waits between its POST and the page that shows it (never in the session cookie)."""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest
from flask import g
from sqlalchemy import event

from planner.extensions import login_manager
from planner.feeds import services
from planner.feeds.models import FeedAddressReveal
from planner.sessions import SESSIONLESS_SUFFIX
from tests.factories import make_coordinator, make_exhibition, make_programme, make_user


@pytest.fixture(autouse=True)
def _fresh(app):
    services.feed_cache().clear()
    services.forget_version()
    services.forget_private_versions()


@contextmanager
def counted(db):
    """Every SQL statement sent while the block runs."""
    statements: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)
    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


@pytest.fixture
def watched(app, monkeypatch):
    """Calls of Flask-Login's user loader, and of the session cookie's serializer (reading or
    writing the cookie)."""
    seen = {"users": 0, "sessions": 0}
    loader = login_manager._user_callback

    def load(user_id):
        seen["users"] += 1
        return loader(user_id)
    monkeypatch.setattr(login_manager, "_user_callback", load)
    serializer = app.session_interface.get_signing_serializer

    def read_cookie(app_):
        seen["sessions"] += 1
        return serializer(app_)
    monkeypatch.setattr(app.session_interface, "get_signing_serializer", read_cookie)
    return seen


def _company_address(db):
    user = make_user()
    token = services.rotate_token(company=user.company, actor=user)
    db.session.commit()
    return user, token


@pytest.mark.parametrize("memoised", [False, True])
def test_a_show_feed_304_reads_at_most_the_data_version(client, db, login_as, watched, memoised):
    show = make_exhibition(starts_on=dt.date.today() + dt.timedelta(days=30))
    db.session.commit()
    login_as(make_user())  # a signed-in browser subscribing: its cookie goes along
    url = f"/exhibitions/{show.slug}.ics"
    etag = client.get(url).headers["ETag"]
    if not memoised:
        services.forget_version()
    watched["users"], watched["sessions"] = 0, 0
    with counted(db) as statements:
        response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert len(statements) <= (0 if memoised else 1), statements
    assert all("feed_state" in s for s in statements)
    # No user loaded, the session cookie neither read nor written, no cookie set or varied on.
    assert watched["users"] == 0 and watched["sessions"] == 0
    assert "Set-Cookie" not in response.headers and "Cookie" not in response.headers.get("Vary", "")


def test_a_private_feed_304_reads_a_few_indexed_rows_and_none_when_memoised(client, db, login_as, watched):
    user, token = _company_address(db)
    login_as(user)
    url = f"/calendar/private/{token}.ics"
    etag = client.get(url).headers["ETag"]
    services.forget_version()
    services.forget_private_versions()
    watched["users"], watched["sessions"] = 0, 0
    with counted(db) as cold:
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    # The token by its hash, the data version, the company's aggregate state (and, at most once
    # a minute, the fetch time): never the calendar itself.
    assert len(cold) <= 5, cold
    assert not any("FROM offers" in s and "JOIN exhibitions" in s and "GROUP BY" not in s for s in cold)
    with counted(db) as warm:
        response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 304 and warm == []
    assert watched["users"] == 0 and watched["sessions"] == 0
    assert "Set-Cookie" not in response.headers


def test_every_feed_is_the_same_for_everyone_and_only_feeds_skip_the_session(app):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        assert getattr(view, "same_for_everyone", False) == rule.rule.endswith(SESSIONLESS_SUFFIX), rule.rule


def test_a_signed_in_browser_keeps_its_session_through_a_feed_and_an_unknown_feed(client, db, login_as):
    user = make_user()
    db.session.commit()
    login_as(user)
    assert client.get("/exhibitions/no-such-show.ics").status_code == 404
    assert client.get(f"/calendar/private/{'x' * 43}.ics").status_code == 404
    # The tests' requests share one `g`, where Flask-Login keeps the (anonymous) user the 404
    # pages showed; a real request starts afresh.
    g.pop("_login_user", None)
    # Still signed in: nothing cleared or replaced the session cookie.
    assert client.get("/my/calendar").status_code == 200


def _session_cookie(client, app) -> dict:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    return app.session_interface.get_signing_serializer(app).loads(cookie.value)


def _shown_token(html: str) -> str:
    return html.split("/calendar/private/")[1].split(".ics")[0]


def test_the_session_cookie_never_holds_a_new_company_address(app, client, db, login_as):
    user, _old = _company_address(db)
    login_as(user)
    posted = client.post("/my/calendar/rotate")
    assert posted.status_code == 303
    cookie = _session_cookie(client, app)
    page = client.get(posted.headers["Location"]).get_data(as_text=True)
    token = _shown_token(page)
    # The signed (readable) cookie carried a handle, not the address; the table keeps it sealed.
    assert token not in str(cookie) and token not in client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    assert client.get(f"/calendar/private/{token}.ics").status_code == 200
    # Shown once: the reveal is gone with the page that showed it, and a reload shows nothing.
    assert db.session.scalar(db.select(db.func.count()).select_from(FeedAddressReveal)) == 0
    assert token not in client.get("/my/calendar").get_data(as_text=True)


def test_a_staged_address_is_sealed_and_only_its_owner_gets_it_once(app, db):
    owner, other = make_user(), make_user()
    db.session.commit()
    now = dt.datetime(2027, 1, 1, 9, tzinfo=dt.timezone.utc)
    handle = services.stage_reveal(user=owner, token="T" * 43, now=now)
    row = db.session.scalars(db.select(FeedAddressReveal)).one()
    assert "T" * 43 not in row.sealed and handle not in row.id
    assert services.take_reveal(user=other, handle=handle, now=now) is None  # and it is spent
    handle = services.stage_reveal(user=owner, token="T" * 43, now=now)
    assert services.take_reveal(user=owner, handle=handle, now=now + services.REVEAL_FOR * 2) is None
    handle = services.stage_reveal(user=owner, token="T" * 43, now=now)
    assert services.take_reveal(user=owner, handle=handle, now=now) == ("T" * 43, None)
    assert services.take_reveal(user=owner, handle=handle, now=now) is None
    assert services.take_reveal(user=owner, handle={"token": "T" * 43}, now=now) is None  # an old cookie


def test_the_session_cookie_never_holds_a_new_programme_address(app, client, db, login_as):
    coordinator = make_coordinator()
    programme = make_programme()
    db.session.commit()
    login_as(coordinator)
    posted = client.post(f"/backoffice/feeds/{programme.id}/rotate")
    assert posted.status_code == 303
    cookie = _session_cookie(client, app)
    page = client.get(posted.headers["Location"]).get_data(as_text=True)
    token = _shown_token(page)
    assert token not in str(cookie)
    assert client.get(f"/calendar/private/{token}.ics").status_code == 200
    assert f"/calendar/private/{token}.ics" not in client.get("/backoffice/feeds").get_data(as_text=True)
