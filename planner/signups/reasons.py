"""The one registry of the reasons the system writes into an application's audit trail and
results (sign-ups, allocation, eligibility gates), and `describe_reason`, how every page shows them.

They are stored in English, so the record reads the same for everyone, and translated when
shown; a person's own reason (a coordinator's override or ineligibility) is shown as written.
"""
from __future__ import annotations

from planner.i18n import N_, _

# Sign-ups.
SUBMITTED = N_("Application submitted.")
CONFIRMED_ON_SUBMISSION = N_("Confirmed on submission: a first-come place was free.")
WAITLISTED_FULL = N_("All first-come places were taken: waitlisted.")
WITHDRAWN_BEFORE_DEADLINE = N_("Withdrawn by the company.")
PROMOTED_FIRST_COME = N_("A first-come place was freed: promoted from the waitlist.")
PROMOTED_CONFIRMED = N_("Confirmed like every first-come place.")

# Allocation.
PUBLISHED_ALLOCATED = N_("allocation run published")
PUBLISHED_WAITLISTED = N_("allocation run published: waitlisted")
CONFIRMED = N_("confirmed by the company")
DECLINED = N_("declined by the company")
WITHDRAWN = N_("withdrawn by the company")
EXPIRED = N_("confirmation window passed")
PROMOTED = N_("promoted from the waitlist")

# The programme's eligibility gates, checked before any scoring (allocation rule 1).
INELIGIBLE_SIZE_CLASS = N_("This programme does not subsidise companies of your size class.")
INELIGIBLE_PROFILE = N_("Your company profile is incomplete. Complete it before the allocation.")
INELIGIBLE_ATTESTATION = N_("The export-control attestation has not been given.")
INELIGIBLE_OTHER_FUNDING = N_("The same costs are already covered by other public funding.")
ELIGIBILITY_REASONS: tuple[str, ...] = (
    INELIGIBLE_SIZE_CLASS, INELIGIBLE_PROFILE, INELIGIBLE_ATTESTATION, INELIGIBLE_OTHER_FUNDING)

SYSTEM_REASONS: frozenset[str] = frozenset({
    SUBMITTED, CONFIRMED_ON_SUBMISSION, WAITLISTED_FULL, WITHDRAWN_BEFORE_DEADLINE,
    PROMOTED_FIRST_COME, PROMOTED_CONFIRMED, PUBLISHED_ALLOCATED, PUBLISHED_WAITLISTED, CONFIRMED,
    DECLINED, WITHDRAWN, EXPIRED, PROMOTED, *ELIGIBILITY_REASONS})


def describe_reason(reason: str | None) -> str:
    """A reason for display: the system's own in the reader's language, people's exactly as
    written (never %-formatted: a coordinator's reason may well contain a "%")."""
    if not reason:
        return ""
    return _(reason) if reason in SYSTEM_REASONS else reason
