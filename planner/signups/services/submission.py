"""Applying for a place and editing the answers: who may apply when, the rank a new application
takes, duplicates under races, first-come places taken on submission, and the receipt mail."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.exc import IntegrityError

from planner.accounts.models import Company, User
from planner.accounts.recipients import user_recipient
from planner.catalogue.models import ExhibitionStatus, Offer, OfferMode, Programme
from planner.catalogue.services import size_class_terms
from planner.db import utcnow
from planner.extensions import db
from planner.i18n import _
from planner.notifications.services import absolute_url, notify
from planner.signups import reasons
from planner.signups.models import Application, ApplicationEvent, ApplicationStatus, PlaceKind
from planner.signups.services.answers import ApplicationAnswers, check_answers
from planner.signups.services.errors import (
    DuplicateApplication,
    NotEditable,
    NotEligible,
    PlaceNotOffered,
    SignupError,
    WindowClosed,
)
from planner.signups.services.places import capacity, take_place
from planner.signups.services.status import change_status, record_edit

S = ApplicationStatus
# Statuses the company may still edit or withdraw (while the window is open).
ACTIVE: frozenset[ApplicationStatus] = frozenset({S.submitted, S.waitlisted, S.allocated, S.confirmed})


def window_is_open(offer: Offer, now: dt.datetime | None = None) -> bool:
    """The application window, in UTC: opens_at <= now < closes_at."""
    now = now or utcnow()
    return offer.opens_at <= now < offer.closes_at


def get_offer(offer_id: int) -> Offer | None:
    return db.session.get(Offer, offer_id)


def get_company_application(company_id: int, application_id: int) -> Application | None:
    """The application if it belongs to the company, else None (views answer 404)."""
    return db.session.scalar(db.select(Application).where(
        Application.id == application_id, Application.company_id == company_id))


def find_application(company_id: int, offer_id: int, kind: PlaceKind) -> Application | None:
    return db.session.scalar(db.select(Application).where(
        Application.company_id == company_id, Application.offer_id == offer_id,
        Application.kind == kind))


def is_size_eligible(company: Company, programme: Programme) -> bool:
    return size_class_terms(programme, company.size_class).eligible


def check_can_apply(offer: Offer, kind: PlaceKind, company: Company, now: dt.datetime | None = None) -> None:
    """Raise the SignupError that would refuse this company's application now, if any."""
    now = now or utcnow()
    if capacity(offer, kind) <= 0:
        raise PlaceNotOffered(_("This offer has no places of that kind."))
    if offer.exhibition.status == ExhibitionStatus.cancelled:
        raise WindowClosed(_("This exhibition is cancelled; applications are closed."))
    if now < offer.opens_at:
        raise WindowClosed(_("Applications for this offer are not open yet."))
    if now >= offer.closes_at:
        raise WindowClosed(_("The deadline for this offer has passed; applications are closed."))
    if not is_size_eligible(company, offer.programme):
        raise NotEligible(_("This programme does not subsidise companies of your size class."))


def _next_preference(company_id: int, programme_id: int) -> int:
    # Over every application, withdrawn ones included: they keep their rank in the unique key.
    highest = db.session.scalar(db.select(db.func.max(Application.preference)).where(
        Application.company_id == company_id, Application.programme_id == programme_id))
    return (highest or 0) + 1


def duplicate_error(existing: Application) -> DuplicateApplication:
    if ApplicationStatus(existing.status) == S.withdrawn:
        # The unique key keeps the withdrawn row, and a withdrawal is final (DOMAIN.md lifecycle).
        return DuplicateApplication(_("Your company withdrew its application for this place, and a "
                                      "withdrawal cannot be undone. Here is that application."), existing)
    return DuplicateApplication(_("Your company has already applied for this place. "
                                  "Here is its application."), existing)


def _insert(offer: Offer, kind: PlaceKind, *, company: Company, actor: User | None,
            answers: ApplicationAnswers, now: dt.datetime) -> Application:
    for _attempt in range(3):
        candidate = Application(
            company_id=company.id, offer_id=offer.id, programme_id=offer.programme_id, kind=kind,
            preference=_next_preference(company.id, offer.programme_id),
            answers=answers.as_json(), export_control_attested=answers.export_control_attested,
            other_public_funding=answers.other_public_funding,
            submitted_size_class=company.size_class,
            submitted_by_id=actor.id if actor else None, created_at=now, updated_at=now)
        try:
            # A savepoint, so a lost race leaves the rest of the transaction usable.
            with db.session.begin_nested():
                db.session.add(candidate)
                db.session.flush()
        except IntegrityError:
            existing = find_application(company.id, offer.id, kind)
            if existing is not None:
                raise duplicate_error(existing) from None
            continue  # another submission of the company took the same rank: take the next one
        return candidate
    raise SignupError(_("Your application could not be saved. Please try again."))


def submit_application(offer: Offer, kind: PlaceKind, *, company: Company, actor: User | None,
                       answers: ApplicationAnswers, now: dt.datetime | None = None) -> Application:
    """Apply for one place of `kind` in `offer`, ranked after the company's other applications
    in the programme.

    First-come offers take a place at once while one remains ("confirmed on submission") and
    waitlist the application otherwise. Raises WindowClosed, PlaceNotOffered, NotEligible,
    InvalidAnswers, or DuplicateApplication (carrying the existing application) when the company
    already applied for this offer and kind, even when two submissions race.
    """
    now = now or utcnow()
    check_can_apply(offer, kind, company, now)
    check_answers(offer, kind, answers)
    existing = find_application(company.id, offer.id, kind)
    if existing is not None:
        raise duplicate_error(existing)
    application = _insert(offer, kind, company=company, actor=actor, answers=answers, now=now)
    db.session.add(ApplicationEvent(application=application, actor_id=actor.id if actor else None,
                                    at=now, from_status=None, to_status=S.submitted.value,
                                    reason=reasons.SUBMITTED))
    if offer.mode == OfferMode.first_come:
        if take_place(offer.id, kind):
            change_status(application, S.confirmed, actor=actor, now=now,
                          reason=reasons.CONFIRMED_ON_SUBMISSION)
        else:
            change_status(application, S.waitlisted, actor=actor, now=now,
                          reason=reasons.WAITLISTED_FULL)
    if actor is not None:
        notify([user_recipient(actor)], "signups/email/receipt.txt", application=application,
               offer=offer, link=absolute_url("signups.application", application_id=application.id))
    db.session.flush()
    return application


def update_answers(application: Application, *, actor: User | None, answers: ApplicationAnswers,
                   now: dt.datetime | None = None) -> Application:
    """Replace an application's answers while its window is open and it is still active.

    Raises NotEditable after the deadline or once the application is closed, InvalidAnswers.
    """
    now = now or utcnow()
    ensure_editable(application, now)
    if application.offer.exhibition.status == ExhibitionStatus.cancelled:
        raise NotEditable(_("This exhibition is cancelled, so the application can no longer be "
                            "changed; you may still withdraw it."))
    check_answers(application.offer, PlaceKind(application.kind), answers)
    before = dict(application.answers or {})
    after = answers.as_json()
    delegates_changed = before.get("delegates") != after.get("delegates")
    others_changed = ({k: v for k, v in before.items() if k != "delegates"}
                      != {k: v for k, v in after.items() if k != "delegates"}
                      or application.export_control_attested != answers.export_control_attested
                      or application.other_public_funding != answers.other_public_funding)
    # The application's history shows who changed what it says, not only its status.
    if others_changed:
        record_edit(application, actor=actor, reason=reasons.ANSWERS_EDITED, now=now)
    if delegates_changed:
        record_edit(application, actor=actor, reason=reasons.DELEGATES_EDITED, now=now)
    application.answers = after
    application.export_control_attested = answers.export_control_attested
    application.other_public_funding = answers.other_public_funding
    application.updated_at = now
    db.session.flush()
    return application


def is_editable(application: Application, now: dt.datetime | None = None) -> bool:
    return ApplicationStatus(application.status) in ACTIVE and window_is_open(application.offer, now)


def is_withdrawable(application: Application, now: dt.datetime | None = None) -> bool:
    """Whether the company may withdraw the application here: while its window is open, and a
    first-come one also after it (no run waits for it; a place it frees goes to the waitlist)."""
    return ApplicationStatus(application.status) in ACTIVE and (
        application.offer.mode == OfferMode.first_come or window_is_open(application.offer, now))


def ensure_editable(application: Application, now: dt.datetime | None = None) -> None:
    if ApplicationStatus(application.status) not in ACTIVE:
        raise NotEditable(_("This application is %(status)s and can no longer be changed.",
                            status=ApplicationStatus(application.status).value))
    if not window_is_open(application.offer, now):
        raise NotEditable(_("The deadline has passed: this application is read-only."))
