"""The public programme pages: each programme (from the catalogue) with its offers."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select

from planner.catalogue import services as catalogue
from planner.catalogue.models import Exhibition, Offer, Programme
from planner.extensions import db


@dataclass(frozen=True)
class ProgrammeOffers:
    programme: Programme
    offers: list[Offer]


def _offers_by_soonest() -> Select[Any]:
    return select(Offer).join(Offer.exhibition).order_by(Exhibition.starts_on, Exhibition.name)


def list_programmes_with_offers() -> list[ProgrammeOffers]:
    """Every programme (newest year first) with its offers, soonest exhibition first."""
    by_programme: dict[int, list[Offer]] = {}
    for offer in db.session.scalars(_offers_by_soonest()):
        by_programme.setdefault(offer.programme_id, []).append(offer)
    return [ProgrammeOffers(p, by_programme.get(p.id, [])) for p in catalogue.list_programmes()]


def get_programme_with_offers(slug: str) -> ProgrammeOffers | None:
    programme = catalogue.get_programme_by_slug(slug)
    if programme is None:
        return None
    offers = list(db.session.scalars(_offers_by_soonest().where(Offer.programme_id == programme.id)))
    return ProgrammeOffers(programme, offers)
