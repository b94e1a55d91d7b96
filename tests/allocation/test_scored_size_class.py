"""Applications record the size class they were applied and scored with; a later change of the
company profile changes neither what was recorded nor what the pages and exports show."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from planner.accounts import services as accounts
from planner.allocation import services
from planner.allocation.models import AllocationResult
from planner.extensions import db
from planner.signups import services as signups
from planner.signups.models import Application, ApplicationStatus, PlaceKind
from planner.vocab import SizeClass
from tests.allocation.conftest import closed_offer, company_with_user
from tests.factories import make_coordinator, make_offer
from tests.signups.conftest import good_answers


@pytest.fixture(autouse=True)
def _request_context(app):
    with app.test_request_context():
        yield


def _reload(application_id: int) -> Application:
    db.session.expire_all()
    return db.session.get(Application, application_id)


def _details(company, size):
    return accounts.CompanyDetails(legal_name=company.legal_name, size_class=size, sectors=company.sectors,
                                   products=company.products or "")


def _apply_and_close(programme, company, user) -> Application:
    """Apply while the window is open; then the window closes, ready for the run."""
    offer = closed_offer(programme, closes_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
    application = signups.submit_application(offer, PlaceKind.booth, company=company, actor=user,
                                             answers=good_answers())
    offer.closes_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    db.session.flush()
    return application


def test_the_size_class_at_submission_is_kept(programme):
    company, user = company_with_user(size_class=SizeClass.small)
    application = signups.submit_application(make_offer(programme=programme), PlaceKind.booth, company=company,
                                             actor=user, answers=good_answers())
    accounts.update_company(company, _details(company, SizeClass.medium), actor=user)
    assert _reload(application.id).submitted_size_class == SizeClass.small


def test_a_published_run_records_the_size_class_it_scored_with_and_a_later_change_keeps_it(programme):
    company, user = company_with_user(size_class=SizeClass.small)
    _apply_and_close(programme, company, user)
    application = db.session.scalar(db.select(Application))

    dry = services.run_allocation(programme, actor=None, dry_run=True)
    [dry_result] = db.session.scalars(db.select(AllocationResult).where(AllocationResult.run_id == dry.id))
    assert dry_result.size_class == "small"
    assert _reload(application.id).scored_size_class is None   # a preview records nothing on the application

    services.run_allocation(programme, actor=None, dry_run=False)
    assert _reload(application.id).scored_size_class == SizeClass.small

    company = _reload(application.id).company
    accounts.update_company(company, _details(company, SizeClass.large), actor=user)
    application = _reload(application.id)
    assert application.company.size_class == SizeClass.large
    assert application.scored_size_class == SizeClass.small
    assert application.submitted_size_class == SizeClass.small


def test_the_back_office_page_and_export_show_the_scored_size_class_after_a_profile_change(
        app, client, login_as, programme):
    company, user = company_with_user(size_class=SizeClass.small, legal_name="Hanbit Optics")
    application = _apply_and_close(programme, company, user)
    services.run_allocation(programme, actor=None, dry_run=False)
    company = _reload(application.id).company
    accounts.update_company(company, _details(company, SizeClass.middle_market), actor=user)
    coordinator = make_coordinator()
    db.session.commit()

    login_as(coordinator)
    page = client.get(f"/backoffice/applications/{application.id}").text
    assert "Size class scored with" in page and "scored as Small" in page
    assert "Middle-market" in page   # the size class now, shown apart

    response = client.get("/backoffice/applications.csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    [row] = [r for r in rows if r["Company"] == "Hanbit Optics"]
    assert (row["Size class now"], row["Size class when applying"], row["Size class scored with"]) == \
        ("Middle-market", "Small", "Small")


def test_a_later_profile_change_leaves_the_company_share_and_the_budget_as_scored(programme):
    from planner.backoffice import cofunding
    company, user = company_with_user(size_class=SizeClass.small)
    application = _apply_and_close(programme, company, user)
    services.run_allocation(programme, actor=None, dry_run=False)
    application = _reload(application.id)
    application.status = ApplicationStatus.confirmed
    db.session.flush()
    [before] = cofunding.list_shares(programme_id=programme.id)
    assert (before.size_class, before.due_krw) == ("small", 6_000_000)   # 30 % of a 20,000,000 booth
    subsidy_before = services.programme_budget(programme).by_size_class["small"].committed_krw

    accounts.update_company(application.company, _details(application.company, SizeClass.large), actor=user)
    db.session.expire_all()
    [after] = cofunding.list_shares(programme_id=programme.id)
    assert (after.size_class, after.due_krw) == ("small", 6_000_000)
    budget = services.programme_budget(programme)
    assert budget.by_size_class["small"].committed_krw == subsidy_before == 14_000_000
    assert budget.by_size_class["large"].committed_krw == 0
