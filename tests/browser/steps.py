"""Steps more than one browser journey takes, written once: logging in, uploading the business
registration certificate, opening a company in the back office, reading the programme dashboard's
chart."""
from __future__ import annotations

from tests.factories import PASSWORD

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def log_in(page, live_server, email):
    page.goto(live_server + "/account/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def upload_certificate(page, path):
    """From the company's page: upload `path` as its business registration certificate, then log out."""
    page.get_by_label("Business registration certificate").check()
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="Upload", exact=True).click()
    page.get_by_text("The document is uploaded").wait_for()
    page.get_by_role("button", name="Log out").click()


def open_company(page, search, name):
    """From the back office: find a company by `search` and open it."""
    page.get_by_role("link", name="Companies").click()
    page.get_by_label("Search").fill(search)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=name).click()


def check_the_oversubscription_chart(page, caption):
    """On a programme dashboard: the chart says `caption`, and its table opens under it."""
    chart = page.get_by_role("img", name="Applications against places")
    assert caption in chart.inner_html()
    page.locator("#figure-oversubscription summary").click()
    assert page.get_by_role("table", name="Applications against places").is_visible()
