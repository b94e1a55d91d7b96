"""Priority points of an application under a programme's published criteria (allocation rule 1),
and the programme's eligibility gates that come before any scoring."""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# The gates' reasons are kept in the one registry of audit reasons (stored in English,
# translated when shown); re-exported here for the callers of check_eligibility.
from planner.signups.reasons import (
    ELIGIBILITY_REASONS,
    INELIGIBLE_ATTESTATION,
    INELIGIBLE_OTHER_FUNDING,
    INELIGIBLE_PROFILE,
    INELIGIBLE_SIZE_CLASS,
)

__all__ = ["CRITERIA_CODES", "ELIGIBILITY_REASONS", "INELIGIBLE_ATTESTATION", "INELIGIBLE_OTHER_FUNDING",
           "INELIGIBLE_PROFILE", "INELIGIBLE_SIZE_CLASS", "Facts", "Score", "check_eligibility", "score"]

# The order in which a breakdown lists the criteria, on pages and in exports alike.
CRITERIA_CODES: tuple[str, ...] = (
    "size_class",
    "first_time_at_exhibition",
    "no_subsidy_last_year",
    "sector_fit",
    "export_readiness",
    "no_show_penalty",
)


@dataclass(frozen=True)
class Facts:
    """What the criteria look at, for one application (company profile plus exhibition)."""

    size_class: str                 # "small" | "medium" | "middle-market" | "large"
    first_time_at_exhibition: bool  # the company never exhibited at this show before
    subsidised_last_year: bool      # held a subsidised place in the previous programme year
    sector_fit: bool                # the company's sectors overlap the exhibition's sectors
    export_ready: bool              # defence export record, or exhibits' licences granted/not needed
    no_shows: int                   # past no-shows


@dataclass(frozen=True)
class Score:
    total: float
    # (criterion code, points) in CRITERIA_CODES order, zeros included, so every company sees
    # the same lines whatever it scored.
    breakdown: tuple[tuple[str, float], ...]

    def as_dict(self) -> dict[str, float]:
        return dict(self.breakdown)


def _points(criteria: Mapping[str, Any], code: str) -> float:
    value = criteria.get(code, 0)
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"criterion {code!r} must be a number of points, not {value!r}")
    return float(value)


def score(criteria: Mapping[str, Any], facts: Facts) -> Score:
    """Priority of one application: the sum of the published points it earns.

    `criteria` is a programme's `criteria` (see catalogue.models.default_criteria): a mapping of
    size class to points under "size_class", points per criterion otherwise; a missing key
    counts 0. "no_show_penalty" is subtracted once per past no-show whatever its stored sign.
    Raises ValueError for points that are not numbers or a negative no-show count.
    """
    if facts.no_shows < 0:
        raise ValueError("no_shows cannot be negative")
    by_size = criteria.get("size_class") or {}
    if not isinstance(by_size, Mapping):
        raise ValueError("criterion 'size_class' must map size classes to points")
    size_points = _points(by_size, facts.size_class)
    penalty = -abs(_points(criteria, "no_show_penalty")) * facts.no_shows
    earned = {
        "size_class": size_points,
        "first_time_at_exhibition": _points(criteria, "first_time_at_exhibition")
        if facts.first_time_at_exhibition else 0.0,
        "no_subsidy_last_year": _points(criteria, "no_subsidy_last_year")
        if not facts.subsidised_last_year else 0.0,
        "sector_fit": _points(criteria, "sector_fit") if facts.sector_fit else 0.0,
        "export_readiness": _points(criteria, "export_readiness") if facts.export_ready else 0.0,
        # 0.0 rather than -0.0 when there is no no-show, so the breakdown never shows "-0".
        "no_show_penalty": penalty + 0.0,
    }
    breakdown = tuple((code, earned[code]) for code in CRITERIA_CODES)
    # fsum is correctly rounded, so the total does not depend on the order of the criteria.
    return Score(total=math.fsum(points for _, points in breakdown), breakdown=breakdown)


def check_eligibility(*, size_class: str, eligible_size_classes: Sequence[str], profile_complete: bool,
                      attested: bool, other_public_funding: bool) -> str | None:
    """The first programme gate an application fails, as a reason for its company, or None.

    Eligibility comes before scoring: an ineligible application is neither scored nor matched.
    The reason is an untranslated msgid (one of ELIGIBILITY_REASONS): pass it through gettext.
    """
    if size_class not in {str(s) for s in eligible_size_classes}:
        return INELIGIBLE_SIZE_CLASS
    if not profile_complete:
        return INELIGIBLE_PROFILE
    if not attested:
        return INELIGIBLE_ATTESTATION
    if other_public_funding:
        return INELIGIBLE_OTHER_FUNDING
    return None
