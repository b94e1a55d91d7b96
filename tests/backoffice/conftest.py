"""Fixtures for back-office tests: a coordinator, an admin, an applicant and a programme input."""
from __future__ import annotations

import datetime as dt

import pytest

from planner.accounts.models import Role
from planner.catalogue.services import OfferInput, ProgrammeInput
from tests.factories import make_coordinator, make_user


@pytest.fixture
def coordinator(app):
    return make_coordinator()


@pytest.fixture
def admin(app):
    return make_coordinator(role=Role.admin)


@pytest.fixture
def applicant(app):
    return make_user()


def programme_input(**overrides) -> ProgrammeInput:
    values = dict(slug="overseas-2027", name="2027 overseas defence exhibitions", year=2027,
                  cap_per_company=2, budget_krw=1_000_000_000,
                  eligible_size_classes=["small", "medium", "middle-market"],
                  subsidy_shares={"small": 0.7, "medium": 0.5, "middle-market": 0.3, "large": 0.0})
    values.update(overrides)
    return ProgrammeInput(**values)


def offer_input(**overrides) -> OfferInput:
    values = dict(opens_local=dt.datetime(2026, 12, 1, 9, 0), closes_local=dt.datetime(2027, 1, 15, 18, 0),
                  timezone="Asia/Seoul", booth_capacity=5, booth_cost_krw=20_000_000,
                  delegation_capacity=3, delegation_cost_krw=5_000_000)
    values.update(overrides)
    return OfferInput(**values)
