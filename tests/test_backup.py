"""`backup` then `restore` into a new, empty database gives back the same rows and documents,
on the suite's database kind (SQLite, or PostgreSQL with TEST_DATABASE_URL)."""
from __future__ import annotations

import tarfile
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, inspect, select, text

from planner import create_app
from planner.extensions import db
from planner.resources import resource_dir
from tests.conftest import scratch_database


def _app(url: str, instance: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PLANNER_INSTANCE_PATH", str(instance))
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "test-secret"})


def _invoke(app, *args: str):
    with app.app_context():
        result = app.test_cli_runner().invoke(args=list(args))
        db.session.remove()
    assert result.exit_code == 0, result.output
    return result


def _snapshot(app) -> dict[str, tuple[int, list[tuple]]]:
    """Per table: its row count and its first and last rows by primary key (a sample)."""
    snapshot = {}
    with app.app_context():
        names = inspect(db.engine).get_table_names()
        for table in db.metadata.sorted_tables:
            if table.name not in names:
                continue
            count = db.session.scalar(select(func.count()).select_from(table))
            key = list(table.primary_key.columns)
            first = db.session.execute(select(table).order_by(*key).limit(3)).all()
            last = db.session.execute(select(table).order_by(*(c.desc() for c in key)).limit(3)).all()
            snapshot[table.name] = (count, [tuple(row) for row in first + last])
        snapshot["alembic_version"] = (0, [tuple(r) for r in db.session.execute(text("SELECT * FROM alembic_version"))])
        db.session.remove()
        db.engine.dispose()
    return snapshot


def test_backup_and_restore_into_a_new_database_round_trip(tmp_path, monkeypatch):
    with scratch_database(tmp_path, "planner_backup_src") as source_url, \
            scratch_database(tmp_path, "planner_backup_dst") as target_url:
        source = _app(source_url, tmp_path / "source-instance", monkeypatch)
        with source.app_context():
            upgrade(directory=resource_dir("migrations"))
        _invoke(source, "synthetic-data", "--exhibitions", "25", "--companies", "12", "--applications", "40",
                "--seed", "3")
        documents = tmp_path / "source-instance" / "documents" / "2027"
        documents.mkdir(parents=True)
        (documents / "brochure.pdf").write_bytes(b"%PDF-1.4 brochure")
        archive = tmp_path / "backups" / "planner.tar"
        made = _invoke(source, "backup", str(archive))
        assert "and documents" in made.output
        with tarfile.open(archive) as contents:
            names = contents.getnames()
        assert "manifest.json" in names and "documents/2027/brochure.pdf" in names
        expected = _snapshot(source)
        assert expected["exhibitions"][0] >= 25 and expected["companies"][0] >= 12

        target = _app(target_url, tmp_path / "target-instance", monkeypatch)
        _invoke(target, "restore", "--yes", str(archive))
        assert _snapshot(target) == expected
        assert (tmp_path / "target-instance/documents/2027/brochure.pdf").read_bytes() == b"%PDF-1.4 brochure"

        # The restored database is a working one: the app writes to it (sequences restored too).
        _invoke(target, "synthetic-data", "--exhibitions", "2", "--companies", "0", "--applications", "0",
                "--seed", "4")
        with target.app_context():
            db.engine.dispose()


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path, monkeypatch):
    with scratch_database(tmp_path, "planner_backup_bad") as url:
        app = _app(url, tmp_path / "instance", monkeypatch)
        bogus = tmp_path / "bogus.tar"
        with tarfile.open(bogus, "w"):
            pass
        with app.app_context():
            result = app.test_cli_runner().invoke(args=["restore", "--yes", str(bogus)])
        assert result.exit_code != 0 and "not a planner backup" in result.output
        with app.app_context():
            db.engine.dispose()


def test_the_default_destination_is_in_the_instance_folder(_schema, tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    app = _app(_schema, instance, monkeypatch)
    _invoke(app, "backup")
    made = list((instance / "backups").glob("planner-*.tar"))
    assert len(made) == 1 and not list((instance / "backups").glob("*.partial"))
    with app.app_context():
        db.engine.dispose()
