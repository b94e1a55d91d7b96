"""Demo data for trying allocation at once: a programme whose application windows have just
closed, with ranked offers oversubscribed by a dozen demo companies (the main demo company
among them), ready for a coordinator to preview and publish. Idempotent."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select

from planner.accounts import services as accounts
from planner.accounts.models import Company, Role, User
from planner.catalogue import services as catalogue
from planner.catalogue.models import Exhibition, ExhibitionStatus, OfferMode
from planner.db import utcnow
from planner.extensions import db
from planner.signups import demo as signups_demo
from planner.signups import services as signups
from planner.signups.models import PlaceKind
from planner.signups.synthetic import registration_number
from planner.vocab import SizeClass

PROGRAMME_SLUG = "closed-call-2027"
SEOUL = "Asia/Seoul"
COMPANY_PASSWORD = "demo-company-2027"
LOGIN_PATTERN = "company{n:02d}@demo.example.com"
WINDOW_DAYS = 28


@dataclass(frozen=True)
class DemoCompany:
    legal_name: str
    size_class: SizeClass
    sectors: tuple[str, ...]
    products: str
    employees: int
    has_exports: bool
    # (offer index, kind) in the company's order of preference.
    wants: tuple[tuple[int, PlaceKind], ...]


B, D = PlaceKind.booth, PlaceKind.delegation
# Offer 0 is the popular show: eight companies want its two booths. Fewer places than companies,
# so one is left waiting and a decline visibly promotes it.
COMPANIES = (
    DemoCompany("Daesung Marine Systems Co., Ltd.", SizeClass.small, ("naval",), "Sonar transducers",
                32, True, ((0, B), (1, B))),
    DemoCompany("Seorim Photonics Inc.", SizeClass.small, ("security", "land"), "Laser rangefinders",
                21, False, ((0, B), (0, D), (2, B))),
    DemoCompany("Mirae Avionics Corp.", SizeClass.medium, ("air",), "Mission computers", 140, True,
                ((0, B), (1, D))),
    DemoCompany("Samhwa Armour Co., Ltd.", SizeClass.medium, ("land",), "Ballistic panels", 210, True,
                ((1, B), (0, B), (2, D))),
    DemoCompany("Donghae Robotics Co., Ltd.", SizeClass.small, ("land", "security"),
                "Unmanned ground vehicles", 44, False, ((0, B), (2, B))),
    DemoCompany("Baekdu Signal Tech Co., Ltd.", SizeClass.middle_market, ("cyber",), "Tactical radios",
                520, True, ((0, D), (1, B))),
    DemoCompany("Haneul Composites Inc.", SizeClass.small, ("air", "space"), "Carbon airframe parts",
                17, False, ((0, B), (1, B), (2, B))),
    DemoCompany("Taesan Sensor Co., Ltd.", SizeClass.medium, ("security",), "Perimeter sensors", 95,
                True, ((2, B), (0, B))),
    DemoCompany("Cheonji Power Co., Ltd.", SizeClass.small, ("land",), "Military batteries", 38, True,
                ((1, D), (0, B))),
    DemoCompany("Yeongjin Secure Inc.", SizeClass.small, ("cyber",), "Crypto modules", 26, False,
                ((0, D), (2, D))),
)
# The main demo company (signups.demo) applies too, so its applicant sees a result.
MAIN_COMPANY_WANTS = ((0, B), (2, D))
OFFERS = ((2, 2), (2, 1), (2, 1))  # (booth, delegation) places per offer: 10 for 11 companies, cap 1


def _shows(after: dt.date, count: int) -> list[Exhibition]:
    return list(db.session.scalars(
        select(Exhibition).where(Exhibition.starts_on > after,
                                 Exhibition.status != ExhibitionStatus.cancelled)
        .order_by(Exhibition.starts_on, Exhibition.slug).limit(count)))


def _answers(company: Company, kind: PlaceKind, user: User) -> signups.ApplicationAnswers:
    exhibits = (signups.Exhibit(name=company.products or "Product line", needs_licence=True,
                                licence_status="applied"),) if kind == B else ()
    delegates = (signups.Delegate(name=user.name or "Delegate", role="Export manager"),) if kind == D else ()
    return signups.ApplicationAnswers(exhibits=exhibits, target_markets=("PL", "SA"),
                                      needs=("b2b",), delegates=delegates,
                                      export_control_attested=True)


def _company_user(index: int, spec: DemoCompany, now: dt.datetime) -> User:
    email = LOGIN_PATTERN.format(n=index + 1)
    user = accounts.get_user_by_email(email)
    if user is not None:
        return user
    company = Company(registration_number=registration_number(f"3{index + 1:02d}81{index + 3:04d}"),
                      legal_name=spec.legal_name, size_class=spec.size_class, sectors=list(spec.sectors),
                      products=spec.products, employees=spec.employees,
                      export_record="Exports since 2023." if spec.has_exports else None,
                      has_defence_exports=spec.has_exports, prior_exhibitions=[])
    db.session.add(company)
    db.session.flush()
    return accounts.create_user(email, COMPANY_PASSWORD, role=Role.applicant, verified=True,
                                name=f"Demo applicant {index + 1}", company_id=company.id, now=now)


def load_closed_call(main_company: Company, main_user: User | None,
                     now: dt.datetime | None = None) -> str | None:
    """Create the closed programme and its applications unless it exists; returns its slug,
    or None when the catalogue has too few upcoming shows to offer places at."""
    now = now or utcnow()
    if catalogue.get_programme_by_slug(PROGRAMME_SLUG) is not None:
        return PROGRAMME_SLUG
    zone = ZoneInfo(SEOUL)
    local_today = now.astimezone(zone).date()
    opens = dt.datetime.combine(local_today - dt.timedelta(days=WINDOW_DAYS), dt.time(9), tzinfo=zone)
    closes = dt.datetime.combine(local_today - dt.timedelta(days=1), dt.time(18), tzinfo=zone)
    shows = _shows(local_today + dt.timedelta(days=60), len(OFFERS))
    if len(shows) < len(OFFERS):
        return None
    programme = catalogue.create_programme(catalogue.ProgrammeInput(
        slug=PROGRAMME_SLUG, name="2027 closed call (demo: ready to allocate)",
        name_ko="2027 마감된 모집 (데모: 배정 준비 완료)", year=2027, budget_krw=400_000_000,
        eligible_size_classes=list(signups_demo.DEMO_SIZE_CLASSES),
        subsidy_shares=dict(signups_demo.DEMO_SUBSIDY_SHARES), cap_per_company=1,
        criteria=dict(signups_demo.DEMO_CRITERIA),
        description="A demo call whose application windows have closed: preview and publish its "
                    "allocation from the back office, then log in as a demo company to confirm or "
                    "decline."), now=now)
    offers = []
    for exhibition, (booths, delegations) in zip(shows, OFFERS):
        starts = dt.datetime.combine(exhibition.starts_on, dt.time(9))
        offers.append(catalogue.create_offer(programme, exhibition, catalogue.OfferInput(
            opens_local=opens.replace(tzinfo=None), closes_local=closes.replace(tzinfo=None),
            timezone=SEOUL, booth_capacity=booths, booth_size_sqm=9, booth_cost_krw=20_000_000,
            delegation_capacity=delegations, delegation_people_per_place=2, delegation_min_staff=1,
            delegation_cost_krw=5_000_000, mode=OfferMode.ranked, confirmation_days=7,
            shipping_cutoff_local=starts - dt.timedelta(days=21),
            notes="Demo offer of the closed call."), now=opens))
    applicants = [(_company_user(i, spec, now), spec.wants) for i, spec in enumerate(COMPANIES)]
    if main_user is not None:
        applicants.append((main_user, MAIN_COMPANY_WANTS))
    submitted_at = opens + dt.timedelta(days=1)
    for user, wants in applicants:
        company = db.session.get(Company, user.company_id) if user.company_id else main_company
        if company is None:
            continue
        for offer_index, kind in wants:
            submitted_at += dt.timedelta(minutes=37)
            signups.submit_application(offers[offer_index], kind, company=company, actor=None,
                                       answers=_answers(company, kind, user),
                                       now=submitted_at.astimezone(dt.timezone.utc))
    db.session.flush()
    return PROGRAMME_SLUG
