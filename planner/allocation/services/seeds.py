"""The programme's lottery seed (allocation rule 2): drawn by the system, once, when the last
ranked application window has closed; committed (its SHA-256 shown) before any preview; used by
every preview made after that and by the publication."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from planner.allocation import lottery
from planner.allocation.models import ProgrammeSeed
from planner.allocation.services.inputs import ranked_offers
from planner.catalogue.models import Programme
from planner.db import utcnow
from planner.extensions import db


def programme_seed(programme: Programme, now: dt.datetime | None = None) -> ProgrammeSeed | None:
    """The programme's drawn seed, drawing it now if its ranked windows have all closed; None
    while one is still open (or it has no ranked offer). Two requests drawing at once keep
    one seed: the database allows one row per programme."""
    drawn = db.session.get(ProgrammeSeed, programme.id)
    if drawn is not None:
        return drawn
    now = now or utcnow()
    offers = ranked_offers(programme)
    if not offers or any(offer.closes_at > now for offer in offers):
        return None
    try:
        with db.session.begin_nested():
            drawn = ProgrammeSeed(programme_id=programme.id, seed=lottery.new_seed(), drawn_at=now)
            db.session.add(drawn)
    except IntegrityError:
        return db.session.scalar(select(ProgrammeSeed).where(
            ProgrammeSeed.programme_id == programme.id).execution_options(populate_existing=True))
    return drawn
