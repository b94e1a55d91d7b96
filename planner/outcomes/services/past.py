"""Past results of companies, from the records: what later selections may score."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select

from planner.catalogue.models import Exhibition, Offer
from planner.extensions import db
from planner.outcomes.criteria import PastResults
from planner.outcomes.models import Attendance, AttendanceStatus, ReportStatus, ResultsReport
from planner.outcomes.services.attendance import local_today
from planner.outcomes.services.settings import report_due_on
from planner.signups import services as signups
from planner.signups.models import Application


def past_results(company_ids: Iterable[int], *, before: dt.date) -> dict[int, PastResults]:
    """Each company's record at shows that ended before `before`: attendance and no-shows as
    recorded; reports whose due day was before `before`, filed on time (submitted by the due
    day in the offer's zone) or late or missing (no-shows owe none); signed contracts in its
    submitted reports. Companies without any record get PastResults() with zeros."""
    ids = sorted(set(company_ids))
    counts: dict[int, dict[str, int]] = {cid: defaultdict(int) for cid in ids}
    if not ids:
        return {}
    ended = select(Offer.id).join(Offer.exhibition).where(Exhibition.ends_on < before)
    no_shows: set[tuple[int, int]] = set()
    for company_id, offer_id, status in db.session.execute(
            select(Attendance.company_id, Attendance.offer_id, Attendance.status)
            .where(Attendance.company_id.in_(ids), Attendance.offer_id.in_(ended))):
        if status == AttendanceStatus.no_show:
            counts[company_id]["no_shows"] += 1
            no_shows.add((company_id, offer_id))
        else:
            counts[company_id]["attended"] += 1
    reports = {(r.company_id, r.offer_id): r for r in db.session.scalars(
        select(ResultsReport).where(ResultsReport.company_id.in_(ids), ResultsReport.offer_id.in_(ended)))}
    held = db.session.execute(
        select(Application.company_id, Offer).join(Offer, Offer.id == Application.offer_id)
        .where(Application.company_id.in_(ids), Application.offer_id.in_(ended),
               Application.status.in_(list(signups.HELD_STATUSES))).distinct())
    for company_id, offer in held:
        if (company_id, offer.id) in no_shows:
            continue
        report = reports.get((company_id, offer.id))
        due_on = report.due_on if report else report_due_on(offer)
        if due_on >= before:
            continue
        if report is not None and report.submitted_at is not None \
                and local_today(offer, report.submitted_at) <= due_on:
            counts[company_id]["reports_on_time"] += 1
        else:
            counts[company_id]["reports_late_or_missing"] += 1
    for report in reports.values():
        if report.status == ReportStatus.submitted:
            counts[report.company_id]["contracts_reported"] += sum(
                1 for line in report.contracts or () if line.get("stage") == "signed")
    return {cid: PastResults(**dict(counts[cid])) for cid in ids}
