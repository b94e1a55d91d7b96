"""Settings read from the environment, with defaults that let a fresh checkout run."""
from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from planner.resources import resource_dir

DEV_SECRET_KEY = "dev-only-not-secret"


def _database_url(app: Flask) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return "sqlite:///" + os.path.join(app.instance_path, "planner.sqlite")
    # Heroku-style URLs say postgres://, which SQLAlchemy 2 no longer accepts.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def load_config(app: Flask, overrides: Mapping[str, Any] | None = None) -> None:
    os.makedirs(app.instance_path, exist_ok=True)
    env = os.environ.get
    app.config.update(
        SECRET_KEY=env("SECRET_KEY", DEV_SECRET_KEY),
        SQLALCHEMY_DATABASE_URI=_database_url(app),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        SITE_URL=env("SITE_URL", "http://localhost:5000").rstrip("/"),
        SMTP_URL=env("SMTP_URL", ""),
        MAIL_FROM=env("MAIL_FROM", "planner@localhost"),
        # Shown as the sender's name on every mail ("Exhibition Planner <planner@...>").
        MAIL_SENDER_NAME=env("MAIL_SENDER_NAME", "Exhibition Planner"),
        # Where the development transport writes .eml files; empty: <instance>/mail.
        MAIL_DIR=env("MAIL_DIR", ""),
        # Back-off between tries of a mail: doubling from the base up to the maximum (with
        # jitter); a mail still undelivered after MAIL_RETRY_HOURS counts as failed.
        MAIL_RETRY_BASE_SECONDS=float(env("MAIL_RETRY_BASE_SECONDS", "60")),
        MAIL_RETRY_MAX_SECONDS=float(env("MAIL_RETRY_MAX_SECONDS", "3600")),
        MAIL_RETRY_HOURS=float(env("MAIL_RETRY_HOURS", "48")),
        # /healthz turns degraded (503) when a mail has waited longer than this.
        MAIL_HEALTH_MAX_AGE_MINUTES=float(env("MAIL_HEALTH_MAX_AGE_MINUTES", "30")),
        REDIS_URL=env("REDIS_URL", ""),
        # Keys of the shared feed cache in Redis start with this, so sites can share a server.
        FEEDS_CACHE_PREFIX=env("FEEDS_CACHE_PREFIX", "planner:feeds:"),
        # Seconds a worker may trust the data version it last read (changes it commits itself
        # are seen at once); 0 reads it on every request.
        FEEDS_VERSION_MAX_AGE=float(env("FEEDS_VERSION_MAX_AGE", "0.5") or 0),
        # Rendered catalogue pages kept per worker until the catalogue changes.
        CATALOGUE_PAGE_CACHE=env("CATALOGUE_PAGE_CACHE", "1") != "0",
        # How many reverse proxies in front of the app set X-Forwarded-*: 0 trusts none, since
        # a client could otherwise forge its address (rate limits) and the host of our links.
        TRUSTED_PROXIES=int(env("TRUSTED_PROXIES", "0") or 0),
        # "text" (one readable line per record) or "json" (one JSON object per line, for a
        # log collector); LOG_LEVEL names the lowest level written (DEBUG, INFO, WARNING...).
        LOG_FORMAT=env("LOG_FORMAT", "text").strip().lower() or "text",
        LOG_LEVEL=env("LOG_LEVEL", "INFO").strip().upper() or "INFO",
        # Empty: no error reporting. Set: unhandled errors go to Sentry (pip install planner[sentry]).
        SENTRY_DSN=env("SENTRY_DSN", "").strip(),
        BABEL_DEFAULT_LOCALE="en",
        BABEL_DEFAULT_TIMEZONE="UTC",
        BABEL_TRANSLATION_DIRECTORIES=resource_dir("translations"),
        LANGUAGES=("en", "ko"),
        PAGE_SIZE=20,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        RATELIMIT_ENABLED=env("RATELIMIT_ENABLED", "1") != "0",
        # Coordinators and admins sign in with a code from an authenticator app as well as the
        # password (enrolling at their first sign-in); 0 switches the requirement off.
        STAFF_TWO_FACTOR=env("STAFF_TWO_FACTOR", "1") != "0",
        RATELIMIT_HEADERS_ENABLED=True,
        # A moving window: with fixed windows a guesser gets twice the limit across a boundary.
        RATELIMIT_STRATEGY="moving-window",
        # While the shared storage (Redis) is unreachable, count in each worker's memory instead
        # of answering 500: limits stay on (looser, per worker) and the forms keep working.
        # Flask-Limiter checks every 10 s whether Redis is back and then returns to it.
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
        WTF_CSRF_TIME_LIMIT=3600 * 4,
        # Company documents (certificates): where they are kept and how large one may be.
        # DOCUMENTS_STORE is "local" (files under DOCUMENTS_DIR, default <instance>/documents,
        # outside the web root) or "s3" (an S3-compatible bucket; needs boto3 installed).
        DOCUMENTS_STORE=env("DOCUMENTS_STORE", "local"),
        DOCUMENTS_DIR=env("DOCUMENTS_DIR", "") or os.path.join(app.instance_path, "documents"),
        DOCUMENTS_MAX_BYTES=int(env("DOCUMENTS_MAX_BYTES", str(10 * 1024 * 1024))),
        DOCUMENTS_S3_BUCKET=env("DOCUMENTS_S3_BUCKET", ""),
        DOCUMENTS_S3_PREFIX=env("DOCUMENTS_S3_PREFIX", "documents/"),
        # Empty: AWS itself; otherwise the address of an S3-compatible service (MinIO, ...).
        DOCUMENTS_S3_ENDPOINT_URL=env("DOCUMENTS_S3_ENDPOINT_URL", ""),
    )
    redis_url = app.config["REDIS_URL"]
    app.config["RATELIMIT_STORAGE_URI"] = redis_url or "memory://"
    if overrides:
        app.config.update(overrides)
    if not overrides or "MAX_CONTENT_LENGTH" not in overrides:
        # Above the catalogue import's own 5 MB limit and the documents' limit, so a file that
        # is too large gets that page's message instead of a bare 413.
        app.config["MAX_CONTENT_LENGTH"] = max(6 * 1024 * 1024,
                                               app.config["DOCUMENTS_MAX_BYTES"] + 1024 * 1024)
    # A failed statement's error (logged, sent to Sentry) must not carry the bound values
    # (password hashes, tokens, personal data), even when a caller replaced the engine options.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**app.config["SQLALCHEMY_ENGINE_OPTIONS"], "hide_parameters": True}
    # A site served over https sends its login cookies over https only, so no plain-http
    # request (a stray link, a downgrade on a hostile network) can carry them.
    https = app.config["SITE_URL"].startswith("https://")
    for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if not overrides or key not in overrides:
            app.config[key] = https
