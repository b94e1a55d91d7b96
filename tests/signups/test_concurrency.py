"""First-come places never exceed capacity when many companies submit at the same moment."""
from __future__ import annotations

import threading

import pytest

from planner.accounts.models import Company
from planner.catalogue.models import Offer, OfferMode
from planner.extensions import db as _db
from planner.signups import services
from planner.signups.models import Application, PlaceKind
from planner.signups.models import ApplicationStatus as S
from tests.factories import make_company, make_offer
from tests.signups.conftest import good_answers

SUBMISSIONS = 25


@pytest.fixture
def app_config():
    # One connection per thread, so every submission really runs in its own transaction.
    return {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": SUBMISSIONS + 2, "max_overflow": 5}}


@pytest.mark.postgres_only
def test_simultaneous_submissions_confirm_exactly_the_last_three_places(app, db):
    offer = make_offer(mode=OfferMode.first_come, booth_capacity=10)
    # Seven places go first, one by one, so the race is for the last three.
    for _ in range(7):
        services.submit_application(offer, PlaceKind.booth, company=make_company(), actor=None,
                                    answers=good_answers())
    company_ids = [make_company().id for _ in range(SUBMISSIONS)]
    offer_id = offer.id
    db.session.commit()

    barrier = threading.Barrier(SUBMISSIONS)
    outcomes: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def apply(company_id: int) -> None:
        try:
            with app.test_request_context():
                session = _db.session
                own_offer = session.get(Offer, offer_id)
                company = session.get(Company, company_id)
                barrier.wait(timeout=30)
                application = services.submit_application(own_offer, PlaceKind.booth, company=company,
                                                           actor=None, answers=good_answers())
                session.commit()
                with lock:
                    outcomes.append(str(application.status))
                session.remove()
        except BaseException as exc:  # reported below, so a failing thread fails the test
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=apply, args=(cid,)) for cid in company_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(outcomes).count("confirmed") == 3
    assert sorted(outcomes).count("waitlisted") == SUBMISSIONS - 3
    db.session.expire_all()
    assert db.session.get(Offer, offer_id).booth_taken == 10
    statuses = db.session.scalars(db.select(Application.status)).all()
    assert sorted(statuses).count(S.confirmed) == 10 and len(statuses) == SUBMISSIONS + 7
