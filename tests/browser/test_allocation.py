"""Journey: a coordinator previews and publishes an allocation; a company confirms one place
and declines another; the next company on the waitlist is promoted."""
from __future__ import annotations

import datetime as dt

from tests.factories import PASSWORD, make_application, make_company, make_coordinator, make_offer, \
    make_programme, make_user

UTC = dt.timezone.utc


def _world():
    now = dt.datetime.now(UTC)
    programme = make_programme(slug="overseas-2027", name="Overseas 2027", cap_per_company=2)
    window = dict(programme=programme, opens_at=now - dt.timedelta(days=30),
                  closes_at=now - dt.timedelta(days=1), booth_capacity=1, delegation_capacity=0)
    a = make_offer(**window)
    b = make_offer(**window)
    winner = make_company(legal_name="Hanbit Optics", size_class="small")
    runner_up = make_company(legal_name="Daehan Armour", size_class="medium")
    make_application(company=winner, offer=a, preference=1)
    make_application(company=winner, offer=b, preference=2)
    make_application(company=runner_up, offer=b, preference=1)
    make_coordinator(email="coordinator@example.com")
    make_user(email="winner@example.com", company=winner)
    make_user(email="runner-up@example.com", company=runner_up)
    return a.exhibition.name, b.exhibition.name


def _log_in(page, base, email):
    page.context.clear_cookies()
    page.goto(base + "/account/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_load_state()


def test_publish_confirm_decline_and_promotion(live_server, page, seed):
    show_a, show_b = seed(_world)

    _log_in(page, live_server, "coordinator@example.com")
    page.goto(live_server + "/backoffice/allocation")
    page.get_by_role("button", name="Preview a run of Overseas 2027").click()
    assert page.get_by_role("columnheader", name="Cut-off score").is_visible()
    page.get_by_role("button", name="Publish the allocation").click()
    # The error shows at the field, and the summary above the form links to that field.
    assert page.locator(".field-error", has_text="Tick the box to confirm the publication.").is_visible()
    assert page.locator(".error-summary a[href='#confirm']").is_visible()
    page.get_by_label("I have checked the preview").check()
    page.get_by_role("button", name="Publish the allocation").click()
    assert page.get_by_text("The allocation is published").is_visible()

    _log_in(page, live_server, "winner@example.com")
    page.goto(live_server + "/my/allocation")
    first = page.locator("article", has_text=show_a)
    assert first.get_by_text("Score breakdown").is_visible()
    assert first.get_by_text("First time at this exhibition").is_visible()
    first.get_by_role("button", name="Confirm this place").click()
    assert page.get_by_text("your place is confirmed").is_visible()
    assert page.locator("article", has_text=show_a).locator("[data-status=confirmed]").is_visible()
    declined = page.locator("article", has_text=show_b)
    declined.get_by_role("button", name="Decline this place", exact=True).click()  # opens the second step
    declined.get_by_role("button", name="Yes, decline this place").click()
    assert page.locator("article", has_text=show_b).locator("[data-status=declined]").is_visible()

    _log_in(page, live_server, "runner-up@example.com")
    page.goto(live_server + "/my/allocation")
    promoted = page.locator("article", has_text=show_b)
    assert promoted.locator("[data-status=allocated]").is_visible()
    assert promoted.get_by_role("button", name="Confirm this place").is_visible()
