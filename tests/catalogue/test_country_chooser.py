"""The catalogue's country filter is the market chooser with one choice (issue 14): the
countries hosting shows first, the others by region, no Antarctica, folded away."""
from __future__ import annotations

from tests.factories import make_exhibition


def test_country_filter_lists_host_countries_first_as_radio_buttons_without_antarctica(client, db):
    make_exhibition(name="FIDAE 2028", slug="fidae-2028", country_code="CL")
    make_exhibition(name="ADEX 2027", slug="adex-2027", country_code="KR")
    db.session.commit()
    page = client.get("/exhibitions").get_data(as_text=True)
    chooser = page[page.index("data-market-chooser"):page.index("market_chooser.js")]
    assert 'type="radio" id="country-none" name="country" value="" checked' in chooser
    main, europe = chooser.index(">Main markets</summary>"), chooser.index(">Europe</summary>")
    # Korea holds shows, so it is offered here (unlike among export markets).
    assert main < chooser.index('value="CL"') < europe and main < chooser.index('value="KR"') < europe
    assert europe < chooser.index('value="PL"')  # no show in Poland yet: under its region
    assert 'value="AQ"' not in chooser and "<select" not in chooser
    assert "<details class=\"market-chooser market-chooser-single\" data-market-chooser>" in page  # folded: no filter set


def test_a_country_asked_for_in_the_link_comes_back_ticked_in_its_open_region(client, db):
    make_exhibition(name="FIDAE 2028", slug="fidae-2028", country_code="CL")
    db.session.commit()
    page = client.get("/exhibitions?country=pl").get_data(as_text=True)
    assert 'name="country" value="PL" checked' in page
    assert client.get("/exhibitions?country=XX").status_code == 400
