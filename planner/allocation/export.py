"""The allocation export of DOMAIN.md ("Contracts"): what a programme's latest run decided, as
plain JSON-ready data that tools outside this repository check."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from planner.allocation.models import AllocationResult
from planner.allocation.services import NoRun, get_latest_run, ranked_offers
from planner.catalogue.models import Exhibition, Offer, Programme
from planner.extensions import db
from planner.i18n import _
from planner.signups.models import Application, ApplicationStatus


def export_programme(programme: Programme, *, current: bool = False) -> dict[str, Any]:
    """The programme's latest run (published, else the latest dry run) in the export format.

    Statuses are the run's decisions, before later confirmations, declines or promotions; with
    `current`, each application's status now and its waitlist position now (a coordinator's
    chosen order first, then the run's).
    Priorities and lottery numbers are the stored floats, so JSON round-trips them exactly.
    Raises NoRun when the programme has never been run.
    """
    run = get_latest_run(programme)
    if run is None:
        raise NoRun(_("Programme %(slug)s has no allocation run yet: run one first.",
                      slug=programme.slug))
    slots = (run.inputs or {}).get("slots")
    if slots is None:
        slots = [{"exhibition": offer.exhibition.slug, "kind": kind,
                  "capacity": offer.booth_capacity if kind == "booth" else offer.delegation_capacity}
                 for offer in ranked_offers(programme) for kind in ("booth", "delegation")]
    applications = _current_rows(run.id) if current else _run_rows(run.id)
    return {
        "programme": programme.slug,
        "cap_per_company": int((run.inputs or {}).get("cap_per_company", programme.cap_per_company)),
        "seed": run.seed,
        "slots": [{"exhibition": s["exhibition"], "kind": s["kind"], "capacity": int(s["capacity"])}
                  for s in slots],
        "applications": applications,
    }


# The export reads up to ~100,000 rows: one joined select, run on the driver's cursor (no ORM or
# Core row objects, no type processing: kinds and statuses are stored as their values, floats
# come back as floats), its tuples unpacked straight into the JSON-ready dicts.
_RUN_COLUMNS = (Application.id, Application.company_id, Exhibition.slug, Application.kind,
                Application.preference, AllocationResult.priority, AllocationResult.tiebreak,
                AllocationResult.outcome, AllocationResult.waitlist_position)


def _tuples(run_id: int, *extra: Any) -> list[tuple[Any, ...]]:
    statement = (
        select(*_RUN_COLUMNS, *extra)
        .select_from(AllocationResult)
        .join(Application, Application.id == AllocationResult.application_id)
        .join(Offer, Offer.id == Application.offer_id)
        .join(Exhibition, Exhibition.id == Offer.exhibition_id)
        .where(AllocationResult.run_id == int(run_id))
        .order_by(AllocationResult.application_id))  # the unique (run_id, application_id) index: no sort
    connection = db.session.connection()
    # The one parameter is an integer id, so it is written into the SQL as a literal: the
    # statement then runs unchanged on every driver, whatever its parameter style.
    sql = str(statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _run_rows(run_id: int) -> list[dict[str, Any]]:
    """Each application's status and waitlist position as the run decided them."""
    return [
        {"id": str(id_), "company": str(company), "exhibition": slug, "kind": kind,
         "preference": preference,
         "priority": None if priority is None else float(priority),
         "tiebreak": None if tiebreak is None else float(tiebreak), "status": outcome,
         "waitlist_position": position if outcome == "waitlisted" else None}
        for id_, company, slug, kind, preference, priority, tiebreak, outcome, position
        in _tuples(run_id)]


def _current_rows(run_id: int) -> list[dict[str, Any]]:
    """Each application's status now and its waitlist position now."""
    rows = _tuples(run_id, Application.status, Application.waitlist_order, Application.offer_id)
    positions = _current_positions(rows)
    return [
        {"id": str(id_), "company": str(company), "exhibition": slug, "kind": kind,
         "preference": preference,
         "priority": None if priority is None else float(priority),
         "tiebreak": None if tiebreak is None else float(tiebreak), "status": status, "waitlist_position": positions.get(id_)}
        for id_, company, slug, kind, preference, priority, tiebreak, _outcome, _position, status, _order, _offer
        in rows]


def _current_positions(rows: Sequence[Any]) -> dict[int, int]:
    """Each waitlisted application's position now, per slot type, in promotion's order."""
    # Row: id, company, slug, kind, preference, priority, tiebreak, outcome, position, status,
    # waitlist_order, offer_id.
    waiting = sorted((r for r in rows if r[9] == ApplicationStatus.waitlisted),
                     key=lambda r: (r[10] is None, r[10] or 0,
                                    r[5] is None, -(r[5] or 0.0),
                                    r[6] is None, -(r[6] or 0.0), r[0]))
    counters: dict[tuple[int, str], int] = {}
    positions: dict[int, int] = {}
    for r in waiting:
        slot = (r[11], r[3])
        counters[slot] = counters.get(slot, 0) + 1
        positions[r[0]] = counters[slot]
    return positions
