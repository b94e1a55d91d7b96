"""Logging: secrets never reach any log output (paths in every form, query strings, tracebacks,
SQL error dumps, gunicorn's access log), one line per request with its id, text or JSON."""
from __future__ import annotations

import datetime as dt
import io
import json
import logging

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from planner.gunicorn_conf import GunicornLogger
from planner.logs import JsonFormatter, TextFormatter, prepare_handler, redact
from tests.conftest import make_test_app

TOKEN = "Zx9_secret-Token123"

LEAKS = [
    f"GET /calendar/private/{TOKEN}.ics HTTP/1.1",
    f"GET /calendar//private/{TOKEN}.ics HTTP/1.1",
    f"GET /calendar/private//{TOKEN}.ics HTTP/1.1",
    f"GET //calendar/private/{TOKEN}.ics",
    f"https://planner.example.org/calendar/private/{TOKEN}.ics?x=1",
    f"webcal://planner.example.org/calendar/private/{TOKEN}.ics",
    f"POST /account/verify/{TOKEN} HTTP/1.1",
    f"GET /account//verify/{TOKEN}",
    f"GET /account/reset/{TOKEN}",
    f"GET /account/reset//{TOKEN}",
    f"GET /account/invitations/{TOKEN}",
    f"GET /account/login?next=%2Faccount%2Freset%2F{TOKEN}",
    f"GET /account/login?next=%2Fcalendar%2Fprivate%2F{TOKEN}.ics",
    f"GET /anything?token={TOKEN}&page=2",
    f"password={TOKEN}",
    f"[SQL: INSERT INTO users (email, password_hash) VALUES (?, ?)]\n[parameters: ('a@b.c', '{TOKEN}')]",
    f"DETAIL:  Failing row contains (1, {TOKEN}, null, null).",
    f"DETAIL:  Key (email)=({TOKEN}@example.com) already exists.",
    f"DETAIL:  Key (token)=({TOKEN}) is not present in table \"feeds\".",
]


@pytest.mark.parametrize("line", LEAKS)
def test_every_form_of_secret_is_redacted(line):
    assert TOKEN not in redact(line)
    assert "[redacted]" in redact(line)


def test_line_breaks_in_arguments_cannot_forge_a_record(captured):
    # Issue 12, finding 10: CR/LF in a catalogue name reached log lines raw.
    stream = captured()
    logging.getLogger("planner.catalogue").warning("Imported %s", "Show\r\n2026-01-01 INFO forged\x00")
    written = stream.getvalue()
    assert written.count("\n") == 1
    assert "Show\\r\\n2026-01-01 INFO forged\\x00" in written


def test_other_paths_are_kept():
    for line in ("GET /exhibitions/eurosatory-2026.ics HTTP/1.1", "GET /calendar/exhibitions.ics",
                 "GET /account/company/invitations/5/revoke", "GET /exhibitions?page=2&q=air"):
        assert redact(line) == line


@pytest.fixture
def captured():
    """A handler configured like the app's, on the root logger: returns the text it wrote."""
    stream = io.StringIO()

    def install(log_format: str = "text") -> io.StringIO:
        handler = prepare_handler(logging.StreamHandler(stream), log_format)
        logging.getLogger().addHandler(handler)
        handlers.append(handler)
        return stream

    handlers: list[logging.Handler] = []
    yield install
    for handler in handlers:
        logging.getLogger().removeHandler(handler)


@pytest.mark.parametrize("log_format", ["text", "json"])
@pytest.mark.parametrize("logger_name", ["werkzeug", "gunicorn.error", "sqlalchemy.engine", "planner.mail", "some.library"])
def test_every_logger_is_redacted_in_messages_arguments_and_tracebacks(captured, log_format, logger_name):
    stream = captured(log_format)
    logger = logging.getLogger(logger_name)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    try:
        for line in LEAKS:
            logger.warning(line)
            logger.warning("request %s", line)
        try:
            raise ValueError(f"bad link /calendar/private/{TOKEN}.ics")
        except ValueError:
            logger.exception("failed on %s", f"/account/reset/{TOKEN}")
        logger.warning("here", stack_info=True, extra={"url": f"/account/verify/{TOKEN}"})
    finally:
        logger.setLevel(old_level)
    output = stream.getvalue()
    if log_format == "json":
        assert all(json.loads(line)["logger"] == logger_name for line in output.splitlines())
    assert output.count("[redacted]") >= len(LEAKS) * 2 + 2
    assert "Traceback" in output and "ValueError" in output
    assert TOKEN not in output


def test_a_failed_statement_logs_no_parameters(app, db, captured):
    """The engine hides bound values in its errors, and a dump of one is redacted anyway."""
    stream = captured()
    with pytest.raises(IntegrityError) as failure:
        db.session.execute(text("INSERT INTO exhibitions (id, slug) VALUES (:id, :slug)"), {"id": 1, "slug": TOKEN})
        db.session.execute(text("INSERT INTO exhibitions (id, slug) VALUES (:id, :slug)"), {"id": 1, "slug": TOKEN})
        db.session.flush()
    db.session.rollback()
    assert "[SQL parameters hidden due to hide_parameters=True]" in str(failure.value)
    try:
        raise failure.value
    except IntegrityError:
        logging.getLogger("planner").exception("request failed")
    assert "Traceback" in stream.getvalue() and TOKEN not in stream.getvalue()


def test_one_line_per_request_with_id_status_and_duration(app, client, caplog):
    with caplog.at_level(logging.INFO, logger="planner.request"):
        response = client.get(f"/calendar/private/{TOKEN}.ics")
    request_id = response.headers["X-Request-ID"]
    assert len(request_id) >= 8
    lines = [r for r in caplog.records if r.name == "planner.request"]
    assert len(lines) == 1
    record = lines[0]
    assert record.status == response.status_code and record.request_id == request_id
    assert record.duration_ms >= 0 and record.method == "GET"
    assert TOKEN not in caplog.text and "/calendar/private/[redacted].ics" in record.getMessage()


def test_a_sane_incoming_request_id_is_kept_and_others_replaced(client):
    assert client.get("/healthz", headers={"X-Request-ID": "lb-4f2a9c01-77"}).headers["X-Request-ID"] == "lb-4f2a9c01-77"
    for bad in ("short", "x" * 200, "has space in it", "<script>alert(1)</script>"):
        answered = client.get("/healthz", headers={"X-Request-ID": bad}).headers["X-Request-ID"]
        assert answered != bad and len(answered) == 32
    first, second = (client.get("/healthz").headers["X-Request-ID"] for _ in range(2))
    assert first != second


def test_app_records_carry_the_request_id(app, client, captured):
    stream = captured("json")

    @app.get("/__log_probe")
    def probe() -> str:
        app.logger.info("probe event")
        return "ok"

    response = client.get("/__log_probe", headers={"X-Request-ID": "probe-request-0001"})
    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    event = next(r for r in records if r["message"] == "probe event")
    request_line = next(r for r in records if r["logger"] == "planner.request")
    assert event["request_id"] == request_line["request_id"] == response.headers["X-Request-ID"]
    assert request_line["status"] == 200 and request_line["path"] == "/__log_probe"


def test_the_app_configures_json_and_the_level_and_info_events_are_written(database_url):
    app = make_test_app(database_url, LOG_FORMAT="json", LOG_LEVEL="INFO")
    root = logging.getLogger()
    ours = [h for h in root.handlers if type(h).__name__ == "_AppHandler"]
    assert len(ours) == 1 and isinstance(ours[0].formatter, JsonFormatter)
    assert root.level == logging.INFO and logging.getLogger("planner.mail").isEnabledFor(logging.INFO)
    make_test_app(database_url)  # built again: replaced, not stacked
    ours = [h for h in root.handlers if type(h).__name__ == "_AppHandler"]
    assert len(ours) == 1 and isinstance(ours[0].formatter, TextFormatter)
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["hide_parameters"] is True


def test_sentry_is_initialised_only_when_a_dsn_is_set(database_url, monkeypatch):
    import sys
    import types

    calls: list[dict] = []
    fake = types.ModuleType("sentry_sdk")
    fake.init = lambda **kwargs: calls.append(kwargs)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sentry_sdk", fake)
    make_test_app(database_url)
    assert calls == []
    make_test_app(database_url, SENTRY_DSN="https://key@sentry.example.org/1")
    assert calls and calls[0]["dsn"] == "https://key@sentry.example.org/1"
    event = {"request": {"url": f"https://x/calendar/private/{TOKEN}.ics"},
             "exception": {"values": [{"value": f"reset /account/reset/{TOKEN}"}]}}
    assert TOKEN not in json.dumps(calls[0]["before_send"](event, {}))


def test_gunicorns_access_log_fields_are_redacted():
    from gunicorn.config import Config

    class Response:
        status, sent, headers = "200 OK", 10, []

    environ = {"REQUEST_METHOD": "GET", "RAW_URI": f"/calendar//private/{TOKEN}.ics", "SERVER_PROTOCOL": "HTTP/1.1",
               "PATH_INFO": f"/calendar//private/{TOKEN}.ics", "QUERY_STRING": f"token={TOKEN}",
               "HTTP_REFERER": f"https://planner.example.org/account/reset/{TOKEN}"}
    atoms = GunicornLogger(Config()).atoms(Response(), [], environ, dt.timedelta(milliseconds=3))
    assert all(TOKEN not in str(value) for value in atoms.values())
    assert atoms["r"] == "GET /calendar//private/[redacted].ics HTTP/1.1"
