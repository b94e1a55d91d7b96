"""Helpers for the after-show tests: a show that is over, with places held."""
from __future__ import annotations

import datetime as dt

import pytest

from planner.signups.models import ApplicationStatus, PlaceKind
from tests.factories import make_application, make_exhibition, make_offer, make_programme

UTC = dt.timezone.utc
# The show ended on 18 June 2027; "now" is ten days later.
NOW = dt.datetime(2027, 6, 28, 3, 0, tzinfo=UTC)


def ended_offer(**overrides):
    """An offer whose show ran 14-18 June 2027 (so it is over at NOW)."""
    overrides.setdefault("programme", make_programme())
    overrides.setdefault("exhibition", make_exhibition(starts_on=dt.date(2027, 6, 14), ends_on=dt.date(2027, 6, 18)))
    overrides.setdefault("opens_at", dt.datetime(2027, 1, 1, tzinfo=UTC))
    overrides.setdefault("closes_at", dt.datetime(2027, 2, 1, tzinfo=UTC))
    return make_offer(**overrides)


def hold_place(offer, company, *, kind=PlaceKind.booth, status=ApplicationStatus.confirmed):
    return make_application(offer=offer, company=company, kind=kind, status=status)


@pytest.fixture
def now():
    return NOW
