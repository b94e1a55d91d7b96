"""Keeps the secrets that travel in URLs (private feed tokens; verification, reset and
invitation links) out of request logs, the development server's and gunicorn's alike."""
from __future__ import annotations

import logging
import re
from typing import Any

# The token is the last path segment; a feed token is followed by ".ics".
TOKEN_IN_PATH = re.compile(
    r"(/calendar/private/|/account/verify/|/account/reset/|/account/invitations/)[^/\s?#.\"']+")


def redact(text: str) -> str:
    return TOKEN_IN_PATH.sub(r"\1[redacted]", text)


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def install_request_log_filter() -> None:
    """Redact the development server's request lines (werkzeug logs them)."""
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactTokens) for f in logger.filters):
        logger.addFilter(RedactTokens())


try:
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover - gunicorn is a dependency; this keeps the import optional
    _GunicornLogger = object  # type: ignore[assignment,misc]


class GunicornLogger(_GunicornLogger):  # type: ignore[misc,valid-type]
    """gunicorn's logger with tokens redacted from every access-log field (request line,
    path, referrer…); gunicorn.conf.py selects it."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}
