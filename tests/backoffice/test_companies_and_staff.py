"""The back office's company directory, company page, size-class check and staff management."""
from __future__ import annotations

import pytest

from planner.accounts import services as accounts
from planner.accounts.models import AccountEvent, DocumentKind, Role, SizeClassCheck, User
from planner.backoffice import directory
from planner.notifications.models import OutboxMessage
from planner.signups.models import ApplicationStatus, PlaceKind
from planner.vocab import Sector, SizeClass
from tests.factories import make_application, make_company, make_coordinator, make_offer, make_user

PDF = b"%PDF-1.4 certificate"


@pytest.fixture
def app_config(tmp_path):
    return {"DOCUMENTS_DIR": str(tmp_path / "documents"), "MAIL_DIR": str(tmp_path / "mail")}


# --- services --------------------------------------------------------------------------------

def test_the_directory_finds_companies_by_name_number_and_user_email(app):
    hanbit = make_company(legal_name="Hanbit Optics", sectors=["air"], size_class=SizeClass.medium)
    make_company(legal_name="Daewon Marine", sectors=["naval"])
    make_user(company=hanbit, email="kim@hanbit.example")
    number = hanbit.registration_number
    for q in ("hanbit", f"{number[:3]}-{number[3:5]}-{number[5:]}", "kim@hanbit"):
        assert [c.legal_name for c in directory.search_companies(directory.CompanyFilters(q=q)).items] == [
            "Hanbit Optics"]
    assert directory.search_companies(directory.CompanyFilters(sector=Sector.naval)).total == 1
    assert directory.search_companies(directory.CompanyFilters(size_class=SizeClass.medium)).total == 1
    assert directory.search_companies(directory.CompanyFilters(check=SizeClassCheck.verified)).total == 0
    assert directory.search_companies(directory.CompanyFilters(q="50%")).total == 0


def test_the_directory_is_paginated(app):
    for n in range(7):
        make_company(legal_name=f"Firm {n}")
    page = directory.search_companies(directory.CompanyFilters(), page=2, per_page=5)
    assert (page.number, page.pages, page.total, len(page.items)) == (2, 2, 7, 2)


def test_subsidy_received_sums_the_agencys_share_of_confirmed_places(app):
    company = make_company(size_class=SizeClass.small)
    offer = make_offer(booth_cost_krw=20_000_000, delegation_cost_krw=5_000_000)
    make_application(company=company, offer=offer, status=ApplicationStatus.confirmed)
    make_application(company=company, offer=offer, kind=PlaceKind.delegation, status=ApplicationStatus.confirmed)
    make_application(company=company, offer=make_offer(), status=ApplicationStatus.submitted)
    overview = directory.company_overview(company)
    # Small companies get 70 %: 14,000,000 of the booth and 3,500,000 of the delegation place.
    assert overview.subsidy_received_krw == 17_500_000
    assert len(overview.applications) == 3
    assert (overview.shares_paid_krw, overview.shares_due_krw) == (0, 7_500_000)


def test_an_admin_invites_changes_and_deactivates_staff_with_an_audit_trail(app):
    admin = make_coordinator(role=Role.admin)
    user = accounts.invite_staff("new@agency.example", name="New", role=Role.coordinator, actor=admin)
    assert user.role == Role.coordinator and user.email_verified_at is not None
    accounts.change_staff_role(user, Role.admin, actor=admin)
    accounts.set_staff_active(user, False, actor=admin)
    assert not user.is_active_account
    actions = [e.action for e in accounts.list_events(staff=True)]
    assert actions == ["staff-deactivated", "staff-role-changed", "staff-invited"]


def test_a_coordinator_cannot_change_staff_and_nobody_changes_themselves(app):
    coordinator = make_coordinator()
    admin = make_coordinator(role=Role.admin)
    with pytest.raises(accounts.StaffChangeRefused):
        accounts.change_staff_role(admin, Role.coordinator, actor=coordinator)
    with pytest.raises(accounts.StaffChangeRefused):
        accounts.set_staff_active(admin, False, actor=admin)


# --- views -----------------------------------------------------------------------------------

def test_the_company_page_shows_people_documents_and_applications(client, login_as, db):
    company = make_company(legal_name="Hanbit Optics")
    main = make_user(company=company, is_main_contact=True, name="Kim Minji")
    accounts.upload_document(company, DocumentKind.registration_certificate, "cert.pdf", PDF, actor=main)
    make_application(company=company, status=ApplicationStatus.confirmed)
    coordinator = make_coordinator()
    db.session.commit()
    login_as(coordinator)
    assert "Hanbit Optics" in client.get("/backoffice/companies?q=hanbit").text
    page = client.get(f"/backoffice/companies/{company.id}").text
    for text in ("Kim Minji", "Main contact", "cert.pdf", "Subsidy received", "Shares paid", "Confirmed"):
        assert text in page
    assert client.get("/backoffice/companies/999999").status_code == 404


def test_a_coordinator_verifies_a_size_class(client, login_as, db):
    company = make_company()
    coordinator = make_coordinator()
    db.session.commit()
    login_as(coordinator)
    response = client.post(f"/backoffice/companies/{company.id}/size-class", data={"outcome": "verified"})
    assert response.status_code == 302
    assert db.session.get(type(company), company.id).size_class_check == SizeClassCheck.verified
    assert db.session.scalar(db.select(AccountEvent.actor_id)) == coordinator.id


def test_applicants_cannot_see_the_directory(client, login_as, db):
    user = make_user()
    db.session.commit()
    login_as(user)
    assert client.get("/backoffice/companies").status_code == 403
    assert client.get(f"/backoffice/companies/{user.company_id}").status_code == 403


def test_a_coordinator_lists_staff_but_cannot_change_them(client, login_as, db):
    coordinator = make_coordinator(name="Coord")
    other = make_coordinator(name="Other Coord")
    db.session.commit()
    login_as(coordinator)
    page = client.get("/backoffice/staff")
    assert page.status_code == 200 and "Other Coord" in page.text and "Send invitation" not in page.text
    assert client.post(f"/backoffice/staff/{other.id}/deactivate").status_code == 403
    assert client.post(f"/backoffice/staff/{other.id}/role", data={"role": "admin"}).status_code == 403
    assert client.post("/backoffice/staff/invite", data={"email": "x@agency.example", "name": "X",
                                                          "role": "coordinator"}).status_code == 403
    assert db.session.get(User, other.id).is_active_account


def test_an_admin_invites_a_coordinator_who_gets_a_link(client, login_as, db):
    admin = make_coordinator(role=Role.admin)
    db.session.commit()
    login_as(admin)
    response = client.post("/backoffice/staff/invite", data={"email": "new@agency.example", "name": "New",
                                                             "role": "coordinator"})
    assert response.status_code == 302
    [mail] = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.to_addr == "new@agency.example"))
    assert "/account/welcome/" in mail.body_text


def test_an_admin_deactivates_a_coordinator(client, login_as, db):
    admin = make_coordinator(role=Role.admin)
    other = make_coordinator()
    db.session.commit()
    login_as(admin)
    assert client.post(f"/backoffice/staff/{other.id}/deactivate").status_code == 302
    assert not db.session.get(User, other.id).is_active_account
    assert client.post(f"/backoffice/staff/{admin.id}/deactivate").status_code == 403
    assert client.post(f"/backoffice/staff/{make_user().id}/deactivate").status_code == 404


def test_an_application_page_shows_placeholder_days_as_the_month_only(client, login_as, db):
    from planner.catalogue.models import DateCertainty
    from tests.factories import make_exhibition
    exhibition = make_exhibition(date_certainty=DateCertainty.projected)
    application = make_application(offer=make_offer(exhibition=exhibition))
    db.session.commit()
    login_as(make_coordinator())
    page = client.get(f"/backoffice/applications/{application.id}").text
    assert "June 2027 (projected)" in page
    assert "14" not in page.split("June 2027 (projected)")[0][-20:]
