"""Offers a company follows: it is reminded before their application windows close (see
planner.reminders), until it applies or stops following."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select

from planner.catalogue.models import Offer
from planner.db import insert_on_conflict_do_nothing, utcnow
from planner.extensions import db
from planner.i18n import _
from planner.signups.models import OfferFollow
from planner.signups.services.errors import WindowClosed


def followed_offer_ids(company_id: int | None, offer_ids: Iterable[int]) -> frozenset[int]:
    ids = list(offer_ids)
    if company_id is None or not ids:
        return frozenset()
    return frozenset(db.session.scalars(select(OfferFollow.offer_id).where(
        OfferFollow.company_id == company_id, OfferFollow.offer_id.in_(ids))))


def follow(company_id: int, offer: Offer) -> None:
    """Remind the company before the offer's window closes; idempotent, also when two clicks
    (two colleagues, two workers) follow at the same moment: the second insert does nothing."""
    if offer.closes_at <= utcnow():
        raise WindowClosed(_("Applications for this offer have closed."))
    db.session.execute(
        insert_on_conflict_do_nothing(db.engine.dialect, OfferFollow, index_elements=["company_id", "offer_id"])
        .values(company_id=company_id, offer_id=offer.id, created_at=utcnow()))


def unfollow(company_id: int, offer: Offer) -> None:
    db.session.execute(delete(OfferFollow).where(OfferFollow.company_id == company_id,
                                                 OfferFollow.offer_id == offer.id))
