"""Co-funding: the company's share of each confirmed place, its due date, the coordinators'
paid or waived marks (an append-only trail), the programme's cancellation charge, and the
totals and payment letters built from them."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, func, select

from planner.accounts.models import Company, User
from planner.backoffice.models import CofundingSettings, PaymentMark, PaymentState
from planner.catalogue.models import Offer, Programme
from planner.db import utcnow
from planner.errors import PlannerError
from planner.extensions import db
from planner.i18n import _
from planner.signups.models import Application, ApplicationEvent, ApplicationStatus
from planner.signups.services import place_price, size_class_of

S = ApplicationStatus
MAX_REASON = 500
MAX_INSTRUCTIONS = 1000


class CofundingError(PlannerError):
    """A payment mark or setting the rules do not allow; the message is fit for coordinators."""


@dataclass(frozen=True)
class Share:
    """What one company owes for one place: its share, or the charge for cancelling it."""

    application_id: int
    company_id: int
    company: str
    offer_id: int
    programme_id: int
    kind: str
    size_class: str
    cost_krw: int
    due_krw: int
    cancelled: bool            # withdrawn after confirming: due_krw is the cancellation charge
    due_at: dt.datetime | None
    state: PaymentState = PaymentState.due
    paid_on: dt.date | None = None
    reason: str | None = None
    marked_by: str | None = None
    marked_at: dt.datetime | None = None

    @property
    def subsidy_krw(self) -> int:
        return 0 if self.cancelled else self.cost_krw - self.due_krw

    @property
    def paid_krw(self) -> int:
        return self.due_krw if self.state == PaymentState.paid else 0

    @property
    def waived_krw(self) -> int:
        return self.due_krw if self.state == PaymentState.waived else 0

    @property
    def outstanding_krw(self) -> int:
        return self.due_krw if self.state == PaymentState.due else 0


@dataclass
class Total:
    places: int = 0
    due_krw: int = 0
    paid_krw: int = 0
    waived_krw: int = 0
    outstanding_krw: int = 0

    def add(self, share: Share) -> None:
        self.places += 1
        self.due_krw += share.due_krw
        self.paid_krw += share.paid_krw
        self.waived_krw += share.waived_krw
        self.outstanding_krw += share.outstanding_krw


@dataclass
class Totals:
    overall: Total = field(default_factory=Total)
    by_size_class: dict[str, Total] = field(default_factory=lambda: defaultdict(Total))
    by_offer: dict[int, Total] = field(default_factory=lambda: defaultdict(Total))
    by_programme: dict[int, Total] = field(default_factory=lambda: defaultdict(Total))


def cancellation_percent(programme_id: int) -> int:
    settings = db.session.get(CofundingSettings, programme_id)
    return settings.cancellation_charge_percent if settings else 0


def get_settings(programme: Programme) -> CofundingSettings:
    return db.session.get(CofundingSettings, programme.id) or CofundingSettings(
        programme_id=programme.id, cancellation_charge_percent=0)


def save_settings(programme: Programme, *, cancellation_charge_percent: int,
                  payment_instructions: str, actor: User, now: dt.datetime | None = None) -> CofundingSettings:
    if not 0 <= cancellation_charge_percent <= 100:
        raise CofundingError(_("The cancellation charge is a percentage from 0 to 100."))
    if len(payment_instructions) > MAX_INSTRUCTIONS:
        raise CofundingError(_("Keep the payment instructions under %(n)s characters.", n=MAX_INSTRUCTIONS))
    settings = db.session.get(CofundingSettings, programme.id)
    if settings is None:
        settings = CofundingSettings(programme_id=programme.id)
        db.session.add(settings)
    settings.cancellation_charge_percent = cancellation_charge_percent
    settings.payment_instructions = payment_instructions.strip() or None
    settings.updated_by_id = actor.id
    settings.updated_at = now or utcnow()
    db.session.flush()
    return settings


def charge_krw(share_krw: int, percent: int) -> int:
    """The cancellation charge: `percent` of the company share, rounded half up to the won."""
    return int((Decimal(share_krw) * Decimal(percent) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def latest_marks(application_ids: Iterable[int]) -> dict[int, PaymentMark]:
    """The newest mark per application: its payment state."""
    ids = list(application_ids)
    if not ids:
        return {}
    newest = (select(func.max(PaymentMark.id)).where(PaymentMark.application_id.in_(ids))
              .group_by(PaymentMark.application_id))
    return {mark.application_id: mark for mark in db.session.scalars(
        select(PaymentMark).where(PaymentMark.id.in_(newest)))}


def list_shares(*, programme_id: int | None = None, offer_id: int | None = None,
                company_id: int | None = None, application_ids: Sequence[int] | None = None) -> list[Share]:
    """Every confirmed place (and every place cancelled after confirming, when the programme
    charges for that) with its share due and payment state, by offer, company and kind."""
    cancelled_after_confirming = select(ApplicationEvent.application_id).where(
        ApplicationEvent.from_status == S.confirmed.value)
    query = (select(Application, Offer, Company)
             .join(Offer, Offer.id == Application.offer_id)
             .join(Company, Company.id == Application.company_id)
             .where((Application.status == S.confirmed)
                    | and_(Application.status == S.withdrawn,
                           Application.id.in_(cancelled_after_confirming)))
             .order_by(Offer.id, Company.legal_name, Application.kind, Application.id))
    if programme_id is not None:
        query = query.where(Application.programme_id == programme_id)
    if offer_id is not None:
        query = query.where(Application.offer_id == offer_id)
    if company_id is not None:
        query = query.where(Application.company_id == company_id)
    if application_ids is not None:
        query = query.where(Application.id.in_(list(application_ids)))
    rows = db.session.execute(query).all()
    marks = latest_marks(a.id for a, _o, _c in rows)
    percents: dict[int, int] = {}
    shares = []
    for application, offer, company in rows:
        # The figures recorded when the place was confirmed, not the programme's current rule.
        price = place_price(application)
        cost, share = price.cost_krw, price.company_share_krw
        size_class = size_class_of(application, company)
        cancelled = application.status != S.confirmed
        if cancelled:
            if offer.programme_id not in percents:
                percents[offer.programme_id] = cancellation_percent(offer.programme_id)
            if not percents[offer.programme_id]:
                continue
            share = charge_krw(share, percents[offer.programme_id])
        mark = marks.get(application.id)
        shares.append(Share(
            application_id=application.id, company_id=company.id, company=company.legal_name,
            offer_id=offer.id, programme_id=offer.programme_id, kind=str(application.kind),
            size_class=size_class, cost_krw=cost, due_krw=share, cancelled=cancelled,
            due_at=offer.payment_due_at, state=mark.state if mark else PaymentState.due,
            paid_on=mark.paid_on if mark else None, reason=mark.reason if mark else None,
            marked_by=(mark.actor.name or mark.actor.email) if mark and mark.actor else None,
            marked_at=mark.at if mark else None))
    return shares


def totals(shares: Iterable[Share]) -> Totals:
    out = Totals()
    for share in shares:
        out.overall.add(share)
        out.by_size_class[share.size_class].add(share)
        out.by_offer[share.offer_id].add(share)
        out.by_programme[share.programme_id].add(share)
    return out


def _share_of(application: Application) -> Share:
    found = list_shares(application_ids=[application.id])
    if not found:
        raise CofundingError(_("Only a confirmed place, or one cancelled with a charge, has a share to pay."))
    return found[0]


def _mark(application: Application, state: PaymentState, *, actor: User, now: dt.datetime | None,
          paid_on: dt.date | None = None, reason: str | None = None) -> PaymentMark:
    share = _share_of(application)
    mark = PaymentMark(application_id=application.id, state=state, amount_krw=share.due_krw,
                       paid_on=paid_on, reason=reason, actor_id=actor.id, at=now or utcnow())
    db.session.add(mark)
    db.session.flush()
    return mark


def _reason(reason: str, missing: str) -> str:
    reason = reason.strip()
    if not reason:
        raise CofundingError(missing)
    if len(reason) > MAX_REASON:
        raise CofundingError(_("Keep the reason under %(n)s characters.", n=MAX_REASON))
    return reason


def mark_paid(application: Application, *, actor: User, paid_on: dt.date,
              now: dt.datetime | None = None) -> PaymentMark:
    """Record that the company paid its share on `paid_on` (not in the future)."""
    now = now or utcnow()
    if paid_on > now.date() + dt.timedelta(days=1):
        raise CofundingError(_("The payment date cannot be in the future."))
    return _mark(application, PaymentState.paid, actor=actor, now=now, paid_on=paid_on)


def mark_waived(application: Application, *, actor: User, reason: str,
                now: dt.datetime | None = None) -> PaymentMark:
    """Waive the company's share; the reason is kept with who waived it and when."""
    return _mark(application, PaymentState.waived, actor=actor, now=now,
                 reason=_reason(reason, _("Give the reason the share is waived.")))


def mark_due(application: Application, *, actor: User, reason: str,
             now: dt.datetime | None = None) -> PaymentMark:
    """Take a paid or waived mark back (a payment that bounced, a waiver given in error)."""
    return _mark(application, PaymentState.due, actor=actor, now=now,
                 reason=_reason(reason, _("Give the reason the share is due again.")))


def payment_history(application_ids: Iterable[int]) -> dict[int, list[PaymentMark]]:
    """Every mark per application, oldest first: who marked what and when."""
    ids = list(application_ids)
    history: dict[int, list[PaymentMark]] = defaultdict(list)
    if ids:
        for mark in db.session.scalars(select(PaymentMark).where(PaymentMark.application_id.in_(ids))
                                       .order_by(PaymentMark.at, PaymentMark.id)):
            history[mark.application_id].append(mark)
    return history


@dataclass(frozen=True)
class Letter:
    company: Company
    programme: Programme
    shares: list[Share]
    offers: dict[int, Offer]
    total: Total
    instructions: str | None


def payment_letter(company: Company, programme: Programme) -> Letter:
    """What a company owes in a programme, place by place, for its payment letter."""
    shares = list_shares(programme_id=programme.id, company_id=company.id)
    offers = {o.id: o for o in db.session.scalars(select(Offer).where(Offer.id.in_({s.offer_id for s in shares})))}
    return Letter(company=company, programme=programme, shares=shares, offers=offers,
                  total=totals(shares).overall, instructions=get_settings(programme).payment_instructions)
