"""What a company sees of its applications: grouped by programme with ranks and allowance, and
the next step for each status."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from planner.catalogue.models import Offer, OfferMode, Programme
from planner.db import utcnow
from planner.extensions import db
from planner.i18n import _
from planner.signups.models import Application, ApplicationStatus
from planner.signups.services.allowances import Allowance, programme_allowance
from planner.signups.services.ranks import RANKABLE, ranks_close_at, ranks_editable
from planner.signups.services.submission import is_editable, window_is_open

S = ApplicationStatus


@dataclass
class ApplicationRow:
    application: Application
    rank: int | None          # 1-based position among ranked, active applications; None otherwise
    editable: bool
    next_step: str


@dataclass
class ProgrammeApplications:
    programme: Programme
    rows: list[ApplicationRow] = field(default_factory=list)
    allowance: Allowance | None = None
    ranks_editable: bool = False
    ranks_close_at: dt.datetime | None = None


def list_company_applications(company_id: int, now: dt.datetime | None = None) -> list[ProgrammeApplications]:
    """The company's applications grouped by programme (newest first), ranked ones by rank."""
    now = now or utcnow()
    applications = list(db.session.scalars(
        db.select(Application).join(Offer, Offer.id == Application.offer_id)
        .join(Programme, Programme.id == Application.programme_id)
        .where(Application.company_id == company_id)
        .order_by(Programme.year.desc(), Programme.id, Application.preference)))
    groups: dict[int, ProgrammeApplications] = {}
    positions: dict[int, int] = {}
    for application in applications:
        group = groups.get(application.programme_id)
        if group is None:
            programme = application.offer.programme
            group = groups[application.programme_id] = ProgrammeApplications(
                programme=programme, allowance=programme_allowance(company_id, programme, now),
                ranks_editable=ranks_editable(programme.id, now), ranks_close_at=ranks_close_at(programme.id))
        rank = None
        if application.offer.mode == OfferMode.ranked and ApplicationStatus(application.status) in RANKABLE:
            rank = positions[application.programme_id] = positions.get(application.programme_id, 0) + 1
        group.rows.append(ApplicationRow(application=application, rank=rank,
                                         editable=is_editable(application, now),
                                         next_step=next_step(application, now)))
    for group in groups.values():
        # Ranked rows first in rank order, then the rest (first-come, closed) by submission.
        group.rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.application.created_at))
    return list(groups.values())


def next_step(application: Application, now: dt.datetime | None = None) -> str:
    """What the company should do next, in a sentence, for the application's status."""
    now = now or utcnow()
    status = ApplicationStatus(application.status)
    offer = application.offer
    first_come = offer.mode == OfferMode.first_come
    open_ = window_is_open(offer, now)
    if status == S.submitted:
        if open_:
            return _("Nothing to do now. You can edit your answers, change your ranks or withdraw "
                     "until the deadline. Places are allocated after the deadline; you will be "
                     "told the result by email.")
        return _("The deadline has passed. Wait for the allocation result; you will be told by email.")
    if status == S.waitlisted:
        if first_come:
            return _("All first-come places are taken. If a place is freed, the first waitlisted "
                     "application gets it and its company is told by email.")
        return _("You are on the waitlist. If a place frees up and your company is still under "
                 "its cap, it is offered to you and you are told by email.")
    if status == S.allocated:
        if application.confirm_by is not None:
            return _("A place is allocated to you. Confirm or decline it before the confirmation "
                     "deadline, or it expires.")
        return _("A place is allocated to you. Confirm or decline it within the confirmation window.")
    if status == S.confirmed:
        return _("Your place is confirmed. Prepare for the milestones: co-funding payment, "
                 "export-licence filing and shipping cut-off.")
    if status == S.withdrawn:
        return _("You withdrew this application. Nothing more to do.")
    if status == S.declined:
        return _("You declined this place. Nothing more to do.")
    if status == S.expired:
        return _("The confirmation window passed without an answer, so the place went to the "
                 "next company.")
    return _("This application is ineligible; its page gives the reason. Contact the agency "
             "if you think it is wrong.")
