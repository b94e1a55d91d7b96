"""Fixtures for allocation service, view and CLI tests: a programme whose ranked windows have
closed, and a helper to add applications to it."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import make_application, make_company, make_offer, make_programme, make_user

UTC = dt.timezone.utc


def closed_offer(programme, **overrides):
    now = dt.datetime.now(UTC)
    values = dict(programme=programme, opens_at=now - dt.timedelta(days=30),
                  closes_at=now - dt.timedelta(days=1), booth_capacity=1, delegation_capacity=0)
    values.update(overrides)
    return make_offer(**values)


@pytest.fixture
def programme(app):
    return make_programme(slug="overseas-2027", cap_per_company=1)


def company_with_user(**overrides):
    company = make_company(**overrides)
    user = make_user(company=company)
    return company, user


def apply(company, offer, preference, **overrides):
    return make_application(company=company, offer=offer, preference=preference, **overrides)
