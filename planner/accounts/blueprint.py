"""The "accounts" blueprint object, on its own so route modules can import it without a cycle."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("accounts", __name__, url_prefix="/account")
