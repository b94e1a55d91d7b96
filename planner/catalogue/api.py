"""Blueprint "catalogue_api": the JSON API under /api/v1 and its OpenAPI description."""
from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

bp = Blueprint("catalogue_api", __name__, url_prefix="/api/v1")


@bp.route("/")
def docs() -> ResponseReturnValue:
    return jsonify(openapi="/api/v1/openapi.json")
