"""The accounts domain's rule errors; views show their message with their status_code."""
from __future__ import annotations

from planner.errors import PlannerError


class AccountError(PlannerError):
    pass


class EmailNotVerified(AccountError):
    pass


class InvitationNotFound(AccountError):
    """An invitation that is not (or no longer) there for this company."""

    status_code = 404


class TokenInvalid(AccountError):
    """A link that is expired, already used or tampered with; `reason` says which."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason
