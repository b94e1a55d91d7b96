"""PlannerError, the base of every domain's rule errors, and the HTTP error pages."""
from __future__ import annotations

import math
import time

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException, InternalServerError, default_exceptions


class PlannerError(Exception):
    """A broken business rule; its message is fit to show to users.

    `status_code` is the HTTP answer when the error reaches a view: 400 for bad input, 403 for
    a rule that forbids the action, 404 for an object that is not there for this user, 409 for
    a conflict with the current state. Raising one dooms the request's unit of work: whatever
    the view then returns, nothing the request wrote is committed (planner.unit_of_work).
    """

    status_code: int = 400

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        from planner.unit_of_work import mark_failed
        mark_failed()


class Forbidden(PlannerError):
    status_code = 403


class NotFound(PlannerError):
    status_code = 404


class Conflict(PlannerError):
    status_code = 409


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> ResponseReturnValue:
        code = exc.code or 500
        if _wants_json():
            response = jsonify(error=exc.name, message=exc.description, status=code)
            response.status_code = code
            if code == 405 and getattr(exc, "valid_methods", None):
                response.headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
            return response
        template = {403: "errors/403.html", 404: "errors/404.html", 429: "errors/429.html"}.get(
            code, "errors/generic.html")
        wait_minutes = _minutes_until_retry() if code == 429 else None
        response = app.make_response((render_template(template, error=exc, wait_minutes=wait_minutes), code))
        if code == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        if code == 429:
            response.headers.setdefault("Retry-After", "60")
        return response

    @app.errorhandler(PlannerError)
    def planner_error(exc: PlannerError) -> ResponseReturnValue:
        # A rule error no view caught: the unit of work rolls back; the user reads why.
        code = exc.status_code
        if _wants_json():
            return jsonify(error=type(exc).__name__, message=str(exc), status=code), code
        page_error = default_exceptions.get(code, InternalServerError)(description=str(exc))
        return render_template("errors/generic.html", error=page_error), code

    @app.errorhandler(500)
    def server_error(exc: Exception) -> ResponseReturnValue:
        if _wants_json():
            return jsonify(error="Internal Server Error", status=500), 500
        return render_template("errors/500.html"), 500


def _minutes_until_retry() -> int | None:
    """Whole minutes until the breached rate limit lets the client try again (sign-up and
    password reset count per hour, login per minute)."""
    from planner.extensions import limiter
    try:
        current = limiter.current_limit
        if current is None:
            return None
        # reset_at is rounded up to the next second; a fresh hourly window reads as 60 minutes.
        return max(1, math.ceil((current.reset_at - 1 - time.time()) / 60))
    except Exception:  # noqa: BLE001 - storage trouble must not turn a 429 into a 500
        return None
