"""Imports every domain's models so metadata (and Alembic) sees the whole schema."""
from planner.accounts.models import Company, Invitation, Role, User  # noqa: F401
from planner.allocation.models import AllocationResult, AllocationRun  # noqa: F401
from planner.catalogue.models import Exhibition, ExhibitionSector, Offer, Programme  # noqa: F401
from planner.feeds.models import FeedToken  # noqa: F401
from planner.notifications.models import OutboxMessage  # noqa: F401
from planner.signups.models import Application, ApplicationEvent  # noqa: F401
from planner.outcomes.models import (Attendance, FollowUpEvent, FollowUpRequest,  # noqa: F401
                                     OutcomeSettings, ReportEvent, ResultsReport)
