"""What pages and mails call the after-show statuses and areas, in the reader's language."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from planner.outcomes.models import AttendanceStatus, FollowUpArea, FollowUpStatus, ReportStatus

LABELS: dict[str, object] = {
    AttendanceStatus.attended: _l("Attended"),
    AttendanceStatus.no_show: _l("No-show"),
    ReportStatus.draft: _l("Draft"),
    ReportStatus.submitted: _l("Submitted"),
    FollowUpArea.export_licence: _l("Export licence"),
    FollowUpArea.technology_transfer: _l("Technology transfer or IP"),
    FollowUpArea.export_finance: _l("Export finance or guarantees"),
    FollowUpArea.partner_introductions: _l("Partner introductions"),
    FollowUpStatus.open: _l("Open"),
    FollowUpStatus.in_progress: _l("In progress"),
    FollowUpStatus.closed: _l("Closed"),
    "signed": _l("Signed"),
    "expected": _l("Expected"),
    "missing": _l("Not filed"),
    "saved": _l("Draft saved"),
    "amended": _l("Amended by the agency"),
    "requested": _l("Report requested"),
}


def label(value: object) -> str:
    """The label of a status, area or report action; unknown values show as they are."""
    return str(LABELS.get(str(value), value))
