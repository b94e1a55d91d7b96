"""The reasons the allocation writes into the audit trail and its results, and how pages show them.

They are stored in English, so the record reads the same for everyone, and translated when shown;
a coordinator's own reason (an override, an ineligibility) is shown exactly as written.
"""
from __future__ import annotations

from flask_babel import gettext

from planner.allocation.scoring import ELIGIBILITY_REASONS
from planner.signups.services import N_, describe_reason as describe_signup_reason

PUBLISHED_ALLOCATED = N_("allocation run published")
PUBLISHED_WAITLISTED = N_("allocation run published: waitlisted")
CONFIRMED = N_("confirmed by the company")
DECLINED = N_("declined by the company")
WITHDRAWN = N_("withdrawn by the company")
EXPIRED = N_("confirmation window passed")
PROMOTED = N_("promoted from the waitlist")

ALLOCATION_REASONS = frozenset({PUBLISHED_ALLOCATED, PUBLISHED_WAITLISTED, CONFIRMED, DECLINED,
                                WITHDRAWN, EXPIRED, PROMOTED, *ELIGIBILITY_REASONS})


def describe_reason(reason: str | None) -> str:
    """A reason for display: the system's own in the viewer's language, people's as written.

    Plain gettext, not the templates' `_()`: that one %-formats its result, and a coordinator's
    reason may well contain a "%"."""
    if reason in ALLOCATION_REASONS:
        return gettext(reason)
    return describe_signup_reason(reason)
