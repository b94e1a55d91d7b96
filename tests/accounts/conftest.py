"""Account test helpers: mail goes to a temporary folder, links are read from the outbox."""
from __future__ import annotations

import re

import pytest

from planner.extensions import db
from planner.notifications.models import OutboxMessage
from tests.factories import brn_with_check_digit


@pytest.fixture
def app_config(tmp_path):
    return {"MAIL_DIR": str(tmp_path / "mail")}


def outbox(to: str | None = None) -> list[OutboxMessage]:
    query = db.select(OutboxMessage).order_by(OutboxMessage.id)
    if to:
        query = query.where(OutboxMessage.to_addr == to)
    return list(db.session.scalars(query))


def link_path(message: OutboxMessage) -> str:
    """The path of the one planner link in a mail (links are absolute, on SITE_URL)."""
    match = re.search(r"https?://[^/\s]+(/account/\S+)", message.body_text)
    assert match, message.body_text
    return match.group(1)


def registration_data(**overrides) -> dict:
    data = {
        "registration_number": brn_with_check_digit("220811234")[:3] + "-" + brn_with_check_digit("220811234")[3:5]
        + "-" + brn_with_check_digit("220811234")[5:],
        "legal_name": "Hanbit Defence Co., Ltd.",
        "size_class": "small",
        "sectors": ["land", "security"],
        "products": "Thermal sights",
        "employees": "42",
        "has_defence_exports": "y",
        "export_record": "Poland 2023",
        "name": "Kim Minji",
        "email": "minji@hanbit.example",
        "password": "blue-falcon-harbour",
        "confirm": "blue-falcon-harbour",
    }
    data.update(overrides)
    return data


@pytest.fixture(autouse=True)
def _fresh_login_per_request(app):
    # The `app` fixture keeps one app context pushed for the whole test, so `g` (where
    # Flask-Login caches the current user) would outlive each request; production has a fresh
    # `g` per request.
    from flask import g

    @app.before_request
    def forget_cached_user() -> None:
        g.pop("_login_user", None)
