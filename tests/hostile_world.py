"""The objects the hostile-form test posts against (tests/test_hostile_forms.py): one company with
its users and applications at every stage a form acts on, staff of each role, and the links
(invitation, reset, welcome, unsubscribe) the anonymous forms live behind."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from planner.accounts import services as accounts
from planner.accounts.models import DocumentKind, Role, User
from planner.accounts.services import TokenPurpose
from planner.accounts.session_views import handle
from planner.allocation import services as allocation
from planner.allocation.models import AllocationRun
from planner.catalogue.models import Exhibition, Offer, Programme
from planner.extensions import db
from planner.notifications import preferences
from planner.notifications.models import OutboxMessage
from planner.notifications.services import enqueue
from planner.outcomes import services as outcomes
from planner.outcomes.models import FollowUpArea, FollowUpRequest, ResultsReport
from planner.signups import services as signups
from planner.signups.models import Application, ApplicationStatus, PlaceKind
from tests.factories import (
    PASSWORD,
    make_application,
    make_company,
    make_exhibition,
    make_offer,
    make_programme,
)

UTC = dt.timezone.utc
# One scrypt hash for every user of the world: hashing is what makes building it slow.
_HASH: list[str] = []


@dataclass
class World:
    users: dict[str, User]
    programme: Programme
    exhibition: Exhibition
    offer: Offer
    application: Application
    second_application: Application
    allocated: Application
    closed_programme: Programme
    run: AllocationRun
    ended_offer: Offer
    draft_offer: Offer
    spare_exhibition: Exhibition
    report: ResultsReport
    follow_up: FollowUpRequest
    outbox: OutboxMessage
    invitation_id: int
    invitation_token: str
    reset_token: str
    welcome_token: str
    unsubscribe_token: str
    session_handle: str
    application_document_id: int


def _user(**overrides: object) -> User:
    # As tests.factories.make_user, with one password hash for all (scrypt is the slow part).
    if not _HASH:
        _HASH.append(accounts.hash_password(PASSWORD))
    values: dict[str, object] = dict(name=f"User {overrides['email']}", role=Role.applicant, password_hash=_HASH[0],
                                     email_verified_at=dt.datetime.now(UTC))
    values.update(overrides)
    user = User(**values)
    db.session.add(user)
    db.session.flush()
    accounts.start_session(user, user_agent="tests")
    return user


def build_world() -> World:
    now = dt.datetime.now(UTC)
    company = make_company(legal_name="Hanbit Optics Co., Ltd.")
    applicant = _user(company=company, is_main_contact=True, email="applicant@hanbit.example")
    colleague = _user(company=company, email="colleague@hanbit.example")
    coordinator = _user(role=Role.coordinator, email="coordinator@agency.example")
    admin = _user(role=Role.admin, email="admin@agency.example")
    staff_target = _user(role=Role.coordinator, email="target@agency.example")
    invited_staff = _user(role=Role.coordinator, email="invited@agency.example")

    # An open call with the company's two ranked applications.
    programme = make_programme(slug="overseas-2027")
    exhibition = make_exhibition(slug="eurosatory-2027")
    offer = make_offer(programme=programme, exhibition=exhibition, delegation_capacity=2)
    second_offer = make_offer(programme=programme)
    application = make_application(offer=offer, company=company)
    second_application = make_application(offer=second_offer, company=company)

    # A call whose windows have closed, previewed, with a place allocated to the company.
    closed_programme = make_programme(slug="closed-2027", cap_per_company=2)
    closed_offer = make_offer(programme=closed_programme, opens_at=now - dt.timedelta(days=30),
                              closes_at=now - dt.timedelta(days=1), booth_capacity=2, delegation_capacity=0)
    other = make_company()
    make_application(offer=closed_offer, company=other)
    make_application(offer=closed_offer, company=company)
    run = allocation.run_allocation(closed_programme, actor=coordinator, dry_run=True)
    allocated = make_application(
        offer=make_offer(opens_at=now - dt.timedelta(days=30), closes_at=now - dt.timedelta(days=1)),
        company=company, status=ApplicationStatus.allocated)
    db.session.flush()

    # A show that is over, where the company held a place: its report, submitted, and a follow-up.
    over = make_exhibition(slug="adex-2026", starts_on=(now - dt.timedelta(days=20)).date(),
                           ends_on=(now - dt.timedelta(days=16)).date())
    ended_offer = make_offer(programme=make_programme(slug="past-2026", year=2026), exhibition=over,
                             opens_at=now - dt.timedelta(days=200), closes_at=now - dt.timedelta(days=150))
    make_application(offer=ended_offer, company=company, status=ApplicationStatus.confirmed)
    make_application(offer=ended_offer, company=other, kind=PlaceKind.booth, status=ApplicationStatus.confirmed)
    # A second show that is over, whose report the company has not written yet.
    draft_offer = make_offer(programme=ended_offer.programme, exhibition=make_exhibition(
        slug="idex-2026", starts_on=over.starts_on, ends_on=over.ends_on),
        opens_at=ended_offer.opens_at, closes_at=ended_offer.closes_at)
    make_application(offer=draft_offer, company=company, status=ApplicationStatus.confirmed)
    report = outcomes.open_report(ended_offer, company.id)
    outcomes.submit_report(report, outcomes.ReportData(satisfaction=4), version=report.version, actor=applicant)
    follow_up = outcomes.ask_follow_up(report, FollowUpArea.export_finance, note="Bond",
                                       actor=applicant)

    outbox = enqueue("someone@example.com", "Subject", "Body", kind="tests.hostile")
    invitation = accounts.invite_colleague(company, "newcomer@hanbit.example", actor=applicant)
    login_session = accounts.start_session(applicant, user_agent="other browser")
    brochure = signups.upload_application_document(application, DocumentKind.brochure, "brochure.pdf",
                                                   b"%PDF-1.4\n%hostile\n", actor=applicant)
    db.session.flush()
    return World(
        users={"applicant": applicant, "colleague": colleague, "coordinator": coordinator, "admin": admin,
               "staff_target": staff_target},
        programme=programme, exhibition=exhibition, offer=offer, application=application,
        second_application=second_application, allocated=allocated, closed_programme=closed_programme,
        run=run, ended_offer=ended_offer, draft_offer=draft_offer,
        spare_exhibition=make_exhibition(slug="dsei-2027", starts_on=dt.date(2027, 9, 7), ends_on=dt.date(2027, 9, 10)), report=report, follow_up=follow_up, outbox=outbox,
        invitation_id=invitation.id, invitation_token=accounts.make_invitation_token(invitation),
        reset_token=accounts.make_user_token(TokenPurpose.reset_password, colleague),
        welcome_token=accounts.make_user_token(TokenPurpose.staff_invitation, invited_staff),
        unsubscribe_token=preferences.unsubscribe_token(applicant.email, next(iter(preferences.OPTIONAL_CATEGORIES))),
        session_handle=handle(login_session),
        application_document_id=brochure.id,
    )
