"""The company directory of the back office: searching companies, and one company's page
(profile, people, documents, every application with its history, subsidy received and shares
paid, both from the co-funding shares of cofunding.py)."""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, or_

from planner.accounts import services as accounts
from planner.accounts.models import AccountEvent, Company, CompanyDocument, SizeClassCheck, User
from planner.backoffice import cofunding
from planner.extensions import db
from planner.signups.models import Application
from planner.vocab import Sector, SizeClass

PER_PAGE = 25


@dataclass(frozen=True)
class CompanyFilters:
    q: str = ""
    size_class: SizeClass | None = None
    check: SizeClassCheck | None = None
    sector: Sector | None = None


@dataclass(frozen=True)
class CompanyPage:
    items: list[Company]
    number: int
    pages: int
    total: int


def _like(text: str) -> str:
    # Escape LIKE wildcards so a search for "50%" means the characters typed.
    return "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search_companies(filters: CompanyFilters, *, page: int = 1, per_page: int = PER_PAGE) -> CompanyPage:
    """Companies matching a name (English, Korean or fascia), registration number (with or
    without dashes) or a user's email, narrowed by size class, size-class check and sector; by
    name, paginated."""
    query = db.select(Company)
    text = filters.q.strip()
    if text:
        pattern = _like(text)
        digits = _like(text.replace("-", "").replace(" ", ""))
        query = query.where(or_(
            func.lower(Company.legal_name).like(pattern, escape="\\"),
            # A Korean name, or a fascia name that differs from the legal one.
            Company.legal_name_ko.like(pattern, escape="\\"),
            func.lower(Company.fascia_name).like(pattern, escape="\\"),
            Company.registration_number.like(digits, escape="\\"),
            Company.id.in_(db.select(User.company_id).where(
                func.lower(User.email).like(pattern, escape="\\")))))
    if filters.size_class is not None:
        query = query.where(Company.size_class == filters.size_class)
    if filters.check is not None:
        query = query.where(Company.size_class_check == filters.check)
    total = db.session.scalar(db.select(func.count()).select_from(query.subquery())) or 0
    companies = list(db.session.scalars(query.order_by(func.lower(Company.legal_name), Company.id)))
    if filters.sector is not None:
        # Sectors are a JSON list, which SQLite and PostgreSQL query differently; the directory
        # is small (a few thousand companies), so this one filter runs in Python.
        companies = [c for c in companies if filters.sector.value in (c.sectors or [])]
        total = len(companies)
    pages = max(1, math.ceil(total / per_page))
    number = min(max(1, page), pages)
    return CompanyPage(companies[(number - 1) * per_page:number * per_page], number, pages, total)


@dataclass(frozen=True)
class ApplicationRow:
    application: Application
    # The agency's part of a confirmed place's cost; None for an application without a place.
    subsidy_krw: int | None


@dataclass(frozen=True)
class CompanyOverview:
    company: Company
    members: list[User]
    main_contact: User | None
    documents: list[CompanyDocument]
    applications: list[ApplicationRow]
    events: list[AccountEvent]
    subsidy_received_krw: int
    # What the company paid of its shares (marked paid by coordinators).
    shares_paid_krw: int
    shares_due_krw: int
    years: Sequence[int] = field(default_factory=tuple)


def company_overview(company: Company) -> CompanyOverview:
    """Everything the company page shows; applications newest programme first, each with its
    status history (Application.events)."""
    applications = list(db.session.scalars(
        db.select(Application).where(Application.company_id == company.id)
        .order_by(Application.programme_id.desc(), Application.preference, Application.id)).unique())
    shares = cofunding.list_shares(company_id=company.id)
    subsidy = {share.application_id: share.subsidy_krw for share in shares if not share.cancelled}
    rows = [ApplicationRow(a, subsidy.get(a.id)) for a in applications]
    return CompanyOverview(
        company=company, members=accounts.list_members(company),
        main_contact=accounts.main_contact(company), documents=accounts.list_documents(company),
        applications=rows, events=accounts.list_events(company_id=company.id),
        subsidy_received_krw=sum(subsidy.values()),
        shares_paid_krw=sum(share.paid_krw for share in shares),
        shares_due_krw=sum(share.due_krw for share in shares),
        years=sorted({a.offer.programme.year for a in applications}, reverse=True))
