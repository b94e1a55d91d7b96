"""Results reports: requested when a show ends, saved as drafts, submitted once, amended by a
coordinator only with a reason; every write is a compare-and-set on the report's version."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import exc, select, update

from planner.accounts.models import User
from planner.accounts.recipients import company_recipients
from planner.catalogue.models import Exhibition, Offer
from planner.db import utcnow
from planner.extensions import db
from planner.i18n import _, known_country_codes
from planner.notifications.services import Notification, absolute_url, notify_bulk
from planner.outcomes.models import ReportEvent, ReportStatus, ResultsReport
from planner.outcomes.rates import CURRENCIES
from planner.outcomes.services.attendance import (
    held_a_place,
    holder_ids,
    list_ended_offers,
    local_today,
    no_show_ids,
    show_has_ended,
)
from planner.outcomes.services.errors import NoPlaceHeld, OutcomeError, ShowNotEnded, StaleChange
from planner.outcomes.services.settings import report_due_on
from planner.signups import services as signups
from planner.signups.models import Application

CONTRACT_STAGES = ("signed", "expected")


@dataclass(frozen=True)
class LeadLine:
    country: str        # ISO 3166 alpha-2
    meetings: int
    leads: int


@dataclass(frozen=True)
class ContractLine:
    country: str
    stage: str          # "signed" | "expected"
    value: Decimal      # in `currency`, never converted when stored
    currency: str       # ISO 4217, one with a reference rate


@dataclass(frozen=True)
class ReportData:
    leads: Sequence[LeadLine] = ()
    contracts: Sequence[ContractLine] = ()
    mous_signed: int = 0
    products_shown: str = ""
    satisfaction: int | None = None
    support_note: str = ""
    comments: str = ""


def report_data(report: ResultsReport) -> ReportData:
    """The stored report as values (forms, exports and amendments start from it)."""
    return ReportData(
        leads=tuple(LeadLine(str(r["country"]), int(r["meetings"]), int(r["leads"])) for r in report.leads or ()),
        contracts=tuple(ContractLine(str(r["country"]), str(r["stage"]), Decimal(str(r["value"])),
                                     str(r["currency"])) for r in report.contracts or ()),
        mous_signed=report.mous_signed or 0, products_shown=report.products_shown or "",
        satisfaction=report.satisfaction, support_note=report.support_note or "",
        comments=report.comments or "")


def _country(text: str) -> str:
    # Two letters are not enough: "가나" is two letters too, and "ß" upper-cases to "SS".
    country = text.strip().upper()
    if not text.strip().isascii() or country not in known_country_codes():
        raise OutcomeError(_("Name each country by its two-letter code."))
    return country


def _columns(data: ReportData, *, for_submission: bool) -> dict[str, Any]:
    leads, contracts = [], []
    for lead in data.leads:
        country = _country(lead.country)
        if lead.meetings < 0 or lead.leads < 0:
            raise OutcomeError(_("Meetings and leads cannot be negative."))
        leads.append({"country": country, "meetings": lead.meetings, "leads": lead.leads})
    for contract in data.contracts:
        country = _country(contract.country)
        if contract.stage not in CONTRACT_STAGES:
            raise OutcomeError(_("A contract is either signed or expected."))
        if contract.currency not in CURRENCIES:
            raise OutcomeError(_("Give contract values in one of the listed currencies."))
        try:
            value = Decimal(contract.value)
        except (InvalidOperation, ValueError):
            raise OutcomeError(_("A contract value must be a number.")) from None
        if not value.is_finite() or value < 0 or value >= Decimal("1e15"):
            raise OutcomeError(_("A contract value must be a number.")) from None
        contracts.append({"country": country, "stage": contract.stage, "value": str(value.quantize(Decimal("0.01"))),
                          "currency": contract.currency})
    if data.mous_signed < 0:
        raise OutcomeError(_("Meetings and leads cannot be negative."))
    if data.satisfaction is not None and not 1 <= data.satisfaction <= 5:
        raise OutcomeError(_("Rate the agency's support from 1 to 5."))
    if for_submission and data.satisfaction is None:
        raise OutcomeError(_("Rate the agency's support from 1 to 5 before you submit the report."))
    return dict(leads=leads, contracts=contracts, mous_signed=data.mous_signed,
                products_shown=data.products_shown.strip() or None, satisfaction=data.satisfaction,
                support_note=data.support_note.strip() or None, comments=data.comments.strip() or None)


def _snapshot(report: ResultsReport) -> dict[str, Any]:
    data = asdict(report_data(report))
    for line in data["contracts"]:
        line["value"] = str(line["value"])
    return data


def get_report(offer_id: int, company_id: int) -> ResultsReport | None:
    return db.session.scalar(select(ResultsReport).where(
        ResultsReport.offer_id == offer_id, ResultsReport.company_id == company_id))


def open_report(offer: Offer, company_id: int, *, now: dt.datetime | None = None) -> ResultsReport:
    """The company's report on the show, created as a draft the first time it is needed.

    Raises NoPlaceHeld for a company that held no place there, ShowNotEnded before the show
    is over."""
    report = get_report(offer.id, company_id)
    if report is not None:
        return report
    if not held_a_place(offer, company_id):
        raise NoPlaceHeld(_("Your company held no place at this show."))
    if not show_has_ended(offer, now):
        raise ShowNotEnded(_("The results report opens once the show is over."))
    return _create(offer, company_id, requested_at=None)


def _create(offer: Offer, company_id: int, *, requested_at: dt.datetime | None) -> ResultsReport:
    report = ResultsReport(offer_id=offer.id, company_id=company_id, due_on=report_due_on(offer),
                           requested_at=requested_at, leads=[], contracts=[])
    try:
        with db.session.begin_nested():
            db.session.add(report)
            db.session.flush()
    except exc.IntegrityError:
        # Another request (or the timer) created it a moment ago: use theirs.
        existing = get_report(offer.id, company_id)
        if existing is None:
            raise
        return existing
    return report


def _write(report: ResultsReport, *, expected_status: ReportStatus, version: int,
           values: dict[str, Any], event: ReportEvent) -> ResultsReport:
    changed = db.session.execute(
        update(ResultsReport)
        .where(ResultsReport.id == report.id, ResultsReport.status == expected_status,
               ResultsReport.version == version)
        .values(version=ResultsReport.version + 1, **values)
        .execution_options(synchronize_session=False)).rowcount  # type: ignore[attr-defined]
    if changed != 1:
        raise StaleChange(_("This report was changed in the meantime. Reload it and try again."))
    db.session.add(event)
    db.session.flush()
    db.session.refresh(report)
    return report


def save_draft(report: ResultsReport, data: ReportData, *, version: int, actor: User | None,
               now: dt.datetime | None = None) -> ResultsReport:
    """Save the company's draft. Raises StaleChange when the report was submitted or saved by
    someone else since `version` was read."""
    now = now or utcnow()
    return _write(report, expected_status=ReportStatus.draft, version=version,
                  values=dict(_columns(data, for_submission=False), updated_at=now),
                  event=ReportEvent(report_id=report.id, actor_id=actor.id if actor else None,
                                    at=now, action="saved"))


def submit_report(report: ResultsReport, data: ReportData, *, version: int, actor: User | None,
                  now: dt.datetime | None = None) -> ResultsReport:
    """Save and submit, once: afterwards the company can only read it."""
    now = now or utcnow()
    if not show_has_ended(report.offer, now):
        raise ShowNotEnded(_("The results report opens once the show is over."))
    return _write(report, expected_status=ReportStatus.draft, version=version,
                  values=dict(_columns(data, for_submission=True), status=ReportStatus.submitted,
                              submitted_at=now, updated_at=now),
                  event=ReportEvent(report_id=report.id, actor_id=actor.id if actor else None,
                                    at=now, action="submitted"))


def amend_report(report: ResultsReport, data: ReportData, *, version: int, reason: str, actor: User,
                 now: dt.datetime | None = None) -> ResultsReport:
    """A coordinator's correction of a submitted report, with a reason; the values before
    it are kept in the report's history."""
    now = now or utcnow()
    reason = reason.strip()
    if not reason:
        raise OutcomeError(_("Give the reason for the amendment."))
    if report.status != ReportStatus.submitted:
        raise StaleChange(_("Only a submitted report can be amended."))
    return _write(report, expected_status=ReportStatus.submitted, version=version,
                  values=dict(_columns(data, for_submission=True), updated_at=now),
                  event=ReportEvent(report_id=report.id, actor_id=actor.id, at=now, action="amended",
                                    reason=reason, before=_snapshot(report)))


def request_reports(*, now: dt.datetime | None = None) -> int:
    """Open a report for each company that held a place at a show that is over and whose
    report is not yet past due, and tell the company (once). No-shows owe no report.
    Run by a timer (`flask outcomes request-reports`); returns how many were requested."""
    now = now or utcnow()
    created: list[ResultsReport] = []
    for offer in list_ended_offers(now):
        due_on = report_due_on(offer)
        if due_on < local_today(offer, now):
            continue
        owing = holder_ids([offer.id])[offer.id] - no_show_ids(offer.id)
        have = set(db.session.scalars(select(ResultsReport.company_id)
                                      .where(ResultsReport.offer_id == offer.id)))
        for company_id in sorted(owing - have):
            created.append(_create(offer, company_id, requested_at=now))
    recipients = company_recipients({r.company_id for r in created})
    notify_bulk(Notification(recipients.get(r.company_id, []), "outcomes/email/report_requested.txt",
                             {"offer": r.offer, "due_on": r.due_on,
                              "link": absolute_url("outcomes.report", offer_id=r.offer_id)})
                for r in created)
    return len(created)


@dataclass(frozen=True)
class DueReport:
    offer: Offer
    due_on: dt.date
    status: str         # "draft" | "submitted" | "missing" (not opened yet)


def reports_due(company_id: int, *, now: dt.datetime | None = None) -> list[DueReport]:
    """The company's reports for shows that are over (for its private feed and reminders):
    the offer, the due date, and whether it is still a draft, submitted, or not opened yet."""
    reports = {r.offer_id: r for r in db.session.scalars(
        select(ResultsReport).where(ResultsReport.company_id == company_id))}
    offers = db.session.scalars(
        select(Offer).join(Application, Application.offer_id == Offer.id).join(Offer.exhibition)
        .where(Application.company_id == company_id, Application.status.in_(list(signups.HELD_STATUSES)))
        .distinct().order_by(Exhibition.ends_on.desc(), Offer.id))
    out = []
    for offer in offers:
        if not show_has_ended(offer, now):
            continue
        report = reports.get(offer.id)
        out.append(DueReport(offer, report.due_on if report else report_due_on(offer),
                             str(report.status) if report else "missing"))
    return out


def list_company_reports(company_id: int) -> list[ResultsReport]:
    return list(db.session.scalars(
        select(ResultsReport).join(ResultsReport.offer).join(Offer.exhibition)
        .where(ResultsReport.company_id == company_id).order_by(Exhibition.ends_on.desc())))


def list_offer_reports(offer: Offer) -> list[ResultsReport]:
    return list(db.session.scalars(select(ResultsReport).where(ResultsReport.offer_id == offer.id)
                                   .order_by(ResultsReport.id)))


def filed_on_time(report: ResultsReport) -> bool | None:
    """Whether the report was submitted by its due day in the offer's zone (None: not yet)."""
    if report.submitted_at is None:
        return None
    return local_today(report.offer, report.submitted_at) <= report.due_on
