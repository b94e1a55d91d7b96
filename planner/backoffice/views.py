"""Blueprint "backoffice": coordinator pages; every view requires a staff role.

Route modules (catalogue.py, programmes.py, ...) attach their views to `bp`; they are
imported at the bottom so the blueprint exists first.
"""
from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from planner.extensions import login_manager

bp = Blueprint("backoffice", __name__, url_prefix="/backoffice")


@bp.before_request
def require_staff() -> ResponseReturnValue | None:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.is_staff:
        abort(403)
    return None


@bp.route("/")
def index() -> ResponseReturnValue:
    return render_template("backoffice/index.html")


from planner.backoffice import catalogue  # noqa: E402,F401  (attaches routes to bp)
from planner.backoffice import applications, programmes  # noqa: E402,F401  (attach routes to bp)
