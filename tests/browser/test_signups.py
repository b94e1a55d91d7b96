"""Applicant journey in a browser: log in, apply for a booth and a delegation place, reorder
preferences on "my applications" (no JavaScript needed), withdraw one; then a coordinator sees
the applications and exports the list."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.factories import (
    PASSWORD,
    make_company,
    make_coordinator,
    make_exhibition,
    make_offer,
    make_programme,
    make_user,
)


@pytest.fixture(autouse=True)
def _mail_in_tmp(live_app, tmp_path):
    # Receipts are delivered right after applying; keep them out of the checkout's instance folder.
    live_app.config["MAIL_DIR"] = str(tmp_path / "mail")


def _seed_data():
    programme = make_programme(name="Overseas shows 2027", cap_per_company=2)
    booth_offer = make_offer(programme=programme, exhibition=make_exhibition(name="Eurosatory 2027"))
    delegation_offer = make_offer(programme=programme, exhibition=make_exhibition(name="IDEX 2027"),
                                  delegation_people_per_place=2)
    user = make_user(email="applicant@example.com",
                     company=make_company(legal_name="Hanbit Optics Co., Ltd."))
    coordinator = make_coordinator(email="coordinator@example.com")
    return {"booth": booth_offer.id, "delegation": delegation_offer.id, "email": user.email,
            "coordinator": coordinator.email}


def test_applicant_applies_for_booth_and_delegation_reorders_and_withdraws(live_server, page, seed, tmp_path):
    data = seed(_seed_data)

    page.goto(live_server + "/account/login")
    page.get_by_label("Email").fill(data["email"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/$"))

    # The public programme page leads to the booth form.
    page.goto(live_server + "/programmes")
    page.get_by_role("link", name="Overseas shows 2027").first.click()
    expect(page.get_by_role("heading", name="How places are allocated")).to_be_visible()
    page.locator(f'a[href$="/offers/{data["booth"]}/apply/booth"]').click()
    expect(page.get_by_text("0 of 2 subsidised places held, 2 remaining.")).to_be_visible()

    # Submitting without the attestation keeps what was typed.
    page.locator("#exhibits-0-name").fill("Thermal sight")
    page.locator("#exhibits-0-needs_licence").check()
    page.locator("#exhibits-0-licence_status").select_option("granted")
    page.locator("details.market-chooser > summary").click()
    page.locator("#target_markets-FR").check()
    page.locator("#target_markets-PL").check()
    page.get_by_role("button", name="Add another exhibit").click()
    page.locator("#exhibits-5-name").fill("Laser rangefinder")
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_text("You must give the export-control attestation to apply.").first).to_be_visible()
    expect(page.locator("#exhibits-0-name")).to_have_value("Thermal sight")
    expect(page.locator("#exhibits-5-name")).to_have_value("Laser rangefinder")
    page.locator("#export_control_attested").check()
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_text("Your application is in.")).to_be_visible()
    expect(page.get_by_text("Laser rangefinder")).to_be_visible()

    # Delegation place with named people.
    page.goto(f"{live_server}/offers/{data['delegation']}/apply/delegation")
    page.locator("#delegates-0-name").fill("Kim Minji")
    page.locator("#delegates-0-role").fill("CEO")
    page.locator("details.market-chooser > summary").click()
    page.locator("#target_markets-AE").check()
    page.locator("#export_control_attested").check()
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_text("Kim Minji (CEO)")).to_be_visible()

    # Reorder: the delegation (rank 2) moves up to rank 1.
    page.get_by_role("link", name="My applications").first.click()
    rows = page.locator("table.applications tbody tr")
    expect(rows.nth(0)).to_contain_text("Eurosatory 2027")
    page.get_by_role("button", name="Move up: IDEX 2027, Delegation place").click()
    expect(page.get_by_text("Your ranks are saved.")).to_be_visible()
    expect(rows.nth(0)).to_contain_text("IDEX 2027")
    expect(rows.nth(1)).to_contain_text("Eurosatory 2027")

    # Withdraw the booth application.
    rows.nth(1).get_by_role("link", name="Eurosatory 2027").click()
    page.get_by_label("Yes, withdraw this application").check()
    page.get_by_role("button", name="Withdraw application").click()
    expect(page.get_by_text("Your application is withdrawn.")).to_be_visible()
    expect(page.locator("table.applications tbody tr", has_text="Eurosatory 2027")).to_contain_text("Withdrawn")

    # The coordinator sees both applications, opens the offer's list and exports it.
    page.get_by_role("button", name="Log out").click()
    page.goto(live_server + "/account/login")
    page.get_by_label("Email").fill(data["coordinator"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/$"))
    page.goto(live_server + "/backoffice/applications")
    listed = page.locator("table tbody tr")
    expect(listed).to_have_count(2)
    expect(listed.filter(has_text="IDEX 2027")).to_contain_text("Hanbit Optics Co., Ltd.")
    expect(listed.filter(has_text="Eurosatory 2027")).to_contain_text("Withdrawn")
    page.goto(f"{live_server}/backoffice/offers/{data['delegation']}/applications")
    expect(page.locator("table tbody tr")).to_have_count(1)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    csv_path = tmp_path / "applications.csv"
    download_info.value.save_as(csv_path)
    lines = csv_path.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 2 and "Hanbit Optics Co., Ltd." in lines[1] and "Kim Minji (CEO)" in lines[1]
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export Excel (XLSX)").click()
    assert download_info.value.suggested_filename.endswith(".xlsx")
