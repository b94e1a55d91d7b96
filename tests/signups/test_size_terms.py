"""Issue 10, item 6: a company of a size class the programme does not subsidise sees, before
applying, what the rules allow it: to take part at the full cost (an eligible class with no
share) or not at all (a class the programme is not open to); never a form that then refuses it."""
from __future__ import annotations

import pytest

from planner.vocab import SizeClass
from tests.factories import make_offer, make_programme, make_user

NOT_OPEN = "This programme is not open to companies of your size class (Large)"
FULL_COST = "This programme does not subsidise companies of your size class (Middle-market)"


@pytest.fixture
def offer(db):
    # Small and medium companies are subsidised; middle-market ones may join with no subsidy;
    # large ones may not apply.
    programme = make_programme(slug="overseas-2027", eligible_size_classes=["small", "medium", "middle-market"],
                               subsidy_shares={"small": 0.7, "medium": 0.5, "middle-market": 0.0})
    offer = make_offer(programme=programme, booth_cost_krw=20_000_000)
    db.session.commit()
    return offer


def _signed_in(db, login_as, size_class: SizeClass):
    user = make_user()
    user.company.size_class = size_class
    db.session.commit()
    login_as(user)
    return user


def _apply_links(page: str, offer) -> int:
    return page.count(f"/offers/{offer.id}/apply/")


def _pages(client, offer) -> dict[str, str]:
    return {"programme": client.get("/programmes/overseas-2027").get_data(as_text=True),
            "programmes": client.get("/programmes").get_data(as_text=True),
            "exhibition": client.get(f"/exhibitions/{offer.exhibition.slug}").get_data(as_text=True)}


def test_a_company_the_programme_is_not_open_to_is_told_and_not_invited_to_apply(client, db, login_as, offer):
    # Old code: every page showed "Apply" buttons; the exhibition page even said "size classes
    # not listed pay the full cost"; then the form refused it.
    _signed_in(db, login_as, SizeClass.large)
    for name, page in _pages(client, offer).items():
        assert NOT_OPEN in page, name
        assert _apply_links(page, offer) == 0, name
        assert "pay the full cost" not in page, name
    response = client.get(f"/offers/{offer.id}/apply/booth")
    page = response.get_data(as_text=True)
    assert response.status_code == 403 and NOT_OPEN in page
    assert 'class="application-form"' not in page


def test_a_company_without_a_subsidy_sees_it_pays_the_full_cost_before_applying(client, db, login_as, offer):
    _signed_in(db, login_as, SizeClass.middle_market)
    for name, page in _pages(client, offer).items():
        assert FULL_COST in page, name
        assert _apply_links(page, offer) > 0, name
    response = client.get(f"/offers/{offer.id}/apply/booth")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'class="application-form"' in page
    assert FULL_COST in page and "20,000,000" in page.split(FULL_COST)[1].split("</p>")[0]


def test_a_subsidised_company_and_a_visitor_see_no_such_notice(client, db, login_as, offer):
    for name, page in _pages(client, offer).items():  # a visitor
        assert NOT_OPEN not in page and FULL_COST not in page, name
        assert _apply_links(page, offer) > 0, name
        assert "Companies of other size classes cannot apply in this programme." in page or name != "exhibition"
    _signed_in(db, login_as, SizeClass.small)
    for name, page in _pages(client, offer).items():
        assert "your size class" not in page, name
        assert _apply_links(page, offer) > 0, name
    assert client.get(f"/offers/{offer.id}/apply/booth").status_code == 200
