"""Logging configured by the app: one line per request (with a request id, its status and
duration), the app's INFO events visible under gunicorn, text or JSON lines (LOG_FORMAT), and
the secrets that travel in URLs or SQL errors redacted from every record, traceback and
gunicorn access-log field. Optional error reporting to Sentry when SENTRY_DSN is set."""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
import time
import uuid
from typing import Any

from flask import Flask, Response, g, has_request_context, request

# A separator is one or more slashes, or their percent-encoding (a path inside a `next=`
# parameter or a referrer); the token is the next segment (a feed token is followed by ".ics").
_SEP = r"(?:/|%2[Ff])+"
TOKEN_IN_PATH = re.compile(
    rf"((?:/|%2[Ff])(?:calendar{_SEP}private|account{_SEP}(?:verify|reset|invitations)){_SEP})"
    r"[^/\s?#.\"'&%]+")
# key=value pairs whose value is a secret, in query strings and log messages alike.
SECRET_PARAMETER = re.compile(
    r"(?i)\b((?:token|password|passwd|secret|api_key|csrf_token|session)=)[^&\s\"',;)]+")
# SQLAlchemy's error text lists the statement's bound values on a "[parameters: ...]" line.
SQL_PARAMETERS = re.compile(r"\[parameters: [^\n]*")
# PostgreSQL's own error details quote the row or key values ("Failing row contains (...)",
# "Key (email)=(kim@example.com) already exists").
PG_ROW_VALUES = re.compile(r"(Failing row contains \()[^\n]*(\))")
PG_KEY_VALUES = re.compile(r"(Key \([^)\n]*\)=\()[^\n]*?(\) (?:already exists|is not present|is still referenced))")
REDACTED = "[redacted]"

REQUEST_ID_HEADER = "X-Request-ID"
# An incoming id (from a proxy or load balancer) is kept when it looks like one, so a request
# can be followed across hops; anything else (too long, spaces, control characters) is replaced.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")

request_log = logging.getLogger("planner.request")


def redact(text: str) -> str:
    text = TOKEN_IN_PATH.sub(rf"\1{REDACTED}", text)
    text = SECRET_PARAMETER.sub(rf"\1{REDACTED}", text)
    text = SQL_PARAMETERS.sub(f"[parameters: {REDACTED}]", text)
    text = PG_ROW_VALUES.sub(rf"\1{REDACTED}\2", text)
    return PG_KEY_VALUES.sub(rf"\1{REDACTED}\2", text)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _escape_controls(value: object) -> object:
    if isinstance(value, str) and _CONTROL.search(value):
        return _CONTROL.sub(lambda match: repr(match.group())[1:-1], value)
    return value


class RedactTokens(logging.Filter):
    """Rewrites a record before any formatter sees it: its message, its traceback and its stack.
    Installed on every handler the app configures (and gunicorn's), so records from any logger
    (werkzeug, sqlalchemy, gunicorn, the app's) are covered."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        # Arguments carry outside text (names, paths): a raw line break there would start a
        # forged record, so control characters in them are written escaped.
        if isinstance(record.args, tuple):
            record.args = tuple(_escape_controls(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _escape_controls(arg) for key, arg in record.args.items()}
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class RequestId(logging.Filter):
    """Adds the current request's id to each record (`-` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        # The filters already redacted the record; this catches a formatter-time addition.
        return redact(super().format(record))


# Attributes every LogRecord has; anything else came from `extra=` and goes into the JSON.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "request_id"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, the record's extra
    fields (method, path, status, duration_ms on request lines) and the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        # Field by field: on the encoded line a pattern could run past a field's end.
        return json.dumps(_scrub(entry), ensure_ascii=False, default=str)


def make_formatter(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else TextFormatter()


def prepare_handler(handler: logging.Handler, log_format: str) -> logging.Handler:
    handler.setFormatter(make_formatter(log_format))
    for kind in (RequestId, RedactTokens):
        if not any(isinstance(f, kind) for f in handler.filters):
            handler.addFilter(kind())
    return handler


class _AppHandler(logging.StreamHandler):
    """The root handler this module installs; replaced (not stacked) when an app is built again.
    Writes to the current sys.stderr, so a swapped stream (test capture) is followed."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def configure_logging(app: Flask) -> None:
    """Send every logger's records to stderr (journald under systemd) through one handler that
    redacts, tags the request id and formats text or JSON; log one line per request."""
    log_format, level = app.config["LOG_FORMAT"], app.config["LOG_LEVEL"]
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _AppHandler)]:
        root.removeHandler(old)
    root.addHandler(prepare_handler(_AppHandler(), log_format))
    root.setLevel(level)
    # Flask's own handler on the app logger would print each app record a second time.
    from flask.logging import default_handler
    app.logger.removeHandler(default_handler)
    # SQLAlchemy echoes statements at INFO when asked; never let a global INFO turn that on.
    logging.getLogger("sqlalchemy.engine").setLevel(max(logging.WARNING, logging.getLevelName(level)))
    # Alembic announces each of its plugins at INFO whenever it is imported.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    # Loggers that kept handlers of their own (werkzeug's, if it was set up first) redact too.
    for name in ("werkzeug", "gunicorn.error", "gunicorn.access"):
        for handler in logging.getLogger(name).handlers:
            prepare_handler(handler, log_format)
    install_request_log(app)
    if app.config["SENTRY_DSN"]:
        init_sentry(app)


def install_request_log(app: Flask) -> None:
    @app.before_request
    def _start() -> None:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming if SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def _log(response: Response) -> Response:
        request_id = g.get("request_id")
        if request_id is None:  # a response built before our before_request ran
            return response
        response.headers[REQUEST_ID_HEADER] = request_id
        duration_ms = round((time.perf_counter() - g.request_started) * 1000, 1)
        path = redact(request.full_path.rstrip("?"))
        request_log.info("%s %s %s %.1fms", request.method, path, response.status_code, duration_ms,
                         extra={"method": request.method, "path": path, "status": response.status_code,
                                "duration_ms": duration_ms, "remote_addr": request.remote_addr})
        return response


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: _scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(item) for item in value]
    return value


def scrub_event(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    """Sentry's before_send: the same redaction on every string of the event (URL, breadcrumbs,
    exception messages, local variables)."""
    return dict(_scrub(event))


def init_sentry(app: Flask) -> None:
    # Imported only when configured: sentry-sdk is an optional dependency (planner[sentry]).
    import sentry_sdk

    sentry_sdk.init(dsn=app.config["SENTRY_DSN"], send_default_pii=False, include_local_variables=False,
                    before_send=scrub_event)
