"""The application as a whole: migrations match the models, health check, error pages."""
from __future__ import annotations

import subprocess
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine

from planner import create_app
from planner.extensions import db


def test_migrations_build_the_schema_the_models_describe(tmp_path):
    url = f"sqlite:///{tmp_path / 'migrated.sqlite'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade(directory="migrations")
        engine = create_engine(url)
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
        engine.dispose()
        db.engine.dispose()
    assert diff == [], f"models and migrations disagree: {diff}"


def test_migrations_have_a_single_head():
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    config = Config("migrations/alembic.ini")
    config.set_main_option("script_location", "migrations")
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


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
