"""Cross-cutting protections: response headers, caching of personal pages, cookie flags, ids
beyond the database's range and redirects that must stay on the site."""
from __future__ import annotations

import pytest

from planner.accounts.models import Role
from planner.i18n import is_safe_redirect
from tests.factories import PASSWORD, make_application, make_exhibition, make_user


def fresh_get(app, client, path, **kwargs):
    return fresh(app, client, "GET", path, **kwargs)


def fresh(app, client, method, path, **kwargs):
    # A new app context per request, as a server has: g (the loaded user) must not carry over.
    with app.app_context():
        return client.open(path, method=method, **kwargs)


def test_html_pages_refuse_framing_and_mime_sniffing(client, db):
    for path in ["/", "/exhibitions", "/account/login", "/no-such-page"]:
        response = client.get(path)
        assert response.headers["X-Frame-Options"] == "DENY", path
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin", path


def test_pages_of_logged_in_users_are_never_stored_by_shared_caches(app, client, db, login_as):
    make_exhibition(slug="show")
    user = make_user()
    db.session.commit()
    login_as(user)
    for path in ["/", "/exhibitions", "/exhibitions/show", "/my/applications", "/account/company"]:
        response = fresh_get(app, client, path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "private, no-store", path


def test_an_anonymous_page_that_sets_the_session_cookie_is_private(app, client, db):
    response = fresh_get(app, client, "/my/applications")  # flashes "please log in"
    assert response.status_code == 302
    assert "session=" in response.headers.get("Set-Cookie", "")
    assert response.headers["Cache-Control"] == "private, no-store"
    # A page that is the same for every anonymous visitor is left to the usual rules.
    assert "Cache-Control" not in fresh_get(app, app.test_client(), "/exhibitions").headers


def test_views_that_choose_their_caching_keep_it(app, client, db, login_as):
    make_exhibition(slug="show")
    user = make_user()
    db.session.commit()
    login_as(user)
    assert fresh_get(app, client, "/calendar/exhibitions.ics").headers["Cache-Control"] == "public, max-age=300"
    assert fresh_get(app, client, "/account/reset/bad-token").headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("site_url, secure", [("https://planner.example.org", True),
                                              ("http://localhost:5000", False)])
def test_login_cookies_are_secure_when_the_site_is_served_over_https(monkeypatch, another_app, site_url, secure):
    monkeypatch.setenv("SITE_URL", site_url)
    app = another_app()
    assert app.config["SESSION_COOKIE_SECURE"] is secure
    assert app.config["REMEMBER_COOKIE_SECURE"] is secure
    with app.app_context():
        from planner.extensions import db
        user = make_user()
        db.session.commit()
        try:
            client = app.test_client()
            response = client.post("/account/login", data={"email": user.email, "password": PASSWORD,
                                                           "remember": "y"})
            assert response.status_code == 302
            cookies = response.headers.getlist("Set-Cookie")
            assert {c.split("=")[0] for c in cookies} == {"session", "remember_token"}
            assert all(("; Secure" in c) is secure for c in cookies), cookies
        finally:
            company = db.session.get(type(user.company), user.company_id)
            db.session.delete(user)
            db.session.delete(company)
            db.session.commit()


HUGE = "99999999999999999999"   # beyond SQLite's 64-bit integers
BIG = "2147483648"              # beyond PostgreSQL's INTEGER


@pytest.mark.parametrize("number", [HUGE, BIG])
def test_ids_beyond_the_database_range_are_404_not_500(app, client, db, login_as, number):
    applicant = make_user()
    coordinator = make_user(role=Role.coordinator)
    db.session.commit()
    login_as(applicant)
    for path in [f"/my/applications/{number}", f"/my/applications/{number}/edit",
                 f"/offers/{number}/apply/booth"]:
        assert fresh(app, client, "GET", path).status_code == 404, path
    for path in [f"/my/applications/{number}/withdraw", f"/my/allocation/{number}/confirm"]:
        assert fresh(app, client, "POST", path).status_code == 404, path
    login_as(coordinator)
    assert fresh(app, client, "GET", "/backoffice/").status_code == 200
    for path in [f"/backoffice/applications/{number}", f"/backoffice/offers/{number}/edit",
                 f"/backoffice/allocation/runs/{number}", f"/backoffice/allocation/offers/{number}"]:
        assert fresh(app, client, "GET", path).status_code == 404, path
    for path in [f"/backoffice/applications/{number}/ineligible", f"/backoffice/feeds/{number}/rotate",
                 f"/backoffice/allocation/programmes/{number}/preview",
                 f"/backoffice/allocation/applications/{number}/override"]:
        assert fresh(app, client, "POST", path, data={"reason": "x"}).status_code == 404, path


@pytest.mark.parametrize("query", [f"offer={HUGE}", f"programme={BIG}", f"q={HUGE}", f"q={BIG}", "q=%C2%B2"])
def test_review_filters_with_odd_numbers_are_ignored_not_a_500(app, client, db, login_as, query):
    make_application()
    coordinator = make_user(role=Role.coordinator)
    db.session.commit()
    login_as(coordinator)
    for path in ["/backoffice/applications", "/backoffice/applications.csv"]:
        assert fresh(app, client, "GET", f"{path}?{query}").status_code == 200, path


def test_a_rank_move_naming_an_id_beyond_the_range_is_refused(app, client, db, login_as):
    application = make_application()
    user = make_user(company=application.company)
    db.session.commit()
    login_as(user)
    response = fresh(app, client, "POST", "/my/applications/reorder", data={"move": "999999999999:up"})
    assert response.status_code == 400
    response = fresh(app, client, "POST", "/my/applications/reorder",
                     data={"move": f"{application.id}:up", "order": "999999999999"})
    assert response.status_code == 400


@pytest.mark.parametrize("target", ["/\\evil.example", "/\\/evil.example", "/\t/evil.example",
                                    "/\r\nSet-Cookie: x=1", "/x\x00", "//evil.example",
                                    "https://evil.example", "https:evil.example", "evil.example"])
def test_unsafe_redirect_targets_are_refused(target):
    assert not is_safe_redirect(target)


def test_safe_redirect_targets_are_kept():
    assert is_safe_redirect("/exhibitions?q=air&page=2")
    assert is_safe_redirect("/%2F/evil")  # a path on this site, however odd


@pytest.mark.parametrize("target", ["/\r\nSet-Cookie: x=1", "/\\evil.example", "/\n/evil.example"])
def test_language_switch_sends_unsafe_targets_home_instead_of_failing(client, db, target):
    response = client.get("/language/ko", query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_with_an_unsafe_next_lands_on_the_home_page(client, db):
    user = make_user()
    db.session.commit()
    response = client.post("/account/login", query_string={"next": "/\r\n/evil.example"},
                           data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_the_content_security_policy_allows_only_the_sites_own_scripts(client, db):
    # Issue 12, finding 10: the policy had no default-src or script-src.
    policy = client.get("/").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"]


def test_no_template_holds_inline_script():
    import pathlib
    import re
    for path in pathlib.Path("templates").rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path
        assert not re.search(r"\son[a-z]+=\"", text), path


@pytest.mark.parametrize("site_url, hsts", [("https://planner.example.org", True), ("http://localhost:5000", False)])
def test_hsts_is_sent_when_the_site_is_served_over_https(site_url, hsts, another_app):
    # another_app closes its connections afterwards (an open one is a ResourceWarning on PG).
    app = another_app(SITE_URL=site_url)
    with app.app_context():
        response = app.test_client().get("/healthz")
    assert ("Strict-Transport-Security" in response.headers) is hsts
    if hsts:
        assert "max-age=" in response.headers["Strict-Transport-Security"]


def test_a_json_405_names_the_allowed_methods(client, db):
    response = client.post("/api/v1/exhibitions")
    assert response.status_code == 405 and response.is_json
    assert "GET" in response.headers["Allow"]


def test_the_api_takes_only_the_page_numbers_its_schema_describes(client, db):
    schema = client.get("/api/v1/openapi.json").json
    page = next(p for p in next(v for k, v in schema["paths"].items() if k.endswith("/exhibitions"))["get"]["parameters"] if p["name"] == "page")
    assert page["schema"]["maximum"] >= 1
    for value in ["²", "٣", "1.0", str(page["schema"]["maximum"] + 1), "-1", "0"]:
        response = client.get("/api/v1/exhibitions", query_string={"page": value})
        assert response.status_code == 400, value


@pytest.mark.parametrize("stored, sent", [("https://www.eurosatory.com/", "https://www.eurosatory.com/"),
                                          ("www.adex.az", "https://www.adex.az"),
                                          ("see the organiser", None), ("http://", None), ("", None)])
def test_the_api_sends_website_values_that_are_uris(client, db, stored, sent):
    make_exhibition(slug="show", website=stored)
    db.session.commit()
    assert client.get("/api/v1/exhibitions/show").json["website"] == sent
