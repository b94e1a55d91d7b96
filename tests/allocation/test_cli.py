"""`flask allocation run / export / expire`."""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from planner.allocation.models import AllocationRun
from planner.signups.models import ApplicationStatus as S
from tests.allocation.conftest import apply, closed_offer, company_with_user
from tests.factories import make_offer


def _world(db, programme):
    offer = closed_offer(programme)
    apps = [apply(company_with_user(size_class=s)[0], offer, 1) for s in ("small", "medium")]
    db.session.commit()
    return offer, apps


def test_dry_run_prints_a_summary_and_changes_no_status(runner, db, programme):
    offer, apps = _world(db, programme)
    result = runner.invoke(args=["allocation", "run", programme.slug, "--dry-run", "--seed", "abc"])
    assert result.exit_code == 0, result.output
    assert "Dry run" in result.output and offer.exhibition.slug in result.output
    assert "100%" in result.output
    db.session.expire_all()
    assert [a.status for a in apps] == [S.submitted, S.submitted]
    assert db.session.scalars(select(AllocationRun)).one().seed == "abc"


def test_run_publishes_and_a_second_run_fails_with_the_message(runner, db, programme):
    _offer, apps = _world(db, programme)
    assert runner.invoke(args=["allocation", "run", programme.slug]).exit_code == 0
    db.session.expire_all()
    assert [a.status for a in apps] == [S.allocated, S.waitlisted]
    again = runner.invoke(args=["allocation", "run", programme.slug])
    assert again.exit_code != 0 and "already published" in again.output


def test_run_refuses_while_a_window_is_open(runner, db, programme):
    _world(db, programme)
    make_offer(programme=programme)
    db.session.commit()
    result = runner.invoke(args=["allocation", "run", programme.slug])
    assert result.exit_code != 0 and "still open" in result.output


def test_export_prints_json_that_parses(runner, db, programme):
    _world(db, programme)
    assert runner.invoke(args=["allocation", "export", programme.slug]).exit_code != 0
    runner.invoke(args=["allocation", "run", programme.slug, "--dry-run"])
    result = runner.invoke(args=["allocation", "export", programme.slug])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["programme"] == programme.slug and len(data["applications"]) == 2


def test_unknown_programme_is_an_error(runner, app):
    result = runner.invoke(args=["allocation", "run", "nope"])
    assert result.exit_code != 0 and "No programme" in result.output


def test_expire_expires_overdue_places_and_promotes(runner, db, programme):
    _offer, apps = _world(db, programme)
    runner.invoke(args=["allocation", "run", programme.slug])
    db.session.expire_all()
    apps[0].confirm_by = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)
    db.session.commit()
    result = runner.invoke(args=["allocation", "expire"])
    assert result.exit_code == 0 and "1 expired, 1 promoted" in result.output
    db.session.expire_all()
    assert [a.status for a in apps] == [S.expired, S.allocated]
