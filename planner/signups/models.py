from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.accounts.models import Company, User
from planner.catalogue.models import Offer
from planner.db import UTCDateTime, utcnow
from planner.db import str_enum as _enum
from planner.extensions import Model
from planner.vocab import SizeClass


class PlaceKind(StrEnum):
    booth = "booth"
    delegation = "delegation"


class ApplicationStatus(StrEnum):
    submitted = "submitted"
    waitlisted = "waitlisted"
    allocated = "allocated"
    confirmed = "confirmed"
    declined = "declined"
    expired = "expired"
    withdrawn = "withdrawn"
    ineligible = "ineligible"
    # A coordinator took the place away (allocation rule 7); the place is offered on.
    removed = "removed"


class Application(Model):
    __tablename__ = "applications"
    __table_args__ = (
        # One application per company per offer and kind.
        UniqueConstraint("company_id", "offer_id", "kind"),
        # Preference ranks are strict within a company's applications in a programme.
        UniqueConstraint("company_id", "programme_id", "preference"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    # Denormalised from the offer so the database can keep ranks strict per programme.
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    kind: Mapped[PlaceKind] = mapped_column(_enum(PlaceKind))
    preference: Mapped[int] = mapped_column(Integer)
    status: Mapped[ApplicationStatus] = mapped_column(_enum(ApplicationStatus),
                                                      default=ApplicationStatus.submitted, index=True)
    # Exhibits, target markets, needs, delegates: see signups.forms for the shape.
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    export_control_attested: Mapped[bool] = mapped_column(Boolean, default=False)
    other_public_funding: Mapped[bool] = mapped_column(Boolean, default=False)
    ineligible_reason: Mapped[str | None] = mapped_column(Text)
    # Deadline to confirm an allocated place (UTC); set when the place is allocated.
    confirm_by: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # A coordinator's waitlist order for the slot type (allocation rule 7, "move to the waitlist
    # at a chosen position"): set on every waitlisted application of the slot type at once, it
    # comes before the run's priority order; NULL everywhere until the first such override.
    waitlist_order: Mapped[int | None] = mapped_column(Integer)
    # The money of a confirmed place under the rules it was confirmed with (allocation rule 9):
    # the agency's share (0..1), its subsidy and the company's share in won. Written in the
    # compare-and-set that confirms the place, never rewritten by a later edit of the
    # programme's rules; NULL until the place is confirmed.
    subsidy_share: Mapped[float | None] = mapped_column(Float(precision=53))
    subsidy_krw: Mapped[int | None] = mapped_column(BigInteger)
    company_share_krw: Mapped[int | None] = mapped_column(BigInteger)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The company's size class when it applied, and the one the published allocation run scored
    # it with (points and subsidy): kept here, so a later change of the profile changes neither.
    submitted_size_class: Mapped[SizeClass | None] = mapped_column(_enum(SizeClass))
    scored_size_class: Mapped[SizeClass | None] = mapped_column(_enum(SizeClass))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    offer: Mapped[Offer] = relationship(lazy="joined")
    company: Mapped[Company] = relationship(lazy="joined")
    events: Mapped[list[ApplicationEvent]] = relationship(
        back_populates="application", order_by="ApplicationEvent.id", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Application {self.id} {self.kind} {self.status}>"


class ApplicationEvent(Model):
    """Audit trail: every status change (who, when, from, to, why), overrides included."""

    __tablename__ = "application_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"),
                                                index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    is_override: Mapped[bool] = mapped_column(Boolean, default=False)
    # A change the system made because of another (a promotion after a decline): that change,
    # whose actor and application say who caused this one.
    cause_id: Mapped[int | None] = mapped_column(ForeignKey("application_events.id", ondelete="SET NULL"))

    application: Mapped[Application] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
    cause: Mapped[ApplicationEvent | None] = relationship(remote_side=[id])


class OfferFollow(Model):
    """A company asked to be reminded before an offer's application window closes."""

    __tablename__ = "offer_follows"

    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), primary_key=True,
                                          index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Announcement(Model):
    """A coordinator's message to the applicants of an offer (or of a whole programme), kept
    with who wrote it, to which statuses and to how many companies it went."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    statuses: Mapped[list[str]] = mapped_column(JSON, default=list)
    subject_en: Mapped[str] = mapped_column(String(200))
    body_en: Mapped[str] = mapped_column(Text)
    subject_ko: Mapped[str | None] = mapped_column(String(200))
    body_ko: Mapped[str | None] = mapped_column(Text)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    company_count: Mapped[int] = mapped_column(Integer, default=0)
    mail_count: Mapped[int] = mapped_column(Integer, default=0)
    # "draft" from its preview until sent, then "sent": sending is a compare-and-set on this,
    # so a double click on "Send" sends once.
    state: Mapped[str] = mapped_column(String(16), default="sent", server_default="sent")

    sent_by: Mapped[User | None] = relationship(lazy="joined")
