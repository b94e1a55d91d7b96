"""Blueprint "signups": programmes, applications and "my applications" (stub until issue 3)."""
from __future__ import annotations

from flask import Blueprint, abort
from flask.typing import ResponseReturnValue

bp = Blueprint("signups", __name__)


@bp.route("/programmes")
def programmes() -> ResponseReturnValue:
    abort(404)


@bp.route("/my/applications")
def my_applications() -> ResponseReturnValue:
    abort(404)


@bp.route("/offers/<int:offer_id>/apply/<kind>", methods=["GET", "POST"])
def apply(offer_id: int, kind: str) -> ResponseReturnValue:
    abort(404)
