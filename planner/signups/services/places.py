"""Places of an offer: the statuses that hold one, capacity and taken counts, taking and freeing a
place, which the database keeps within capacity (sign-ups and allocation both call it), and a
place's price, recorded when it is confirmed."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from sqlalchemy import Column, bindparam, func, select, update
from sqlalchemy.orm.util import identity_key

from planner.catalogue.models import Offer, OfferMode
from planner.catalogue.services import PlacePrice, quote_place
from planner.extensions import db
from planner.signups.models import Application, ApplicationStatus, PlaceKind
from planner.signups.services.sizes import size_class_of

# Statuses in which an application holds a place (and counts in booth_taken/delegation_taken).
HELD_STATUSES: frozenset[ApplicationStatus] = frozenset({ApplicationStatus.allocated,
                                                         ApplicationStatus.confirmed})


def capacity(offer: Offer, kind: PlaceKind | str) -> int:
    return offer.booth_capacity if kind == PlaceKind.booth else offer.delegation_capacity


def taken(offer: Offer, kind: PlaceKind | str) -> int:
    return offer.booth_taken if kind == PlaceKind.booth else offer.delegation_taken


def place_cost(offer: Offer, kind: PlaceKind | str) -> int:
    """The full cost of one place of `kind`, before any subsidy (KRW)."""
    return int((offer.booth_cost_krw if kind == PlaceKind.booth else offer.delegation_cost_krw) or 0)


def quote(application: Application) -> PlacePrice:
    """The application's place priced under its programme's current rules, at the size class it
    was scored (or applied) with."""
    return quote_place(place_cost(application.offer, application.kind), application.offer.programme,
                       size_class_of(application, application.company))


def place_price(application: Application) -> PlacePrice:
    """What the company pays and the agency gives for this place: the figures recorded when it
    was confirmed (allocation rule 9: a later rule change does not rewrite them), else its
    price under the programme's current rules."""
    if application.subsidy_krw is not None and application.company_share_krw is not None:
        return PlacePrice(cost_krw=application.subsidy_krw + application.company_share_krw,
                          subsidy_share=float(application.subsidy_share or 0),
                          subsidy_krw=application.subsidy_krw,
                          company_share_krw=application.company_share_krw)
    return quote(application)


def recorded_price(application: Application) -> dict[str, object]:
    """The columns that record the place's price under the current rules, written by the
    compare-and-set that confirms it."""
    price = quote(application)
    return dict(subsidy_share=price.subsidy_share, subsidy_krw=price.subsidy_krw,
                company_share_krw=price.company_share_krw)


def offered_kinds(offer: Offer) -> list[PlaceKind]:
    return [kind for kind in PlaceKind if capacity(offer, kind) > 0]


def parse_kind(text: str) -> PlaceKind | None:
    return PlaceKind(text) if text in PlaceKind._value2member_map_ else None


def _columns(kind: PlaceKind | str) -> tuple[Column[int], Column[int]]:
    o = Offer.__table__
    if kind == PlaceKind.booth:
        return o.c.booth_taken, o.c.booth_capacity
    return o.c.delegation_taken, o.c.delegation_capacity


def _forget_counts(offer_id: int) -> None:
    # The counters changed in the database, not through the ORM: a loaded offer re-reads them.
    offer = db.session.identity_map.get(identity_key(Offer, offer_id))
    if offer is not None:
        db.session.expire(offer, ["booth_taken", "delegation_taken"])


def take_place(offer_id: int, kind: PlaceKind | str) -> bool:
    """Take one place if one is free. A conditional `UPDATE ... WHERE taken < capacity` with its
    row count checked, so the database, not a count read earlier, keeps the offer within
    capacity however many requests arrive at once. Returns whether a place was taken."""
    column, limit = _columns(kind)
    o = Offer.__table__
    result = db.session.execute(update(o).where(o.c.id == offer_id, column < limit)
                                .values({column: column + 1}))
    _forget_counts(offer_id)
    return result.rowcount == 1  # type: ignore[attr-defined]


def free_place(offer_id: int, kind: PlaceKind | str) -> None:
    """Give back one place (never below zero)."""
    column, _limit = _columns(kind)
    o = Offer.__table__
    db.session.execute(update(o).where(o.c.id == offer_id, column > 0).values({column: column - 1}))
    _forget_counts(offer_id)


def _batches(counts: Mapping[tuple[int, str], int]) -> Iterator[tuple[PlaceKind, list[dict[str, int]]]]:
    """(kind, [{"b_id": offer id, "b_n": places}]) for each kind with places to change."""
    for kind in PlaceKind:
        batch = [{"b_id": offer_id, "b_n": n} for (offer_id, k), n in counts.items() if k == kind]
        if batch:
            yield kind, batch


def take_places(counts: Mapping[tuple[int, str], int]) -> bool:
    """Take `n` places of each (offer id, kind) at once, each only if all `n` fit (publication).
    Returns False when a capacity would be exceeded: the caller must then roll back."""
    o = Offer.__table__
    for kind, batch in _batches(counts):
        column, limit = _columns(kind)
        statement = (update(o).where(o.c.id == bindparam("b_id"), column + bindparam("b_n") <= limit)
                     .values({column: column + bindparam("b_n")}))
        result = db.session.execute(statement, batch)
        if db.engine.dialect.supports_sane_multi_rowcount and result.rowcount != len(batch):  # type: ignore[attr-defined]
            return False
        for item in batch:
            _forget_counts(int(item["b_id"]))
    return True


def held_places(company_id: int, programme_id: int, *, lock: bool = False) -> int:
    """Places a company holds in a programme's ranked offers (allocated or confirmed); the cap
    counts only these, first-come places stand outside it (allocation rule 8)."""
    query = (select(Application.id, Application.status)
             .join(Offer, Offer.id == Application.offer_id)
             .where(Application.company_id == company_id, Application.programme_id == programme_id,
                    Offer.mode == OfferMode.ranked))
    if lock:
        # Serialises cap decisions for one company (PostgreSQL; SQLite serialises writers).
        query = query.with_for_update(of=Application)
    return sum(1 for row in db.session.execute(query) if row.status in HELD_STATUSES)


def free_places(counts: Mapping[tuple[int, str], int]) -> None:
    """Give back `n` places of each (offer id, kind) at once (expiry in bulk): one statement per kind."""
    o = Offer.__table__
    for kind, batch in _batches(counts):
        column, _limit = _columns(kind)
        db.session.execute(update(o).where(o.c.id == bindparam("b_id"), column >= bindparam("b_n"))
                           .values({column: column - bindparam("b_n")}), batch)
        for item in batch:
            _forget_counts(int(item["b_id"]))


def counter_drift(offer_ids: Iterable[int] | None = None) -> list[tuple[int, str, int, int]]:
    """Offers whose taken counters differ from the applications holding their places, as
    (offer id, kind, counter, holders): the check that the counters never drift (empty when
    all is well). The counters are what keeps capacity under concurrency; this proves them."""
    holders = (select(Application.offer_id, Application.kind, func.count().label("n"))
               .where(Application.status.in_([s.value for s in HELD_STATUSES]))
               .group_by(Application.offer_id, Application.kind))
    counted: dict[tuple[int, str], int] = {(r.offer_id, str(r.kind)): r.n
                                           for r in db.session.execute(holders)}
    query = select(Offer.id, Offer.booth_taken, Offer.delegation_taken)
    if offer_ids is not None:
        query = query.where(Offer.id.in_(list(offer_ids)))
    drift = []
    for row in db.session.execute(query):
        for kind, counter in ((PlaceKind.booth.value, row.booth_taken),
                              (PlaceKind.delegation.value, row.delegation_taken)):
            held = counted.get((row.id, kind), 0)
            if held != counter:
                drift.append((row.id, kind, counter, held))
    return drift
