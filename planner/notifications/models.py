from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from planner.db import UTCDateTime, utcnow
from planner.extensions import db


class OutboxState(StrEnum):
    """Where a queued mail stands; derived from its timestamps, never stored twice."""

    waiting = "waiting"
    sent = "sent"
    failed = "failed"


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_addr: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    # Which mail this is ("allocation.place_allocated"), for the outbox page's filter.
    kind: Mapped[str] = mapped_column(String(60), default="", server_default="", index=True)
    # An optional kind of mail the reader may turn off (List-Unsubscribe); empty: required.
    category: Mapped[str | None] = mapped_column(String(40))
    reply_to: Mapped[str | None] = mapped_column(String(254))
    # Mails carrying a link with a secret token are not shown in logs or back-office lists.
    is_sensitive: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Start of the current retry horizon: the creation, or the moment a person asked to retry.
    waiting_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=utcnow)
    # Not tried again before this (exponential back-off); empty: due now.
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    # Given up: refused for good (5xx) or past the retry horizon. A person may retry it.
    failed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)

    @property
    def state(self) -> OutboxState:
        if self.sent_at is not None:
            return OutboxState.sent
        return OutboxState.failed if self.failed_at is not None else OutboxState.waiting


class MailOptOut(db.Model):
    """An address that asked not to receive one optional kind of mail (reminders,
    announcements...). Mails the rules require have no category and cannot be turned off."""

    __tablename__ = "mail_opt_outs"
    __table_args__ = (UniqueConstraint("email", "category", name="uq_mail_opt_outs_email_category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    category: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReminderSent(db.Model):
    """One row per reminder sent, keyed by what it reminds of ("confirm:12:2026-12-05T09:00:3d"):
    however often the timer runs, or two hosts run it at once, a reminder goes out once."""

    __tablename__ = "reminders_sent"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
