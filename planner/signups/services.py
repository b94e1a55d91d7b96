"""Applications: submission, ranks, withdrawal, first-come places, allowances, and the one place
that changes a status.

`Application.answers` (JSON) has this shape, written only by `ApplicationAnswers.as_json()`:

    {"exhibits": [{"name": str, "needs_licence": bool,
                   "licence_status": "not_needed" | "applied" | "granted" | "refused"}],
     "target_markets": ["FR", ...],            # ISO 3166-1 alpha-2 codes
     "needs": ["guarantee", "b2b", "licence_help"],   # any subset, in this order
     "b2b_buyers": str,                        # kinds of buyers wanted for B2B meetings ("" if none)
     "delegates": [{"name": str, "role": str}]}      # delegation applications only, else []

`export_control_attested` and `other_public_funding` are columns of their own.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import force_locale, gettext as _
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from planner.accounts.models import Company, User
from planner.catalogue.models import Exhibition, ExhibitionStatus, Offer, OfferMode, Programme
from planner.db import utcnow
from planner.errors import PlannerError
from planner.extensions import db
from planner.notifications.services import enqueue
from planner.signups.models import Application, ApplicationEvent, ApplicationStatus, PlaceKind

S = ApplicationStatus

LICENCE_STATUSES: tuple[str, ...] = ("not_needed", "applied", "granted", "refused")
NEEDS: tuple[str, ...] = ("guarantee", "b2b", "licence_help")
# Statuses in which an application holds a place (and counts in booth_taken/delegation_taken).
HOLDING: frozenset[ApplicationStatus] = frozenset({S.allocated, S.confirmed})
# Statuses whose rank still matters to the allocation.
RANKABLE: frozenset[ApplicationStatus] = frozenset({S.submitted, S.waitlisted, S.allocated, S.confirmed})
# Statuses the company may still edit or withdraw (while the window is open).
ACTIVE: frozenset[ApplicationStatus] = frozenset({S.submitted, S.waitlisted, S.allocated, S.confirmed})


def N_(message: str) -> str:
    """Mark a message for extraction (pybabel -k N_) without translating it here."""
    return message


# Reasons the system writes into the audit trail. They are stored in English, so the history
# reads the same for everyone, and translated when shown (see describe_reason).
REASON_SUBMITTED = N_("Application submitted.")
REASON_CONFIRMED_ON_SUBMISSION = N_("Confirmed on submission: a first-come place was free.")
REASON_WAITLISTED_FULL = N_("All first-come places were taken: waitlisted.")
REASON_WITHDRAWN = N_("Withdrawn by the company.")
REASON_PROMOTED = N_("A first-come place was freed: promoted from the waitlist.")
REASON_PROMOTED_CONFIRMED = N_("Confirmed like every first-come place.")
SYSTEM_REASONS = frozenset({REASON_SUBMITTED, REASON_CONFIRMED_ON_SUBMISSION, REASON_WAITLISTED_FULL,
                            REASON_WITHDRAWN, REASON_PROMOTED, REASON_PROMOTED_CONFIRMED})


def describe_reason(reason: str | None) -> str:
    """An audit-trail reason for display: system reasons in the viewer's language, people's
    reasons (coordinators' overrides) exactly as written."""
    if not reason:
        return ""
    return _(reason) if reason in SYSTEM_REASONS else reason


class SignupError(PlannerError):
    pass


class TransitionNotAllowed(SignupError):
    pass


class WindowClosed(SignupError):
    pass


class DuplicateApplication(SignupError):
    """The company already applied for this offer and kind; `existing` is that application."""

    def __init__(self, message: str, existing: Application) -> None:
        super().__init__(message)
        self.existing = existing


class NotEligible(SignupError):
    pass


class PlaceNotOffered(SignupError):
    pass


class InvalidAnswers(SignupError):
    pass


class NotEditable(SignupError):
    pass


class StaleOrder(SignupError):
    """A rank move made on a page showing an order that has changed since (second click, back
    button, another tab)."""


# The application lifecycle of DOMAIN.md; anything else is refused.
ALLOWED_TRANSITIONS: dict[ApplicationStatus, frozenset[ApplicationStatus]] = {
    S.submitted: frozenset({S.allocated, S.waitlisted, S.withdrawn, S.ineligible, S.confirmed}),
    S.waitlisted: frozenset({S.allocated, S.withdrawn, S.ineligible}),
    S.allocated: frozenset({S.confirmed, S.declined, S.expired, S.withdrawn, S.waitlisted}),
    S.confirmed: frozenset({S.withdrawn}),
    S.declined: frozenset(),
    S.expired: frozenset(),
    S.withdrawn: frozenset(),
    S.ineligible: frozenset({S.submitted}),
}


def change_status(application: Application, to: ApplicationStatus, *, actor: User | None,
                  reason: str | None = None, is_override: bool = False,
                  now: dt.datetime | None = None) -> ApplicationEvent:
    """Move an application to `to`, recording who, when, from, to and why.

    Raises TransitionNotAllowed for a change the lifecycle does not allow.
    """
    current = ApplicationStatus(application.status)
    if to not in ALLOWED_TRANSITIONS[current]:
        raise TransitionNotAllowed(_("An application that is %(current)s cannot become %(to)s.",
                                     current=current.value, to=ApplicationStatus(to).value))
    event = ApplicationEvent(application=application, actor_id=actor.id if actor else None,
                             at=now or utcnow(), from_status=current.value, to_status=to.value,
                             reason=reason, is_override=is_override)
    application.status = to
    db.session.add(event)
    db.session.flush()
    return event


# --- answers --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Exhibit:
    name: str
    needs_licence: bool
    licence_status: str = "not_needed"


@dataclass(frozen=True)
class Delegate:
    name: str
    role: str


@dataclass(frozen=True)
class ApplicationAnswers:
    """What a company answers on the application form (see the module docstring for JSON)."""

    exhibits: tuple[Exhibit, ...] = ()
    target_markets: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    b2b_buyers: str = ""
    delegates: tuple[Delegate, ...] = ()
    other_public_funding: bool = False
    export_control_attested: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "exhibits": [{"name": e.name, "needs_licence": e.needs_licence,
                          "licence_status": e.licence_status} for e in self.exhibits],
            "target_markets": list(self.target_markets),
            "needs": [n for n in NEEDS if n in self.needs],
            "b2b_buyers": self.b2b_buyers,
            "delegates": [{"name": d.name, "role": d.role} for d in self.delegates],
        }

    @classmethod
    def from_application(cls, application: Application) -> ApplicationAnswers:
        data = application.answers or {}
        return cls(
            exhibits=tuple(Exhibit(name=str(e.get("name", "")), needs_licence=bool(e.get("needs_licence")),
                                   licence_status=str(e.get("licence_status") or "not_needed"))
                           for e in data.get("exhibits") or []),
            target_markets=tuple(data.get("target_markets") or ()),
            needs=tuple(data.get("needs") or ()),
            b2b_buyers=str(data.get("b2b_buyers") or ""),
            delegates=tuple(Delegate(name=str(d.get("name", "")), role=str(d.get("role", "")))
                            for d in data.get("delegates") or []),
            other_public_funding=bool(application.other_public_funding),
            export_control_attested=bool(application.export_control_attested),
        )


def _check_answers(offer: Offer, kind: PlaceKind, answers: ApplicationAnswers) -> None:
    if not answers.export_control_attested:
        raise InvalidAnswers(_("You must give the export-control attestation to apply."))
    if answers.other_public_funding:
        raise InvalidAnswers(_("The programme cannot subsidise costs that other public funding "
                               "already covers. Apply only for costs no other public body pays."))
    for exhibit in answers.exhibits:
        if exhibit.licence_status not in LICENCE_STATUSES:
            raise InvalidAnswers(_("Choose the export-licence status of each exhibit."))
    if kind == PlaceKind.booth and not answers.exhibits:
        raise InvalidAnswers(_("Name at least one exhibit for your booth."))
    if kind == PlaceKind.delegation:
        low, high = offer.delegation_min_staff, offer.delegation_people_per_place
        if not low <= len(answers.delegates) <= high:
            raise InvalidAnswers(_("Name between %(low)s and %(high)s delegates.", low=low, high=high))
        if any(not d.name.strip() or not d.role.strip() for d in answers.delegates):
            raise InvalidAnswers(_("Give each delegate's name and role."))


# --- reading --------------------------------------------------------------------------------

def window_is_open(offer: Offer, now: dt.datetime | None = None) -> bool:
    """The application window, in UTC: opens_at <= now < closes_at."""
    now = now or utcnow()
    return offer.opens_at <= now < offer.closes_at


def capacity(offer: Offer, kind: PlaceKind) -> int:
    return offer.booth_capacity if kind == PlaceKind.booth else offer.delegation_capacity


def taken(offer: Offer, kind: PlaceKind) -> int:
    return offer.booth_taken if kind == PlaceKind.booth else offer.delegation_taken


def offered_kinds(offer: Offer) -> list[PlaceKind]:
    return [kind for kind in PlaceKind if capacity(offer, kind) > 0]


def parse_kind(text: str) -> PlaceKind | None:
    return PlaceKind(text) if text in PlaceKind._value2member_map_ else None


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
    return str(company.size_class) in {str(s) for s in programme.eligible_size_classes or []}


@dataclass(frozen=True)
class ProgrammeOffers:
    programme: Programme
    offers: list[Offer]


def list_programmes_with_offers() -> list[ProgrammeOffers]:
    """Every programme (newest year first) with its offers, soonest exhibition first."""
    programmes = list(db.session.scalars(db.select(Programme).order_by(Programme.year.desc(),
                                                                       Programme.name)))
    offers = list(db.session.scalars(
        db.select(Offer).join(Offer.exhibition).order_by(Exhibition.starts_on, Exhibition.name)))
    by_programme: dict[int, list[Offer]] = {}
    for offer in offers:
        by_programme.setdefault(offer.programme_id, []).append(offer)
    return [ProgrammeOffers(p, by_programme.get(p.id, [])) for p in programmes]


def get_programme_with_offers(slug: str) -> ProgrammeOffers | None:
    programme = db.session.scalar(db.select(Programme).where(Programme.slug == slug))
    if programme is None:
        return None
    offers = list(db.session.scalars(
        db.select(Offer).join(Offer.exhibition).where(Offer.programme_id == programme.id)
        .order_by(Exhibition.starts_on, Exhibition.name)))
    return ProgrammeOffers(programme, offers)


# --- allowance ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Allowance:
    """Subsidised places a company holds in a programme under its cap (ranked offers); places
    taken first-come stand outside the cap (allocation rule 8) and are counted apart."""

    programme: Programme
    held: int
    cap: int
    first_come_held: int
    next_deadline: Offer | None = None

    @property
    def remaining(self) -> int:
        return max(self.cap - self.held, 0)


def _held_counts(company_id: int, programme_ids: Sequence[int]) -> dict[tuple[int, bool], int]:
    rows = db.session.execute(
        db.select(Application.programme_id, Offer.mode, db.func.count())
        .join(Offer, Offer.id == Application.offer_id)
        .where(Application.company_id == company_id, Application.programme_id.in_(programme_ids),
               Application.status.in_(list(HOLDING)))
        .group_by(Application.programme_id, Offer.mode))
    counts: dict[tuple[int, bool], int] = {}
    for pid, mode, n in rows:
        key = (pid, OfferMode(mode) == OfferMode.first_come)
        counts[key] = counts.get(key, 0) + int(n)
    return counts


def programme_allowance(company_id: int, programme: Programme,
                        now: dt.datetime | None = None) -> Allowance:
    now = now or utcnow()
    counts = _held_counts(company_id, [programme.id])
    next_offer = db.session.scalar(
        db.select(Offer).where(Offer.programme_id == programme.id, Offer.opens_at <= now,
                               Offer.closes_at > now).order_by(Offer.closes_at).limit(1))
    return Allowance(programme=programme, held=counts.get((programme.id, False), 0),
                     cap=programme.cap_per_company, first_come_held=counts.get((programme.id, True), 0),
                     next_deadline=next_offer)


def company_allowances(company_id: int | None, now: dt.datetime | None = None) -> list[Allowance]:
    """Allowance in every programme with an open application window, soonest deadline first."""
    if company_id is None:
        return []
    now = now or utcnow()
    open_offers = list(db.session.scalars(
        db.select(Offer).where(Offer.opens_at <= now, Offer.closes_at > now).order_by(Offer.closes_at)))
    first_by_programme: dict[int, Offer] = {}
    for offer in open_offers:
        first_by_programme.setdefault(offer.programme_id, offer)
    if not first_by_programme:
        return []
    counts = _held_counts(company_id, list(first_by_programme))
    return [Allowance(programme=offer.programme, held=counts.get((pid, False), 0),
                      cap=offer.programme.cap_per_company,
                      first_come_held=counts.get((pid, True), 0), next_deadline=offer)
            for pid, offer in first_by_programme.items()]


# --- submission -----------------------------------------------------------------------------

def _check_can_apply(offer: Offer, kind: PlaceKind, company: Company, now: dt.datetime) -> None:
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


def check_can_apply(offer: Offer, kind: PlaceKind, company: Company, now: dt.datetime | None = None) -> None:
    """Raise the SignupError that would refuse this company's application now, if any."""
    _check_can_apply(offer, kind, company, now or utcnow())


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


def _take_place(offer_id: int, kind: PlaceKind) -> bool:
    """Take one place with a conditional UPDATE, so the database, not a count read earlier,
    keeps the offer within capacity however many submissions arrive at once."""
    if kind == PlaceKind.booth:
        stmt = (update(Offer).where(Offer.id == offer_id, Offer.booth_taken < Offer.booth_capacity)
                .values(booth_taken=Offer.booth_taken + 1))
    else:
        stmt = (update(Offer).where(Offer.id == offer_id,
                                    Offer.delegation_taken < Offer.delegation_capacity)
                .values(delegation_taken=Offer.delegation_taken + 1))
    result = db.session.execute(stmt.execution_options(synchronize_session=False))
    return result.rowcount == 1  # type: ignore[attr-defined]


def _free_place(offer_id: int, kind: PlaceKind) -> None:
    if kind == PlaceKind.booth:
        stmt = (update(Offer).where(Offer.id == offer_id, Offer.booth_taken > 0)
                .values(booth_taken=Offer.booth_taken - 1))
    else:
        stmt = (update(Offer).where(Offer.id == offer_id, Offer.delegation_taken > 0)
                .values(delegation_taken=Offer.delegation_taken - 1))
    db.session.execute(stmt.execution_options(synchronize_session=False))


def _refresh_offer(offer_id: int) -> None:
    offer = db.session.get(Offer, offer_id)
    if offer is not None:
        db.session.refresh(offer, attribute_names=["booth_taken", "delegation_taken"])


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
    _check_can_apply(offer, kind, company, now)
    _check_answers(offer, kind, answers)
    existing = find_application(company.id, offer.id, kind)
    if existing is not None:
        raise duplicate_error(existing)

    application: Application | None = None
    for _attempt in range(3):
        candidate = Application(
            company_id=company.id, offer_id=offer.id, programme_id=offer.programme_id, kind=kind,
            preference=_next_preference(company.id, offer.programme_id),
            answers=answers.as_json(), export_control_attested=answers.export_control_attested,
            other_public_funding=answers.other_public_funding,
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
        application = candidate
        break
    if application is None:
        raise SignupError(_("Your application could not be saved. Please try again."))

    db.session.add(ApplicationEvent(application=application, actor_id=actor.id if actor else None,
                                    at=now, from_status=None, to_status=S.submitted.value,
                                    reason=REASON_SUBMITTED))
    if offer.mode == OfferMode.first_come:
        if _take_place(offer.id, kind):
            change_status(application, S.confirmed, actor=actor, now=now,
                          reason=REASON_CONFIRMED_ON_SUBMISSION)
        else:
            change_status(application, S.waitlisted, actor=actor, now=now,
                          reason=REASON_WAITLISTED_FULL)
        _refresh_offer(offer.id)
    if actor is not None:
        _send_receipt(application, actor)
    db.session.flush()
    return application


def _application_link(application: Application) -> str:
    # Built from SITE_URL rather than url_for: services also run outside requests (CLI, tests).
    return f"{current_app.config.get('SITE_URL', '').rstrip('/')}/my/applications/{application.id}"


def _send_receipt(application: Application, actor: User) -> None:
    exhibition = application.offer.exhibition.name
    status = ApplicationStatus(application.status)
    with force_locale(actor.locale or "en"):
        if status == S.confirmed:
            outcome = _("A first-come place was free, so your place is confirmed.")
        elif status == S.waitlisted:
            outcome = _("Every first-come place is taken, so your application is on the waitlist. "
                        "If a place is freed, the first waitlisted application gets it.")
        else:
            outcome = _("Places are allocated after the deadline; we will tell you the result by email.")
        subject = _("Application received: %(exhibition)s", exhibition=exhibition)
        body = _("We received your company's application for a %(kind)s place at %(exhibition)s.\n\n"
                 "%(outcome)s\n\nYou can check, edit or withdraw it until the deadline:\n%(link)s\n",
                 kind=_kind_label(PlaceKind(application.kind)), exhibition=exhibition,
                 outcome=outcome, link=_application_link(application))
    enqueue(actor.email, subject, body)


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
    _check_answers(application.offer, PlaceKind(application.kind), answers)
    application.answers = answers.as_json()
    application.export_control_attested = answers.export_control_attested
    application.other_public_funding = answers.other_public_funding
    application.updated_at = now
    db.session.flush()
    return application


def is_editable(application: Application, now: dt.datetime | None = None) -> bool:
    return ApplicationStatus(application.status) in ACTIVE and window_is_open(application.offer, now)


def ensure_editable(application: Application, now: dt.datetime | None = None) -> None:
    if ApplicationStatus(application.status) not in ACTIVE:
        raise NotEditable(_("This application is %(status)s and can no longer be changed.",
                            status=ApplicationStatus(application.status).value))
    if not window_is_open(application.offer, now):
        raise NotEditable(_("The deadline has passed: this application is read-only."))


# --- withdrawal and first-come promotion ----------------------------------------------------

def withdraw_application(application: Application, *, actor: User | None, reason: str | None = None,
                         now: dt.datetime | None = None) -> Application | None:
    """Withdraw an application before its deadline; returns the application promoted in its
    place, if any.

    A held place is freed with a conditional decrement. On a first-come offer the freed place
    goes, in the same transaction, to the first waitlisted application of that offer and kind
    (by submission time), which is confirmed and its company told by email.
    Raises NotEditable after the deadline or for a closed application.
    """
    now = now or utcnow()
    ensure_editable(application, now)
    held = ApplicationStatus(application.status) in HOLDING
    change_status(application, S.withdrawn, actor=actor, now=now,
                  reason=reason or REASON_WITHDRAWN)
    kind = PlaceKind(application.kind)
    promoted = None
    if held:
        _free_place(application.offer_id, kind)
        if application.offer.mode == OfferMode.first_come:
            promoted = _promote_first_come(application.offer, kind, actor=actor, now=now)
        _refresh_offer(application.offer_id)
    db.session.flush()
    return promoted


def _promote_first_come(offer: Offer, kind: PlaceKind, *, actor: User | None,
                        now: dt.datetime) -> Application | None:
    # SKIP LOCKED: two withdrawals at once promote two different waitlisted applications.
    candidate = db.session.scalar(
        db.select(Application)
        .where(Application.offer_id == offer.id, Application.kind == kind,
               Application.status == S.waitlisted)
        .order_by(Application.created_at, Application.id).limit(1)
        .with_for_update(skip_locked=True, of=Application))
    if candidate is None or not _take_place(offer.id, kind):
        return None
    change_status(candidate, S.allocated, actor=actor, now=now,
                  reason=REASON_PROMOTED)
    change_status(candidate, S.confirmed, actor=actor, now=now,
                  reason=REASON_PROMOTED_CONFIRMED)
    _tell_promoted(candidate)
    return candidate


def _tell_promoted(application: Application) -> None:
    link = _application_link(application)
    members = db.session.scalars(db.select(User).where(
        User.company_id == application.company_id, User.is_active_account.is_(True)))
    for member in members:
        with force_locale(member.locale or "en"):
            subject = _("A place is yours: %(exhibition)s", exhibition=application.offer.exhibition.name)
            body = _("Good news: a first-come %(kind)s place at %(exhibition)s was freed and your "
                     "waitlisted application now holds it. It is confirmed.\n\n"
                     "If you no longer want it, withdraw it before the deadline so the next "
                     "company can have it:\n%(link)s\n",
                     kind=_kind_label(PlaceKind(application.kind)),
                     exhibition=application.offer.exhibition.name, link=link)
        enqueue(member.email, subject, body)


def _kind_label(kind: PlaceKind) -> str:
    return _("booth") if kind == PlaceKind.booth else _("delegation")


# --- ranks ----------------------------------------------------------------------------------

def ranked_applications(company_id: int, programme_id: int) -> list[Application]:
    """The company's applications whose rank matters (ranked offers, still active), best first."""
    return list(db.session.scalars(
        db.select(Application).join(Offer, Offer.id == Application.offer_id)
        .where(Application.company_id == company_id, Application.programme_id == programme_id,
               Offer.mode == OfferMode.ranked, Application.status.in_(list(RANKABLE)))
        .order_by(Application.preference)))


def rank_of(application: Application) -> tuple[int, int] | None:
    """(position, count) of the application among its company's ranked applications in the
    programme, 1-based; None when it has no rank (first-come or no longer active)."""
    ids = [a.id for a in ranked_applications(application.company_id, application.programme_id)]
    return (ids.index(application.id) + 1, len(ids)) if application.id in ids else None


def next_rank(company_id: int, programme_id: int) -> int:
    """The position a new ranked application of the company would take in the programme."""
    return len(ranked_applications(company_id, programme_id)) + 1


def ranks_close_at(programme_id: int) -> dt.datetime | None:
    """Ranks may change until the last ranked window of the programme closes: the allocation
    cannot run before that (allocation rule 8)."""
    return db.session.scalar(db.select(db.func.max(Offer.closes_at)).where(
        Offer.programme_id == programme_id, Offer.mode == OfferMode.ranked))


def ranks_editable(programme_id: int, now: dt.datetime | None = None) -> bool:
    closes = ranks_close_at(programme_id)
    return closes is not None and (now or utcnow()) < closes


def set_order(company_id: int, programme_id: int, ordered_ids: Sequence[int], *,
              actor: User | None, now: dt.datetime | None = None) -> list[Application]:
    """Give the company's ranked applications in the programme the order `ordered_ids` (best
    first), reusing the rank numbers they already hold so other applications keep theirs.

    Raises SignupError when ids are not exactly those applications, or after the last ranked
    deadline of the programme.
    """
    now = now or utcnow()
    if not ranks_editable(programme_id, now):
        raise WindowClosed(_("The deadline has passed: ranks can no longer be changed."))
    current = ranked_applications(company_id, programme_id)
    by_id = {a.id: a for a in current}
    if sorted(ordered_ids) != sorted(by_id) or len(set(ordered_ids)) != len(ordered_ids):
        raise SignupError(_("Your applications changed meanwhile. Please check the order and try again."))
    numbers = sorted(a.preference for a in current)
    # Two steps under the unique (company, programme, preference) key: first to temporary
    # negative ranks no real rank uses, then to the final ones, inside the caller's transaction.
    try:
        for application in current:
            application.preference = -application.id
        db.session.flush()
        for number, application_id in zip(numbers, ordered_ids):
            by_id[application_id].preference = number
            by_id[application_id].updated_at = now
        db.session.flush()
    except IntegrityError:
        # Another tab of the same company reordered or applied at the same moment.
        raise SignupError(_("Your applications changed meanwhile. Please check the order and "
                            "try again.")) from None
    return [by_id[i] for i in ordered_ids]


def move_application(application: Application, direction: str, *, actor: User | None,
                     expected_order: Sequence[int] | None = None,
                     now: dt.datetime | None = None) -> list[Application]:
    """Swap a ranked application with its neighbour above ("up") or below ("down").

    `expected_order` is the order (best first) the page showed when the button was pressed;
    when the ranks have changed since, nothing moves and StaleOrder is raised, so a double
    click or a button pressed on an old page never moves an application twice or blindly.
    """
    current = ranked_applications(application.company_id, application.programme_id)
    ids = [a.id for a in current]
    if application.id not in ids:
        raise SignupError(_("Only active applications to ranked offers have a rank."))
    if expected_order is not None and list(expected_order) != ids:
        raise StaleOrder(_("Your ranks changed after this page was shown (a second click, an "
                           "older page or another tab), so nothing was moved. Here is the "
                           "current order: check it and move again if needed."))
    index = ids.index(application.id)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(ids):
        return current
    ids[index], ids[other] = ids[other], ids[index]
    return set_order(application.company_id, application.programme_id, ids, actor=actor, now=now)


def set_ranks(company_id: int, programme_id: int, ranks: Mapping[int, int], *,
              actor: User | None, now: dt.datetime | None = None) -> list[Application]:
    """Order by the rank numbers typed per application (1 = most wanted); equal ranks are refused."""
    if len(set(ranks.values())) != len(ranks):
        raise SignupError(_("Give each application a different rank."))
    ordered = [application_id for application_id, _rank in sorted(ranks.items(), key=lambda kv: kv[1])]
    return set_order(company_id, programme_id, ordered, actor=actor, now=now)


# --- "my applications" ----------------------------------------------------------------------

@dataclass
class ApplicationRow:
    application: Application
    rank: int | None          # 1-based position among ranked, active applications; None otherwise
    editable: bool
    next_step: str


@dataclass
class ProgrammeApplications:
    programme: Programme
    rows: list[ApplicationRow] = field(default_factory=list)
    allowance: Allowance | None = None
    ranks_editable: bool = False
    ranks_close_at: dt.datetime | None = None


def list_company_applications(company_id: int, now: dt.datetime | None = None) -> list[ProgrammeApplications]:
    """The company's applications grouped by programme (newest first), ranked ones by rank."""
    now = now or utcnow()
    applications = list(db.session.scalars(
        db.select(Application).join(Offer, Offer.id == Application.offer_id)
        .join(Programme, Programme.id == Application.programme_id)
        .where(Application.company_id == company_id)
        .order_by(Programme.year.desc(), Programme.id, Application.preference)))
    groups: dict[int, ProgrammeApplications] = {}
    positions: dict[int, int] = {}
    for application in applications:
        group = groups.get(application.programme_id)
        if group is None:
            programme = application.offer.programme
            group = groups[application.programme_id] = ProgrammeApplications(
                programme=programme, allowance=programme_allowance(company_id, programme, now),
                ranks_editable=ranks_editable(programme.id, now), ranks_close_at=ranks_close_at(programme.id))
        rank = None
        if application.offer.mode == OfferMode.ranked and ApplicationStatus(application.status) in RANKABLE:
            rank = positions[application.programme_id] = positions.get(application.programme_id, 0) + 1
        group.rows.append(ApplicationRow(application=application, rank=rank,
                                         editable=is_editable(application, now),
                                         next_step=next_step(application, now)))
    for group in groups.values():
        # Ranked rows first in rank order, then the rest (first-come, closed) by submission.
        group.rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.application.created_at))
    return list(groups.values())


def next_step(application: Application, now: dt.datetime | None = None) -> str:
    """What the company should do next, in a sentence, for the application's status."""
    now = now or utcnow()
    status = ApplicationStatus(application.status)
    offer = application.offer
    first_come = offer.mode == OfferMode.first_come
    open_ = window_is_open(offer, now)
    if status == S.submitted:
        if open_:
            return _("Nothing to do now. You can edit your answers, change your ranks or withdraw "
                     "until the deadline. Places are allocated after the deadline; you will be "
                     "told the result by email.")
        return _("The deadline has passed. Wait for the allocation result; you will be told by email.")
    if status == S.waitlisted:
        if first_come:
            return _("All first-come places are taken. If a place is freed, the first waitlisted "
                     "application gets it and its company is told by email.")
        return _("You are on the waitlist. If a place frees up and your company is still under "
                 "its cap, it is offered to you and you are told by email.")
    if status == S.allocated:
        if application.confirm_by is not None:
            return _("A place is allocated to you. Confirm or decline it before the confirmation "
                     "deadline, or it expires.")
        return _("A place is allocated to you. Confirm or decline it within the confirmation window.")
    if status == S.confirmed:
        return _("Your place is confirmed. Prepare for the milestones: co-funding payment, "
                 "export-licence filing and shipping cut-off.")
    if status == S.withdrawn:
        return _("You withdrew this application. Nothing more to do.")
    if status == S.declined:
        return _("You declined this place. Nothing more to do.")
    if status == S.expired:
        return _("The confirmation window passed without an answer, so the place went to the "
                 "next company.")
    return _("This application is ineligible; its page gives the reason. Contact the agency "
             "if you think it is wrong.")
