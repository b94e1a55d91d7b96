"""Adding and changing a programme's offers once companies have applied or its allocation is
published (allocation rules 8 and 9). The catalogue checks an offer on its own; this module adds
what only allocation knows:

- after publication a new offer can only be first-come (a later ranked call is a new programme),
  and the run's ranked offers cannot reopen, since no run would ever take the applications made
  then (they would stay "submitted" for ever);
- an offer's mode cannot change while companies hold or wait for its places (a first-come place
  stands outside the run and its cap; a ranked application waits for the run);
- places added to an offer go at once to its waitlist, as a freed place does."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from planner.accounts.models import User
from planner.allocation.services.promotion import fill_freed_place, lock_programmes
from planner.allocation.services.runs import get_published_run
from planner.catalogue import services as catalogue
from planner.catalogue.models import Exhibition, Offer, OfferMode, Programme
from planner.db import utcnow
from planner.extensions import db
from planner.i18n import _
from planner.signups.models import Application, PlaceKind
from planner.signups.services import ACTIVE, capacity, promote_first_come, taken


class OfferRefused(catalogue.ProgrammeError):
    """An offer change that the programme's applications or its published allocation forbid."""

    status_code = 409


def _active_applications(offer: Offer) -> int:
    """Applications that hold a place of the offer or wait for one (or for the run)."""
    return db.session.scalar(select(func.count()).select_from(Application).where(
        Application.offer_id == offer.id, Application.status.in_([s.value for s in ACTIVE]))) or 0


def check_offer(programme: Programme, data: catalogue.OfferInput, *, offer: Offer | None,
                now: dt.datetime) -> None:
    """Raise OfferRefused for a new offer (`offer` None) or a change of `offer` that would strand
    or break places; ProgrammeError for a window time that does not exist."""
    mode = OfferMode(data.mode)
    if offer is not None and mode != offer.mode and _active_applications(offer):
        if offer.mode == OfferMode.first_come:
            raise OfferRefused(_("This first-come offer cannot become ranked while companies hold or "
                                 "wait for its places: they were given first-come, outside the "
                                 "allocation run and its cap. Keep it first-come."))
        raise OfferRefused(_("This ranked offer cannot become first-come while it has "
                             "applications: they wait for the allocation run."))
    if mode != OfferMode.ranked or get_published_run(programme) is None:
        return
    if offer is None:
        raise OfferRefused(_("This programme's allocation is published, so an offer added to it "
                             "can only be first-come: a later ranked call is a new programme, "
                             "e.g. a second call."))
    if offer.mode != OfferMode.ranked:
        raise OfferRefused(_("This programme's allocation is published, so a first-come offer "
                             "cannot become ranked: a later ranked call is a new programme, "
                             "e.g. a second call."))
    if catalogue.local_to_utc(data.closes_local, data.timezone) > now:
        raise OfferRefused(_("This programme's allocation is published, so its ranked offers "
                             "cannot reopen: no run would ever allocate the applications made "
                             "now. Offer further places first-come, or open a later ranked call "
                             "as a new programme, e.g. a second call."))


def add_offer(programme: Programme, exhibition: Exhibition, data: catalogue.OfferInput, *,
              actor: User | None, now: dt.datetime | None = None) -> Offer:
    """A new offer in `programme`; raises OfferRefused (see check_offer) and ProgrammeError."""
    now = now or utcnow()
    check_offer(programme, data, offer=None, now=now)
    return catalogue.create_offer(programme, exhibition, data, actor=actor, now=now)


def change_offer(offer: Offer, data: catalogue.OfferInput, *, actor: User | None,
                 now: dt.datetime | None = None) -> list[Application]:
    """Change an offer; raises OfferRefused (see check_offer) and ProgrammeError. Places added
    go at once to the waitlist (a ranked offer's after publication, a first-come offer's in
    submission order), in this transaction. Returns the applications promoted."""
    now = now or utcnow()
    programme = offer.programme
    check_offer(programme, data, offer=offer, now=now)
    published = get_published_run(programme) is not None
    if published:
        lock_programmes([programme.id])  # places may be taken: before any row, as releases do
    before = {kind: capacity(offer, kind) for kind in PlaceKind}
    catalogue.update_offer(offer, data, actor=actor, now=now)
    promoted: list[Application] = []
    for kind in PlaceKind:
        if capacity(offer, kind) <= before[kind]:
            continue
        if offer.mode == OfferMode.ranked:
            if published:
                promoted += fill_freed_place(offer, kind.value, now=now)
            continue
        while taken(offer, kind) < capacity(offer, kind):
            first = promote_first_come(offer, kind, actor=None, now=now)
            if first is None:
                break
            promoted.append(first)
    return promoted
