"""Publishing a run: every matched application's status changed in bulk through the status
machine, the places taken, and one results mail per company user, in one transaction."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import update

from planner.accounts.models import User
from planner.accounts.recipients import company_recipients
from planner.allocation.services.errors import CapacityFull, RunChanged
from planner.allocation.services.inputs import AppRow
from planner.catalogue.models import Offer, Programme
from planner.extensions import db
from planner.i18n import _
from planner.notifications.services import Notification, absolute_url, notify_bulk
from planner.signups import reasons
from planner.signups.models import Application, ApplicationStatus
from planner.signups.services import BulkChange, StatusChanged, change_statuses, take_places
from planner.vocab import SizeClass

S = ApplicationStatus
# The audit reason of a publication's change, by new status (an ineligible one gives its gate's).
_REASONS = {S.allocated.value: reasons.PUBLISHED_ALLOCATED,
            S.waitlisted.value: reasons.PUBLISHED_WAITLISTED}
_MAILED = (S.allocated.value, S.waitlisted.value, S.ineligible.value)


@dataclass(frozen=True)
class ResultLine:
    """One result in a company's results mail."""

    offer: Offer
    kind: str
    outcome: str
    position: int | None
    reason: str | None


def apply_publication(programme: Programme, offers: Sequence[Offer], apps: Sequence[AppRow],
                      rows: Sequence[Mapping[str, object]], *, actor: User | None,
                      now: dt.datetime) -> None:
    """Status changes, audit rows, counters and mails of a publication, in bulk.

    Each application the run read as submitted moves to its outcome through the status
    machine's bulk variant, grouped by the same new values (status, deadline, reason), so a
    20,000-application run is a few UPDATEs and one INSERT of audit rows, each conditional on
    the status the run read. Raises RunChanged when an application changed meanwhile,
    CapacityFull when the places would not fit: the caller's transaction must roll back.
    """
    offer_by_id = {o.id: o for o in offers}
    app_by_id = {a.id: a for a in apps}
    # (status, confirm_by, ineligible_reason) -> application ids
    groups: dict[tuple[str, dt.datetime | None, str | None], list[int]] = defaultdict(list)
    taken: dict[tuple[int, str], int] = defaultdict(int)
    for row in rows:
        app = app_by_id[int(row["application_id"])]  # type: ignore[call-overload]
        to = str(row["outcome"])
        if app.status != S.submitted.value or to == S.withdrawn.value:
            continue
        confirm_by = None
        if to == S.allocated.value:
            confirm_by = now + dt.timedelta(days=offer_by_id[app.offer_id].confirmation_days)
            taken[(app.offer_id, app.kind)] += 1
        reason = str(row["reason"]) if to == S.ineligible.value else None
        groups[(to, confirm_by, reason)].append(app.id)
    changes = [BulkChange(ids=ids, from_status=S.submitted, to=S(to), reason=reason or _REASONS.get(to),
                          values={"confirm_by": confirm_by, "ineligible_reason": reason, "updated_at": now})
               for (to, confirm_by, reason), ids in groups.items()]
    try:
        change_statuses(changes, actor=actor, now=now)
    except StatusChanged:
        # Cannot happen while the rows are locked; refuse rather than publish half.
        raise RunChanged(_("Applications changed while the allocation was being published; "
                           "nothing was published. Please run it again.")) from None
    if not take_places(taken):
        raise CapacityFull(_("A capacity would be exceeded; nothing was published."))
    _record_scored_size_classes(rows, now)
    _mail_companies(programme, offer_by_id, app_by_id, rows)
    db.session.expire_all()


def _record_scored_size_classes(rows: Sequence[Mapping[str, object]], now: dt.datetime) -> None:
    """Each application the published run scored keeps the size class it was scored with, so
    a later change of the company profile changes neither its points nor what it is shown."""
    by_size: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        if row["outcome"] != S.withdrawn.value and row.get("size_class"):
            by_size[str(row["size_class"])].append(int(row["application_id"]))  # type: ignore[call-overload]
    table = Application.__table__
    for size_class, ids in by_size.items():
        # Chunked so the IN list stays within every driver's parameter limit.
        for start in range(0, len(ids), 5000):
            db.session.execute(update(table).where(table.c.id.in_(ids[start:start + 5000]))
                               .values(scored_size_class=SizeClass(size_class), updated_at=now))


def _mail_companies(programme: Programme, offer_by_id: Mapping[int, Offer],
                    app_by_id: Mapping[int, AppRow], rows: Sequence[Mapping[str, object]]) -> None:
    """One mail per company user listing all the company's results, best-ranked first, in the
    user's language."""
    per_company: dict[int, list[tuple[int, ResultLine]]] = defaultdict(list)
    for row in rows:
        if row["outcome"] not in _MAILED:
            continue
        app = app_by_id[int(row["application_id"])]  # type: ignore[call-overload]
        position = row["waitlist_position"]
        per_company[app.company_id].append((app.preference, ResultLine(
            offer=offer_by_id[app.offer_id], kind=app.kind, outcome=str(row["outcome"]),
            position=int(position) if position is not None else None,  # type: ignore[call-overload]
            reason=str(row["reason"]) if row["reason"] is not None else None)))
    recipients = company_recipients(per_company)
    link = absolute_url("allocation.my_results")
    notify_bulk(Notification(recipients=recipients.get(company_id, []),
                             template="allocation/email/results.txt",
                             context={"programme": programme, "link": link,
                                      "results": [line for _p, line in sorted(lines, key=lambda x: x[0])]})
                for company_id, lines in per_company.items())
