"""The allocation export of DOMAIN.md ("Contracts"): what a programme's latest run decided, as
plain JSON-ready data that tools outside this repository check."""
from __future__ import annotations

from operator import itemgetter
from typing import Any

from sqlalchemy import select

from planner.allocation.models import AllocationResult, AllocationRun
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
    applications = _current_rows(run) if current else _run_rows(run)
    return {
        "programme": programme.slug,
        "cap_per_company": int((run.inputs or {}).get("cap_per_company", programme.cap_per_company)),
        "seed": run.seed,
        "slots": [{"exhibition": s["exhibition"], "kind": s["kind"], "capacity": int(s["capacity"])}
                  for s in slots],
        "applications": applications,
    }


# The export reads up to ~100,000 rows, on the driver's cursor (no ORM or Core row objects, no
# type processing: kinds and statuses are stored as their values, floats come back as floats).
# Three reads (the run's results, the programme's applications, the offers' exhibition slugs)
# joined here in dicts, not one four-table join: on PostgreSQL the join ran as 300,000 index
# probes (the planner's row estimates lag a run's fresh results) and sent each row's slug as
# text of its own, over three times the server time of these reads.
_APPLICATION_COLUMNS = (Application.id, Application.company_id, Application.offer_id,
                        Application.kind, Application.preference)
_RESULT_COLUMNS = (AllocationResult.application_id, AllocationResult.priority,
                   AllocationResult.tiebreak, AllocationResult.outcome,
                   AllocationResult.waitlist_position)


def _fetch(statement: Any) -> list[tuple[Any, ...]]:
    connection = db.session.connection()
    # The parameters are integer ids, so they are written into the SQL as literals: the
    # statement then runs unchanged on every driver, whatever its parameter style.
    sql = str(statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    raw: Any = connection.connection.driver_connection
    # psycopg's binary format hands over integers and floats without parsing their digits.
    cursor = raw.cursor(binary=True) if connection.dialect.driver == "psycopg" else raw.cursor()
    try:
        cursor.execute(sql)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _tuples(run: AllocationRun, *extra: Any
            ) -> tuple[dict[int, str], dict[int, tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The run's results in application id order (id, priority, tiebreak, outcome, position),
    the applications they name by id (id, company, offer, kind, preference, *extra) and every
    offer's exhibition slug by offer id."""
    # Sorted here: PostgreSQL sorted them on disk (work_mem) in ten times the time.
    results = _fetch(select(*_RESULT_COLUMNS).where(AllocationResult.run_id == int(run.id)))
    results.sort(key=itemgetter(0))
    applications = {row[0]: row for row in _fetch(
        select(*_APPLICATION_COLUMNS, *extra)
        .where(Application.programme_id == int(run.programme_id)))}
    # A run only scores its own programme's applications; read any other by id all the same.
    others = [row[0] for row in results if row[0] not in applications]
    if others:
        applications.update((row[0], row) for row in _fetch(
            select(*_APPLICATION_COLUMNS, *extra).where(Application.id.in_(others))))
    slugs = dict(_fetch(select(Offer.id, Exhibition.slug)
                        .join(Exhibition, Exhibition.id == Offer.exhibition_id)))
    return slugs, applications, results


def _run_rows(run: AllocationRun) -> list[dict[str, Any]]:
    """Each application's status and waitlist position as the run decided them."""
    slugs, applications, results = _tuples(run)
    rows = []
    for id_, priority, tiebreak, outcome, position in results:
        _id, company, offer, kind, preference = applications[id_]
        rows.append(
            {"id": str(id_), "company": str(company), "exhibition": slugs[offer], "kind": kind,
             "preference": preference,
             "priority": None if priority is None else float(priority),
             "tiebreak": None if tiebreak is None else float(tiebreak), "status": outcome,
             "waitlist_position": position if outcome == "waitlisted" else None})
    return rows


def _current_rows(run: AllocationRun) -> list[dict[str, Any]]:
    """Each application's status now and its waitlist position now: per slot type, in
    promotion's order (planner/allocation/services/promotion.py `waitlist`): a coordinator's
    chosen order first, then the run's priority, lottery number and id."""
    slugs, applications, results = _tuples(run, Application.status, Application.waitlist_order)
    waitlisted = ApplicationStatus.waitlisted.value
    rows = []
    waiting: dict[tuple[int, str], list[tuple[Any, ...]]] = {}
    for id_, priority, tiebreak, _outcome, _position in results:
        _id, company, offer, kind, preference, status, order = applications[id_]
        row = {"id": str(id_), "company": str(company), "exhibition": slugs[offer], "kind": kind,
               "preference": preference,
               "priority": None if priority is None else float(priority),
               "tiebreak": None if tiebreak is None else float(tiebreak), "status": status,
               "waitlist_position": None}
        rows.append(row)
        if status == waitlisted:  # ids are unique, so sorting never compares the rows
            waiting.setdefault((offer, kind), []).append(
                (order is None, order or 0, priority is None, -(priority or 0.0),
                 tiebreak is None, -(tiebreak or 0.0), id_, row))
    for slot in waiting.values():
        slot.sort()
        for position, entry in enumerate(slot, 1):
            entry[-1]["waitlist_position"] = position
    return rows
