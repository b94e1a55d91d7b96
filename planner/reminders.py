"""Reminders before deadlines, sent by `flask --app planner notifications remind` on a timer.

Which deadlines: an allocated place's confirmation (3 days and 1 day before; required mail), an
offer's application window closing for companies that follow it and have not applied (3 days
and 1 day), the milestones of a confirmed place: co-funding payment, export-licence filing,
shipping cut-off, build-up (7 days and 1 day; optional "reminders" mail), and a results report
still in draft after the show (7 days and 1 day before it is due; required by the programme). Each reminder is
recorded under a key before it is queued, so the timer may run as often as it likes, and on
several hosts at once, and still send it once; a reminder is never sent once the company has
acted (the place confirmed or declined, the application submitted).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import click
from flask_babel import lazy_gettext
from sqlalchemy import and_, exists, or_, select

from planner import unit_of_work
from planner.accounts.recipients import company_recipients
from planner.catalogue.models import Offer
from planner.db import insert_on_conflict_do_nothing, utcnow
from planner.extensions import db
from planner.locks import single_instance
from planner.notifications.models import ReminderSent
from planner.notifications.services import absolute_url, notify
from planner.outcomes.models import ReportStatus, ResultsReport
from planner.signups.models import Application, ApplicationStatus, OfferFollow

CONFIRM_BEFORE = (dt.timedelta(days=3), dt.timedelta(days=1))
REPORT_BEFORE = (dt.timedelta(days=7), dt.timedelta(days=1))
WINDOW_BEFORE = (dt.timedelta(days=3), dt.timedelta(days=1))
MILESTONE_BEFORE = (dt.timedelta(days=7), dt.timedelta(days=1))
# Offer columns of the milestones a confirmed company is reminded of. Lazy: each mail renders
# the label in its reader's language.
MILESTONES = {
    "payment_due_at": lazy_gettext("Payment of your company's share"),
    "licence_due_at": lazy_gettext("Export licence filing for your exhibits"),
    "shipping_cutoff_at": lazy_gettext("Shipping cut-off for your exhibits"),
    "buildup_starts_on": lazy_gettext("Build-up of the pavilion"),
}


@dataclass(frozen=True)
class Due:
    key: str
    company_id: int
    template: str
    context: dict[str, Any]
    category: str | None


def _threshold(deadline: dt.datetime, now: dt.datetime,
               thresholds: Sequence[dt.timedelta]) -> dt.timedelta | None:
    """The one reminder due now for `deadline`: the nearest threshold already reached (a
    company first reminded 1 day before is not also sent the 3-day one), none once it passed."""
    if not now < deadline:
        return None
    reached = [t for t in thresholds if now >= deadline - t]
    return min(reached) if reached else None


def _label(threshold: dt.timedelta) -> str:
    return f"{threshold.days}d"


def _confirmations(now: dt.datetime) -> Iterator[Due]:
    horizon = now + max(CONFIRM_BEFORE)
    for application in db.session.scalars(
            select(Application).where(Application.status == ApplicationStatus.allocated,
                                      Application.confirm_by > now, Application.confirm_by <= horizon)
            .order_by(Application.id)):
        assert application.confirm_by is not None
        threshold = _threshold(application.confirm_by, now, CONFIRM_BEFORE)
        if threshold is None:
            continue
        yield Due(key=f"confirm:{application.id}:{application.confirm_by.isoformat()}:{_label(threshold)}",
                  company_id=application.company_id, template="allocation/email/confirm_reminder.txt",
                  context={"application": application, "offer": application.offer,
                           "deadline": application.confirm_by, "link": absolute_url("allocation.my_results")},
                  category=None)


def _windows(now: dt.datetime) -> Iterator[Due]:
    horizon = now + max(WINDOW_BEFORE)
    applied = exists().where(Application.company_id == OfferFollow.company_id,
                             Application.offer_id == OfferFollow.offer_id)
    rows = db.session.execute(
        select(OfferFollow.company_id, Offer).join(Offer, Offer.id == OfferFollow.offer_id)
        .where(Offer.closes_at > now, Offer.closes_at <= horizon, Offer.opens_at <= now, ~applied)
        .order_by(Offer.id, OfferFollow.company_id))
    for company_id, offer in rows:
        threshold = _threshold(offer.closes_at, now, WINDOW_BEFORE)
        if threshold is None:
            continue
        yield Due(key=f"window:{offer.id}:{company_id}:{offer.closes_at.isoformat()}:{_label(threshold)}",
                  company_id=company_id, template="signups/email/window_closing.txt",
                  context={"offer": offer, "deadline": offer.closes_at,
                           "link": absolute_url("signups.programme", slug=offer.programme.slug)},
                  category="reminders")


def _milestone_at(offer: Offer, name: str) -> dt.datetime | None:
    value = getattr(offer, name)
    if isinstance(value, dt.datetime) or value is None:
        return value
    # Build-up is a date in the offer's zone: remind before its first morning.
    return dt.datetime.combine(value, dt.time(0), tzinfo=ZoneInfo(offer.timezone)).astimezone(dt.timezone.utc)


def _milestones(now: dt.datetime) -> Iterator[Due]:
    horizon = now + max(MILESTONE_BEFORE)
    soon = [and_(getattr(Offer, name) > now, getattr(Offer, name) <= horizon)
            for name in MILESTONES if name != "buildup_starts_on"]
    soon.append(and_(Offer.buildup_starts_on > now.date() - dt.timedelta(days=1),
                     Offer.buildup_starts_on <= horizon.date() + dt.timedelta(days=1)))
    offers = list(db.session.scalars(select(Offer).where(or_(*soon)).order_by(Offer.id)))
    if not offers:
        return
    holders = db.session.execute(
        select(Application.offer_id, Application.company_id).distinct()
        .where(Application.offer_id.in_([o.id for o in offers]),
               Application.status == ApplicationStatus.confirmed)
        .order_by(Application.offer_id, Application.company_id)).all()
    by_offer = {o.id: o for o in offers}
    for offer_id, company_id in holders:
        offer = by_offer[offer_id]
        for name in MILESTONES:
            at = _milestone_at(offer, name)
            threshold = _threshold(at, now, MILESTONE_BEFORE) if at is not None else None
            if at is None or threshold is None:
                continue
            yield Due(key=f"milestone:{offer.id}:{company_id}:{name}:{at.isoformat()}:{_label(threshold)}",
                      company_id=company_id, template="signups/email/milestone.txt",
                      context={"offer": offer, "milestone": MILESTONES[name], "deadline": at,
                               "link": absolute_url("signups.my_applications")},
                      category="reminders")


def _reports(now: dt.datetime) -> Iterator[Due]:
    """Results reports still in draft: due at the end of their due day in the offer's zone."""
    for report in db.session.scalars(
            select(ResultsReport).where(ResultsReport.status == ReportStatus.draft,
                                        ResultsReport.due_on >= (now - dt.timedelta(days=1)).date(),
                                        ResultsReport.due_on <= (now + max(REPORT_BEFORE)).date()
                                        + dt.timedelta(days=1))
            .order_by(ResultsReport.id)):
        zone = ZoneInfo(report.offer.timezone)
        deadline = dt.datetime.combine(report.due_on + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
        threshold = _threshold(deadline.astimezone(dt.timezone.utc), now, REPORT_BEFORE)
        if threshold is None:
            continue
        yield Due(key=f"report:{report.id}:{report.due_on.isoformat()}:{_label(threshold)}",
                  company_id=report.company_id, template="outcomes/email/report_reminder.txt",
                  context={"offer": report.offer, "due_on": report.due_on,
                           "link": absolute_url("outcomes.report", offer_id=report.offer_id)},
                  category=None)


def _claim(key: str) -> bool:
    """Record the reminder; False when it was already recorded (sent before, or by a timer
    running at the same moment on another host)."""
    # RETURNING, not the row count: psycopg reports -1 for an INSERT ... ON CONFLICT.
    inserted = db.session.scalar(insert_on_conflict_do_nothing(db.engine.dialect, ReminderSent, index_elements=["key"])
                                 .values(key=key, sent_at=utcnow()).returning(ReminderSent.key))
    return inserted is not None


def send_due_reminders(*, now: dt.datetime | None = None) -> int:
    """Queue every reminder due at `now` that was not sent before; returns how many mails.
    Flushes; the caller commits (with the queued mail, so a crash loses neither)."""
    now = now or utcnow()
    dues = [*_confirmations(now), *_windows(now), *_milestones(now), *_reports(now)]
    recipients = company_recipients({d.company_id for d in dues})
    queued = 0
    for due in dues:
        if not recipients.get(due.company_id) or not _claim(due.key):
            continue
        queued += len(notify(recipients[due.company_id], due.template, category=due.category, **due.context))
    return queued


@click.command("remind")
@single_instance("notifications remind")
@click.option("--now", "now_text", metavar="ISO-DATETIME", hidden=True,
              help="Pretend it is this moment (UTC), for trying reminders out.")
def remind_command(now_text: str | None) -> None:
    """Queue the reminders due now (confirmation deadlines, windows closing, milestones); safe
    to run as often as you like."""
    now = dt.datetime.fromisoformat(now_text).replace(tzinfo=dt.timezone.utc) if now_text else None
    with unit_of_work.command():
        queued = send_due_reminders(now=now)
    click.echo(f"Queued {queued} reminder(s).")
