"""Blueprint "feeds": public and private iCalendar feeds (stub until issue 5)."""
from __future__ import annotations

from flask import Blueprint, abort
from flask.typing import ResponseReturnValue

bp = Blueprint("feeds", __name__)


@bp.route("/calendar/exhibitions.ics")
def exhibitions_feed() -> ResponseReturnValue:
    abort(404)
