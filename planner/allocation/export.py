"""The allocation export of DOMAIN.md ("Contracts"): what a programme's latest run decided, as
plain JSON-ready data that tools outside this repository check."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from planner.allocation.models import AllocationResult
from planner.allocation.services import NoRun, get_latest_run, ranked_offers
from planner.catalogue.models import Exhibition, Offer, Programme
from planner.extensions import db
from planner.i18n import _
from planner.signups.models import Application


def export_programme(programme: Programme) -> dict[str, Any]:
    """The programme's latest run (published, else the latest dry run) in the export format.

    Statuses are the run's decisions, before later confirmations, declines or promotions.
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
    rows = db.session.execute(
        select(Application.id, Application.company_id, Application.kind, Application.preference,
               Exhibition.slug, AllocationResult.priority, AllocationResult.tiebreak,
               AllocationResult.outcome, AllocationResult.waitlist_position)
        .join(AllocationResult, AllocationResult.application_id == Application.id)
        .join(Offer, Offer.id == Application.offer_id)
        .join(Exhibition, Exhibition.id == Offer.exhibition_id)
        .where(AllocationResult.run_id == run.id)
        .order_by(Application.id))
    applications = [
        {"id": str(r.id), "company": str(r.company_id), "exhibition": r.slug, "kind": str(r.kind),
         "preference": r.preference,
         "priority": float(r.priority) if r.priority is not None else None,
         "tiebreak": float(r.tiebreak) if r.tiebreak is not None else None,
         "status": r.outcome,
         "waitlist_position": r.waitlist_position if r.outcome == "waitlisted" else None}
        for r in rows]
    return {
        "programme": programme.slug,
        "cap_per_company": int((run.inputs or {}).get("cap_per_company", programme.cap_per_company)),
        "seed": run.seed,
        "slots": [{"exhibition": s["exhibition"], "kind": s["kind"], "capacity": int(s["capacity"])}
                  for s in slots],
        "applications": applications,
    }
