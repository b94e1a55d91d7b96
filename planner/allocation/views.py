"""Blueprint "allocation": preview, publish, results (stub until issue 4)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("allocation", __name__)
