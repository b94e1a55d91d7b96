"""The top-level commands: demo-data (idempotent, prints logins) and synthetic-data (deterministic)."""
from __future__ import annotations

import datetime as dt

from werkzeug.security import check_password_hash

from planner.accounts.models import Company, Role, User
from planner.accounts.services import brn_check_digit
from planner.catalogue.models import Exhibition, Offer, OfferMode, Programme
from planner.signups.models import Application, ApplicationStatus
from tests.conftest import _empty_tables


def _counts(db) -> dict[str, int]:
    return {model.__name__: db.session.scalar(db.select(db.func.count()).select_from(model))
            for model in (Exhibition, Programme, Offer, Company, User, Application)}


def test_demo_data_twice_changes_nothing_and_prints_the_same_logins(runner, db):
    first = runner.invoke(args=["demo-data"])
    assert first.exit_code == 0, first.output
    db.session.expire_all()
    after_first = _counts(db)
    offers_first = {(o.exhibition_id, o.opens_at, o.closes_at, o.sequence)
                    for o in db.session.scalars(db.select(Offer))}
    second = runner.invoke(args=["demo-data"])
    assert second.exit_code == 0, second.output
    db.session.expire_all()
    assert _counts(db) == after_first
    assert {(o.exhibition_id, o.opens_at, o.closes_at, o.sequence)
            for o in db.session.scalars(db.select(Offer))} == offers_first
    logins = [line for line in first.output.splitlines() if "@" in line and not line.startswith("Closed")]
    assert logins == [line for line in second.output.splitlines()
                      if "@" in line and not line.startswith("Closed")]
    assert len(logins) == 3
    for line in logins:
        role, email, password = line.split()
        user = db.session.scalar(db.select(User).where(User.email == email))
        assert user.role == Role(role)
        assert check_password_hash(user.password_hash, password)
        assert user.email_verified_at is not None


def test_demo_data_opens_offers_at_upcoming_shows_for_a_demo_company(runner, db):
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    programme = db.session.scalar(db.select(Programme).where(Programme.slug == "overseas-2027"))
    assert programme.cap_per_company == 2
    assert programme.subsidy_shares["small"] == 0.7
    offers = list(db.session.scalars(db.select(Offer).where(Offer.programme_id == programme.id)))
    now = dt.datetime.now(dt.timezone.utc)
    ranked = [o for o in offers if o.mode == OfferMode.ranked]
    assert 3 <= len(ranked) <= 4
    assert len([o for o in offers if o.mode == OfferMode.first_come]) == 1
    for offer in offers:
        assert offer.opens_at <= now < offer.closes_at <= now + dt.timedelta(weeks=6)
        assert offer.exhibition.starts_on > now.date()
    applicant = db.session.scalar(db.select(User).where(User.role == Role.applicant))
    brn = applicant.company.registration_number
    assert brn_check_digit(brn[:9]) == int(brn[9])


def _snapshot(db) -> dict[str, list[tuple]]:
    companies = sorted((c.registration_number, c.legal_name, str(c.size_class), tuple(c.sectors), c.employees,
                        c.has_defence_exports, c.export_record, tuple(c.prior_exhibitions), repr(c.past_shows),
                        c.no_show_count)
                       for c in db.session.scalars(db.select(Company)))
    users = sorted((u.email, u.name, u.password_hash, u.company.registration_number)
                   for u in db.session.scalars(db.select(User)))
    offers = sorted((o.exhibition.slug, o.booth_capacity, o.delegation_capacity, o.opens_at, o.closes_at,
                     o.booth_cost_krw, str(o.mode)) for o in db.session.scalars(db.select(Offer)))
    applications = sorted((a.company.registration_number, a.offer.exhibition.slug, str(a.kind), a.preference,
                           str(a.status), repr(a.answers), a.created_at)
                          for a in db.session.scalars(db.select(Application)))
    return {"companies": companies, "users": users, "offers": offers, "applications": applications}


ARGS = ["synthetic-data", "--exhibitions", "12", "--companies", "40", "--applications", "120"]


def test_synthetic_data_makes_a_closed_ranked_programme_with_the_requested_counts(runner, db):
    result = runner.invoke(args=ARGS + ["--seed", "7"])
    assert result.exit_code == 0, result.output
    programme = db.session.scalar(db.select(Programme).where(Programme.slug == "synthetic"))
    assert programme.cap_per_company in (2, 3)
    counts = _counts(db)
    assert counts["Company"] == 40 and counts["User"] == 40 and counts["Application"] == 120
    assert 0 < counts["Offer"] <= 12
    now = dt.datetime.now(dt.timezone.utc)
    offers = list(db.session.scalars(db.select(Offer)))
    assert all(o.mode == OfferMode.ranked and o.closes_at < now for o in offers)
    assert any(o.booth_capacity > 0 for o in offers) and any(o.delegation_capacity > 0 for o in offers)
    user = db.session.scalar(db.select(User).limit(1))
    assert check_password_hash(user.password_hash, "synthetic-password")
    applications = list(db.session.scalars(db.select(Application)))
    assert all(a.status == ApplicationStatus.submitted and a.export_control_attested and a.answers["exhibits"]
               for a in applications)
    ranks: dict[int, list[int]] = {}
    for application in applications:
        ranks.setdefault(application.company_id, []).append(application.preference)
    assert all(sorted(r) == list(range(1, len(r) + 1)) for r in ranks.values())
    for company in db.session.scalars(db.select(Company)):
        assert brn_check_digit(company.registration_number[:9]) == int(company.registration_number[9])

    again = runner.invoke(args=ARGS + ["--seed", "7"])
    assert again.exit_code == 0
    assert "exists already" in again.output
    assert _counts(db) == counts


def test_synthetic_data_is_the_same_for_the_same_seed(runner, db):
    assert runner.invoke(args=ARGS + ["--seed", "3"]).exit_code == 0
    first = _snapshot(db)
    db.session.remove()
    _empty_tables()
    assert runner.invoke(args=ARGS + ["--seed", "3"]).exit_code == 0
    assert _snapshot(db) == first
    db.session.remove()
    _empty_tables()
    assert runner.invoke(args=ARGS + ["--seed", "4"]).exit_code == 0
    assert _snapshot(db)["applications"] != first["applications"]


def test_demo_data_adds_a_closed_call_that_a_coordinator_can_allocate_at_once(runner, db):
    from planner.allocation import services as allocation
    from planner.allocation.demo import COMPANY_PASSWORD, PROGRAMME_SLUG

    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    assert PROGRAMME_SLUG in result.output and COMPANY_PASSWORD in result.output
    programme = db.session.scalar(db.select(Programme).where(Programme.slug == PROGRAMME_SLUG))
    offers = allocation.ranked_offers(programme)
    now = dt.datetime.now(dt.timezone.utc)
    assert offers and all(o.closes_at < now < dt.datetime.combine(
        o.exhibition.starts_on, dt.time(0), tzinfo=dt.timezone.utc) for o in offers)
    applications = db.session.scalars(
        db.select(Application).where(Application.programme_id == programme.id)).all()
    demo_applicant = db.session.scalar(db.select(User).where(User.email == "applicant@demo.example.com"))
    assert demo_applicant.company_id in {a.company_id for a in applications}
    # Oversubscribed: more applications than places, so the run leaves a waitlist.
    places = sum(o.booth_capacity + o.delegation_capacity for o in offers)
    assert len(applications) > places
    login = db.session.scalar(db.select(User).where(User.email == "company01@demo.example.com"))
    assert check_password_hash(login.password_hash, COMPANY_PASSWORD)

    run = runner.invoke(args=["allocation", "run", PROGRAMME_SLUG])
    assert run.exit_code == 0, run.output
    db.session.expire_all()
    statuses = {a.status for a in db.session.scalars(
        db.select(Application).where(Application.programme_id == programme.id))}
    assert {ApplicationStatus.allocated, ApplicationStatus.waitlisted} <= statuses

    # Fewer places than companies (cap 1), so a company is left with none, waitlisted; declining
    # a place it is waiting for promotes it: the journey a newcomer tries in the browser.
    apps = db.session.scalars(db.select(Application).where(Application.programme_id == programme.id)).all()
    holders = {a.company_id for a in apps if a.status == ApplicationStatus.allocated}
    waiting = [a for a in apps if a.status == ApplicationStatus.waitlisted and a.company_id not in holders]
    assert waiting
    slot = (waiting[0].offer_id, waiting[0].kind)
    taken = next(a for a in apps if a.status == ApplicationStatus.allocated and (a.offer_id, a.kind) == slot)
    decliner = db.session.scalar(db.select(User).where(User.company_id == taken.company_id))
    promoted = allocation.decline(taken, actor=decliner)
    assert [a.company_id for a in promoted] and promoted[0].company_id not in holders
