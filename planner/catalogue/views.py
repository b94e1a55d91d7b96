"""Blueprint "catalogue": the public list, timeline and page of each exhibition."""
from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask.typing import ResponseReturnValue

bp = Blueprint("catalogue", __name__)


@bp.route("/exhibitions")
def index() -> ResponseReturnValue:
    return render_template("catalogue/index.html")


@bp.route("/exhibitions/timeline")
def timeline() -> ResponseReturnValue:
    abort(404)


@bp.route("/exhibitions/<slug>")
def detail(slug: str) -> ResponseReturnValue:
    abort(404)
