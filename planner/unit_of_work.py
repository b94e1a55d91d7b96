"""One unit of work per request and per command: commit once on success, roll back when a rule
broke, then hand queued mail to development delivery.

A request is committed when its view returned a response below 400 and raised no PlannerError
(caught or not); otherwise nothing it wrote is kept. Views and commands never call commit or
rollback themselves. pretix and Indico do the same (`indico/web/rh.py` commits once per request).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import click
from flask import Flask, Response, current_app, g, has_request_context

from planner.extensions import db

_FAILED = "_planner_unit_failed"
_CALLBACKS = "planner_after_commit"


def mark_failed() -> None:
    """Doom the current request's unit of work (PlannerError calls this when raised)."""
    if has_request_context():
        setattr(g, _FAILED, True)


def commit() -> None:
    """Commit the session, then run the after-commit callbacks. For the few places that must
    commit before the unit ends (a long command committing in batches)."""
    db.session.commit()
    for callback in current_app.extensions.get(_CALLBACKS, ()):
        callback()


def register(app: Flask, *, after_commit: Sequence[Callable[[], object]] = ()) -> None:
    """Commit each request's work at its end; `after_commit` runs after each commit
    (development mail delivery)."""
    app.extensions[_CALLBACKS] = tuple(after_commit)

    @app.after_request
    def finish_unit(response: Response) -> Response:
        # pop, not get: a test client's requests can share one app context and so one `g`.
        if not g.pop(_FAILED, False) and response.status_code < 400:
            commit()
        else:
            db.session.rollback()
        return response


@contextmanager
def command() -> Iterator[None]:
    """A CLI command's unit of work: commit on success; on a PlannerError roll back and exit
    non-zero with the error's message (click prints it)."""
    from planner.errors import PlannerError
    try:
        yield
    except PlannerError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
