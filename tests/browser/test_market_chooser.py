"""The market chooser in a browser (issue 14): the filter box narrows the countries as one types,
in English or Korean, the count follows the ticks, and the ticked markets come back after saving."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, make_exhibition, make_offer, make_programme, make_user


@pytest.fixture(autouse=True)
def _mail_in_tmp(live_app, tmp_path):
    live_app.config["MAIL_DIR"] = str(tmp_path / "mail")


def _seed_data():
    offer = make_offer(programme=make_programme(name="Overseas shows 2027"),
                       exhibition=make_exhibition(name="Eurosatory 2027"))
    user = make_user(email="markets@example.com")
    return {"offer": offer.id, "email": user.email}


def test_filter_tick_two_markets_save_and_find_them_ticked(live_server, page, seed):
    data = seed(_seed_data)
    page.goto(live_server + "/account/login")
    page.get_by_label("Email").fill(data["email"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/$"))

    page.goto(f"{live_server}/offers/{data['offer']}/apply/booth")
    page.locator("#exhibits-0-name").fill("Thermal sight")
    chooser = page.locator("details.market-chooser")
    chooser.locator("summary").first.click()
    box = page.get_by_label("Find a country")
    expect(box).to_be_visible()

    box.fill("폴란")  # Korean for Poland
    expect(page.get_by_label("Poland")).to_be_visible()
    expect(page.get_by_label("France")).to_be_hidden()
    expect(page.get_by_label("Estonia")).to_be_hidden()
    page.get_by_label("Poland").check()
    expect(chooser.locator("[data-market-count]")).to_have_text("Chosen: 1")

    box.fill("")
    box.type("chil")  # Chile is no main market: its region opens to show it
    expect(page.get_by_label("Chile")).to_be_visible()
    expect(page.get_by_label("Poland")).to_be_hidden()
    box.press("Enter")  # moves to the first country shown, never sends the form
    expect(page.get_by_label("Chile")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.get_by_label("Chile")).to_be_checked()
    expect(chooser.locator("[data-market-count]")).to_have_text("Chosen: 2")

    box.fill("zzzz")
    expect(page.get_by_text("No country matches.")).to_be_visible()
    box.fill("")

    page.locator("#export_control_attested").check()
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_text("Your application is in.")).to_be_visible()

    expect(page.get_by_text("Poland, Chile").or_(page.get_by_text("Chile, Poland")).first).to_be_visible()
    page.get_by_role("button", name="Edit answers").click()
    page.reload()
    expect(page.locator("details.market-chooser [data-market-count]")).to_have_text("Chosen: 2")
    page.locator("details.market-chooser > summary").click()
    expect(page.locator("#target_markets-PL")).to_be_checked()
    expect(page.locator("#target_markets-CL")).to_be_checked()
    expect(page.locator("#target_markets-FR")).not_to_be_checked()
