"""`backup` and `restore`: one archive holding a consistent snapshot of the database and the
instance's uploaded documents.

The archive is a tar file with `manifest.json`, the database (`database.sqlite`, taken with
SQLite's online backup API while the site runs; or `database.pgdump`, pg_dump's custom format,
one transaction-consistent snapshot) and `documents/` when `<instance>/documents` exists.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

import click
from flask import current_app
from sqlalchemy.engine import URL, make_url

from planner.extensions import db

FORMAT_VERSION = 1


class BackupError(click.ClickException):
    pass


def _database_url() -> URL:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _sqlite_path(url: URL) -> str:
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    return url.database


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A URL pg_dump/pg_restore accept, and an environment carrying the password (a password
    on the command line would be visible to every user of the host in the process list)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(args: list[str], env: dict[str, str]) -> None:
    tool = shutil.which(args[0])
    if tool is None:
        raise BackupError(f"{args[0]} is not installed (PostgreSQL's client tools are needed).")
    done = subprocess.run([tool, *args[1:]], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{args[0]} failed: {done.stderr.strip()}")


def _documents_dir() -> Path:
    return Path(current_app.instance_path) / "documents"


def dump_database(work: Path) -> str:
    """Write the database into `work`; returns the file's name in the archive."""
    url = _database_url()
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(_sqlite_path(url))
        target = sqlite3.connect(work / "database.sqlite")
        try:
            with target:
                source.backup(target)  # a consistent copy, page by page, while others write
        finally:
            target.close()
            source.close()
        return "database.sqlite"
    if url.get_backend_name() == "postgresql":
        libpq_url, env = _libpq(url)
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
              f"--file={work / 'database.pgdump'}", f"--dbname={libpq_url}"], env)
        return "database.pgdump"
    raise BackupError(f"No backup method for {url.get_backend_name()} databases.")


def write_backup(destination: Path) -> dict[str, object]:
    """Write the archive to `destination` (atomically: a half-written file never has the
    final name); returns its manifest."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="planner-backup-") as tmp:
        work = Path(tmp)
        database_file = dump_database(work)
        documents = _documents_dir()
        manifest: dict[str, object] = {
            "format": FORMAT_VERSION,
            "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "database": database_file,
            "documents": documents.is_dir(),
        }
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        partial = destination.with_name(destination.name + ".partial")
        with tarfile.open(partial, "w") as archive:
            archive.add(work / "manifest.json", "manifest.json")
            archive.add(work / database_file, database_file)
            if documents.is_dir():
                archive.add(documents, "documents")
        os.replace(partial, destination)
    return manifest


def restore_database(dump: Path, name: str) -> None:
    url = _database_url()
    db.session.remove()
    db.engine.dispose()  # no pooled connection may hold the old file or tables open
    if name == "database.sqlite":
        if url.get_backend_name() != "sqlite":
            raise BackupError("This archive holds a SQLite database; DATABASE_URL names another kind.")
        source = sqlite3.connect(dump)
        target = sqlite3.connect(_sqlite_path(url))
        try:
            with target:
                source.backup(target)  # replaces every page of the target, schema included
        finally:
            target.close()
            source.close()
    elif name == "database.pgdump":
        if url.get_backend_name() != "postgresql":
            raise BackupError("This archive holds a PostgreSQL dump; DATABASE_URL names another kind.")
        libpq_url, env = _libpq(url)
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
              f"--dbname={libpq_url}", str(dump)], env)
    else:
        raise BackupError(f"Unknown database file in the archive: {name}")


def read_backup(archive_path: Path) -> dict[str, object]:
    """Restore the database and the documents from an archive; returns its manifest."""
    with tempfile.TemporaryDirectory(prefix="planner-restore-") as tmp:
        work = Path(tmp)
        try:
            with tarfile.open(archive_path) as archive:
                archive.extractall(work, filter="data")  # no absolute paths, links out or devices
        except (OSError, tarfile.TarError) as exc:
            raise BackupError(f"Cannot read {archive_path}: {exc}") from None
        try:
            manifest = json.loads((work / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise BackupError(f"{archive_path} is not a planner backup (no manifest).") from None
        if manifest.get("format") != FORMAT_VERSION:
            raise BackupError(f"Unsupported backup format {manifest.get('format')!r}.")
        restore_database(work / str(manifest["database"]), str(manifest["database"]))
        if manifest.get("documents"):
            documents = _documents_dir()
            previous = documents.with_name("documents.before-restore")
            if documents.exists():
                shutil.rmtree(previous, ignore_errors=True)
                documents.rename(previous)
            shutil.copytree(work / "documents", documents)
            shutil.rmtree(previous, ignore_errors=True)
    return dict(manifest)


@click.command("backup")
@click.argument("destination", type=click.Path(dir_okay=False, path_type=Path), required=False)
def backup_command(destination: Path | None) -> None:
    """Write a consistent snapshot of the database and uploaded documents to DESTINATION
    (default: <instance>/backups/planner-<UTC time>.tar)."""
    if destination is None:
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        destination = Path(current_app.instance_path) / "backups" / f"planner-{stamp}.tar"
    manifest = write_backup(destination)
    extra = " and documents" if manifest["documents"] else ""
    click.echo(f"Backed up the database{extra} to {destination}.")


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the current data.")
def restore_command(archive: Path, yes: bool) -> None:
    """Replace the database (and uploaded documents) with the contents of ARCHIVE."""
    if not yes:
        click.confirm(f"Replace every row of {_database_url().render_as_string()} with {archive}?", abort=True)
    manifest = read_backup(archive)
    click.echo(f"Restored the backup of {manifest['created_at']} from {archive}.")
