"""One run at a time for the timer commands, across every host that shares the database.

On PostgreSQL a session-level advisory lock (pg_try_advisory_lock) is taken on a connection of
its own, held for the whole command and released at the end (or by the server if the process
dies). SQLite lives on one host, so a file lock in the instance folder does the same there.
A run that finds the lock taken does nothing and says so: the next tick of the timer will run.
"""
from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

import click
from flask import current_app
from sqlalchemy import text

from planner.extensions import db

P = ParamSpec("P")
R = TypeVar("R")


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for `name` (PostgreSQL's advisory lock keys are bigint)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


@contextmanager
def _postgresql_lock(name: str) -> Iterator[bool]:
    with db.engine.connect() as conn:
        key = lock_key(name)
        taken = bool(conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar())
        conn.commit()  # end the implicit transaction; the lock belongs to the session
        try:
            yield taken
        finally:
            if taken:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                conn.commit()


@contextmanager
def _file_lock(name: str) -> Iterator[bool]:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: one developer machine, nothing to guard
        yield True
        return
    directory = os.path.join(current_app.instance_path, "locks")
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, name.replace(" ", "-").replace("/", "-") + ".lock")
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def advisory_lock(name: str) -> Iterator[bool]:
    """Yields True when this process holds the lock named `name`, False when another has it."""
    lock = _postgresql_lock if db.engine.dialect.name == "postgresql" else _file_lock
    with lock(name) as taken:
        yield taken


def single_instance(name: str) -> Callable[[Callable[P, R]], Callable[P, R | None]]:
    """Decorate a click command so it runs only when no other run of `name` is in progress
    (on any host); otherwise it prints that it skipped and exits successfully."""
    def decorate(command: Callable[P, R]) -> Callable[P, R | None]:
        @functools.wraps(command)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R | None:
            with advisory_lock(name) as taken:
                if not taken:
                    click.echo(f"Skipped: another `{name}` is running (lock held elsewhere).")
                    return None
                return command(*args, **kwargs)
        return guarded
    return decorate
