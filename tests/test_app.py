"""The application as a whole: migrations match the models, health check, error pages."""
from __future__ import annotations

import subprocess
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, select, text

from planner import create_app
from planner.extensions import db
from tests.conftest import scratch_database

FIRST_REVISION = "27a77b4a284e"


@pytest.fixture
def scratch_url(tmp_path):
    with scratch_database(tmp_path, "planner_migrate") as url:
        yield url


def _schema_diff(url):
    engine = create_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    engine.dispose()
    return diff


def test_migrations_build_the_schema_the_models_describe(scratch_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": scratch_url, "TESTING": True})
    with app.app_context():
        upgrade(directory="migrations")
        db.engine.dispose()
    diff = _schema_diff(scratch_url)
    assert diff == [], f"models and migrations disagree: {diff}"


def test_upgrade_keeps_the_data_of_a_database_built_by_the_first_migration(scratch_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": scratch_url, "TESTING": True})
    with app.app_context():
        upgrade(directory="migrations", revision=FIRST_REVISION)
        db.session.execute(text(
            "INSERT INTO exhibitions (slug, name, edition_year, starts_on, ends_on, date_certainty, "
            "city, country_code, timezone, status, sequence, created_at, updated_at) VALUES "
            "('old-show-2027', 'Old Show 2027', 2027, '2027-05-03', '2027-05-06', 'confirmed', "
            "'Istanbul', 'TR', 'Europe/Istanbul', 'planned', 0, :now, :now)"), {"now": "2026-11-22 08:00:00"})
        db.session.commit()
        upgrade(directory="migrations")
        from planner.catalogue.models import Exhibition
        show = db.session.scalar(select(Exhibition).where(Exhibition.slug == "old-show-2027"))
        assert show is not None and show.ends_on.isoformat() == "2027-05-06"
        db.session.remove()
        db.engine.dispose()
    assert _schema_diff(scratch_url) == []


def test_migrations_have_a_single_head():
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    config = Config("migrations/alembic.ini")
    config.set_main_option("script_location", "migrations")
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["outbox"]["waiting"] == 0 and body["outbox"]["failed"] == 0


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert b"Page not found" in response.data


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["status"] == 404


def test_language_switch_sets_korean_and_returns_to_page(client):
    response = client.get("/language/ko?next=/exhibitions")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/exhibitions")
    page = client.get("/")
    assert 'lang="ko"' in page.get_data(as_text=True)


def test_language_switch_refuses_offsite_redirect(client):
    response = client.get("/language/en?next=//evil.example/")
    assert response.headers["Location"].endswith("/")
    assert "evil" not in response.headers["Location"]


def test_accept_language_picks_korean(client):
    page = client.get("/", headers={"Accept-Language": "ko-KR,ko;q=0.9,en;q=0.5"})
    assert 'lang="ko"' in page.get_data(as_text=True)


def test_wsgi_refuses_the_development_secret_key(tmp_path):
    env = {"PATH": "", "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite", "SECRET_KEY": ""}
    result = subprocess.run([sys.executable, "-c", "import wsgi"], env=env, capture_output=True,
                            text=True, cwd=".")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize("path", ["/", "/exhibitions"])
def test_pages_render_for_both_languages(client, path):
    for lang in ("en", "ko"):
        assert client.get(f"{path}?lang={lang}").status_code == 200


def test_form_fields_carry_no_placeholder_aria_attributes(client):
    body = client.get("/account/register").get_data(as_text=True)
    assert 'name="legal_name"' in body
    assert '"None"' not in body


def test_messages_translate_outside_a_request_for_commands_and_timers(app):
    from flask_babel import gettext
    assert gettext("Password") == "Password"


def test_forwarded_headers_count_only_from_declared_proxies(app, db, another_app):
    from tests.factories import make_exhibition
    make_exhibition(slug="proxied-show-2027")
    db.session.commit()
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "planner.example.org"}

    def first_url(client):
        return client.get("/api/v1/exhibitions?past=1", headers=headers).get_json()["items"][0]["url"]

    assert first_url(app.test_client()).startswith("http://localhost/")
    proxied = another_app(TRUSTED_PROXIES=1)
    assert first_url(proxied.test_client()).startswith("https://planner.example.org/")
