"""Demo data for newcomers: the overseas-2027 programme with open offers at upcoming real
shows, a demo company with an applicant login, a coordinator and an admin. Idempotent."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select

from planner.accounts import services as accounts
from planner.accounts.models import Company, Role, User
from planner.catalogue import services as catalogue
from planner.catalogue.models import Exhibition, ExhibitionStatus, OfferMode
from planner.db import utcnow
from planner.extensions import db
from planner.signups.synthetic import registration_number
from planner.vocab import SizeClass

PROGRAMME_SLUG = "overseas-2027"
SEOUL = "Asia/Seoul"
# Upcoming shows of the real catalogue, in the order we would like offers at them.
RANKED_SLUGS = ("idex-2027", "idef-2027", "paris-air-show-2027", "mspo-2027", "dsei-2027",
                "milipol-paris-2027", "dubai-airshow-2027")
FIRST_COME_SLUGS = ("idet-2027", "idex-2027", "dsei-2027")
RANKED_OFFERS = 4
WINDOW_DAYS = 21
DEMO_COMPANY_BRN = registration_number("220815678")
LOGINS = (
    ("applicant", "applicant@demo.example.com", "pavilion-booth-2027", Role.applicant),
    ("coordinator", "coordinator@demo.example.com", "review-offers-2027", Role.coordinator),
    ("admin", "admin@demo.example.com", "staff-rules-2027", Role.admin),
)


# The demo programmes' published rules (the closed call in allocation.demo uses them too).
DEMO_SIZE_CLASSES = ("small", "medium", "middle-market")
DEMO_SUBSIDY_SHARES = {"small": 0.7, "medium": 0.5, "middle-market": 0.3, "large": 0.0}
DEMO_CRITERIA = {"size_class": {"small": 30, "medium": 20, "middle-market": 5, "large": 0},
                 "first_time_at_exhibition": 20, "no_subsidy_last_year": 15, "sector_fit": 10,
                 "export_readiness": 15, "no_show_penalty": -25}


def _programme_input() -> catalogue.ProgrammeInput:
    return catalogue.ProgrammeInput(
        slug=PROGRAMME_SLUG, name="2027 overseas defence exhibitions",
        name_ko="2027 해외 방산 전시회 참가 지원", year=2027, budget_krw=3_000_000_000,
        eligible_size_classes=list(DEMO_SIZE_CLASSES), subsidy_shares=dict(DEMO_SUBSIDY_SHARES),
        cap_per_company=2, criteria=dict(DEMO_CRITERIA),
        description="Subsidised booth places in the Korean pavilion and trade-delegation places "
                    "at the main foreign defence exhibitions of 2027.")


def _upcoming(slugs: tuple[str, ...], after: dt.date, exclude: set[int]) -> list[Exhibition]:
    """The named shows that start after `after`, in the order given; other upcoming shows
    fill in when the catalogue lacks them."""
    found = {e.slug: e for e in db.session.scalars(select(Exhibition).where(Exhibition.slug.in_(slugs)))}
    picked = [found[s] for s in slugs if s in found and found[s].starts_on > after
              and found[s].status != ExhibitionStatus.cancelled and found[s].id not in exclude]
    others = db.session.scalars(
        select(Exhibition).where(Exhibition.starts_on > after,
                                 Exhibition.status != ExhibitionStatus.cancelled)
        .order_by(Exhibition.starts_on, Exhibition.slug))
    picked += [e for e in others if e.id not in exclude and e not in picked]
    return picked


def _offer_input(exhibition: Exhibition, *, opens: dt.datetime, closes: dt.datetime,
                 mode: OfferMode) -> catalogue.OfferInput:
    zone = ZoneInfo(SEOUL)
    starts = dt.datetime.combine(exhibition.starts_on, dt.time(9))
    payment = closes + dt.timedelta(days=14)
    return catalogue.OfferInput(
        opens_local=opens.astimezone(zone).replace(tzinfo=None),
        closes_local=closes.astimezone(zone).replace(tzinfo=None), timezone=SEOUL,
        booth_capacity=6 if mode == OfferMode.ranked else 3, booth_size_sqm=9,
        booth_cost_krw=24_000_000, delegation_capacity=4 if mode == OfferMode.ranked else 2,
        delegation_people_per_place=2, delegation_min_staff=1, delegation_cost_krw=6_000_000,
        mode=mode, confirmation_days=7,
        payment_due_local=payment.astimezone(zone).replace(tzinfo=None, minute=0, second=0,
                                                           microsecond=0),
        licence_due_local=min(starts - dt.timedelta(days=30),
                              (payment + dt.timedelta(days=7)).astimezone(zone).replace(tzinfo=None)),
        shipping_cutoff_local=starts - dt.timedelta(days=21),
        buildup_starts_on=exhibition.starts_on - dt.timedelta(days=2),
        buildup_ends_on=exhibition.starts_on - dt.timedelta(days=1),
        notes="Demo offer: booth places in the Korean pavilion, delegation with B2B meetings.")


def _ensure_programme(now: dt.datetime) -> None:
    programme = catalogue.get_programme_by_slug(PROGRAMME_SLUG)
    if programme is not None:
        return  # Idempotent: an existing demo programme (and any edits to it) stays as it is.
    programme = catalogue.create_programme(_programme_input(), now=now)
    zone = ZoneInfo(SEOUL)
    local_today = now.astimezone(zone).date()
    opens = dt.datetime.combine(local_today - dt.timedelta(days=1), dt.time(9), tzinfo=zone)
    closes = dt.datetime.combine(local_today + dt.timedelta(days=WINDOW_DAYS), dt.time(18), tzinfo=zone)
    # A show needs time after the deadline for allocation, confirmation and shipping.
    after = (closes + dt.timedelta(days=30)).date()
    used: set[int] = set()
    for exhibition in _upcoming(RANKED_SLUGS, after, used)[:RANKED_OFFERS]:
        catalogue.create_offer(programme, exhibition,
                               _offer_input(exhibition, opens=opens, closes=closes, mode=OfferMode.ranked),
                               now=now)
        used.add(exhibition.id)
    for exhibition in _upcoming(FIRST_COME_SLUGS, after, used)[:1]:
        catalogue.create_offer(programme, exhibition,
                               _offer_input(exhibition, opens=opens, closes=closes,
                                            mode=OfferMode.first_come), now=now)


def _ensure_company() -> Company:
    company = db.session.scalar(select(Company).where(Company.registration_number == DEMO_COMPANY_BRN))
    if company is None:
        company = Company(
            registration_number=DEMO_COMPANY_BRN, legal_name="Hanbit Precision Optics Co., Ltd.",
            size_class=SizeClass.small, sectors=["land", "security"],
            products="Thermal weapon sights, night-vision goggles, periscopes", employees=48,
            export_record="Thermal sights to Poland (2024) and the Philippines (2025).",
            has_defence_exports=True,
            past_shows=[{"series": "eurosatory", "year": 2024, "name": "Eurosatory", "name_ko": "유로사토리"}],
            prior_exhibitions=["DX Korea 2024"])  # a home show: no series of the foreign catalogue
        db.session.add(company)
        db.session.flush()
    return company


def load_demo(now: dt.datetime | None = None) -> list[tuple[str, str, str]]:
    """Create what is missing of the demo data; returns the (role, email, password) logins."""
    now = now or utcnow()
    _ensure_programme(now)
    company = _ensure_company()
    for _label, email, password, role in LOGINS:
        if accounts.get_user_by_email(email) is None:
            accounts.create_user(email, password, role=role, verified=True,
                                 name=f"Demo {role.value}",
                                 company_id=company.id if role == Role.applicant else None)
    db.session.flush()
    return [(label, email, password) for label, email, password, _role in LOGINS]


def demo_company_and_applicant() -> tuple[Company, User | None]:
    """The demo company and its applicant login, for other domains' demo data."""
    company = _ensure_company()
    return company, accounts.get_user_by_email(LOGINS[0][1])
