"""Issue 14's journey in one go: a company gives its Korean and fascia names and uploads its
certificate; a coordinator verifies the size class from the certificate, reviews the offer's
chart on the programme dashboard, exports the pavilion list and opens it with openpyxl."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from planner.accounts.models import Company, SizeClassCheck
from planner.extensions import db
from planner.signups.models import ApplicationStatus, PlaceKind
from tests.browser.steps import PDF, check_the_oversubscription_chart, log_in, open_company, upload_certificate
from tests.factories import (
    make_application,
    make_company,
    make_coordinator,
    make_exhibition,
    make_offer,
    make_programme,
    make_user,
)


def _world() -> dict[str, int]:
    programme = make_programme(slug="journey-2027", name="Journey 2027")
    offer = make_offer(programme=programme, exhibition=make_exhibition(name="Eurosatory Journey"),
                       booth_capacity=2, delegation_capacity=0)
    hanbit = make_company(legal_name="Hanbit Optics")
    make_user(email="kim@hanbit.example", is_main_contact=True, company=hanbit)
    make_application(company=hanbit, offer=offer, kind=PlaceKind.booth,
                                   status=ApplicationStatus.confirmed,
                                   answers={"exhibits": [{"name": "Thermal sight", "needs_licence": False}]})
    for name, status in (("Daehan Armour", ApplicationStatus.waitlisted), ("Seoul Drones", ApplicationStatus.allocated)):
        make_application(company=make_company(legal_name=name), offer=offer, kind=PlaceKind.booth, status=status)
    make_coordinator(email="coord@agency.example")
    return {"company": hanbit.id, "offer": offer.id}


def test_a_coordinator_verifies_reviews_the_chart_and_exports_the_pavilion_list(
        live_server, live_app, page, seed, tmp_path):
    live_app.config["DOCUMENTS_DIR"] = str(tmp_path / "documents")
    ids = seed(_world)
    certificate = tmp_path / "certificate.pdf"
    certificate.write_bytes(PDF)

    # The company: its names for the fascia board and its certificate.
    log_in(page, live_server, "kim@hanbit.example")
    page.goto(live_server + "/account/company/edit")
    page.get_by_label("Name in Korean", exact=True).fill("한빛광학")
    page.get_by_label("Fascia name", exact=True).fill("HANBIT OPTICS")
    page.get_by_label("Fascia name in Korean").fill("한빛")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("The company profile is saved.").wait_for()
    upload_certificate(page, certificate)

    # The coordinator verifies the size class from the certificate.
    log_in(page, live_server, "coord@agency.example")
    assert page.url.endswith("/backoffice/")
    open_company(page, "hanbit", "Hanbit Optics")
    assert page.get_by_text("HANBIT OPTICS").first.is_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="certificate.pdf").click()
    assert download.value.path().read_bytes() == PDF
    page.get_by_label("Matches: verify").check()
    page.get_by_role("button", name="Record the check").click()
    page.get_by_text("Checked against the certificate").first.wait_for()
    assert seed(lambda: db.session.get(Company, ids["company"]).size_class_check) == SizeClassCheck.verified

    # The offer's chart on the programme dashboard, reached from the back office's home page.
    page.goto(live_server + "/backoffice/")
    page.get_by_role("link", name="Journey 2027 (2027)").first.click()
    check_the_oversubscription_chart(page, "3 for 2 places")

    # The pavilion list, opened as the builder would.
    with page.expect_download() as download:
        page.locator(f"a[href$='/offers/{ids['offer']}/pavilion.xlsx']").click()
    rows = list(load_workbook(io.BytesIO(download.value.path().read_bytes())).active.iter_rows(values_only=True))
    assert rows[0] == ("Company (English)", "Company (Korean)", "Fascia name", "Fascia name (Korean)",
                       "Booth size (m²)", "Exhibits")
    assert rows[1:] == [("Hanbit Optics", "한빛광학", "HANBIT OPTICS", "한빛", 9, "Thermal sight")]
