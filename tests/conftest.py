"""Fixtures: one database per test session (SQLite file, or a fresh PostgreSQL database when
TEST_DATABASE_URL names a server), emptied after each test."""
from __future__ import annotations

import functools
import os
import uuid
from contextlib import contextmanager
from typing import Any

import jinja2
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from planner import create_app
from planner.extensions import db as _db

PG_URL = os.environ.get("TEST_DATABASE_URL", "").strip()


def pytest_collection_modifyitems(config, items):
    if not PG_URL:
        skip = pytest.mark.skip(reason="needs PostgreSQL: set TEST_DATABASE_URL")
        for item in items:
            if "postgres_only" in item.keywords:
                item.add_marker(skip)


def _pg_url(url: str) -> str:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


@contextmanager
def scratch_database(directory, prefix: str):
    """An empty database of the suite's kind, dropped afterwards: a SQLite file in `directory`,
    or a new database on the TEST_DATABASE_URL server."""
    if not PG_URL:
        yield f"sqlite:///{directory / (prefix + '.sqlite')}"
        return
    admin_url = make_url(_pg_url(PG_URL))
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    with scratch_database(tmp_path_factory.mktemp("db"), "planner_test") as url:
        yield url


@pytest.fixture(scope="session")
def _schema(database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True})
    with app.app_context():
        _db.create_all()
        _db.engine.dispose()
    yield database_url
    while _ENGINES:
        _ENGINES.popitem()[1].dispose()


class _SharedTemplateBytecode(jinja2.BytecodeCache):
    """Compiled templates kept for the whole test session and shared by every test's app. Each
    test makes a new app, hence a new Jinja environment that would compile every template it
    renders again (most of a view test's first request); a template's entry is keyed by its
    name and checked against its source, so an edited template is compiled afresh."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_TEMPLATE_BYTECODE = _SharedTemplateBytecode()


@pytest.fixture(autouse=True, scope="session")
def _hash_factory_passwords_once():
    """tests.factories.make_user hashes each distinct password once per session, with the real
    scrypt hash_password (a tenth of a second each): the users a test makes share the hash
    (and salt) of their common password. Passwords set through the services (registration,
    resets, changes) are hashed as in production."""
    import planner.accounts.services as account_services
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(account_services, "hash_password", functools.lru_cache(maxsize=None)(account_services.hash_password))
        yield


@pytest.fixture(autouse=True, scope="session")
def _url_builders_compiled_once():
    """Werkzeug compiles two URL-building functions per route when an app registers its
    blueprints: about half the cost of the app each test makes. The functions depend only on
    the route's text, parts and defaults and take the rule as an argument, so one compiled for
    a route serves that route in every later app."""
    from werkzeug.routing.rules import Rule
    compile_builder = Rule._compile_builder
    builders: dict[tuple[Any, ...], Any] = {}

    def cached(self, append_unknown=True):
        try:
            key = (self.rule, tuple(self._trace), repr(sorted((self.defaults or {}).items())),
                   tuple(sorted((name, type(conv)) for name, conv in self._converters.items())),
                   append_unknown)
        except TypeError:  # something unhashable: compile as Werkzeug would
            return compile_builder(self, append_unknown)
        if key not in builders:
            builders[key] = compile_builder(self, append_unknown)
        return builders[key]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Rule, "_compile_builder", cached)
        yield


# Engines of the `app` fixture's apps, one per database URL and engine options for the session:
# SQLAlchemy keeps its cache of compiled SQL on the engine (keyed by its dialect), so an engine per
# test compiled every statement again. Each test still disposes of the engine's connections.
_ENGINES: dict[tuple[Any, ...], Any] = {}


def _app_on_a_session_engine(database_url: str, **overrides):
    make_engine = _db._make_engine

    def shared(bind_key, options, app):
        key = (bind_key, repr(sorted(options.items())))
        if key not in _ENGINES:
            _ENGINES[key] = make_engine(bind_key, options, app)
        return _ENGINES[key]
    _db._make_engine = shared  # type: ignore[method-assign]
    try:
        return make_test_app(database_url, **overrides)
    finally:
        del _db._make_engine


def make_test_app(database_url: str, **overrides):
    config = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        # Like CSRF and rate limits, switched on by the tests that are about it.
        "STAFF_TWO_FACTOR": False,
        "SERVER_NAME": None,
    }
    config.update(overrides)
    app = create_app(config)
    app.jinja_env.bytecode_cache = _TEMPLATE_BYTECODE
    return app


def _empty_tables() -> None:
    """Delete every row, children first, and on PostgreSQL start every id sequence again at 1 (as
    TRUNCATE ... RESTART IDENTITY would: TRUNCATE of the ~30 tables cost about a second per test
    on a loaded server, these DELETEs of a test's few rows a few milliseconds)."""
    for table in reversed(_db.metadata.sorted_tables):
        _db.session.execute(table.delete())
    if _db.engine.dialect.name == "postgresql":
        _db.session.execute(text(
            "SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relkind = 'S' AND n.nspname = current_schema()"))
    _db.session.commit()


@pytest.fixture
def app_config():
    """Override in a test module to change the app's configuration."""
    return {}


@pytest.fixture
def app(_schema, app_config):
    # Tests that size the pool themselves (the concurrency tests) get an engine of their own.
    if "SQLALCHEMY_ENGINE_OPTIONS" in app_config:
        app = make_test_app(_schema, **app_config)
    else:
        app = _app_on_a_session_engine(_schema, **app_config)
    with app.app_context():
        yield app
        _db.session.remove()
        _empty_tables()
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def another_app(_schema):
    """another_app(**overrides): a second app on the test database, as another worker would run
    it; its connections are closed after the test (an open one is a ResourceWarning on PG)."""
    made = []

    def make(**overrides):
        other = make_test_app(_schema, **overrides)
        made.append(other)
        return other
    yield make
    for other in made:
        with other.app_context():
            _db.session.remove()
            _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def login_as(client):
    """login_as(user): make the test client's session belong to `user`."""
    def login(user):
        if not getattr(user, "login_session_id", None):
            # A user loaded afresh from the database: open a server-side login session for it.
            from planner.accounts.services import start_session
            start_session(user, user_agent="tests")
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        # The tests' requests share the app fixture's context, where Flask-Login keeps the user
        # it loaded last: forget it, so the next request loads the one just logged in.
        from flask import g, has_app_context
        if has_app_context():
            g.pop("_login_user", None)
        return user
    return login
