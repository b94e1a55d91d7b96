"""What happened after a show: attendance, results reports and follow-up requests, with the
history of each, and the programme settings they follow."""
from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.accounts.models import Company, User
from planner.catalogue.models import Offer
from planner.db import UTCDateTime, utcnow
from planner.db import str_enum as _enum
from planner.extensions import db

# Not found in any public programme's rules (see the reference notes): a month after the show,
# like the agency's settlement reports, and a programme setting.
DEFAULT_REPORT_DUE_DAYS = 30


class AttendanceStatus(StrEnum):
    attended = "attended"
    no_show = "no-show"


class ReportStatus(StrEnum):
    draft = "draft"
    submitted = "submitted"


class FollowUpArea(StrEnum):
    export_licence = "export-licence"
    technology_transfer = "technology-transfer"
    export_finance = "export-finance"
    partner_introductions = "partner-introductions"


class FollowUpStatus(StrEnum):
    open = "open"
    in_progress = "in-progress"
    closed = "closed"


class OutcomeSettings(db.Model):
    """Per-programme settings of the after-show work (catalogue's Programme stays untouched)."""

    __tablename__ = "outcome_settings"
    __table_args__ = (CheckConstraint("report_due_days >= 1", name="report_due_days_positive"),)

    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"),
                                              primary_key=True)
    report_due_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_REPORT_DUE_DAYS)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Attendance(db.Model):
    __tablename__ = "attendances"
    __table_args__ = (UniqueConstraint("offer_id", "company_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    status: Mapped[AttendanceStatus] = mapped_column(_enum(AttendanceStatus))
    reason: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    offer: Mapped[Offer] = relationship()
    company: Mapped[Company] = relationship()


class ResultsReport(db.Model):
    """One company's report on one show. `leads` and `contracts` are lists of rows (see
    outcomes.services.reports.ReportData for their shape); money stays in its own currency."""

    __tablename__ = "results_reports"
    __table_args__ = (
        UniqueConstraint("offer_id", "company_id"),
        CheckConstraint("satisfaction IS NULL OR (satisfaction >= 1 AND satisfaction <= 5)",
                        name="satisfaction_in_range"),
        CheckConstraint("mous_signed >= 0", name="mous_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    status: Mapped[ReportStatus] = mapped_column(_enum(ReportStatus), default=ReportStatus.draft, index=True)
    due_on: Mapped[dt.date] = mapped_column(Date)
    leads: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    contracts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    mous_signed: Mapped[int] = mapped_column(Integer, default=0)
    products_shown: Mapped[str | None] = mapped_column(Text)
    satisfaction: Mapped[int | None] = mapped_column(Integer)
    support_note: Mapped[str | None] = mapped_column(Text)
    comments: Mapped[str | None] = mapped_column(Text)
    # Raised by every write: an edit based on an older version is refused (compare-and-set).
    version: Mapped[int] = mapped_column(Integer, default=1)
    requested_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    offer: Mapped[Offer] = relationship(lazy="joined")
    company: Mapped[Company] = relationship(lazy="joined")
    events: Mapped[list[ReportEvent]] = relationship(
        back_populates="report", order_by="ReportEvent.id", cascade="all, delete-orphan")
    follow_ups: Mapped[list[FollowUpRequest]] = relationship(
        back_populates="report", order_by="FollowUpRequest.id", cascade="all, delete-orphan")


class ReportEvent(db.Model):
    """History of a report: saved, submitted, amended (with the coordinator's reason and the
    values before the amendment)."""

    __tablename__ = "results_report_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("results_reports.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    action: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    report: Mapped[ResultsReport] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class FollowUpRequest(db.Model):
    __tablename__ = "follow_up_requests"
    __table_args__ = (
        CheckConstraint("status != 'closed' OR outcome IS NOT NULL", name="closed_has_outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("results_reports.id", ondelete="CASCADE"), index=True)
    area: Mapped[FollowUpArea] = mapped_column(_enum(FollowUpArea, 30))
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[FollowUpStatus] = mapped_column(_enum(FollowUpStatus), default=FollowUpStatus.open,
                                                   index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    outcome: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    report: Mapped[ResultsReport] = relationship(back_populates="follow_ups", lazy="joined")
    owner: Mapped[User | None] = relationship(lazy="joined")
    events: Mapped[list[FollowUpEvent]] = relationship(
        back_populates="request", order_by="FollowUpEvent.id", cascade="all, delete-orphan")


class FollowUpEvent(db.Model):
    """History of a follow-up request: who changed what, when, from which status, and why."""

    __tablename__ = "follow_up_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("follow_up_requests.id", ondelete="CASCADE"),
                                            index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)

    request: Mapped[FollowUpRequest] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
