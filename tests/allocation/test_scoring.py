"""Priority points with their breakdown (allocation rule 1) and the eligibility gates."""
import math
from dataclasses import replace

import pytest

from planner.allocation.scoring import (
    CRITERIA_CODES,
    ELIGIBILITY_REASONS,
    INELIGIBLE_ATTESTATION,
    INELIGIBLE_OTHER_FUNDING,
    INELIGIBLE_PROFILE,
    INELIGIBLE_SIZE_CLASS,
    Facts,
    check_eligibility,
    score,
)
from planner.catalogue.models import default_criteria

NOTHING = Facts(size_class="large", first_time_at_exhibition=False, subsidised_last_year=True,
                sector_fit=False, export_ready=False, no_shows=0)
EVERYTHING = Facts(size_class="small", first_time_at_exhibition=True, subsidised_last_year=False,
                   sector_fit=True, export_ready=True, no_shows=0)


def facts(**changes) -> Facts:
    return replace(NOTHING, **changes)


def test_breakdown_lists_every_criterion_in_the_fixed_order_with_zeros():
    result = score(default_criteria(), NOTHING)
    assert [code for code, _ in result.breakdown] == list(CRITERIA_CODES)
    assert CRITERIA_CODES == ("size_class", "first_time_at_exhibition", "no_subsidy_last_year",
                              "sector_fit", "export_readiness", "no_show_penalty")
    assert result.total == 0
    assert all(points == 0 for _, points in result.breakdown)


def test_a_small_first_timer_meeting_every_criterion_gets_all_points():
    result = score(default_criteria(), EVERYTHING)
    assert result.as_dict() == {"size_class": 30, "first_time_at_exhibition": 20, "no_subsidy_last_year": 15,
                                "sector_fit": 10, "export_readiness": 15, "no_show_penalty": 0}
    assert result.total == 90


@pytest.mark.parametrize(("changes", "code", "points"), [
    ({"size_class": "small"}, "size_class", 30),
    ({"size_class": "medium"}, "size_class", 20),
    ({"size_class": "middle-market"}, "size_class", 5),
    ({"first_time_at_exhibition": True}, "first_time_at_exhibition", 20),
    ({"subsidised_last_year": False}, "no_subsidy_last_year", 15),
    ({"sector_fit": True}, "sector_fit", 10),
    ({"export_ready": True}, "export_readiness", 15),
    ({"no_shows": 1}, "no_show_penalty", -25),
])
def test_each_criterion_earns_its_published_points(changes, code, points):
    result = score(default_criteria(), facts(**changes))
    assert result.as_dict()[code] == points
    assert result.total == points


def test_no_show_penalty_applies_once_per_no_show():
    assert score(default_criteria(), replace(EVERYTHING, no_shows=3)).total == 90 - 75
    assert score({"no_show_penalty": -25}, facts(no_shows=2)).as_dict()["no_show_penalty"] == -50


def test_penalty_stored_without_its_minus_sign_still_subtracts():
    assert score({"no_show_penalty": 25}, facts(no_shows=2)).total == -50


def test_missing_criteria_count_zero():
    result = score({"sector_fit": 10}, EVERYTHING)
    assert result.total == 10
    assert [code for code, _ in result.breakdown] == list(CRITERIA_CODES)
    assert score({}, EVERYTHING).total == 0
    assert score({"size_class": {"medium": 20}}, EVERYTHING).total == 0


def test_breakdown_sums_to_total_with_fractional_points():
    criteria = {"size_class": {"small": 0.1}, "first_time_at_exhibition": 0.2, "no_subsidy_last_year": 0.3,
                "sector_fit": 2.5, "export_readiness": 1e-9, "no_show_penalty": -0.7}
    result = score(criteria, Facts(size_class="small", first_time_at_exhibition=True, subsidised_last_year=False,
                                   sector_fit=True, export_ready=True, no_shows=1))
    assert result.total == math.fsum(points for _, points in result.breakdown)
    assert result.total == pytest.approx(0.1 + 0.2 + 0.3 + 2.5 + 1e-9 - 0.7)


def test_malformed_points_are_refused():
    with pytest.raises(ValueError):
        score({"sector_fit": "ten"}, EVERYTHING)
    with pytest.raises(ValueError):
        score({"size_class": 30}, EVERYTHING)
    with pytest.raises(ValueError):
        score(default_criteria(), facts(no_shows=-1))


def eligibility(**changes):
    values = {"size_class": "small", "eligible_size_classes": ["small", "medium"], "profile_complete": True,
              "attested": True, "other_public_funding": False}
    return check_eligibility(**{**values, **changes})


def test_an_application_passing_every_gate_is_eligible():
    assert eligibility() is None


@pytest.mark.parametrize(("changes", "reason"), [
    ({"size_class": "large"}, INELIGIBLE_SIZE_CLASS),
    ({"profile_complete": False}, INELIGIBLE_PROFILE),
    ({"attested": False}, INELIGIBLE_ATTESTATION),
    ({"other_public_funding": True}, INELIGIBLE_OTHER_FUNDING),
])
def test_each_failed_gate_gives_its_reason(changes, reason):
    assert eligibility(**changes) == reason
    assert reason in ELIGIBILITY_REASONS


def test_the_size_class_gate_is_reported_first():
    assert eligibility(size_class="large", profile_complete=False, attested=False,
                       other_public_funding=True) == INELIGIBLE_SIZE_CLASS


def test_reasons_are_distinct_english_sentences():
    assert len(set(ELIGIBILITY_REASONS)) == 4
    assert all(reason.endswith(".") and reason[0].isupper() for reason in ELIGIBILITY_REASONS)
