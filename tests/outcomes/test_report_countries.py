"""Issue 12 (found by tests/test_hostile_forms.py): a results report names real countries only;
non-Latin letters, "ß" (which upper-cases to "SS") and made-up codes are refused."""
from __future__ import annotations

from decimal import Decimal

import pytest

from planner.outcomes import services
from planner.outcomes.services import ContractLine, LeadLine, OutcomeError, ReportData
from tests.factories import make_company, make_user
from tests.outcomes.conftest import ended_offer, hold_place


@pytest.mark.parametrize("country", ["가나", "ß", "QQ", "é1"])
def test_a_report_refuses_a_country_that_does_not_exist(app, db, now, country):
    company = make_company()
    user = make_user(company=company)
    offer = ended_offer()
    hold_place(offer, company)
    report = services.open_report(offer, company.id, now=now)
    for data in (ReportData(leads=(LeadLine(country, 1, 1),)),
                 ReportData(contracts=(ContractLine(country, "signed", Decimal("10"), "USD"),))):
        with pytest.raises(OutcomeError, match="two-letter code"):
            services.save_draft(report, data, version=report.version, actor=user, now=now)
    services.save_draft(report, ReportData(leads=(LeadLine("pl", 1, 1),)), version=report.version, actor=user, now=now)
    assert report.leads == [{"country": "PL", "meetings": 1, "leads": 1}]
