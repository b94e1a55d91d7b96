"""The company's name in Korean and its fascia name: kept in the profile, checked for length,
shown on the company pages and used in the pavilion builder's list."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from planner.accounts import services
from planner.accounts.models import Company
from planner.backoffice import exports
from planner.extensions import db
from planner.signups.models import ApplicationStatus
from planner.vocab import SizeClass
from tests.factories import make_application, make_company, make_coordinator, make_offer, make_user


def _profile(**overrides) -> dict:
    data = {"legal_name": "Hanbit Optics Co., Ltd.", "legal_name_ko": "한빛광학 주식회사",
            "fascia_name": "HANBIT OPTICS", "fascia_name_ko": "한빛광학", "size_class": "small",
            "sectors": ["land"], "products": "Thermal sights"}
    data.update(overrides)
    return data


def test_the_profile_form_saves_the_korean_and_fascia_names(client, login_as):
    user = make_user()
    db.session.commit()
    login_as(user)
    form = client.get("/account/company/edit").text
    assert 'name="legal_name_ko"' in form and 'name="fascia_name"' in form and 'name="fascia_name_ko"' in form
    assert client.post("/account/company/edit", data=_profile(fascia_name="  HANBIT   OPTICS ")).status_code == 302
    company = db.session.get(Company, user.company_id)
    assert (company.legal_name_ko, company.fascia_name, company.fascia_name_ko) == \
        ("한빛광학 주식회사", "HANBIT OPTICS", "한빛광학")
    page = client.get("/account/company").text
    assert "한빛광학 주식회사" in page and "HANBIT OPTICS" in page


def test_a_korean_reader_sees_the_korean_name_on_the_company_page(client, login_as):
    user = make_user(locale="ko")
    user.company.legal_name_ko = "한빛광학 주식회사"
    db.session.commit()
    login_as(user)
    page = client.get("/account/company?lang=ko", headers={"Accept-Language": "ko"}).text
    assert "<h1>한빛광학 주식회사</h1>" in page


@pytest.mark.parametrize("field, value", [("fascia_name", "F" * 61), ("fascia_name_ko", "가" * 61),
                                          ("legal_name_ko", "가" * 201)])
def test_too_long_names_are_refused_and_nothing_is_saved(client, login_as, field, value):
    user = make_user()
    db.session.commit()
    login_as(user)
    response = client.post("/account/company/edit", data=_profile(**{field: value}))
    assert response.status_code == 400
    assert "characters" in response.text
    assert getattr(db.session.get(Company, user.company_id), field) is None


def test_control_characters_in_a_fascia_name_are_refused(client, login_as):
    user = make_user()
    db.session.commit()
    login_as(user)
    assert client.post("/account/company/edit", data=_profile(fascia_name="HAN\x00BIT")).status_code == 400
    assert db.session.get(Company, user.company_id).fascia_name is None


def test_the_service_refuses_a_fascia_name_longer_than_a_board_holds(app):
    user = make_user()
    details = services.CompanyDetails(legal_name="Hanbit", size_class=SizeClass.small, sectors=["land"],
                                      fascia_name="F" * 61)
    with app.test_request_context(), pytest.raises(services.AccountError):
        services.update_company(user.company, details, actor=user)


def test_the_back_office_company_page_shows_both_names(client, login_as):
    company = make_company(legal_name="Hanbit Optics", legal_name_ko="한빛광학", fascia_name="HANBIT",
                           fascia_name_ko="한빛")
    coordinator = make_coordinator()
    db.session.commit()
    login_as(coordinator)
    page = client.get(f"/backoffice/companies/{company.id}").text
    assert "한빛광학" in page and "HANBIT" in page and "한빛" in page


def test_the_pavilion_list_has_english_and_korean_names_and_the_fascia_name(app):
    offer = make_offer(booth_size_sqm=12)
    named = make_company(legal_name="Hanbit Optics Co., Ltd.", legal_name_ko="한빛광학 주식회사",
                         fascia_name="HANBIT OPTICS", fascia_name_ko="한빛광학")
    plain = make_company(legal_name="Bell Armour")
    for company in (named, plain):
        make_application(company=company, offer=offer, status=ApplicationStatus.confirmed)
    with app.test_request_context():
        table = exports.pavilion_table(offer)
        rows = list(table.rows)
        assert [c.header for c in table.columns] == ["Company (English)", "Company (Korean)", "Fascia name",
                                                     "Fascia name (Korean)", "Booth size (m²)", "Exhibits"]
        assert rows == [["Bell Armour", "", "Bell Armour", "", 12, "Thermal sight"],
                        ["Hanbit Optics Co., Ltd.", "한빛광학 주식회사", "HANBIT OPTICS", "한빛광학", 12, "Thermal sight"]]
        sheet = load_workbook(io.BytesIO(exports.to_xlsx([exports.pavilion_table(offer)]))).active
        assert sheet["B3"].value == "한빛광학 주식회사" and sheet["D3"].value == "한빛광학"


def test_the_directory_finds_a_company_by_its_korean_or_fascia_name(client, login_as):
    make_company(legal_name="Hanbit Optics Co., Ltd.", legal_name_ko="한빛광학", fascia_name="HANBIT")
    make_company(legal_name="Bell Armour")
    coordinator = make_coordinator()
    db.session.commit()
    login_as(coordinator)
    for query in ("한빛", "hanbit"):
        page = client.get("/backoffice/companies", query_string={"q": query}).text
        assert "Hanbit Optics Co., Ltd." in page and "Bell Armour" not in page, query
