"""The rule errors of allocation; each is a conflict with the current state (409)."""
from __future__ import annotations

from planner.errors import PlannerError


class AllocationError(PlannerError):
    status_code = 409


class PublishedAlready(AllocationError):
    pass


class WindowsOpen(AllocationError):
    pass


class NoRun(AllocationError):
    pass


class ConfirmationClosed(AllocationError):
    pass


class NotAllocated(AllocationError):
    pass


class CapacityFull(AllocationError):
    pass


class CapReached(AllocationError):
    pass


class ReasonRequired(AllocationError):
    pass


class RunChanged(AllocationError):
    pass


class NotPreviewed(AllocationError):
    pass


class NotYours(AllocationError):
    pass
