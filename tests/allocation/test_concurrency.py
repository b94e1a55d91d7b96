"""Publishing under concurrency, on PostgreSQL: two coordinators at once, and a withdrawal
committed while a run is computing."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from planner.allocation import services
from planner.allocation.models import AllocationResult, AllocationRun
from planner.allocation.services import runs
from planner.catalogue.models import Offer
from planner.extensions import db as _db
from planner.signups.models import Application, ApplicationEvent
from planner.signups.models import ApplicationStatus as S
from planner.signups.services import change_status
from tests.allocation.conftest import apply, closed_offer, company_with_user

pytestmark = pytest.mark.postgres_only


def _in_thread(app, fn, errors):
    def target():
        with app.app_context():
            try:
                fn()
            except Exception as exc:  # noqa: BLE001  (reported to the test thread)
                _db.session.rollback()
                errors.append(exc)
            finally:
                _db.session.remove()
    return threading.Thread(target=target)


def test_two_coordinators_publishing_at_once_publish_exactly_one_run(app, db, programme):
    offers = [closed_offer(programme, booth_capacity=2) for _ in range(3)]
    for i in range(12):
        company = company_with_user()[0]
        for rank, offer in enumerate(offers[i % 3:] + offers[:i % 3], start=1):
            apply(company, offer, rank)
    db.session.commit()
    programme_id = programme.id
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def publish():
        from planner.catalogue.models import Programme
        mine = _db.session.get(Programme, programme_id)
        barrier.wait()
        services.run_allocation(mine, actor=None, dry_run=False)
        _db.session.commit()

    threads = [_in_thread(app, publish, errors) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(errors) == 1 and isinstance(errors[0], services.PublishedAlready), errors
    db.session.expire_all()
    published = db.session.scalars(select(AllocationRun).where(
        AllocationRun.published_programme_id == programme_id)).all()
    assert len(published) == 1
    assert db.session.scalar(select(func.count()).select_from(AllocationRun)) == 1
    allocated = db.session.scalar(select(func.count()).select_from(Application)
                                  .where(Application.status == S.allocated))
    assert allocated == 6  # three offers of two booths, twelve companies
    assert sum(o.booth_taken for o in db.session.scalars(select(Offer))) == allocated
    # Exactly one audit row per application: nothing was applied twice.
    assert db.session.scalar(select(func.count()).select_from(ApplicationEvent)) == 36


@pytest.mark.parametrize("to, reason", [(S.withdrawn, "changed plans"),
                                        (S.ineligible, "Exhibits need a licence that was refused.")])
def test_a_withdrawal_or_ineligibility_committed_during_a_run_is_not_lost(app, db, programme, monkeypatch,
                                                                          to, reason):
    offer = closed_offer(programme, booth_capacity=1)
    x = apply(company_with_user(size_class="small")[0], offer, 1)
    y = apply(company_with_user(size_class="medium")[0], offer, 1)
    db.session.commit()
    x_id, y_id, programme_id = x.id, y.id, programme.id
    computed, withdrawn = threading.Event(), threading.Event()
    real_match = runs._match

    def slow_match(*args, **kwargs):
        result = real_match(*args, **kwargs)
        if not computed.is_set():
            computed.set()
            assert withdrawn.wait(30)
        return result

    monkeypatch.setattr(runs, "_match", slow_match)
    errors: list[Exception] = []

    def publish():
        from planner.catalogue.models import Programme
        services.run_allocation(_db.session.get(Programme, programme_id), actor=None, dry_run=False)
        _db.session.commit()

    thread = _in_thread(app, publish, errors)
    thread.start()
    assert computed.wait(30)
    x_now = db.session.get(Application, x_id)
    if to == S.ineligible:
        x_now.ineligible_reason = reason
    change_status(x_now, to, actor=None, reason=reason)
    db.session.commit()
    withdrawn.set()
    thread.join(timeout=60)
    assert not errors, errors
    db.session.expire_all()
    assert db.session.get(Application, x_id).status == to
    assert db.session.get(Application, y_id).status == S.allocated
    outcomes = dict(db.session.execute(select(AllocationResult.application_id, AllocationResult.outcome)).all())
    assert outcomes == {x_id: to.value, y_id: "allocated"}
    if to == S.ineligible:
        # Its company is shown the coordinator's reason, not a generic one.
        assert db.session.scalar(select(AllocationResult.reason).where(
            AllocationResult.application_id == x_id)) == reason
    assert db.session.get(Offer, offer.id).booth_taken == 1


def test_two_places_freed_at_once_promote_two_different_companies(app, db, programme):
    programme.cap_per_company = 1
    offer = closed_offer(programme, booth_capacity=2)
    holders = [company_with_user(size_class="small") for _ in range(2)]
    waiting = [company_with_user(size_class="medium")[0] for _ in range(3)]
    held = [apply(company, offer, 1) for company, _user in holders]
    waits = [apply(company, offer, 1) for company in waiting]
    services.run_allocation(programme, actor=None, dry_run=False)
    db.session.commit()
    held_ids = [a.id for a in held]
    user_ids = [user.id for _company, user in holders]
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def decline(i):
        def run():
            from planner.accounts.models import User
            application = _db.session.get(Application, held_ids[i])
            actor = _db.session.get(User, user_ids[i])
            barrier.wait()
            services.decline(application, actor)
            _db.session.commit()
        return run

    threads = [_in_thread(app, decline(i), errors) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    db.session.expire_all()
    statuses = [db.session.get(Application, a.id).status for a in waits]
    assert sorted(statuses) == sorted([S.allocated, S.allocated, S.waitlisted])
    assert db.session.get(Offer, offer.id).booth_taken == 2


PARALLEL = 10


@pytest.fixture
def app_config():
    # One connection per request thread, so every request really runs in its own transaction.
    return {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": PARALLEL + 2, "max_overflow": 5}}


@pytest.mark.parametrize("action", ["decline", "withdraw"])
def test_parallel_clicks_on_one_place_free_it_once_and_promote_once(app, db, programme, action):
    # Issue 10: ten simultaneous declines (a double click, several tabs) each freed the place and
    # each promoted from the waitlist. Each status change is now a compare-and-set: one request
    # wins, the others get 409 and change nothing.
    offer = closed_offer(programme, booth_capacity=1)
    x, ux = company_with_user(size_class="small")
    y, _uy = company_with_user(size_class="medium")
    z, _uz = company_with_user(size_class="medium")
    xa, ya, za = apply(x, offer, 1), apply(y, offer, 1), apply(z, offer, 1)
    services.run_allocation(programme, actor=None, dry_run=False)
    db.session.commit()
    assert xa.status == S.allocated
    user_id, application_id, offer_id = ux.get_id(), xa.id, offer.id
    barrier = threading.Barrier(PARALLEL)
    statuses: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def click() -> None:
        try:
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = user_id
                session["_fresh"] = True
            barrier.wait(timeout=30)
            response = client.post(f"/my/allocation/{application_id}/{action}")
            with lock:
                statuses.append(response.status_code)
        except BaseException as exc:  # reported below, so a failing thread fails the test
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=click) for _ in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(statuses) == [302] + [409] * (PARALLEL - 1), statuses
    db.session.expire_all()
    holders = db.session.scalar(select(func.count()).select_from(Application).where(
        Application.offer_id == offer_id, Application.status.in_([S.allocated, S.confirmed])))
    assert holders == 1 == db.session.get(Offer, offer_id).booth_taken
    assert db.session.get(Application, application_id).status == (S.declined if action == "decline"
                                                                   else S.withdrawn)
    promotions = db.session.scalar(select(func.count()).select_from(ApplicationEvent).where(
        ApplicationEvent.application_id.in_([ya.id, za.id]), ApplicationEvent.to_status == "allocated",
        ApplicationEvent.from_status == "waitlisted"))
    assert promotions == 1
