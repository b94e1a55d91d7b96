"""Programme and offer services, and the review services of the back office."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from planner.backoffice import services as backoffice
from planner.catalogue import services as catalogue
from planner.catalogue.models import OfferMode
from planner.catalogue.services import ProgrammeError
from planner.signups.models import ApplicationEvent, ApplicationStatus, PlaceKind
from planner.signups.services import TransitionNotAllowed
from tests.backoffice.conftest import offer_input, programme_input
from tests.factories import make_application, make_company, make_exhibition, make_offer, make_programme

UTC = dt.timezone.utc


# --- programmes -----------------------------------------------------------------------------

def test_programme_is_created_with_shares_cap_and_default_criteria(app):
    programme = catalogue.create_programme(programme_input())
    assert catalogue.get_programme_by_slug("overseas-2027") is programme
    assert programme.cap_per_company == 2
    assert programme.subsidy_shares["small"] == 0.7
    assert programme.criteria["size_class"]["small"] == 30
    assert programme.criteria["no_show_penalty"] == -25


@pytest.mark.parametrize("overrides, message", [
    ({"slug": "Bad Slug"}, "slug"),
    ({"cap_per_company": 0}, "at least one place"),
    ({"subsidy_shares": {"small": 1.2}}, "between 0 and 100"),
    ({"subsidy_shares": {"tiny": 0.5}}, "Unknown size class"),
    ({"eligible_size_classes": []}, "at least one eligible"),
    ({"budget_krw": -1}, "negative"),
    ({"year": 1999}, "year"),
    ({"criteria": {"no_show_penalty": 5}}, "no-show penalty"),
    ({"criteria": {"sector_fit": -3}}, "cannot be negative"),
    ({"criteria": {"sector_fit": 2.5}}, "whole numbers"),
])
def test_invalid_programme_is_refused_with_a_clear_message(app, overrides, message):
    with pytest.raises(ProgrammeError, match=message):
        catalogue.create_programme(programme_input(**overrides))


def test_two_programmes_cannot_share_a_slug(app):
    catalogue.create_programme(programme_input())
    with pytest.raises(ProgrammeError, match="already uses the slug"):
        catalogue.create_programme(programme_input(name="Another"))


def test_update_keeps_criteria_keys_the_form_does_not_know(app):
    programme = make_programme(criteria={"size_class": {"small": 1}, "custom_bonus": 7})
    catalogue.update_programme(programme, programme_input(slug=programme.slug, criteria={
        "size_class": {"small": 40}, "sector_fit": 12}))
    assert programme.criteria["custom_bonus"] == 7
    assert programme.criteria["size_class"]["small"] == 40
    assert programme.criteria["sector_fit"] == 12


def test_renaming_a_programme_bumps_its_offers_sequence(app):
    offer = make_offer()
    programme = offer.programme
    catalogue.update_programme(programme, programme_input(slug=programme.slug, name="Renamed"))
    assert offer.sequence == 1


# --- offers ---------------------------------------------------------------------------------

def test_offer_window_is_converted_from_the_offer_zone_to_utc(app):
    programme = make_programme()
    exhibition = make_exhibition(starts_on=dt.date(2027, 6, 14), ends_on=dt.date(2027, 6, 18))
    offer = catalogue.create_offer(programme, exhibition, offer_input(
        timezone="Europe/Paris", opens_local=dt.datetime(2027, 1, 10, 9, 0),
        closes_local=dt.datetime(2027, 3, 31, 18, 0),
        payment_due_local=dt.datetime(2027, 4, 30, 12, 0)))
    # Paris is UTC+1 in January, and already on summer time (UTC+2) on 31 March 2027.
    assert offer.opens_at == dt.datetime(2027, 1, 10, 8, 0, tzinfo=UTC)
    assert offer.closes_at == dt.datetime(2027, 3, 31, 16, 0, tzinfo=UTC)
    assert offer.payment_due_at == dt.datetime(2027, 4, 30, 10, 0, tzinfo=UTC)
    assert catalogue.offer_input_from(offer).closes_local == dt.datetime(2027, 3, 31, 18, 0)


def test_seoul_window_is_nine_hours_ahead_of_utc(app):
    offer = catalogue.create_offer(make_programme(), make_exhibition(), offer_input())
    assert offer.closes_at == dt.datetime(2027, 1, 15, 9, 0, tzinfo=UTC)


def test_a_time_skipped_by_the_clock_change_is_refused(app):
    with pytest.raises(ProgrammeError, match="does not exist"):
        catalogue.create_offer(make_programme(), make_exhibition(), offer_input(
            timezone="Europe/Paris", closes_local=dt.datetime(2027, 3, 28, 2, 30)))


@pytest.mark.parametrize("overrides, message", [
    ({"closes_local": dt.datetime(2026, 11, 30, 9, 0)}, "close after it opens"),
    ({"closes_local": dt.datetime(2027, 6, 20, 9, 0)}, "before the exhibition starts"),
    ({"timezone": "Mars/Olympus"}, "Unknown time zone"),
    ({"booth_capacity": 0, "delegation_capacity": 0}, "at least one booth or delegation"),
    ({"booth_capacity": -1}, "cannot be negative"),
    ({"delegation_min_staff": 3, "delegation_people_per_place": 2}, "minimum staff"),
    ({"confirmation_days": 0}, "at least one day"),
    ({"buildup_starts_on": dt.date(2027, 6, 12)}, "both"),
    ({"buildup_starts_on": dt.date(2027, 6, 13), "buildup_ends_on": dt.date(2027, 6, 12)},
     "cannot end before"),
])
def test_invalid_offer_is_refused_with_a_clear_message(app, overrides, message):
    with pytest.raises(ProgrammeError, match=message):
        catalogue.create_offer(make_programme(), make_exhibition(), offer_input(**overrides))


def test_one_offer_per_exhibition_per_programme(app):
    programme, exhibition = make_programme(), make_exhibition()
    catalogue.create_offer(programme, exhibition, offer_input())
    with pytest.raises(ProgrammeError, match="already has an offer"):
        catalogue.create_offer(programme, exhibition, offer_input())
    # Another programme may still offer places at the same show.
    assert catalogue.create_offer(make_programme(), exhibition, offer_input()).id


def test_cancelled_exhibition_receives_no_offer(app):
    with pytest.raises(ProgrammeError, match="cancelled"):
        catalogue.create_offer(make_programme(), make_exhibition(status="cancelled"), offer_input())


def test_capacity_cannot_go_below_places_taken(app):
    offer = catalogue.create_offer(make_programme(), make_exhibition(), offer_input())
    offer.booth_taken = 4
    with pytest.raises(ProgrammeError, match="below the 4 already taken"):
        catalogue.update_offer(offer, offer_input(booth_capacity=3))
    catalogue.update_offer(offer, offer_input(booth_capacity=4))
    assert offer.booth_capacity == 4


def test_changing_the_window_bumps_the_sequence_and_saving_unchanged_does_not(app):
    offer = catalogue.create_offer(make_programme(), make_exhibition(), offer_input())
    catalogue.update_offer(offer, offer_input())
    assert offer.sequence == 0
    catalogue.update_offer(offer, offer_input(closes_local=dt.datetime(2027, 1, 20, 18, 0)))
    assert offer.sequence == 1
    catalogue.update_offer(offer, offer_input(closes_local=dt.datetime(2027, 1, 20, 18, 0),
                                              mode=OfferMode.first_come))
    assert offer.sequence == 2


def test_open_offers_are_those_whose_window_contains_now(app):
    now = dt.datetime(2027, 1, 1, tzinfo=UTC)
    open_offer = make_offer(opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=1))
    make_offer(opens_at=now + dt.timedelta(days=1), closes_at=now + dt.timedelta(days=2))
    make_offer(opens_at=now - dt.timedelta(days=2), closes_at=now)
    make_offer(opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=1),
               exhibition=make_exhibition(status="cancelled"))
    assert catalogue.list_open_offers(now) == [open_offer]


def test_offers_are_listed_per_programme_and_per_exhibition(app):
    exhibition = make_exhibition()
    first, second = make_offer(exhibition=exhibition), make_offer(exhibition=exhibition)
    assert catalogue.list_offers(first.programme) == [first]
    assert set(catalogue.offers_for_exhibition(exhibition.id)) == {first, second}


@pytest.mark.parametrize("size, expected", [
    ("small", 6_000_000), ("medium", 10_000_000), ("middle-market", 14_000_000),
    ("large", 20_000_000),
])
def test_company_share_is_the_cost_less_the_subsidy_of_its_size_class(app, size, expected):
    programme = make_programme(eligible_size_classes=["small", "medium", "middle-market"],
                               subsidy_shares={"small": 0.7, "medium": 0.5, "middle-market": 0.3,
                                               "large": 0.5})
    assert catalogue.company_share_krw(20_000_000, programme, size) == expected


def test_company_share_rounds_the_subsidy_to_the_nearest_won(app):
    programme = make_programme(eligible_size_classes=["small"], subsidy_shares={"small": 0.333})
    assert catalogue.company_share_krw(1_000_001, programme, "small") == 1_000_001 - 333_000


# --- review ---------------------------------------------------------------------------------

@pytest.fixture
def review_data(app):
    programme = make_programme(slug="p-review")
    paris = make_offer(programme=programme, exhibition=make_exhibition(name="Eurosatory", slug="eurosatory-x"))
    dubai = make_offer(programme=programme, exhibition=make_exhibition(name="IDEX", slug="idex-x"))
    small = make_company(legal_name="Alpha Optics", size_class="small")
    medium = make_company(legal_name="Beta Marine", size_class="medium")
    t0 = dt.datetime(2026, 12, 1, tzinfo=UTC)
    apps = {
        "a1": make_application(offer=paris, company=small, kind=PlaceKind.booth, created_at=t0),
        "a2": make_application(offer=dubai, company=small, kind=PlaceKind.delegation,
                               created_at=t0 + dt.timedelta(hours=1)),
        "b1": make_application(offer=paris, company=medium, kind=PlaceKind.delegation,
                               created_at=t0 + dt.timedelta(hours=2)),
    }
    return dict(programme=programme, paris=paris, dubai=dubai, small=small, medium=medium, **apps)


def _ids(page):
    return [a.id for a in page.items]


def test_review_list_filters_by_offer_kind_size_and_text(review_data):
    d = review_data
    F = backoffice.ApplicationFilters
    assert set(_ids(backoffice.list_applications(F(offer_id=d["paris"].id)))) == {d["a1"].id, d["b1"].id}
    assert _ids(backoffice.list_applications(F(kind=PlaceKind.delegation, size_class="medium"))) == [d["b1"].id]
    assert set(_ids(backoffice.list_applications(F(q="alpha")))) == {d["a1"].id, d["a2"].id}
    assert _ids(backoffice.list_applications(F(q="idex"))) == [d["a2"].id]
    assert backoffice.list_applications(F(q="100%")).total == 0
    assert backoffice.list_applications(F(programme_id=d["programme"].id)).total == 3
    assert backoffice.list_applications(F(programme_id=d["programme"].id + 999)).total == 0


def test_review_list_filters_by_status_and_sorts(review_data, coordinator):
    d = review_data
    backoffice.mark_ineligible(d["a2"], actor=coordinator, reason="Not a defence product")
    F = backoffice.ApplicationFilters
    assert _ids(backoffice.list_applications(F(status=ApplicationStatus.ineligible))) == [d["a2"].id]
    assert _ids(backoffice.list_applications(F(sort="submitted"))) == [d["a1"].id, d["a2"].id, d["b1"].id]
    assert _ids(backoffice.list_applications(F(sort="-submitted"))) == [d["b1"].id, d["a2"].id, d["a1"].id]
    by_company = _ids(backoffice.list_applications(F(sort="-company")))
    assert by_company[0] == d["b1"].id
    assert _ids(backoffice.list_applications(F(sort="preference")))[-1] == d["a2"].id


def test_review_list_is_paginated(review_data):
    page = backoffice.list_applications(backoffice.ApplicationFilters(sort="submitted"), page=2, per_page=2)
    assert (page.number, page.pages, page.total) == (2, 2, 3)
    assert _ids(page) == [review_data["b1"].id]
    # A page past the end shows the last page rather than nothing.
    assert backoffice.list_applications(backoffice.ApplicationFilters(), page=99, per_page=2).number == 2


def test_mark_ineligible_records_the_event_with_actor_and_reason(review_data, coordinator, db):
    application = review_data["a1"]
    backoffice.mark_ineligible(application, actor=coordinator, reason="  Exhibit is not defence-related ")
    db.session.commit()
    assert application.status == ApplicationStatus.ineligible
    assert application.ineligible_reason == "Exhibit is not defence-related"
    event = db.session.scalar(db.select(ApplicationEvent).where(ApplicationEvent.application_id == application.id))
    assert (event.from_status, event.to_status, event.actor_id, event.reason) == (
        "submitted", "ineligible", coordinator.id, "Exhibit is not defence-related")


def test_mark_ineligible_needs_a_reason_and_a_status_that_allows_it(app, review_data, coordinator):
    with pytest.raises(backoffice.ReviewError, match="reason"):
        backoffice.mark_ineligible(review_data["a1"], actor=coordinator, reason="   ")
    assert review_data["a1"].status == ApplicationStatus.submitted
    backoffice.mark_ineligible(review_data["a1"], actor=coordinator, reason="No")
    # signups words its refusal with the request's locale, so give it a request.
    with app.test_request_context(), pytest.raises(TransitionNotAllowed):
        backoffice.mark_ineligible(review_data["a1"], actor=coordinator, reason="Again")


def test_csv_export_has_a_header_and_one_row_per_filtered_application(review_data):
    text = backoffice.applications_csv(backoffice.ApplicationFilters(offer_id=review_data["paris"].id,
                                                                     sort="submitted"))
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Application,Programme,Exhibition")
    assert len(lines) == 3
    assert "Alpha Optics" in lines[1] and review_data["paris"].exhibition.name in lines[1] and ",Booth," in lines[1]
    assert "Beta Marine" in lines[2]


def test_csv_export_neutralises_formulas(app):
    company = make_company(legal_name="=HYPERLINK(\"http://evil\")", products="x")
    make_application(company=company, answers={"exhibits": [{"name": "+cmd|' /C calc'!A0"}],
                                               "target_markets": ["@SUM(1)"], "needs": ["-2+3"]})
    text = backoffice.applications_csv(backoffice.ApplicationFilters())
    assert "'=HYPERLINK" in text
    assert "'+cmd" in text
    assert "'@SUM(1)" in text
    assert "'-2+3" in text
    assert ",=HYPERLINK" not in text


def test_xlsx_export_opens_with_the_same_rows_and_no_formulas(app):
    company = make_company(legal_name="=1+1 Co.", size_class="medium")
    application = make_application(company=company)
    data = backoffice.applications_xlsx(backoffice.ApplicationFilters())
    sheet = load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Application", "Programme", "Exhibition")
    assert len(rows) == 2
    assert rows[1][0] == application.id
    assert rows[1][7] == "'=1+1 Co."
    assert rows[1][9] == "Medium"
    assert sheet.cell(row=2, column=8).data_type == "s"


def test_exports_honour_the_filters(review_data):
    data = backoffice.applications_xlsx(backoffice.ApplicationFilters(kind=PlaceKind.booth))
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [review_data["a1"].id]


def test_offer_fill_counts_applications_per_kind_except_withdrawn(review_data):
    fill = backoffice.offer_fill([review_data["paris"], review_data["dubai"]])
    assert fill[review_data["paris"].id] == {"booth": 1, "delegation": 1}
    assert fill[review_data["dubai"].id] == {"booth": 0, "delegation": 1}


def test_the_xlsx_export_drops_characters_xlsx_cannot_hold(review_data):
    company = make_company(legal_name="Bell\x07 Optics")
    make_application(company=company, offer=review_data["paris"])
    sheet = load_workbook(io.BytesIO(backoffice.applications_xlsx(backoffice.ApplicationFilters()))).active
    assert "Bell Optics" in [row[7] for row in sheet.iter_rows(values_only=True)]
