from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.db import UTCDateTime, utcnow
from planner.db import str_enum as _enum
from planner.extensions import db
from planner.vocab import Sector


class ExhibitionStatus(StrEnum):
    planned = "planned"
    postponed = "postponed"
    cancelled = "cancelled"
    completed = "completed"


class DateCertainty(StrEnum):
    confirmed = "confirmed"   # organiser announced the exact dates
    month = "month"           # only the month is announced; dates are placeholders in it
    projected = "projected"   # projected from the show's usual cycle


class OfferMode(StrEnum):
    ranked = "ranked"
    first_come = "first-come"


class Exhibition(db.Model):
    __tablename__ = "exhibitions"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_ko: Mapped[str | None] = mapped_column(String(200))
    acronym: Mapped[str | None] = mapped_column(String(40))
    edition_year: Mapped[int] = mapped_column(Integer, index=True)
    starts_on: Mapped[dt.date] = mapped_column(Date, index=True)
    ends_on: Mapped[dt.date] = mapped_column(Date, index=True)
    date_certainty: Mapped[DateCertainty] = mapped_column(_enum(DateCertainty),
                                                         default=DateCertainty.confirmed)
    city: Mapped[str] = mapped_column(String(120))
    city_ko: Mapped[str | None] = mapped_column(String(120))
    country_code: Mapped[str] = mapped_column(String(2), index=True)
    venue: Mapped[str | None] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    organiser: Mapped[str | None] = mapped_column(String(200))
    website: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    description_ko: Mapped[str | None] = mapped_column(Text)
    status: Mapped[ExhibitionStatus] = mapped_column(_enum(ExhibitionStatus),
                                                     default=ExhibitionStatus.planned, index=True)
    status_note: Mapped[str | None] = mapped_column(String(300))
    source: Mapped[str | None] = mapped_column(Text)
    # Raised on every change that a calendar subscriber should see (RFC 5545 SEQUENCE).
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Indexed: the latest change is part of the version that public page caches check.
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, index=True)

    sector_rows: Mapped[list[ExhibitionSector]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ExhibitionSector.sector")

    @property
    def sectors(self) -> list[Sector]:
        return [row.sector for row in self.sector_rows]

    @sectors.setter
    def sectors(self, values: list[Sector] | list[str]) -> None:
        wanted = sorted({Sector(v) for v in values})
        current = {row.sector: row for row in self.sector_rows}
        self.sector_rows = [current.get(s) or ExhibitionSector(sector=s) for s in wanted]

    def __repr__(self) -> str:
        return f"<Exhibition {self.slug}>"


class ExhibitionSector(db.Model):
    __tablename__ = "exhibition_sectors"

    exhibition_id: Mapped[int] = mapped_column(
        ForeignKey("exhibitions.id", ondelete="CASCADE"), primary_key=True)
    sector: Mapped[Sector] = mapped_column(_enum(Sector, 20), primary_key=True, index=True)


def default_criteria() -> dict[str, Any]:
    """Published points of a programme (allocation rule 1); see allocation.scoring."""
    return {
        "size_class": {"small": 30, "medium": 20, "middle-market": 5, "large": 0},
        "first_time_at_exhibition": 20,
        "no_subsidy_last_year": 15,
        "sector_fit": 10,
        "export_readiness": 15,
        "no_show_penalty": -25,
    }


class Programme(db.Model):
    __tablename__ = "programmes"
    __table_args__ = (
        CheckConstraint("cap_per_company >= 1", name="cap_positive"),
        CheckConstraint("budget_krw >= 0", name="budget_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_ko: Mapped[str | None] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    budget_krw: Mapped[int] = mapped_column(BigInteger, default=0)
    # Size classes that may receive a subsidy, e.g. ["small", "medium"].
    eligible_size_classes: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Share of a place's cost the agency pays, per size class: {"small": 0.7, ...}.
    subsidy_shares: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    cap_per_company: Mapped[int] = mapped_column(Integer, default=1)
    criteria: Mapped[dict[str, Any]] = mapped_column(JSON, default=default_criteria)
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<Programme {self.slug}>"


class Offer(db.Model):
    """Booth and delegation places at one exhibition within one programme.

    `booth_taken`/`delegation_taken` count places currently held (allocated or confirmed);
    they are changed only by conditional UPDATEs so the database enforces capacity.
    """

    __tablename__ = "offers"
    __table_args__ = (
        UniqueConstraint("programme_id", "exhibition_id"),
        CheckConstraint("booth_capacity >= 0 AND delegation_capacity >= 0", name="capacity_non_negative"),
        CheckConstraint("booth_taken >= 0 AND booth_taken <= booth_capacity", name="booth_within_capacity"),
        CheckConstraint("delegation_taken >= 0 AND delegation_taken <= delegation_capacity",
                        name="delegation_within_capacity"),
        CheckConstraint("closes_at > opens_at", name="window_in_order"),
        CheckConstraint("confirmation_days >= 1", name="confirmation_days_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    exhibition_id: Mapped[int] = mapped_column(ForeignKey("exhibitions.id", ondelete="CASCADE"), index=True)
    booth_capacity: Mapped[int] = mapped_column(Integer, default=0)
    booth_size_sqm: Mapped[int] = mapped_column(Integer, default=9)
    booth_cost_krw: Mapped[int] = mapped_column(BigInteger, default=0)
    booth_taken: Mapped[int] = mapped_column(Integer, default=0)
    delegation_capacity: Mapped[int] = mapped_column(Integer, default=0)
    delegation_people_per_place: Mapped[int] = mapped_column(Integer, default=2)
    delegation_min_staff: Mapped[int] = mapped_column(Integer, default=1)
    delegation_cost_krw: Mapped[int] = mapped_column(BigInteger, default=0)
    delegation_taken: Mapped[int] = mapped_column(Integer, default=0)
    opens_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    closes_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    # The zone the window and milestones are announced in (the agency's own, usually).
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Seoul")
    mode: Mapped[OfferMode] = mapped_column(_enum(OfferMode), default=OfferMode.ranked)
    confirmation_days: Mapped[int] = mapped_column(Integer, default=7)
    payment_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    licence_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    shipping_cutoff_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    buildup_starts_on: Mapped[dt.date | None] = mapped_column(Date)
    buildup_ends_on: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, index=True)

    programme: Mapped[Programme] = relationship(lazy="joined")
    exhibition: Mapped[Exhibition] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<Offer {self.id} {self.exhibition_id}/{self.programme_id}>"
