"""Blueprint "backoffice": the route modules (dashboards.py, catalogue.py, programmes.py, announcements.py,
applications.py, companies.py, staff.py, payments.py, participants.py, outbox.py) attach the pages to the one
blueprint (blueprint.py). Every /backoffice URL is staff-only through access.require_staff, which the app factory registers."""
from __future__ import annotations

from typing import Any

from planner.backoffice import (
    announcements,
    applications,
    catalogue,
    companies,
    dashboards,
    outbox,
    participants,
    payments,
    programmes,
    staff,
)
from planner.backoffice.access import require_staff
from planner.backoffice.blueprint import bp
from planner.backoffice.forms import ACCOUNT_EVENT_LABELS, STATUS_LABELS

# The route modules register their views on `bp` when imported.
ROUTE_MODULES = (announcements, applications, catalogue, companies, dashboards, outbox, participants, payments,
                 programmes, staff)

# The app factory registers `require_staff` for the whole app: /backoffice URLs of other
# blueprints (allocation, feeds) are behind it too.
__all__ = ["bp", "require_staff"]


@bp.context_processor
def status_labels() -> dict[str, Any]:
    return {"application_status_label": lambda status: STATUS_LABELS.get(status, status),
            "account_event_label": lambda action: ACCOUNT_EVENT_LABELS.get(action, action)}
