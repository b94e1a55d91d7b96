"""The market chooser of the application form (issue 14): checkboxes grouped by region with the
main markets first, no uninhabited territories, codes checked on the server, stored ones kept."""
from __future__ import annotations

import re

from planner.signups.models import Application
from tests.factories import make_application, make_exhibition, make_offer, make_user
from tests.signups.conftest import booth_post


def _ticked(page: str) -> set[str]:
    return set(re.findall(r'name="target_markets" value="([A-Z]{2})" checked', page))


def test_the_form_offers_grouped_checkboxes_main_markets_first_without_antarctica(client, db, login_as):
    make_exhibition(slug="fidae-2028", name="FIDAE 2028", country_code="CL")  # Chile hosts a show
    offer = make_offer()
    login_as(make_user())
    db.session.commit()
    page = client.get(f"/offers/{offer.id}/apply/booth").get_data(as_text=True)
    assert "Hold Ctrl" not in page and "<select" not in page.split('id="target_markets"')[1].split("</details>")[0]
    main = page.index(">Main markets</summary>")
    europe, africa = page.index(">Europe</summary>"), page.index(">Africa</summary>")
    assert main < europe < africa
    # The defence markets and the countries hosting shows are in the first group...
    assert main < page.index('value="PL"') < europe and main < page.index('value="CL"') < europe
    # ...the others under their region, each once; nobody sells to Antarctica or to Korea itself.
    assert europe < page.index('value="LU"') and page.count('value="LU"') == 1
    assert 'value="AQ"' not in page and 'value="BV"' not in page and 'value="KR"' not in page
    # Folded, with a filter box and a count for the script to bring to life.
    assert 'class="market-chooser" data-market-chooser' in page and "market_chooser.js" in page
    assert 'data-names="' in page and "폴란드" in page  # Korean names are matched too


def test_ticked_markets_are_stored(client, db, login_as):
    offer = make_offer()
    login_as(make_user())
    db.session.commit()
    response = client.post(f"/offers/{offer.id}/apply/booth", data=booth_post(target_markets=["PL", "ae"]))
    assert response.status_code == 303
    application = db.session.scalar(db.select(Application))
    assert application.answers["target_markets"] == ["PL", "AE"]
    page = client.get(f"/my/applications/{application.id}/edit").get_data(as_text=True)
    assert _ticked(page) == {"PL", "AE"}


def test_an_unknown_or_unoffered_code_is_refused_with_a_message(client, db, login_as):
    offer = make_offer()
    login_as(make_user())
    db.session.commit()
    for code in ("XX", "AQ", "<b>"):
        response = client.post(f"/offers/{offer.id}/apply/booth", data=booth_post(target_markets=["FR", code]))
        assert response.status_code == 400
        assert "is not a market you can choose" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Application)) == 0


def test_a_stored_market_no_longer_offered_is_shown_ticked_and_kept(client, db, login_as):
    user = login_as(make_user())
    application = make_application(company=user.company, answers={
        "exhibits": [{"name": "Thermal sight", "needs_licence": False, "licence_status": "not_needed"}],
        "target_markets": ["AQ", "FR"], "needs": [], "export_control_attested": True})
    db.session.commit()
    page = client.get(f"/my/applications/{application.id}/edit").get_data(as_text=True)
    assert _ticked(page) == {"AQ", "FR"}
    response = client.post(f"/my/applications/{application.id}/edit",
                           data=booth_post(target_markets=["AQ", "FR", "PL"]))
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Application, application.id).answers["target_markets"] == ["AQ", "FR", "PL"]
