"""Journey: a coordinator reviews an offer's chart on the programme dashboard, then exports
the pavilion list and opens it with openpyxl."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from planner.signups.models import ApplicationStatus, PlaceKind
from tests.browser.steps import check_the_oversubscription_chart
from tests.factories import (
    PASSWORD,
    make_application,
    make_company,
    make_coordinator,
    make_exhibition,
    make_offer,
    make_programme,
)


def _world():
    programme = make_programme(slug="pavilion-2027", name="Pavilions 2027")
    offer = make_offer(programme=programme, exhibition=make_exhibition(name="Eurosatory Test"),
                       booth_capacity=2, delegation_capacity=0)
    for name, status in (("Hanbit Optics", ApplicationStatus.confirmed), ("Daehan Armour", ApplicationStatus.waitlisted),
                         ("Seoul Drones", ApplicationStatus.allocated)):
        make_application(company=make_company(legal_name=name), offer=offer, kind=PlaceKind.booth, status=status,
                         answers={"exhibits": [{"name": f"{name} demonstrator", "needs_licence": False}]})
    make_coordinator(email="coordinator@example.com")
    return offer.id


def test_coordinator_reviews_the_chart_and_exports_the_pavilion_list(live_server, page, seed):
    offer_id = seed(_world)
    page.goto(live_server + "/account/login")
    page.locator("#email").fill("coordinator@example.com")
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_load_state()
    page.goto(live_server + "/backoffice/programmes/pavilion-2027/dashboard")
    check_the_oversubscription_chart(page, "3 for 2 places")
    with page.expect_download() as download_info:
        page.locator(f"a[href$='/offers/{offer_id}/pavilion.xlsx']").click()
    data = download_info.value.path().read_bytes()
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows[0][0] == "Company (English)"
    assert rows[1:] == [("Hanbit Optics", None, "Hanbit Optics", None, 9, "Hanbit Optics demonstrator")]
