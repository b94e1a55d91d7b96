"""The one staff check of the back office: every /backoffice URL, whichever blueprint serves it
(backoffice, allocation, feeds), is refused to anyone who is not staff. The app factory
registers it before every request, so no view added there can forget it; views that need an
administrator check that role themselves."""
from __future__ import annotations

from flask import abort, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from planner.extensions import login_manager

PREFIX = "/backoffice"


def is_backoffice_path(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def require_staff() -> ResponseReturnValue | None:
    """Anonymous visitors go to the login page, logged-in non-staff get 403."""
    if not is_backoffice_path(request.path):
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.is_staff:
        abort(403)
    return None
