"""A visitor searches the catalogue, filters by sector and country, switches to Korean and opens a show."""
from __future__ import annotations

import datetime as dt

from tests.factories import make_exhibition


def _catalogue() -> None:
    start = dt.date.today() + dt.timedelta(days=90)
    end = start + dt.timedelta(days=4)
    make_exhibition(slug="euronaval-test", name="Euronaval", name_ko="유로나발", acronym="EN",
                    city="Paris", city_ko="파리", country_code="FR", timezone="Europe/Paris",
                    sectors=["naval"], starts_on=start, ends_on=end, venue="Paris Le Bourget")
    make_exhibition(slug="eurosatory-test", name="Eurosatory", acronym="ES", city="Paris", country_code="FR",
                    timezone="Europe/Paris", sectors=["land"], starts_on=start, ends_on=end)
    make_exhibition(slug="imdex-test", name="IMDEX Asia", acronym="IMDEX", city="Singapore", country_code="SG",
                    timezone="Asia/Singapore", sectors=["naval"], starts_on=start, ends_on=end)


def test_visitor_searches_filters_switches_to_korean_and_opens_a_show(live_server, page, seed):
    seed(_catalogue)
    page.goto(live_server + "/exhibitions")
    assert page.get_by_text("3 exhibitions.").is_visible()

    page.get_by_label("Search", exact=True).fill("euro")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**q=euro**")
    assert page.get_by_text("2 exhibitions match your search.").is_visible()

    page.get_by_label("Search", exact=True).fill("")
    page.get_by_label("Sector").select_option("naval")
    page.locator("details.market-chooser > summary").click()  # the country chooser, folded
    page.get_by_label("Find a country").fill("프랑")  # Korean for France
    page.get_by_label("France").check()
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**sector=naval**")
    assert "country=FR" in page.url
    assert page.get_by_text("1 exhibition matches your search.").is_visible()
    assert page.get_by_role("link", name="Euronaval").is_visible()

    page.get_by_role("link", name="한국어").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ko"
    assert "sector=naval" in page.url  # the switch keeps the search
    assert page.locator("#sector").input_value() == "naval"
    # The page itself is in Korean, not only the data: a stale message catalogue shows English here.
    assert page.get_by_role("heading", level=1).inner_text() == "해외 방산 전시회"

    page.get_by_role("link", name="유로나발").click()
    page.wait_for_url("**/exhibitions/euronaval-test")
    assert page.get_by_role("heading", level=1).inner_text().startswith("유로나발")
    assert page.get_by_text("Paris Le Bourget").is_visible()
    assert page.get_by_text("프랑스").first.is_visible()
