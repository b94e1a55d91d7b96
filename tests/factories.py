"""Plain factory functions: sensible defaults, keyword overrides; they add and flush."""
from __future__ import annotations

import datetime as dt
import itertools

from planner.accounts.models import Company, Role, User
from planner.catalogue.models import Exhibition, ExhibitionStatus, Offer, OfferMode, Programme
from planner.extensions import db
from planner.signups.models import Application, ApplicationStatus, PlaceKind
from planner.vocab import SizeClass

_counter = itertools.count(1)
UTC = dt.timezone.utc
PASSWORD = "correct horse battery"


def brn_with_check_digit(first9: str) -> str:
    """A Korean business registration number: 9 digits plus their check digit."""
    weights = (1, 3, 7, 1, 3, 7, 1, 3, 5)
    digits = [int(c) for c in first9]
    total = sum(d * w for d, w in zip(digits, weights)) + (digits[8] * 5) // 10
    return first9 + str((10 - total % 10) % 10)


def make_exhibition(**overrides) -> Exhibition:
    n = next(_counter)
    sectors = overrides.pop("sectors", ["land"])
    values = dict(
        slug=f"show-{n}", name=f"Show {n}", acronym=f"S{n}", edition_year=2027,
        starts_on=dt.date(2027, 6, 14), ends_on=dt.date(2027, 6, 18), city="Paris",
        country_code="FR", venue="Paris Nord Villepinte", timezone="Europe/Paris",
        organiser="Organiser", website="https://example.org/", description="A defence show.",
        status=ExhibitionStatus.planned,
    )
    values.update(overrides)
    exhibition = Exhibition(**values)
    exhibition.sectors = sectors
    db.session.add(exhibition)
    db.session.flush()
    return exhibition


def make_programme(**overrides) -> Programme:
    n = next(_counter)
    values = dict(
        slug=f"programme-{n}", name=f"Programme {n}", year=2027, budget_krw=1_000_000_000,
        eligible_size_classes=["small", "medium", "middle-market"],
        subsidy_shares={"small": 0.7, "medium": 0.5, "middle-market": 0.3, "large": 0.0},
        cap_per_company=2,
    )
    values.update(overrides)
    programme = Programme(**values)
    db.session.add(programme)
    db.session.flush()
    return programme


def make_offer(**overrides) -> Offer:
    now = dt.datetime.now(UTC)
    if "programme" not in overrides and "programme_id" not in overrides:
        overrides["programme"] = make_programme()
    if "exhibition" not in overrides and "exhibition_id" not in overrides:
        overrides["exhibition"] = make_exhibition()
    values = dict(
        booth_capacity=3, booth_size_sqm=9, booth_cost_krw=20_000_000,
        delegation_capacity=2, delegation_people_per_place=2, delegation_cost_krw=5_000_000,
        opens_at=now - dt.timedelta(days=10), closes_at=now + dt.timedelta(days=10),
        timezone="Asia/Seoul", mode=OfferMode.ranked, confirmation_days=7,
    )
    values.update(overrides)
    offer = Offer(**values)
    db.session.add(offer)
    db.session.flush()
    return offer


def make_company(**overrides) -> Company:
    n = next(_counter)
    values = dict(
        registration_number=brn_with_check_digit(f"{100000000 + n:09d}"),
        legal_name=f"Company {n} Co., Ltd.", size_class=SizeClass.small, sectors=["land"],
        products="Armoured vehicle parts", employees=40, export_record="",
    )
    values.update(overrides)
    company = Company(**values)
    db.session.add(company)
    db.session.flush()
    return company


def make_user(**overrides) -> User:
    from planner.accounts.services import hash_password
    n = next(_counter)
    password = overrides.pop("password", PASSWORD)
    if "company" not in overrides and "company_id" not in overrides and \
            overrides.get("role", Role.applicant) == Role.applicant:
        overrides["company"] = make_company()
    values = dict(email=f"user{n}@example.com", name=f"User {n}", role=Role.applicant,
                  password_hash=hash_password(password), email_verified_at=dt.datetime.now(UTC))
    values.update(overrides)
    user = User(**values)
    db.session.add(user)
    db.session.flush()
    # Tests put `user.get_id()` in a client's session to log in: that id names a server-side
    # login session, so every made user has one open (as if signed in on one browser).
    from planner.accounts.services import start_session
    start_session(user, user_agent="tests")
    return user


def make_coordinator(**overrides) -> User:
    overrides.setdefault("role", Role.coordinator)
    return make_user(**overrides)


def make_application(**overrides) -> Application:
    if "offer" not in overrides:
        overrides["offer"] = make_offer()
    if "company" not in overrides:
        overrides["company"] = make_company()
    offer = overrides["offer"]
    company = overrides["company"]
    if "preference" not in overrides:
        taken = db.session.scalar(
            db.select(db.func.max(Application.preference)).where(
                Application.company_id == company.id, Application.programme_id == offer.programme_id))
        overrides["preference"] = (taken or 0) + 1
    values = dict(kind=PlaceKind.booth, status=ApplicationStatus.submitted,
                  programme_id=offer.programme_id, export_control_attested=True,
                  answers={"exhibits": [{"name": "Thermal sight", "needs_licence": True,
                                          "licence_status": "granted"}],
                           "target_markets": ["FR"], "needs": []})
    values.update(overrides)
    application = Application(**values)
    db.session.add(application)
    db.session.flush()
    return application
