"""What a new company met first on the walk through the applicant pages (issue 14): counts
in the right plural, a city-state named once, placeholder days never shown as confirmed."""
from __future__ import annotations

import datetime as dt

import pytest

from planner.allocation import services as allocation
from tests.allocation.conftest import closed_offer
from tests.factories import make_application, make_exhibition, make_offer, make_programme, make_user


@pytest.fixture
def applicant(db, login_as):
    return login_as(make_user())


@pytest.mark.parametrize("n, booth, delegation", [
    (1, "1 place of 9 m², ₩20,000,000", "1 place for 1 person, ₩5,000,000 each"),
    (2, "2 places of 9 m², ₩20,000,000 each", "2 places for up to 2 people, ₩5,000,000 each"),
])
def test_offer_card_counts_places_and_people_in_the_right_plural(client, db, n, booth, delegation):
    offer = make_offer(booth_capacity=n, delegation_capacity=n, delegation_people_per_place=n)
    db.session.commit()
    page = client.get(f"/programmes/{offer.programme.slug}").get_data(as_text=True)
    assert booth in page and delegation in page
    assert "1 places" not in page and "1 people" not in page


@pytest.mark.parametrize("cap, text", [(1, "0 of 1 subsidised place held, 1 remaining."),
                                       (2, "0 of 2 subsidised places held, 2 remaining.")])
def test_allowance_box_says_place_or_places_by_the_cap(client, db, applicant, cap, text):
    offer = make_offer(programme=make_programme(cap_per_company=cap))
    db.session.commit()
    page = client.get(f"/offers/{offer.id}/apply/booth").get_data(as_text=True)
    assert text in page


@pytest.mark.parametrize("cap, text", [(1, "holds at most 1 place in this programme"),
                                       (2, "holds at most 2 places in this programme")])
def test_public_results_state_the_cap_in_the_right_plural(client, db, cap, text):
    programme = make_programme(cap_per_company=cap)
    offer = closed_offer(programme)
    make_application(offer=offer)
    allocation.run_allocation(programme, actor=None, dry_run=False)
    db.session.commit()
    page = client.get(f"/programmes/{programme.slug}/results").get_data(as_text=True)
    assert text in page


def singapore_offer():
    show = make_exhibition(name="Singapore Airshow", city="Singapore", city_ko="싱가포르", country_code="SG",
                           timezone="Asia/Singapore")
    return make_offer(exhibition=show)


def test_a_city_state_is_named_once_on_every_applicant_page(app, client, db, applicant):
    offer = singapore_offer()
    application = make_application(offer=offer, company=applicant.company)
    db.session.commit()
    for path in (f"/programmes/{offer.programme.slug}", f"/offers/{offer.id}/apply/delegation",
                 f"/my/applications/{application.id}", "/exhibitions", "/exhibitions/" + offer.exhibition.slug):
        page = client.get(path).get_data(as_text=True)
        assert "Singapore" in page, path
        assert "Singapore, Singapore" not in page, path
    with app.app_context():  # a fresh context, as a server gives each request: g remembers the locale
        korean = client.get(f"/programmes/{offer.programme.slug}?lang=ko").get_data(as_text=True)
    assert "싱가포르" in korean and "싱가포르, 싱가포르" not in korean


def test_other_cities_keep_their_country(client, db):
    offer = make_offer()
    db.session.commit()
    assert "Paris, France" in client.get(f"/programmes/{offer.programme.slug}").get_data(as_text=True)


def test_placeholder_days_are_shown_as_the_month_on_applicant_pages(client, db, applicant):
    dsei = make_exhibition(name="DSEI", starts_on=dt.date(2027, 9, 7), ends_on=dt.date(2027, 9, 10),
                           date_certainty="month", city="London", country_code="GB")
    offer = make_offer(exhibition=dsei)
    application = make_application(offer=offer, company=applicant.company)
    db.session.commit()
    for path in (f"/programmes/{offer.programme.slug}", f"/offers/{offer.id}/apply/delegation",
                 f"/my/applications/{application.id}", "/my/applications"):
        page = client.get(path).get_data(as_text=True)
        assert "September 2027 (dates not yet confirmed)" in page, path
        assert "Sep 7, 2027" not in page and "Sep 10, 2027" not in page, path


def test_confirmed_days_are_still_shown_as_days(client, db):
    offer = make_offer(exhibition=make_exhibition(starts_on=dt.date(2027, 6, 14), ends_on=dt.date(2027, 6, 18)))
    db.session.commit()
    assert "Jun 14, 2027 – Jun 18, 2027" in client.get(f"/programmes/{offer.programme.slug}").get_data(as_text=True)


def test_delegate_counts_in_form_errors_use_the_singular_for_one(client, db, applicant):
    from tests.signups.conftest import delegation_post
    offer = make_offer(delegation_min_staff=1, delegation_people_per_place=1)
    db.session.commit()
    two = delegation_post(**{"delegates-1-name": "Lee Jun", "delegates-1-role": "Engineer"})
    page = client.post(f"/offers/{offer.id}/apply/delegation", data=two).get_data(as_text=True)
    assert "A place takes at most 1 person." in page
    none = delegation_post(**{"delegates-0-name": "", "delegates-0-role": ""})
    page = client.post(f"/offers/{offer.id}/apply/delegation", data=none).get_data(as_text=True)
    assert "Name at least 1 delegate." in page
