"""Tokens in URLs never reach request logs."""
from __future__ import annotations

import datetime as dt
import logging

from planner.logs import GunicornLogger, RedactTokens, redact

TOKEN = "Zx9_secret-Token123"


def test_every_kind_of_secret_link_is_redacted_and_other_paths_are_kept():
    assert redact(f"GET /calendar/private/{TOKEN}.ics HTTP/1.1") == "GET /calendar/private/[redacted].ics HTTP/1.1"
    for prefix in ("/account/verify/", "/account/reset/", "/account/invitations/"):
        assert TOKEN not in redact(f"POST {prefix}{TOKEN} HTTP/1.1")
    assert redact("GET /exhibitions/eurosatory-2026.ics HTTP/1.1") == "GET /exhibitions/eurosatory-2026.ics HTTP/1.1"


def test_the_development_servers_request_line_is_redacted(app, caplog):
    logger = logging.getLogger("werkzeug")
    assert any(isinstance(f, RedactTokens) for f in logger.filters)
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logger.info('%s - - [%s] "%s" %s -', "127.0.0.1", "now", f"GET /calendar/private/{TOKEN}.ics HTTP/1.1", 200)
    assert caplog.records and TOKEN not in caplog.text and "[redacted]" in caplog.text


def test_gunicorns_access_log_fields_are_redacted():
    from gunicorn.config import Config

    class Response:
        status, sent, headers = "200 OK", 10, []

    environ = {"REQUEST_METHOD": "GET", "RAW_URI": f"/calendar/private/{TOKEN}.ics", "SERVER_PROTOCOL": "HTTP/1.1",
               "PATH_INFO": f"/calendar/private/{TOKEN}.ics", "QUERY_STRING": "",
               "HTTP_REFERER": f"https://planner.example.org/account/reset/{TOKEN}"}
    atoms = GunicornLogger(Config()).atoms(Response(), [], environ, dt.timedelta(milliseconds=3))
    assert all(TOKEN not in str(value) for value in atoms.values())
    assert atoms["r"] == "GET /calendar/private/[redacted].ics HTTP/1.1"
