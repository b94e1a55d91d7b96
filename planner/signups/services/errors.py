"""The rule errors of applications, each with the HTTP status its views answer."""
from __future__ import annotations

from planner.errors import Conflict, PlannerError
from planner.signups.models import Application, ApplicationStatus


class SignupError(PlannerError):
    pass


class TransitionNotAllowed(SignupError):
    status_code = 409


class StatusChanged(SignupError, Conflict):
    """The application's status changed after it was read (a second click, another tab, a
    coordinator): nothing was changed; `current` is the status it has now."""

    status_code = 409

    def __init__(self, message: str, current: ApplicationStatus | None) -> None:
        super().__init__(message)
        self.current = current


class WindowClosed(SignupError):
    status_code = 403


class DuplicateApplication(SignupError):
    """The company already applied for this offer and kind; `existing` is that application."""

    status_code = 409

    def __init__(self, message: str, existing: Application) -> None:
        super().__init__(message)
        self.existing = existing


class NotEligible(SignupError):
    pass


class PlaceNotOffered(SignupError):
    pass


class InvalidAnswers(SignupError):
    pass


class NotEditable(SignupError):
    status_code = 403


class RankError(SignupError):
    """A rank change that does not fit the company's current ranked applications."""

    status_code = 409


class StaleOrder(RankError):
    """A rank move made on a page showing an order that has changed since (second click, back
    button, another tab)."""
