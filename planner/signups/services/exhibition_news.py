"""Telling applicants that a show they applied for changed: new dates or venue, postponed or
cancelled. The back office calls this after the catalogue records the change (the catalogue
knows nothing of applications). Optional mail, category "exhibition_updates"."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select

from planner.accounts.recipients import company_recipients
from planner.catalogue.models import Exhibition, Offer
from planner.extensions import db
from planner.notifications.services import Notification, absolute_url, notify_bulk
from planner.signups.models import Application, ApplicationStatus

# Applications whose companies still expect to go: they hear about changes.
STILL_GOING = (ApplicationStatus.submitted, ApplicationStatus.waitlisted, ApplicationStatus.allocated,
               ApplicationStatus.confirmed)


class Change(StrEnum):
    changed = "changed"
    postponed = "postponed"
    cancelled = "cancelled"


@dataclass(frozen=True)
class Facts:
    """What applicants care about, to tell whether an edit is news."""

    starts_on: dt.date
    ends_on: dt.date
    city: str
    venue: str

    @classmethod
    def of(cls, exhibition: Exhibition) -> Facts:
        return cls(exhibition.starts_on, exhibition.ends_on, exhibition.city, exhibition.venue or "")


def tell_applicants(exhibition: Exhibition, change: Change, *, before: Facts, reason: str = "") -> int:
    """Queue one mail per user of each company with a live application at this show; nothing
    when an edit changed none of the facts applicants care about. Returns the mails queued."""
    if change is Change.changed and Facts.of(exhibition) == before:
        return 0
    company_ids = sorted(db.session.scalars(
        select(Application.company_id).distinct().join(Offer, Offer.id == Application.offer_id)
        .where(Offer.exhibition_id == exhibition.id, Application.status.in_(STILL_GOING))))
    recipients = [r for rs in company_recipients(company_ids).values() for r in rs]
    if not recipients:
        return 0
    context = {"exhibition": exhibition, "change": change.value, "before": before, "reason": reason,
               "link": absolute_url("signups.my_applications")}
    return notify_bulk([Notification(recipients, "signups/email/exhibition_changed.txt", context,
                                     category="exhibition_updates")])
