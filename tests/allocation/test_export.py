"""The allocation export of DOMAIN.md: keys, types, waitlist positions, every ranked slot."""
from __future__ import annotations

import json

import pytest

from planner.allocation import services
from planner.allocation.export import export_programme
from planner.catalogue.models import OfferMode
from planner.signups.models import ApplicationStatus as S
from planner.signups.models import PlaceKind
from planner.signups.services import change_status
from tests.allocation.conftest import apply, closed_offer, company_with_user


@pytest.fixture
def exported(db, programme):
    a = closed_offer(programme, booth_capacity=1, delegation_capacity=0)
    first_come = closed_offer(programme, mode=OfferMode.first_come)
    companies = [company_with_user(size_class=s)[0] for s in ("small", "medium", "middle-market")]
    apps = [apply(c, a, 1) for c in companies]
    delegation = apply(companies[0], a, 2, kind=PlaceKind.delegation)
    apply(companies[1], first_come, 2)
    withdrawn = apply(company_with_user()[0], a, 1)
    change_status(withdrawn, S.withdrawn, actor=None)
    ineligible = apply(company_with_user(size_class="large")[0], a, 1)
    run = services.run_allocation(programme, actor=None, dry_run=True, seed="export-seed")
    return dict(data=export_programme(programme), offer=a, apps=apps, delegation=delegation,
                withdrawn=withdrawn, ineligible=ineligible, run=run)


def test_export_has_the_contract_keys_and_types(exported, programme):
    data = exported["data"]
    assert set(data) == {"programme", "cap_per_company", "seed", "slots", "applications"}
    assert data["programme"] == programme.slug and data["seed"] == "export-seed"
    assert data["cap_per_company"] == 1
    for row in data["applications"]:
        assert set(row) == {"id", "company", "exhibition", "kind", "preference", "priority",
                            "tiebreak", "status", "waitlist_position"}
        assert isinstance(row["id"], str) and isinstance(row["company"], str)
        assert isinstance(row["priority"], float) and isinstance(row["tiebreak"], float)
        assert isinstance(row["preference"], int)


def test_export_lists_every_ranked_slot_with_capacity_zero_and_leaves_out_first_come(exported):
    slug = exported["offer"].exhibition.slug
    assert exported["data"]["slots"] == [{"exhibition": slug, "kind": "booth", "capacity": 1},
                                         {"exhibition": slug, "kind": "delegation", "capacity": 0}]
    exported_ids = {row["id"] for row in exported["data"]["applications"]}
    assert len(exported_ids) == 6  # 3 booth + 1 delegation + withdrawn + ineligible, no first-come


def test_export_statuses_and_waitlist_positions(exported):
    rows = {row["id"]: row for row in exported["data"]["applications"]}
    small, medium, middle = (rows[str(a.id)] for a in exported["apps"])
    assert (small["status"], small["waitlist_position"]) == ("allocated", None)
    assert (medium["status"], medium["waitlist_position"]) == ("waitlisted", 1)
    assert (middle["status"], middle["waitlist_position"]) == ("waitlisted", 2)
    assert rows[str(exported["delegation"].id)]["waitlist_position"] == 1
    assert rows[str(exported["withdrawn"].id)]["status"] == "withdrawn"
    assert rows[str(exported["ineligible"].id)]["status"] == "ineligible"
    assert rows[str(exported["ineligible"].id)]["waitlist_position"] is None


def test_priorities_and_tiebreaks_round_trip_json_at_full_precision(exported):
    from planner.allocation.lottery import tiebreak
    again = json.loads(json.dumps(exported["data"]))
    for row in again["applications"]:
        assert row["tiebreak"] == tiebreak("export-seed", row["id"])
    assert again == exported["data"]


def test_export_follows_the_published_run_over_later_dry_runs(db, programme):
    offer = closed_offer(programme)
    apply(company_with_user()[0], offer, 1)
    services.run_allocation(programme, actor=None, dry_run=True, seed="dry")
    published = services.run_allocation(programme, actor=None, dry_run=False)
    assert export_programme(programme)["seed"] == published.seed != "dry"


def test_export_without_a_run_is_a_clear_error(db, programme):
    with pytest.raises(services.NoRun, match="no allocation run"):
        export_programme(programme)


@pytest.mark.parametrize("current", [False, True])
def test_export_lists_a_result_whose_application_names_another_programme(db, programme, current):
    # Applications carry their programme twice (offer and programme_id); the export reads them
    # by programme, and must not drop a result whose copy disagrees.
    from tests.factories import make_programme
    offer = closed_offer(programme)
    app = apply(company_with_user()[0], offer, 1)
    services.run_allocation(programme, actor=None, dry_run=True, seed="s")
    before = export_programme(programme, current=current)
    app.programme_id = make_programme().id
    db.session.flush()
    assert export_programme(programme, current=current) == before
    assert [row["id"] for row in before["applications"]] == [str(app.id)]
