"""The account's signed-in browsers: the list, ending one, and "log out everywhere"; and the
hook that notes when and from where each session was last seen."""
from __future__ import annotations

import hashlib

from flask import Flask, Response, flash, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, logout_user

from planner.accounts import services
from planner.accounts.blueprint import bp
from planner.accounts.models import LoginSession
from planner.forms import CsrfForm
from planner.i18n import _


def handle(login_session: LoginSession) -> str:
    # The page names a session by a digest of its id: the id itself never appears in HTML.
    return hashlib.sha256(login_session.id.encode()).hexdigest()[:16]


@bp.route("/sessions")
@login_required
def sessions() -> ResponseReturnValue:
    return render_template("accounts/sessions.html", sessions=services.list_sessions(current_user),
                           current_id=getattr(current_user, "login_session_id", None), handle=handle,
                           form=CsrfForm())


@bp.route("/sessions/<handle_>/end", methods=["POST"])
@login_required
def end_session(handle_: str) -> ResponseReturnValue:
    if CsrfForm().validate_on_submit():
        for login_session in services.list_sessions(current_user):
            if handle(login_session) == handle_:
                current = login_session.id == getattr(current_user, "login_session_id", None)
                services.end_session(current_user, login_session.id)
                if current:
                    return _logged_out()
                flash(_("That browser is logged out."), "info")
    return redirect(url_for("accounts.sessions"), 303)


@bp.route("/sessions/end-all", methods=["POST"])
@login_required
def end_all_sessions() -> ResponseReturnValue:
    if not CsrfForm().validate_on_submit():
        return redirect(url_for("accounts.sessions"), 303)
    services.end_all_sessions(current_user)
    return _logged_out(_("You are logged out everywhere."))


def _logged_out(message: str | None = None) -> ResponseReturnValue:
    session.clear()
    logout_user()
    flash(message or _("You are logged out."), "info")
    return redirect(url_for("site.index"), 303)


def track_login_sessions(app: Flask) -> None:
    """Registered after the unit of work, so it runs before the commit."""
    @app.after_request
    def note_last_seen(response: Response) -> Response:
        # Only when the request loaded the user anyway: a feed or a public page stays a read.
        user = g.get("_login_user")
        login_session_id = getattr(user, "login_session_id", None)
        if user is not None and user.is_authenticated and login_session_id and response.status_code < 400:
            services.touch_session(login_session_id, ip=request.remote_addr or "")
        return response
