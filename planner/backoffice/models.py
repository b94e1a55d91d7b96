"""What only coordinators keep: payment marks on confirmed places, internal notes on
applications, each programme's co-funding settings (the cancellation charge) and the history of
its rules."""
from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.accounts.models import User
from planner.db import UTCDateTime, utcnow
from planner.db import str_enum as _enum
from planner.extensions import Model


class PaymentState(StrEnum):
    due = "due"          # a mark taken back: the share is owed again
    paid = "paid"
    waived = "waived"


class PaymentMark(Model):
    """One coordinator's mark on a place's company share. Marks are never edited: the newest
    mark of an application is its state, the older ones are the audit trail (who, when)."""

    __tablename__ = "payment_marks"
    __table_args__ = (CheckConstraint("amount_krw >= 0", name="amount_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"),
                                                index=True)
    state: Mapped[PaymentState] = mapped_column(_enum(PaymentState))
    # What the mark covers, in won: the share due when it was made (so a later change of the
    # programme's rules does not rewrite what was paid).
    amount_krw: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_on: Mapped[dt.date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()


class ApplicationNote(Model):
    """A coordinator's internal note on an application; companies never see these."""

    __tablename__ = "application_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"),
                                                index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()


class CofundingSettings(Model):
    """A programme's co-funding rules beyond the subsidy shares: the part of the company share
    charged when a confirmed place is cancelled (0 when the rules set none)."""

    __tablename__ = "cofunding_settings"
    __table_args__ = (CheckConstraint("cancellation_charge_percent BETWEEN 0 AND 100",
                                      name="percent_range"),)

    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"),
                                              primary_key=True)
    cancellation_charge_percent: Mapped[int] = mapped_column(Integer, default=0)
    payment_instructions: Mapped[str | None] = mapped_column(String(1000))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ProgrammeRuleChange(Model):
    """An administrator's change of a programme's rules (cap, eligible size classes, shares,
    points) after companies applied: who, when, why, the rules before and after, and how many
    companies it concerned and were told (allocation rule 9)."""

    __tablename__ = "programme_rule_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(Text)
    before: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    after: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    companies: Mapped[int] = mapped_column(Integer, default=0)
    applications: Mapped[int] = mapped_column(Integer, default=0)

    actor: Mapped[User | None] = relationship(lazy="joined")
