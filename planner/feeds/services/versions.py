"""What identifies a feed's bytes without building them: the catalogue's data version (one
row, feed_state, rewritten in the same transaction as every change a public feed could show,
by listeners on SQLAlchemy's Session that create_app registers), ETags, Last-Modified, and a
built feed with its validators."""
from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import secrets
from dataclasses import dataclass
from functools import lru_cache
from typing import cast, overload

from sqlalchemy import Table, event, insert, inspect, update
from sqlalchemy.orm import InstanceState, ORMExecuteState, Session

from planner.cache import VersionMemo
from planner.catalogue.models import Exhibition, ExhibitionSector, Offer
from planner.db import utcnow
from planner.extensions import db
from planner.feeds.models import FeedState

__all__ = ["FEED_FORMAT", "FeedVersion", "CachedFeed", "register_listeners", "data_version", "etag_of",
           "aware", "latest", "forget_version"]

# Bump when the bytes of a feed change for the same data (new fields, wording), so ETags move.
FEED_FORMAT = "4"
# Changes to these rows can change a public feed's bytes. Offers matter only through their
# application windows (the `open` filter): their place counters change with every first-come
# submission, and recording those would make every submission wait on the feed_state row.
WATCHED = (Exhibition, ExhibitionSector)
OFFER_WINDOW = ("opens_at", "closes_at", "exhibition_id")
_STATE = cast(Table, FeedState.__table__)
_VERSION_SQL = "SELECT version, changed_at FROM feed_state WHERE id = 1"
_CHANGED = "feeds_changed"

# The version this worker read last, trusted for FEEDS_VERSION_MAX_AGE seconds: feeds are
# polled far more often than the catalogue changes, and proxies may keep one five minutes anyway.
_memo: VersionMemo[tuple[str, dt.datetime | None]] = VersionMemo()


# --- recording changes --------------------------------------------------------------------------

def _record_change(session: Session) -> None:
    """Give the catalogue a new data version inside the caller's transaction, so it commits or
    rolls back with the change itself, for every worker and host at once."""
    values = {"version": secrets.token_hex(16), "changed_at": utcnow()}
    connection = session.connection()
    session.info[_CHANGED] = True
    if connection.execute(update(_STATE).where(_STATE.c.id == 1).values(**values)).rowcount == 0:
        connection.execute(insert(_STATE).values(id=1, **values))


def _changes_feeds(obj: object, *, dirty: bool) -> bool:
    if isinstance(obj, WATCHED):
        return True
    if isinstance(obj, Offer):
        if not dirty:
            return True
        state: InstanceState[Offer] = inspect(obj)
        return any(state.attrs[name].history.has_changes() for name in OFFER_WINDOW)
    return False


def _flush_changes_catalogue(session: Session, flush_context: object, instances: object) -> None:
    if any(_changes_feeds(obj, dirty=False) for group in (session.new, session.deleted) for obj in group) \
            or any(_changes_feeds(obj, dirty=True) for obj in session.dirty):
        _record_change(session)


def _bulk_changes_catalogue(state: ORMExecuteState) -> None:
    # Bulk INSERT/UPDATE/DELETE through the session (synthetic data, imports) skip the flush.
    if not (state.is_insert or state.is_update or state.is_delete) or state.bind_mapper is None:
        return
    cls = state.bind_mapper.class_
    if cls in WATCHED or (cls is Offer and not state.is_update):
        _record_change(state.session)


def _forget_version(session: Session) -> None:
    # This worker sees its own changes at once; other workers within the memo's max_age.
    if session.info.pop(_CHANGED, False):
        _memo.forget()


def _drop_change_mark(session: Session) -> None:
    session.info.pop(_CHANGED, None)


_LISTENERS = (("before_flush", _flush_changes_catalogue), ("do_orm_execute", _bulk_changes_catalogue),
              ("after_commit", _forget_version), ("after_rollback", _drop_change_mark))


def register_listeners() -> None:
    """Record catalogue changes in feed_state (create_app calls this; once is enough, for
    SQLAlchemy's Session class is shared by every app in the process)."""
    for name, listener in _LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def forget_version() -> None:
    """Read the data version afresh on the next request (tests, as if time had passed)."""
    _memo.forget()


# --- reading the version ------------------------------------------------------------------------

@overload
def aware(value: dt.datetime | str) -> dt.datetime: ...
@overload
def aware(value: dt.datetime | str | None) -> dt.datetime | None: ...
def aware(value: dt.datetime | str | None) -> dt.datetime | None:
    # Aggregates bypass the UTCDateTime type: SQLite hands back text, PostgreSQL naive UTC.
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value


def latest(*values: dt.datetime | None) -> dt.datetime:
    present = [v for v in values if v is not None]
    return max(present) if present else dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)


def _read_version() -> tuple[str, dt.datetime | None]:
    # Plain SQL on the session's connection: this runs on every feed request, including 304s,
    # and skips statement construction and ORM result processing.
    row = db.session.connection().exec_driver_sql(_VERSION_SQL).first()
    return (row[0], aware(row[1])) if row else ("0", None)


def data_version(*, max_age: float = 0.0) -> tuple[str, dt.datetime | None]:
    """The catalogue's data version and when it last changed: one primary-key lookup (see
    `_record_change`), or none when this worker read it less than `max_age` seconds ago."""
    return _memo.read(str(db.engine.url), max_age, _read_version)


@lru_cache(maxsize=256)
def etag_of(*parts: object) -> str:
    """A strong ETag for the bytes built from `parts` (format, site, filters, data version)."""
    return '"' + hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:40] + '"'


@dataclass(frozen=True)
class FeedVersion:
    """What identifies a feed's bytes without building them."""

    etag: str
    last_modified: dt.datetime | None


@dataclass(frozen=True)
class CachedFeed:
    """A built feed: its bytes, their gzip encoding (calendar clients accept it and feeds
    compress tenfold), the ETag of the identity encoding and the last change of its data."""

    body: bytes
    etag: str
    last_modified: dt.datetime | None
    gzipped: bytes = b""

    def compressed(self) -> CachedFeed:
        """This feed with its gzip encoding, for the cache (mtime=0: same feed, same bytes)."""
        if self.gzipped:
            return self
        return CachedFeed(self.body, self.etag, self.last_modified,
                          gzip.compress(self.body, compresslevel=6, mtime=0))
