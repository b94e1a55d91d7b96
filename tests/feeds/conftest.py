"""Helpers for feed tests: parse a calendar with two independent parsers."""
from __future__ import annotations

import icalendar
import pytest
import vobject
from flask import g


def parse_both(body: bytes):
    """Parse with icalendar and vobject (both must accept it); returns the icalendar tree."""
    vobject.readOne(body.decode("utf-8"))
    return icalendar.Calendar.from_ical(body)


def events_by_uid(body: bytes) -> dict:
    return {str(event["UID"]): event for event in parse_both(body).walk("VEVENT")}


@pytest.fixture
def switch_to(login_as):
    """Log the test client in as another user (Flask-Login caches the user on the app context)."""
    def switch(user):
        g.pop("_login_user", None)
        return login_as(user)
    return switch


@pytest.fixture
def site_url(app):
    return app.config["SITE_URL"]
