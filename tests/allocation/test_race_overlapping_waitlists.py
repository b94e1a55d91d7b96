"""Issue 10: one release promoting on several overlapping offers. The same companies wait on the
waitlists of two offers; places of both are given up at the same moment, so two transactions
promote at once, each from its own waitlist, each checking (and locking) the cap of the same
companies. Locking in different orders was a deadlock on PostgreSQL (a 500 for one company).
Real parallel requests, on PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from planner.allocation import services
from planner.signups.models import Application
from planner.signups.models import ApplicationStatus as S
from tests.allocation.conftest import apply, closed_offer, company_with_user
from tests.allocation.test_races import PARALLEL, _check_invariants, _click
from tests.concurrency import at_once
from tests.factories import make_programme

pytestmark = pytest.mark.postgres_only

ROUNDS = 20
PLACES = 3  # per offer: three releases on each offer, six requests at once
WAITING = 4


@pytest.fixture
def app_config():
    # One connection per request thread, so every request runs in its own transaction.
    return {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": PARALLEL + 2, "max_overflow": 5}}


def _two_offers_with_shared_waitlists(db, round_: int):
    programme = make_programme(slug=f"overlap-{round_}", cap_per_company=1)
    a = closed_offer(programme, booth_capacity=PLACES)
    b = closed_offer(programme, booth_capacity=PLACES)
    held = []
    for offer in (a, b):
        for _ in range(PLACES):
            company, user = company_with_user(size_class="small")
            held.append((apply(company, offer, 1), user))
    waiters = [company_with_user(size_class="middle-market")[0] for _ in range(WAITING)]
    # Every waiting company waits on both offers (half of them rank A first, half B).
    waits = [(apply(c, a, 1), apply(c, b, 2)) if i % 2 else (apply(c, b, 1), apply(c, a, 2))
             for i, c in enumerate(waiters)]
    services.run_allocation(programme, actor=None, dry_run=False)
    db.session.commit()
    assert all(app.status == S.allocated for app, _user in held)
    assert all(x.status == S.waitlisted and y.status == S.waitlisted for x, y in waits)
    return programme, (a, b), held, waiters


def test_releases_on_two_offers_with_the_same_waiting_companies_never_deadlock(app, db):
    for round_ in range(ROUNDS):
        programme, offers, held, waiters = _two_offers_with_shared_waitlists(db, round_)
        # Interleave A's and B's releases, so both offers promote at the same moment.
        order = [item for pair in zip(held[:PLACES], held[PLACES:]) for item in pair]
        calls = [_click(app, user.get_id(),
                        f"/my/allocation/{application.id}/{'decline' if i % 2 else 'withdraw'}")
                 for i, (application, user) in enumerate(order)]
        statuses = at_once(calls)
        # A deadlock was an error (a 500) for one of the companies.
        assert statuses == [302] * len(calls), (round_, statuses)
        _check_invariants(db, [o.id for o in offers])
        for offer in offers:
            db.session.refresh(offer)
        # Six places given up, four companies waiting with room under the cap: four promoted.
        assert sum(offer.booth_taken for offer in offers) == WAITING
        holders = dict(db.session.execute(
            select(Application.company_id, func.count()).where(
                Application.company_id.in_([c.id for c in waiters]),
                Application.status.in_([S.allocated, S.confirmed]))
            .group_by(Application.company_id)).all())
        # The cap of one place per company held under two promotions at once ...
        assert all(n <= programme.cap_per_company for n in holders.values()), holders
        # ... and every waiting company got a place, since six places were freed for four.
        assert sorted(holders) == sorted(c.id for c in waiters), (round_, holders)
