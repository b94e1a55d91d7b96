"""Journey: a company uploads its business registration certificate; a coordinator opens the
company in the back office, reads the certificate and verifies the size class."""
from __future__ import annotations

from planner.accounts.models import Company, SizeClassCheck
from planner.extensions import db
from tests.browser.steps import PDF, log_in, open_company, upload_certificate
from tests.factories import make_company, make_coordinator, make_user


def test_a_coordinator_verifies_a_size_class_from_the_uploaded_certificate(live_server, live_app, page, seed, tmp_path):
    live_app.config["DOCUMENTS_DIR"] = str(tmp_path / "documents")
    company_id = seed(lambda: make_user(email="kim@hanbit.example", is_main_contact=True,
                                        company=make_company(legal_name="Hanbit Optics")).company_id)
    seed(lambda: make_coordinator(email="coord@agency.example"))
    certificate = tmp_path / "certificate.pdf"
    certificate.write_bytes(PDF)

    log_in(page, live_server, "kim@hanbit.example")
    page.goto(live_server + "/account/company")
    upload_certificate(page, certificate)

    log_in(page, live_server, "coord@agency.example")
    assert page.url.endswith("/backoffice/")
    open_company(page, "hanbit", "Hanbit Optics")
    with page.expect_download() as download:
        page.get_by_role("link", name="certificate.pdf").click()
    with open(download.value.path(), "rb") as handle:
        assert handle.read() == PDF
    page.get_by_label("Matches: verify").check()
    page.get_by_role("button", name="Record the check").click()
    page.get_by_text("Checked against the certificate").first.wait_for()
    assert seed(lambda: db.session.get(Company, company_id).size_class_check) == SizeClassCheck.verified
