from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from planner.db import UTCDateTime, utcnow
from planner.extensions import Model


class FeedToken(Model):
    """A person's secret address of a private feed (their company's calendar, or a programme's
    for staff). Only its SHA-256 is stored; rotating revokes that person's old one only."""

    __tablename__ = "feed_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"),
                                                     index=True)
    # The person whose address this is: it goes with their account. Tokens made before addresses
    # were per person were attached by the migration to their creator (else the company's first
    # user); a programme token nobody can be found for keeps working with no owner until revoked.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Recorded at most once a minute: feeds are polled, and a write per poll would cost more
    # than the answer.
    last_fetched_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class FeedState(Model):
    """One row (id 1): a version that changes in the same transaction as any change to the
    exhibitions, their sectors or offers, so public feeds can be validated with one primary-key
    lookup instead of an aggregate over the catalogue."""

    __tablename__ = "feed_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class FeedAddressReveal(Model):
    """A private address just created, kept until the page after the POST shows it once (or for
    REVEAL_FOR at most). The browser's session holds only a random handle: the id is its SHA-256
    and the token is sealed with a key derived from it, so neither the cookie nor this table
    alone gives the address."""

    __tablename__ = "feed_address_reveals"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    sealed: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
