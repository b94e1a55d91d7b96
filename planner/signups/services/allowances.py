"""A company's allowance: the subsidised places it holds in a programme against its cap."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from planner.catalogue.models import Offer, OfferMode, Programme
from planner.db import utcnow
from planner.extensions import db
from planner.signups.models import Application
from planner.signups.services.places import HELD_STATUSES


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
               Application.status.in_(list(HELD_STATUSES)))
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
