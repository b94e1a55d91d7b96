"""The first-timer criterion reads the past shows a company chose on its profile (series keys,
issue 10 item 8), and still the old free-text lines no series recognised."""
from __future__ import annotations

from sqlalchemy import select

from planner.allocation import services
from planner.allocation.models import AllocationResult
from planner.allocation.services.inputs import load_companies
from tests.allocation.conftest import apply, closed_offer, company_with_user
from tests.factories import make_exhibition


def _first_timer_points(db, programme) -> dict[int, float]:
    run = services.run_allocation(programme, actor=None, dry_run=True)
    return {app_id: breakdown["first_time_at_exhibition"] for app_id, breakdown in db.session.execute(
        select(AllocationResult.application_id, AllocationResult.breakdown)
        .where(AllocationResult.run_id == run.id)).all()}


def test_a_series_chosen_on_the_profile_costs_the_first_timer_points_at_every_edition(db, programme):
    programme.criteria = {**(programme.criteria or {}), "first_time_at_exhibition": 20}
    eurosatory = closed_offer(programme, exhibition=make_exhibition(
        name="Eurosatory 2026", slug="eurosatory-2026", acronym="EUROSATORY"))
    dsei = closed_offer(programme, exhibition=make_exhibition(name="DSEI 2027", slug="dsei-2027", acronym="DSEI"))
    veteran, _u1 = company_with_user(size_class="small", past_shows=[
        {"series": "eurosatory", "year": 2024, "name": "Eurosatory", "name_ko": ""}])
    newcomer, _u2 = company_with_user(size_class="small", past_shows=[])
    at_eurosatory, at_dsei = apply(veteran, eurosatory, 1), apply(veteran, dsei, 2)
    new_at_eurosatory = apply(newcomer, eurosatory, 1)
    points = _first_timer_points(db, programme)
    assert points[at_eurosatory.id] == 0.0       # exhibited at the 2024 edition
    assert points[at_dsei.id] == 20.0            # never at DSEI
    assert points[new_at_eurosatory.id] == 20.0


def test_scoring_reads_chosen_series_and_keeps_reading_unrecognised_lines(db):
    company, _user = company_with_user(
        past_shows=[{"series": "idex", "year": None, "name": "IDEX", "name_ko": ""}],
        prior_exhibitions=["Milipol Qatar 2024"])
    facts = load_companies([company.id])[company.id]
    assert facts.prior_exhibitions == frozenset({"idex", "milipolqatar"})
