"""Helpers for the sign-up tests: answers that pass, and form data a browser would post."""
from __future__ import annotations

import pytest

from planner.signups.services import ApplicationAnswers, Delegate, Exhibit


def good_answers(**overrides) -> ApplicationAnswers:
    values = dict(exhibits=(Exhibit("Thermal sight", True, "granted"),), target_markets=("FR", "PL"),
                  needs=("b2b",), b2b_buyers="Army procurement offices",
                  delegates=(), export_control_attested=True)
    values.update(overrides)
    return ApplicationAnswers(**values)


def delegation_answers(**overrides) -> ApplicationAnswers:
    overrides.setdefault("delegates", (Delegate("Kim Minji", "CEO"),))
    return good_answers(**overrides)


def booth_post(**overrides) -> dict:
    data = {
        "exhibits-0-name": "Thermal sight", "exhibits-0-needs_licence": "y",
        "exhibits-0-licence_status": "granted",
        "exhibits-1-name": "", "exhibits-1-licence_status": "not_needed",
        "target_markets": ["FR", "PL"],
        "needs_b2b": "y", "b2b_buyers": "Army procurement offices",
        "export_control_attested": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def delegation_post(**overrides) -> dict:
    data = booth_post(**{"delegates-0-name": "Kim Minji", "delegates-0-role": "CEO",
                         "delegates-1-name": "", "delegates-1-role": ""})
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def answers():
    return good_answers()


@pytest.fixture(autouse=True)
def _mail_in_tmp(app, tmp_path):
    # Views deliver queued mail in development; keep it out of the checkout's instance folder.
    app.config["MAIL_DIR"] = str(tmp_path / "mail")


@pytest.fixture(autouse=True)
def _request_context(app):
    # Service messages are translated; planner.i18n picks the locale from the request.
    with app.test_request_context():
        yield
