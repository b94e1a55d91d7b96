"""Journey: an applicant creates their private calendar feed address, reloads the page (which
neither rotates nor shows it again), fetches it, downloads it, rotates it, and the old address
stops working."""
from __future__ import annotations

import datetime as dt
import urllib.error
import urllib.request

from planner.signups.models import ApplicationStatus
from tests.factories import PASSWORD, make_application, make_exhibition, make_offer, make_user


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code


def test_applicant_subscribes_downloads_and_rotates_the_private_feed(live_server, page, seed):
    def data():
        user = make_user(email="feeds@example.com")
        user.company.legal_name = "ACME, Inc."
        # Private feeds list events from 60 days back: the show is ahead of today.
        start = dt.date.today() + dt.timedelta(days=90)
        show = make_exhibition(name="Eurosatory 2026", starts_on=start, ends_on=start + dt.timedelta(days=4))
        make_application(company=user.company, offer=make_offer(exhibition=show),
                         status=ApplicationStatus.confirmed)
    seed(data)

    page.goto(live_server + "/account/login")
    page.get_by_label("Email").fill("feeds@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server + "/my/calendar")
    page.get_by_role("button", name="Create my feed address").click()

    first = page.locator("#feed-https").input_value()
    assert first.startswith(live_server + "/calendar/private/") and first.endswith(".ics")
    assert page.locator("#feed-webcal").input_value() == "webcal://" + first.split("://", 1)[1]
    assert len(first) < 256
    page.reload()
    assert page.locator("#feed-https").count() == 0  # shown once; a reload does not rotate
    assert _status(first) == 200
    page.goto(live_server + "/my/calendar")
    page.get_by_role("button", name="Create a new address (the old one stops working)").click()
    first = page.locator("#feed-https").input_value()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download .ics").click()
    with open(download_info.value.path(), "rb") as downloaded:
        body = downloaded.read()
    assert body.startswith(b"BEGIN:VCALENDAR\r\n")
    assert b"SUMMARY:Eurosatory 2026: booth place confirmed" in body
    assert b"X-WR-CALNAME:ACME\\, Inc.: exhibitions and deadlines" in body

    page.get_by_role("button", name="Create a new address (the old one stops working)").click()
    second = page.locator("#feed-https").input_value()
    assert second != first
    assert _status(first) == 404
    assert _status(second) == 200
