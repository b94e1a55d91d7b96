"""The after-show rules' errors, each with the HTTP status its views answer."""
from __future__ import annotations

from planner.errors import Conflict, Forbidden, NotFound, PlannerError


class OutcomeError(PlannerError):
    """Input that breaks an after-show rule (400)."""


class ShowNotEnded(OutcomeError, Forbidden):
    status_code = 403


class NoPlaceHeld(OutcomeError, NotFound):
    status_code = 404


class StaleChange(OutcomeError, Conflict):
    """Someone changed the record since it was loaded: a lost compare-and-set (409)."""

    status_code = 409
