"""Per-programme settings of the after-show work, and the report deadline they give."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from planner.catalogue.models import Offer, Programme
from planner.extensions import db
from planner.i18n import _
from planner.outcomes.models import DEFAULT_REPORT_DUE_DAYS, OutcomeSettings, ReportStatus, ResultsReport
from planner.outcomes.services.errors import OutcomeError


def report_due_days(programme_id: int) -> int:
    days = db.session.scalar(select(OutcomeSettings.report_due_days)
                             .where(OutcomeSettings.programme_id == programme_id))
    return DEFAULT_REPORT_DUE_DAYS if days is None else int(days)


def report_due_on(offer: Offer) -> dt.date:
    """The day a results report is due: the programme's number of days after the show's last
    day (a date in the offer's zone, as every deadline of the offer)."""
    return offer.exhibition.ends_on + dt.timedelta(days=report_due_days(offer.programme_id))


def set_report_due_days(programme: Programme, days: int) -> OutcomeSettings:
    """Change the programme's report deadline; reports not yet submitted move with it."""
    if days < 1 or days > 365:
        raise OutcomeError(_("Reports are due between 1 and 365 days after the show."))
    settings = db.session.get(OutcomeSettings, programme.id)
    if settings is None:
        settings = OutcomeSettings(programme_id=programme.id)
        db.session.add(settings)
    settings.report_due_days = days
    db.session.flush()
    offers = db.session.scalars(select(Offer).where(Offer.programme_id == programme.id))
    for offer in offers:
        db.session.execute(
            update(ResultsReport)
            .where(ResultsReport.offer_id == offer.id, ResultsReport.status == ReportStatus.draft)
            .values(due_on=report_due_on(offer))
            .execution_options(synchronize_session="fetch"))
    return settings
