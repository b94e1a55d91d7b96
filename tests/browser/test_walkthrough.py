"""What the issue 14 walk met first, in a real browser: the signed-in menu stays on one line at
1280 px (in both languages), the filters fold away on a phone, and the timeline opens on this
month with today's line visible."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import PASSWORD, make_exhibition, make_user


def _sign_in(page, live_server, email):
    page.goto(live_server + "/account/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_load_state()


def _menu_lines(page) -> int:
    """How many lines the main menu takes: distinct tops of its items."""
    tops = page.eval_on_selector_all(
        "header nav[aria-label] li", "items => items.map(li => Math.round(li.getBoundingClientRect().top))")
    lines: list[int] = []
    for top in sorted(tops):
        if not lines or top - lines[-1] > 8:
            lines.append(top)
    return len(lines)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_signed_in_company_menu_is_one_line_at_1280_px(live_server, page, seed, lang):
    seed(lambda: make_user(email="menu@example.com", locale=lang))
    _sign_in(page, live_server, "menu@example.com")
    page.goto(live_server + f"/exhibitions?lang={lang}")
    assert page.viewport_size["width"] == 1280
    assert page.get_by_role("button", name="로그아웃" if lang == "ko" else "Log out").is_visible()
    assert _menu_lines(page) == 1


def test_on_a_phone_the_filters_fold_and_the_first_show_is_on_the_first_screen(live_server, page, seed):
    start = dt.date.today() + dt.timedelta(days=60)
    seed(lambda: make_exhibition(name="Phone Show", starts_on=start, ends_on=start + dt.timedelta(days=3)))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server + "/exhibitions")
    assert page.locator("details.filters-details").get_attribute("open") is None
    assert not page.locator("#q").is_visible()
    card = page.get_by_role("link", name="Phone Show").first
    assert card.is_visible() and card.bounding_box()["y"] < 844
    page.get_by_text("Search and filters").click()
    assert page.locator("#q").is_visible()


def test_the_timeline_opens_on_this_month_with_today_visible(live_server, page, seed):
    today = dt.date.today()
    seed(lambda: make_exhibition(name="Soon Show", starts_on=today + dt.timedelta(days=20),
                                 ends_on=today + dt.timedelta(days=23)))
    page.goto(live_server + "/exhibitions/timeline")
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading.startswith(f"Exhibitions from {today.strftime('%B %Y')}")
    marker = page.locator(f'time[datetime="{today.isoformat()}"]')
    assert marker.is_visible() and marker.inner_text() == "Today"
    assert page.get_by_text("Today is").is_visible()
    page.get_by_role("link", name="1 month later ›").click()
    page.wait_for_load_state()
    assert "start=" in page.url and not page.locator("time.tl-today, .tl-today time").count()
