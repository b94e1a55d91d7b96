"""Extension objects, created unbound so any module can import them without a cycle."""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask, current_app
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from planner.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Limits are declared per view (login, sign-up, password reset); nothing is limited by default.
limiter = Limiter(key_func=get_remote_address, default_limits=[])


if TYPE_CHECKING:
    from redis import Redis


def init_redis(app: Flask) -> None:
    """Build the one Redis client of the app (REDIS_URL), or none: every user of Redis has an
    in-process fallback so a fresh checkout runs without it."""
    client = None
    if app.config["REDIS_URL"]:
        import redis as redis_lib
        # A short timeout: a slow Redis must not hold every worker (callers fall back).
        client = redis_lib.Redis.from_url(app.config["REDIS_URL"], socket_timeout=0.5)
    app.extensions["planner_redis"] = client


def redis_client() -> Redis | None:
    client: Redis | None = current_app.extensions.get("planner_redis")
    return client
