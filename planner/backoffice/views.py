"""Blueprint "backoffice": the coordinators' dashboard here; catalogue.py, programmes.py,
applications.py, companies.py and staff.py attach the other pages to the same blueprint (blueprint.py). Every
/backoffice URL is staff-only through access.require_staff, which the app factory registers."""
from __future__ import annotations

from typing import Any

from flask import render_template
from flask.typing import ResponseReturnValue

from planner.backoffice import applications, catalogue, companies, outbox, programmes, services, staff
from planner.backoffice.access import require_staff
from planner.backoffice.blueprint import bp
from planner.backoffice.forms import ACCOUNT_EVENT_LABELS, STATUS_LABELS
from planner.db import utcnow

# The route modules register their views on `bp` when imported.
ROUTE_MODULES = (applications, catalogue, companies, outbox, programmes, staff)

# The app factory registers `require_staff` for the whole app: /backoffice URLs of other
# blueprints (allocation, feeds) are behind it too.
__all__ = ["bp", "require_staff"]


@bp.context_processor
def status_labels() -> dict[str, Any]:
    return {"application_status_label": lambda status: STATUS_LABELS.get(status, status),
            "account_event_label": lambda action: ACCOUNT_EVENT_LABELS.get(action, action)}


@bp.route("/")
def index() -> ResponseReturnValue:
    return render_template("backoffice/index.html", board=services.dashboard(now=utcnow()))
