"""Outcomes for the agency: per show, programme or year, the subsidy spent on places at
shows that are over against what the companies reported, in US dollars at the programme's
reference rates (outcomes.rates), by country, sector and size class."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from planner.accounts.models import Company
from planner.catalogue.models import Offer, Programme
from planner.catalogue.services import company_share_krw
from planner.extensions import db
from planner.outcomes.models import ReportStatus, ResultsReport
from planner.outcomes.rates import RATES_DATE, to_usd
from planner.outcomes.services.attendance import holder_ids, no_show_ids, show_has_ended
from planner.signups.models import Application, ApplicationStatus
from planner.signups.services import place_cost

ZERO = Decimal(0)


@dataclass
class Tally:
    subsidy_krw: int = 0
    reports: int = 0
    meetings: int = 0
    leads: int = 0
    mous: int = 0
    contracts_signed: int = 0
    signed_usd: Decimal = ZERO
    contracts_expected: int = 0
    expected_usd: Decimal = ZERO


@dataclass
class Figures:
    offers: list[Offer]
    places: int = 0                 # confirmed places at shows that are over
    reports_expected: int = 0       # companies that held a place, less recorded no-shows
    reports_submitted: int = 0
    total: Tally = field(default_factory=Tally)
    by_country: dict[str, Tally] = field(default_factory=dict)
    by_sector: dict[str, Tally] = field(default_factory=dict)
    by_size_class: dict[str, Tally] = field(default_factory=dict)
    rates_date: dt.date = RATES_DATE

    @property
    def reports_outstanding(self) -> int:
        return self.reports_expected - self.reports_submitted

    @property
    def outstanding_share(self) -> Decimal:
        """Share of the reports owed that are not submitted, 0..1 (0 when none are owed)."""
        if not self.reports_expected:
            return ZERO
        return (Decimal(self.reports_outstanding) / self.reports_expected).quantize(Decimal("0.001"))


def offers_in_scope(scope: str, key: int) -> list[Offer]:
    """The offers of one show-offer ("offer"), one programme ("programme"), or every programme
    of a year ("year")."""
    query = select(Offer).order_by(Offer.id)
    if scope == "offer":
        query = query.where(Offer.id == key)
    elif scope == "programme":
        query = query.where(Offer.programme_id == key)
    elif scope == "year":
        query = query.join(Offer.programme).where(Programme.year == key)
    else:
        raise ValueError(scope)
    return list(db.session.scalars(query))


def _primary_sector(company: Company) -> str:
    # A company listing several sectors counts under its first, so sector rows add up to the total.
    return str((company.sectors or ["other"])[0])


def compute_figures(offers: Sequence[Offer], *, now: dt.datetime | None = None) -> Figures:
    """Figures over the given offers whose shows are over. Subsidy: per confirmed place, its
    subsidy as recorded when it was confirmed (as the budget counts it).
    Outcomes come from submitted reports only; contract values are converted to USD one by
    one at the reference rates, then added."""
    ended = [o for o in offers if show_has_ended(o, now)]
    figures = Figures(offers=ended)
    if not ended:
        return figures
    ids = [o.id for o in ended]
    by_id = {o.id: o for o in ended}
    companies: dict[int, Company] = {}

    def groups(company_id: int) -> list[Tally]:
        company = companies.get(company_id) or db.session.get(Company, company_id)
        assert company is not None
        companies[company_id] = company
        return [figures.total,
                figures.by_sector.setdefault(_primary_sector(company), Tally()),
                figures.by_size_class.setdefault(str(company.size_class), Tally())]

    for offer_id, kind, company_id, recorded in db.session.execute(
            select(Application.offer_id, Application.kind, Application.company_id, Application.subsidy_krw)
            .where(Application.offer_id.in_(ids), Application.status == ApplicationStatus.confirmed)
            .order_by(Application.id)):
        offer = by_id[offer_id]
        cost = place_cost(offer, str(kind))
        tallies = groups(company_id)
        # The subsidy recorded when the place was confirmed (rule 9), else the current rules'.
        subsidy = recorded if recorded is not None else \
            cost - company_share_krw(cost, offer.programme, str(companies[company_id].size_class))
        figures.places += 1
        for tally in tallies:
            tally.subsidy_krw += subsidy

    holders = holder_ids(ids)
    for offer_id in ids:
        figures.reports_expected += len(holders[offer_id] - no_show_ids(offer_id))
    for report in db.session.scalars(select(ResultsReport).where(
            ResultsReport.offer_id.in_(ids), ResultsReport.status == ReportStatus.submitted)):
        figures.reports_submitted += 1
        for tally in groups(report.company_id):
            _add_report(tally, report)
        for line in report.leads or ():
            tally = figures.by_country.setdefault(str(line["country"]), Tally())
            tally.meetings += int(line["meetings"])
            tally.leads += int(line["leads"])
        for line in report.contracts or ():
            _add_contract(figures.by_country.setdefault(str(line["country"]), Tally()), line)
    figures.by_country = dict(sorted(figures.by_country.items()))
    figures.by_sector = dict(sorted(figures.by_sector.items()))
    figures.by_size_class = dict(sorted(figures.by_size_class.items()))
    return figures


def _add_contract(tally: Tally, line: dict[str, object]) -> None:
    usd = to_usd(str(line["value"]), str(line["currency"]))
    if line["stage"] == "signed":
        tally.contracts_signed += 1
        tally.signed_usd += usd
    else:
        tally.contracts_expected += 1
        tally.expected_usd += usd


def _add_report(tally: Tally, report: ResultsReport) -> None:
    tally.reports += 1
    tally.mous += report.mous_signed or 0
    for line in report.leads or ():
        tally.meetings += int(line["meetings"])
        tally.leads += int(line["leads"])
    for line in report.contracts or ():
        _add_contract(tally, line)
