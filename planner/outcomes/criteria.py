"""Selection that learns: the points a programme's published past-results criteria give a
company, from what the records say about its earlier shows. Pure: allocation's scoring adds
these lines to an application's breakdown like every other criterion."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# The order the breakdown lists them in, after allocation's own criteria.
PAST_RESULT_CODES: tuple[str, ...] = ("past_no_show", "report_on_time", "report_late_or_missing",
                                      "contracts_reported")


@dataclass(frozen=True)
class PastResults:
    """One company's record at shows that ended before a date."""

    attended: int = 0
    no_shows: int = 0
    reports_on_time: int = 0
    reports_late_or_missing: int = 0
    contracts_reported: int = 0


def criterion_points(criteria: Mapping[str, Any], code: str) -> float:
    """The points a programme publishes for one criterion (0 when it publishes none)."""
    value = criteria.get(code, 0)
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"criterion {code!r} must be a number of points, not {value!r}")
    return float(value)


def past_result_points(past: PastResults, criteria: Mapping[str, Any]) -> tuple[tuple[str, float], ...]:
    """(criterion code, points) for each past-results criterion, in PAST_RESULT_CODES order,
    zeros included. The published rules:

    - "past_no_show": subtracted once per recorded no-show, whatever its stored sign;
    - "report_on_time": earned once when every report due was filed on time (at least one);
    - "report_late_or_missing": subtracted once per report filed late or not at all;
    - "contracts_reported": earned once when the company reported at least one signed contract.

    A criterion the programme does not publish counts 0. Allocation's older "no_show_penalty"
    reads the company's no-show count, which recorded attendance keeps up to date: a programme
    publishes one of the two, or no-shows count twice.
    Raises ValueError for points that are not numbers, or negative counts.
    """
    if min(past.attended, past.no_shows, past.reports_on_time, past.reports_late_or_missing,
           past.contracts_reported) < 0:
        raise ValueError("past results cannot be negative")
    published = {code: criterion_points(criteria, code) for code in PAST_RESULT_CODES}
    earned = {
        "past_no_show": -abs(published["past_no_show"]) * past.no_shows,
        "report_on_time": published["report_on_time"]
        if past.reports_on_time > 0 and past.reports_late_or_missing == 0 else 0.0,
        "report_late_or_missing": -abs(published["report_late_or_missing"]) * past.reports_late_or_missing,
        "contracts_reported": published["contracts_reported"] if past.contracts_reported > 0 else 0.0,
    }
    # + 0.0 turns -0.0 into 0.0, so a breakdown never shows "-0".
    return tuple((code, earned[code] + 0.0) for code in PAST_RESULT_CODES)
