"""Blueprint "site": the home page, language switch, robots.txt and the health check."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from planner.catalogue import services as catalogue
from planner.extensions import db
from planner.i18n import LOCALE_COOKIE, is_safe_redirect
from planner.notifications import delivery

bp = Blueprint("site", __name__)


@bp.route("/")
def index() -> ResponseReturnValue:
    upcoming = catalogue.list_upcoming(limit=6)
    return render_template("site/index.html", upcoming=upcoming)


@bp.route("/language/<code>")
def language(code: str) -> ResponseReturnValue:
    target = request.args.get("next")
    response = redirect(target if target and is_safe_redirect(target) else url_for("site.index"))
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(LOCALE_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax",
                            httponly=True, secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


@bp.route("/healthz")
def healthz() -> ResponseReturnValue:
    """For monitors: 200 when the database answers and no mail has waited too long; 503 with
    what is wrong otherwise (a mail server or the send timer down costs companies places)."""
    try:
        db.session.execute(text("SELECT 1"))
        outbox = delivery.health()
    except Exception:  # any driver error means the database is unreachable
        # The 503 makes the unit of work roll the failed session back.
        return jsonify(status="error", database="unreachable"), 503
    body = {"status": "ok" if outbox.healthy else "degraded", "database": "ok",
            "outbox": {"waiting": outbox.waiting, "failed": outbox.failed,
                       "oldest_waiting_seconds": outbox.oldest_waiting_seconds,
                       "max_age_seconds": int(current_app.config["MAIL_HEALTH_MAX_AGE_MINUTES"] * 60)}}
    return jsonify(body), 200 if outbox.healthy else 503


@bp.route("/robots.txt")
def robots() -> ResponseReturnValue:
    # Public feeds stay crawlable; private token feeds say noindex in their own headers.
    body = "User-agent: *\nDisallow: /account/\nDisallow: /backoffice/\nDisallow: /my/\n"
    return Response(body, mimetype="text/plain")
