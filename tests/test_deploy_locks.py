"""Timer commands take a lock so two runs (two hosts, or a slow run and the next tick) never
overlap; the run that finds it taken says so and does nothing."""
from __future__ import annotations

import threading

import pytest

from planner.locks import advisory_lock, lock_key
from planner.notifications import services
from planner.notifications.models import OutboxMessage


def test_lock_keys_are_stable_signed_64_bit_integers():
    assert lock_key("notifications send") == lock_key("notifications send")
    assert lock_key("notifications send") != lock_key("allocation expire")
    assert -(2**63) <= lock_key("x") < 2**63


def test_a_second_holder_is_refused_until_the_first_lets_go(app):
    with advisory_lock("probe") as first:
        assert first is True
        with advisory_lock("probe") as second:
            assert second is False
        with advisory_lock("another job") as other:
            assert other is True
    with advisory_lock("probe") as again:
        assert again is True


def test_notifications_send_skips_while_another_run_holds_the_lock(app, db, runner):
    services.enqueue("kim@example.com", "Hello", "Body")
    db.session.commit()
    with advisory_lock("notifications send"):
        skipped = runner.invoke(args=["notifications", "send"])
    assert skipped.exit_code == 0, skipped.output
    assert "Skipped: another `notifications send` is running" in skipped.output
    db.session.expire_all()
    assert db.session.scalar(db.select(OutboxMessage)).sent_at is None
    ran = runner.invoke(args=["notifications", "send"])
    assert "Sent 1 email(s)" in ran.output


@pytest.mark.postgres_only
def test_on_postgresql_two_hosts_holding_at_once_the_second_skips(app, another_app):
    """Two apps (two hosts' processes, each with its own connections) race for the lock: while
    one holds it, the other is refused; the advisory lock lives on the server, not in a file."""
    other = another_app()
    holding, release = threading.Event(), threading.Event()
    results: dict[str, bool] = {}

    def first_host() -> None:
        with other.app_context(), advisory_lock("allocation expire") as taken:
            results["first"] = taken
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=first_host)
    thread.start()
    try:
        assert holding.wait(10)
        with advisory_lock("allocation expire") as taken:
            results["second"] = taken
    finally:
        release.set()
        thread.join(10)
    assert results == {"first": True, "second": False}
    with advisory_lock("allocation expire") as taken:
        assert taken is True
