from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from planner.db import UTCDateTime, utcnow
from planner.extensions import Model


class AllocationRun(Model):
    __tablename__ = "allocation_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    seed: Mapped[str] = mapped_column(String(64))
    is_dry_run: Mapped[bool] = mapped_column(Boolean, default=True)
    # Equals programme_id once published, NULL otherwise: the unique constraint lets the
    # database guarantee at most one published run per programme, whoever publishes at once.
    published_programme_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Snapshot of what the run saw: cap, criteria, slot capacities, counts.
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AllocationResult(Model):
    __tablename__ = "allocation_results"
    __table_args__ = (UniqueConstraint("run_id", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("allocation_runs.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"),
                                                index=True)
    outcome: Mapped[str] = mapped_column(String(20))  # allocated, waitlisted, withdrawn, ineligible
    priority: Mapped[float | None] = mapped_column(Float(precision=53))
    tiebreak: Mapped[float | None] = mapped_column(Float(precision=53))
    breakdown: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The company's size class this run scored the application with (its size-class points).
    size_class: Mapped[str | None] = mapped_column(String(20))
    waitlist_position: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(String(300))


class ProgrammeSeed(Model):
    """The lottery seed of a programme's allocation (rule 2), drawn by the system once its last
    ranked window has closed. Its SHA-256 is shown before any preview; previews and the
    publication use it, and it is revealed with the results, so nobody can choose it."""

    __tablename__ = "programme_seeds"

    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"),
                                              primary_key=True)
    seed: Mapped[str] = mapped_column(String(64))
    drawn_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def commitment(self) -> str:
        """SHA-256 of the seed, in hex: published before the seed is used."""
        return hashlib.sha256(self.seed.encode()).hexdigest()
