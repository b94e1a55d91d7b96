"""Browser fixtures: the app served by a real WSGI server in a thread, driven by Playwright
through Debian's Chromium. Every test in this folder is marked `browser`."""
from __future__ import annotations

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from planner.extensions import db as _db
from tests.conftest import _empty_tables, make_test_app

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def _browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()


@pytest.fixture
def live_app(_schema):
    """The app with CSRF on, as users get it; rate limits off so journeys can repeat steps."""
    app = make_test_app(_schema, WTF_CSRF_ENABLED=True)
    yield app
    with app.app_context():
        _db.session.remove()
        _empty_tables()
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def live_server(live_app):
    """Base URL of the app served on a free local port."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page(_browser):
    context = _browser.new_context(locale="en-GB", timezone_id="Asia/Seoul",
                                   viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def seed(live_app):
    """seed(fn): run fn() inside the live app's context and commit, e.g. to create users."""
    def run(fn):
        with live_app.app_context():
            result = fn()
            _db.session.commit()
            return result
    return run
