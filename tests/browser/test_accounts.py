"""Journey: register a company, confirm the email from the link in the outbox, log out, log in."""
from __future__ import annotations

import re

import pytest

from planner.extensions import db
from planner.notifications.models import OutboxMessage
from tests.factories import brn_with_check_digit, make_exhibition


@pytest.fixture(autouse=True)
def _mail_in_tmp(live_app, tmp_path):
    live_app.config["MAIL_DIR"] = str(tmp_path / "mail")


def _latest_link(seed, kind: str) -> str:
    body = seed(lambda: db.session.scalar(
        db.select(OutboxMessage.body_text).order_by(OutboxMessage.id.desc()).limit(1)))
    return re.search(rf"https?://[^/\s]+(/account/{kind}/\S+)", body).group(1)


def test_register_verify_log_out_and_log_in_again(live_server, page, seed):
    number = brn_with_check_digit("314159265")
    page.goto(live_server + "/account/register")
    page.get_by_label("Business registration number").fill(f"{number[:3]}-{number[3:5]}-{number[5:]}")
    page.get_by_label("Legal name").fill("Hanbit Optics Co., Ltd.")
    page.get_by_label("Small").check()
    page.get_by_label("Land").check()
    page.get_by_label("Security").check()
    page.locator("#products").fill("Thermal sights")
    page.get_by_label("Employees").fill("35")
    page.get_by_label("Your name").fill("Kim Minji")
    page.get_by_label("Your work email").fill("minji@hanbit-optics.example")
    page.locator("#password").fill("blue-falcon-harbour")
    page.get_by_label("Repeat the password").fill("blue-falcon-harbour")
    page.get_by_role("button", name="Register", exact=True).click()

    page.get_by_role("heading", name="Check your email").wait_for()
    assert "minji@hanbit-optics.example" in page.content()
    # Not signed in by registering: the page is the same whether the address already had an
    # account (issue 12). The link confirms the address, then the company logs in.
    page.goto(live_server + "/account/company")
    page.locator("#email").wait_for()

    page.goto(live_server + _latest_link(seed, "verify"))
    page.get_by_text("your email address is confirmed").wait_for()
    page.locator("#email").fill("minji@hanbit-optics.example")
    page.locator("#password").fill("blue-falcon-harbour")
    page.get_by_role("button", name="Log in", exact=True).click()
    page.get_by_role("link", name="My company").click()
    page.get_by_role("heading", name="Hanbit Optics Co., Ltd.").wait_for()
    assert page.get_by_text("Please verify your email").count() == 0

    # Past shows are chosen from the catalogue's series, not typed (issue 10).
    seed(lambda: make_exhibition(name="Eurosatory 2026", slug="eurosatory-2026"))
    page.get_by_role("link", name="Choose your past shows").click()
    page.get_by_label("Exhibition, row 1").select_option("eurosatory")
    page.get_by_label("Year, row 1").select_option("2024")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Your past shows are saved.").wait_for()
    assert page.get_by_text("Eurosatory 2024").is_visible()

    page.get_by_role("button", name="Log out").click()
    page.get_by_text("You are logged out.").wait_for()

    page.get_by_role("link", name="Log in", exact=True).click()
    page.locator("#email").fill("minji@hanbit-optics.example")
    page.locator("#password").fill("blue-falcon-harbour")
    page.get_by_role("button", name="Log in", exact=True).click()
    page.get_by_role("link", name="My company").click()
    page.get_by_role("heading", name="Hanbit Optics Co., Ltd.").wait_for()
    assert number[:3] in page.content()
