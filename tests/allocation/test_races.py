"""Issue 10, item 1: races after publication, on PostgreSQL with real parallel requests. Twenty
simultaneous withdraw/decline/confirm clicks on one place and on the last places of a slot
type; promotion racing a company's withdrawal; expiry racing a confirmation. Afterwards:
holders <= capacity, counters equal holders, one winner per race, and every application's
audit trail a chain of transitions the lifecycle allows."""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from planner.allocation import services
from planner.allocation.services.errors import NotAllocated
from planner.catalogue.models import Offer
from planner.extensions import db as _db
from planner.signups.models import Application, ApplicationEvent
from planner.signups.models import ApplicationStatus as S
from planner.signups.services import ALLOWED_TRANSITIONS, StatusChanged, counter_drift
from tests.allocation.conftest import apply, closed_offer, company_with_user
from tests.concurrency import at_once

pytestmark = pytest.mark.postgres_only

PARALLEL = 20
UTC = dt.timezone.utc


@pytest.fixture
def app_config():
    # One connection per request thread, so every request runs in its own transaction.
    return {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": PARALLEL + 2, "max_overflow": 5}}


def _click(app, login_id: str, path: str) -> Callable[[], int]:
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = login_id
        session["_fresh"] = True
    return lambda: client.post(path).status_code


def _check_invariants(db, offer_ids: list[int]) -> None:
    db.session.expire_all()
    for offer in db.session.scalars(select(Offer).where(Offer.id.in_(offer_ids))):
        holders = db.session.scalar(select(func.count()).select_from(Application).where(
            Application.offer_id == offer.id, Application.kind == "booth",
            Application.status.in_([S.allocated, S.confirmed])))
        assert holders <= offer.booth_capacity, (offer.id, holders)  # never overbooked
    assert counter_drift(offer_ids) == []
    events = db.session.scalars(select(ApplicationEvent).order_by(ApplicationEvent.id)).all()
    last: dict[int, str] = {}
    for event in events:
        before = last.get(event.application_id)
        assert event.from_status == before or (before is None and event.from_status == "submitted")
        if event.from_status != event.to_status:
            assert S(event.to_status) in ALLOWED_TRANSITIONS[S(event.from_status)], event
        last[event.application_id] = event.to_status
    for application in db.session.scalars(select(Application)):
        assert last.get(application.id, "submitted") == application.status.value


def _published_offer(db, programme, capacity: int, waiting: int):
    programme.cap_per_company = 1
    offer = closed_offer(programme, booth_capacity=capacity)
    holders = [company_with_user(size_class="small") for _ in range(capacity)]
    waiters = [company_with_user(size_class="middle-market") for _ in range(waiting)]
    held = [apply(company, offer, 1) for company, _user in holders]
    waits = [apply(company, offer, 1) for company, _user in waiters]
    services.run_allocation(programme, actor=None, dry_run=False)
    db.session.commit()
    assert all(a.status == S.allocated for a in held) and all(a.status == S.waitlisted for a in waits)
    # Users by their login id (get_id), which a session stores.
    return offer, [(a.id, u.get_id()) for a, (_c, u) in zip(held, holders)], \
        [(a.id, u.get_id()) for a, (_c, u) in zip(waits, waiters)]


@pytest.mark.parametrize("round_", range(4))
def test_twenty_mixed_clicks_on_one_place_have_one_winner(app, db, programme, round_):
    offer, held, waits = _published_offer(db, programme, capacity=1, waiting=3)
    (application_id, user_id), = held
    rng = random.Random(round_)
    actions = [rng.choice(["confirm", "decline", "withdraw"]) for _ in range(PARALLEL)]
    statuses = at_once([_click(app, user_id, f"/my/allocation/{application_id}/{action}")
                         for action in actions])
    assert set(statuses) <= {302, 409}, statuses
    _check_invariants(db, [offer.id])
    winners = [action for action, status in zip(actions, statuses) if status == 302]
    # One winner, or, when the clicks happen to run one after another (a loaded machine), a
    # confirmation and then a withdrawal of the confirmed place: both are allowed in that order.
    history = [str(e.to_status) for e in db.session.scalars(
        select(ApplicationEvent).where(ApplicationEvent.application_id == application_id,
                                       ApplicationEvent.actor_id.is_not(None))
        .order_by(ApplicationEvent.id))]
    assert len(history) == len(winners), (history, winners)
    assert history in (["confirmed"], ["declined"], ["withdrawn"], ["confirmed", "withdrawn"]), history
    assert sorted(winners) == sorted({"confirmed": "confirm", "declined": "decline",
                                      "withdrawn": "withdraw"}[h] for h in history)
    final = db.session.get(Application, application_id).status
    assert final == S(history[-1])
    promoted = db.session.scalar(select(func.count()).select_from(Application).where(
        Application.id.in_([a for a, _u in waits]), Application.status == S.allocated))
    assert promoted == (0 if final == S.confirmed else 1)


@pytest.mark.parametrize("round_", range(3))
def test_twenty_clicks_on_the_last_places_and_the_waitlist_never_overbook(app, db, programme, round_):
    # Three holders click confirm/decline/withdraw, each several times, while waitlisted
    # companies withdraw from the waitlist, racing the promotions the declines cause.
    offer, held, waits = _published_offer(db, programme, capacity=3, waiting=6)
    rng = random.Random(100 + round_)
    calls = []
    for i in range(PARALLEL):
        if i % 2 == 0:
            application_id, user_id = held[i % len(held)]
            action = rng.choice(["confirm", "decline", "withdraw"])
        else:
            application_id, user_id = waits[i % len(waits)]
            action = "withdraw"
        calls.append(_click(app, user_id, f"/my/allocation/{application_id}/{action}"))
    statuses = at_once(calls)
    assert set(statuses) <= {302, 409}, statuses
    _check_invariants(db, [offer.id])
    # Each request that succeeded made exactly one change (a confirm and a later withdrawal of
    # the same place may both win); every loser changed nothing.
    changes = db.session.scalar(select(func.count()).select_from(ApplicationEvent)
                                .where(ApplicationEvent.actor_id.is_not(None)))
    assert statuses.count(302) == changes


@pytest.mark.parametrize("round_", range(4))
def test_expiry_racing_a_confirmation_has_one_winner(app, db, programme, round_):
    offer, held, waits = _published_offer(db, programme, capacity=1, waiting=2)
    (application_id, login_id), = held
    deadline = db.session.get(Application, application_id).confirm_by

    def confirm() -> str:
        from planner.accounts.models import User
        try:
            user = _db.session.scalar(select(User).where(
                User.company_id == _db.session.get(Application, application_id).company_id))
            services.confirm(_db.session.get(Application, application_id), user,
                             now=deadline - dt.timedelta(seconds=1))
            _db.session.commit()
            return "confirmed"
        except (StatusChanged, NotAllocated):  # the expiry ran first, whole, or in between
            _db.session.rollback()
            return "lost"
        finally:
            _db.session.remove()

    def expire() -> str:
        try:
            expired, _promoted = services.expire_overdue(deadline + dt.timedelta(seconds=1))
            _db.session.commit()
            return "expired" if expired else "nothing"
        finally:
            _db.session.remove()

    def in_app(fn: Callable[[], str]) -> Callable[[], str]:
        def run() -> str:
            with app.app_context():
                return fn()
        return run

    first, second = (confirm, expire) if round_ % 2 else (expire, confirm)
    outcomes = at_once([in_app(first), in_app(second)])
    assert sorted(map(str, outcomes)) in (["confirmed", "nothing"], ["expired", "lost"]), outcomes
    _check_invariants(db, [offer.id])
    final = db.session.get(Application, application_id).status
    promoted = db.session.scalar(select(func.count()).select_from(Application).where(
        Application.id.in_([a for a, _u in waits]), Application.status == S.allocated))
    assert (final, promoted) in ((S.confirmed, 0), (S.expired, 1))
