"""Feed contents: exhibition filters, feed items from the database, data versions, a feed cache
coherent with the data, and private feed tokens."""
from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import hmac
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from typing import Protocol
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import (Connection, Select, distinct, event, exists, func, insert, inspect, or_, select,
                        update)
from sqlalchemy.orm import ORMExecuteState, Session

from planner.accounts.models import Company, User
from planner.catalogue import services as catalogue
from planner.catalogue.models import (DateCertainty, Exhibition, ExhibitionSector, ExhibitionStatus,
                                      Offer, Programme)
from planner.catalogue.regions import countries_in
from planner.db import utcnow
from planner.errors import PlannerError
from planner.extensions import db
from planner.feeds.ical import Alarm, CalendarInfo, FeedEvent, build_calendar, render_within
from planner.feeds.models import FeedState, FeedToken
from planner.i18n import countries_matching, country_name
from planner.signups.models import Application, ApplicationEvent, ApplicationStatus
from planner.vocab import Sector

# Bump when the bytes of a feed change for the same data (new fields, wording), so ETags move.
FEED_FORMAT = "4"
# The default public feed starts a year back: clients see last year's editions, and the feed of
# thousands of shows stays well under the 1 MB that calendar services accept.
DEFAULT_WINDOW = dt.timedelta(days=365)
MAX_QUERY_WORDS = 8  # as the listing: more words are pasted text, not a query
# Calendar services refuse bigger feeds; feeds without an explicit end stop at a date before it.
MAX_FEED_BYTES = 950_000
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
HELD = (ApplicationStatus.allocated, ApplicationStatus.confirmed)
PENDING = (ApplicationStatus.submitted, ApplicationStatus.waitlisted)
DEADLINE_LENGTH = dt.timedelta(minutes=30)


class FeedError(PlannerError):
    """A feed request that cannot be answered (its message is shown as a 400)."""


class UnknownFilter(FeedError):
    pass


# --- filters --------------------------------------------------------------------------------

# The listing's filters (catalogue.parse_filters checks their values); anything else is refused,
# since a subscriber who mistypes a filter would otherwise silently get every show.
FILTER_NAMES = ("q", "country", "region", "sector", "from", "to", "open", "past")


@dataclass(frozen=True)
class FeedFilters:
    """The listing's filters plus the feed's window: shows ending on or after `ends_from`.

    `budgeted` feeds (no explicit end) stop at a date once they reach MAX_FEED_BYTES."""

    listing: catalogue.ExhibitionFilters
    ends_from: dt.date | None
    budgeted: bool

    @cached_property
    def key(self) -> str:
        args = sorted(self.listing.to_args().items())
        return f"{args!r}|{self.ends_from}|{self.budgeted}"


def parse_filters(pairs: Iterable[tuple[str, str]], *, today: dt.date) -> FeedFilters:
    """Read a feed's query parameters: the listing's filters and rules, unknown names refused.

    Without `from` or `past`, the feed starts with shows that ended a year ago; without `to` or
    `past`, it is cut at a date boundary to stay under MAX_FEED_BYTES."""
    return _parse_filters(tuple(pairs), today)


@lru_cache(maxsize=256)
def _parse_filters(pairs: tuple[tuple[str, str], ...], today: dt.date) -> FeedFilters:
    # Subscribers poll the same few addresses all day; parse each once (errors are not cached).
    values: dict[str, str] = {}
    for name, value in pairs:
        if name not in FILTER_NAMES:
            raise UnknownFilter(_("Unknown filter “%(name)s”. Known filters: %(known)s.",
                                  name=name[:40], known=", ".join(FILTER_NAMES)))
        if name in values and values[name] != value:
            raise FeedError(_("Give the filter “%(name)s” only once.", name=name))
        values[name] = value
    try:
        listing = catalogue.parse_filters(values)
    except catalogue.FilterError as exc:
        raise FeedError(str(exc)) from None
    if listing.include_past or listing.month_from is not None:
        ends_from = listing.month_from if not listing.include_past else None
    else:
        ends_from = today - DEFAULT_WINDOW
    budgeted = not listing.include_past and listing.month_to is None
    return FeedFilters(listing=listing, ends_from=ends_from, budgeted=budgeted)


def apply_filters(stmt: Select, filters: FeedFilters, *, now: dt.datetime) -> Select:  # type: ignore[type-arg]
    """Restrict a select over Exhibition to the feed's filters (the listing's rules)."""
    listing = filters.listing
    if filters.ends_from is not None:
        stmt = stmt.where(Exhibition.ends_on >= filters.ends_from)
    # A show overlapping the month range counts: it is on during those months.
    if listing.month_to is not None:
        stmt = stmt.where(Exhibition.starts_on <= listing.month_to)
    if listing.q:
        for word in listing.q.split(" ")[:MAX_QUERY_WORDS]:
            columns = (Exhibition.name, Exhibition.name_ko, Exhibition.acronym, Exhibition.city,
                       Exhibition.city_ko, Exhibition.description, Exhibition.description_ko)
            clauses = [c.icontains(word, autoescape=True) for c in columns]
            codes = countries_matching(word)
            if codes:
                clauses.append(Exhibition.country_code.in_(sorted(codes)))
            stmt = stmt.where(or_(*clauses))
    if listing.country:
        stmt = stmt.where(Exhibition.country_code == listing.country)
    if listing.region:
        stmt = stmt.where(Exhibition.country_code.in_(sorted(countries_in(listing.region))))
    if listing.sector:
        stmt = stmt.where(exists().where(ExhibitionSector.exhibition_id == Exhibition.id,
                                         ExhibitionSector.sector == listing.sector))
    if listing.open_only:
        stmt = stmt.where(exists().where(Offer.exhibition_id == Exhibition.id, Offer.opens_at <= now,
                                         Offer.closes_at > now))
    return stmt


# --- the data version ----------------------------------------------------------------------------

# Changes to these rows can change a public feed's bytes. Offers matter only through their
# application windows (the `open` filter): their place counters change with every first-come
# submission, and recording those would make every submission wait on the feed_state row.
WATCHED = (Exhibition, ExhibitionSector)
OFFER_WINDOW = ("opens_at", "closes_at", "exhibition_id")
_STATE = FeedState.__table__
_VERSION_SQL = "SELECT version, changed_at FROM feed_state WHERE id = 1"


_state_table_known: dict[str, bool] = {}


def _has_state_table(connection: Connection) -> bool:
    # A database migrated before feed_state existed must keep working (edits would otherwise
    # fail on the missing table); feeds then fall back to an aggregate version query.
    key = str(connection.engine.url)
    if key not in _state_table_known:
        _state_table_known[key] = inspect(connection).has_table(_STATE.name)
    return _state_table_known[key]


def _record_change(session: Session) -> None:
    """Give the catalogue a new data version inside the caller's transaction, so it commits or
    rolls back with the change itself, for every worker and host at once."""
    values = {"version": secrets.token_hex(16), "changed_at": utcnow()}
    connection = session.connection()
    if not _has_state_table(connection):
        return
    session.info["feeds_changed"] = True
    if connection.execute(update(_STATE).where(_STATE.c.id == 1).values(**values)).rowcount == 0:
        connection.execute(insert(_STATE).values(id=1, **values))


def _changes_feeds(obj: object, *, dirty: bool) -> bool:
    if isinstance(obj, WATCHED):
        return True
    if isinstance(obj, Offer):
        if not dirty:
            return True
        state = inspect(obj)
        return any(state.attrs[name].history.has_changes() for name in OFFER_WINDOW)
    return False


@event.listens_for(Session, "before_flush")
def _flush_changes_catalogue(session: Session, flush_context: object, instances: object) -> None:
    if any(_changes_feeds(obj, dirty=False) for group in (session.new, session.deleted) for obj in group) \
            or any(_changes_feeds(obj, dirty=True) for obj in session.dirty):
        _record_change(session)


@event.listens_for(Session, "do_orm_execute")
def _bulk_changes_catalogue(state: ORMExecuteState) -> None:
    # Bulk INSERT/UPDATE/DELETE through the session (synthetic data, imports) skip the flush.
    if not (state.is_insert or state.is_update or state.is_delete) or state.bind_mapper is None:
        return
    cls = state.bind_mapper.class_
    if cls in WATCHED or (cls is Offer and not state.is_update):
        _record_change(state.session)


@event.listens_for(Session, "after_commit")
def _forget_version(session: Session) -> None:
    # This worker sees its own changes at once; other workers within VersionMemo's max_age.
    if session.info.pop("feeds_changed", False):
        _memo.forget()


@event.listens_for(Session, "after_rollback")
def _drop_change_mark(session: Session) -> None:
    session.info.pop("feeds_changed", None)


class VersionMemo:
    """The last data version this worker read, reused for `max_age` seconds.

    Feeds are polled far more often than the catalogue changes; trusting a version for a
    fraction of a second saves the database round trip on nearly every 304 while staying far
    fresher than the five minutes proxies may keep a feed (Cache-Control: max-age=300)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._generation = 0
        self._value: tuple[float, str, str, dt.datetime | None] | None = None

    def forget(self) -> None:
        with self._lock:
            self._generation += 1
            self._value = None

    def get(self, key: str, max_age: float) -> tuple[str, dt.datetime | None] | None:
        value = self._value
        if value is None or value[1] != key or time.monotonic() - value[0] > max_age:
            return None
        return value[2], value[3]

    def generation(self) -> int:
        return self._generation

    def put(self, key: str, generation: int, version: str, changed_at: dt.datetime | None,
            read_at: float) -> None:
        with self._lock:
            # A commit in this worker while we read would make our answer stale: keep nothing.
            if generation == self._generation:
                self._value = (read_at, key, version, changed_at)


_memo = VersionMemo()


# --- versions, ETags and the cache -------------------------------------------------------------

@dataclass(frozen=True)
class FeedVersion:
    """What identifies a feed's bytes without building them."""

    etag: str
    last_modified: dt.datetime | None


@lru_cache(maxsize=256)
def _etag(*parts: object) -> str:
    return '"' + hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:40] + '"'


def data_version(*, max_age: float = 0.0) -> tuple[str, dt.datetime | None]:
    """The catalogue's data version: one primary-key lookup (see `_record_change`), or none
    when this worker read it less than `max_age` seconds ago."""
    key = str(db.engine.url)
    if max_age > 0:
        remembered = _memo.get(key, max_age)
        if remembered is not None:
            return remembered
    generation, read_at = _memo.generation(), time.monotonic()
    connection = db.session.connection()
    if not _has_state_table(connection):
        return _aggregate_version(connection)
    # Plain SQL on the session's connection: this runs on every feed request, including 304s,
    # and skips statement construction and ORM result processing.
    row = connection.exec_driver_sql(_VERSION_SQL).first()
    version, changed_at = (row[0], _aware(row[1])) if row else ("0", None)
    _memo.put(key, generation, version, changed_at, read_at)
    return version, changed_at


def _aggregate_version(connection: Connection) -> tuple[str, dt.datetime | None]:
    """The slower fallback: count, last change, id and sequence sums of every show."""
    count, last, id_sum, seq_sum = connection.execute(select(
        func.count(Exhibition.id), func.max(Exhibition.updated_at),
        func.coalesce(func.sum(Exhibition.id), 0), func.coalesce(func.sum(Exhibition.sequence), 0))).one()
    last = _aware(last)
    return f"agg-{count}-{last}-{id_sum}-{seq_sum}", last


def exhibitions_version(filters: FeedFilters, *, site_url: str, now: dt.datetime,
                        max_age: float = 0.0) -> FeedVersion:
    """The ETag of a filtered public feed, without building it: filters plus data version."""
    version, changed_at = data_version(max_age=max_age)
    # Application windows open and close with time, not with the data: an `open` feed is
    # valid for the minute it was built in.
    moment = now.strftime("%Y%m%d%H%M") if filters.listing.open_only else ""
    if filters.listing.open_only:
        # Last-Modified must move with the ETag, or a client sending only If-Modified-Since
        # would keep a 304 after a window opened or closed.
        changed_at = _latest(changed_at, now.replace(second=0, microsecond=0))
    return FeedVersion(_etag(FEED_FORMAT, site_url, filters.key, version, moment), changed_at)


def _aware(value: dt.datetime | str | None) -> dt.datetime | None:
    # Aggregates bypass the UTCDateTime type: SQLite hands back text, PostgreSQL naive UTC.
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value


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


class _Redis(Protocol):
    def get(self, name: str) -> bytes | None: ...
    def set(self, name: str, value: bytes, ex: int | None = None) -> object: ...


class FeedCache:
    """Built feeds by ETag: an in-process LRU, shared through Redis when configured.

    Entries are keyed by the ETag, which is derived from the filters and the data version, so a
    change in the data simply misses the cache; stale entries age out."""

    def __init__(self, *, size: int = 32, redis: _Redis | None = None, prefix: str = "planner:feeds:",
                 ttl: int = 24 * 3600) -> None:
        self.size, self.redis, self.prefix, self.ttl = size, redis, prefix, ttl
        self._entries: OrderedDict[str, CachedFeed] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, etag: str) -> CachedFeed | None:
        with self._lock:
            entry = self._entries.get(etag)
            if entry is not None:
                self._entries.move_to_end(etag)
                return entry
        if self.redis is None:
            return None
        try:
            raw = self.redis.get(self.prefix + etag.strip('"'))
        except Exception:  # Redis down: build instead of failing the feed
            return None
        if not raw:
            return None
        header, _, rest = raw.partition(b"\n")
        stamp, _, size = header.decode().partition("|")
        entry = CachedFeed(rest[:int(size)], etag, dt.datetime.fromisoformat(stamp) if stamp else None,
                           rest[int(size):])
        self._remember(entry)
        return entry

    def put(self, entry: CachedFeed) -> None:
        self._remember(entry)
        if self.redis is not None:
            stamp = entry.last_modified.isoformat() if entry.last_modified else ""
            value = f"{stamp}|{len(entry.body)}\n".encode() + entry.body + entry.gzipped
            try:
                self.redis.set(self.prefix + entry.etag.strip('"'), value, ex=self.ttl)
            except Exception:  # Redis down: the in-process copy still serves this worker
                pass

    def _remember(self, entry: CachedFeed) -> None:
        with self._lock:
            self._entries[entry.etag] = entry
            self._entries.move_to_end(entry.etag)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


# --- public feeds -------------------------------------------------------------------------------

@lru_cache(maxsize=8)
def _host(site_url: str) -> str:
    return urlsplit(site_url).hostname or "localhost"


def exhibition_uid(exhibition_id: int, site_url: str) -> str:
    """Stable per exhibition: built from its id, so editing the slug or dates keeps it."""
    return f"exhibition-{exhibition_id}@{_host(site_url)}"


class ShowRow(Protocol):
    """What a show event needs: an Exhibition, or a row of _SHOW_COLUMNS (cheaper in bulk)."""

    id: int
    slug: str
    name: str
    edition_year: int
    starts_on: dt.date
    ends_on: dt.date
    date_certainty: str
    city: str
    country_code: str
    venue: str | None
    organiser: str | None
    website: str | None
    description: str | None
    status: str
    status_note: str | None
    sequence: int
    updated_at: dt.datetime


_SHOW_COLUMNS = (Exhibition.id, Exhibition.slug, Exhibition.name, Exhibition.edition_year,
                 Exhibition.starts_on, Exhibition.ends_on, Exhibition.date_certainty, Exhibition.city,
                 Exhibition.country_code, Exhibition.venue, Exhibition.organiser, Exhibition.website,
                 Exhibition.description, Exhibition.status, Exhibition.status_note,
                 Exhibition.sequence, Exhibition.updated_at)
_SECTOR_NAMES = {s.value: s.value.capitalize() for s in Sector}
_CERTAINTY_NOTE = {
    DateCertainty.month.value: "Dates provisional: only the month is announced.",
    DateCertainty.projected.value: "Dates provisional: projected from the show's usual cycle.",
}


_DIGIT = re.compile(r"\d")


def show_title(name: str, edition_year: int) -> str:
    # Edition names carry their year ("Eurosatory 2026"); add it only where one is missing.
    return name if _DIGIT.search(name) else f"{name} {edition_year}"


def show_event(row: ShowRow, sectors: Sequence[str], *, site_url: str) -> FeedEvent:
    """One exhibition as an all-day event over its local dates."""
    status = str(row.status)
    certainty = str(row.date_certainty)
    title = show_title(row.name, row.edition_year)
    notes: list[str] = []
    if status == ExhibitionStatus.cancelled:
        title += " (cancelled)"
        notes.append("Cancelled." + (f" {row.status_note}" if row.status_note else ""))
        ical_status = "CANCELLED"
    else:
        if status == ExhibitionStatus.postponed:
            title += " (postponed)"
            notes.append(f"Postponed: now {row.starts_on.isoformat()} to {row.ends_on.isoformat()}."
                         + (f" {row.status_note}" if row.status_note else ""))
        if certainty != DateCertainty.confirmed:
            title += " (dates provisional)"
            notes.append(_CERTAINTY_NOTE.get(certainty, "Dates provisional."))
            ical_status = "TENTATIVE"
        else:
            ical_status = "CONFIRMED"
    country = country_name(row.country_code, "en")
    url = f"{site_url}/exhibitions/{row.slug}"
    if row.description:
        notes.append(row.description.strip())
    if row.organiser:
        notes.append(f"Organiser: {row.organiser}")
    if row.website:
        notes.append(f"Website: {row.website}")
    notes.append(f"Details: {url}")
    return FeedEvent(
        uid=exhibition_uid(row.id, site_url), summary=title,
        start=row.starts_on, end=row.ends_on + dt.timedelta(days=1),
        stamp=row.updated_at, sequence=row.sequence,
        location=", ".join(p for p in (row.venue, row.city, country) if p),
        categories=tuple(_SECTOR_NAMES.get(s, s) for s in sectors) + (country,),
        description="\n".join(notes), url=url, status=ical_status)


def _show_rows(stmt: Select) -> tuple[list[ShowRow], dict[int, list[str]]]:  # type: ignore[type-arg]
    rows: list[ShowRow] = list(db.session.execute(stmt.order_by(Exhibition.starts_on, Exhibition.id)))
    sectors: dict[int, list[str]] = {}
    if rows:
        ids = stmt.with_only_columns(Exhibition.id).order_by(None).scalar_subquery() \
            if len(rows) > 500 else [r.id for r in rows]
        sector_stmt = select(ExhibitionSector.exhibition_id, ExhibitionSector.sector).where(
            ExhibitionSector.exhibition_id.in_(ids)).order_by(
            ExhibitionSector.exhibition_id, ExhibitionSector.sector)
        for exhibition_id, sector in db.session.execute(sector_stmt):
            sectors.setdefault(exhibition_id, []).append(str(sector))
    return rows, sectors


def build_exhibitions_feed(filters: FeedFilters, *, site_url: str, now: dt.datetime,
                           title: str = "Foreign defence exhibitions") -> CachedFeed:
    """The public calendar of the filtered exhibitions, with its ETag and Last-Modified."""
    version = exhibitions_version(filters, site_url=site_url, now=now)
    stmt = apply_filters(select(*_SHOW_COLUMNS), filters, now=now)
    rows, sectors = _show_rows(stmt)
    budget = MAX_FEED_BYTES - 8_000 if filters.budgeted else None
    events, blocks, first_out = render_within(
        (show_event(r, sectors.get(r.id, ()), site_url=site_url) for r in rows), budget)
    rows = rows[:len(events)]
    description = ("Foreign defence and security exhibitions from the Defence Export Exhibition "
                   f"Planner: dates, venues and sectors. {site_url}/exhibitions")
    if first_out is not None:
        description += (f" This feed lists shows starting before {first_out.isoformat()}; add "
                        f"from={first_out:%Y-%m} to the address for later ones.")
    body = build_calendar(CalendarInfo(name=title, description=description, events=events), blocks)
    # The catalogue's last change covers deletions too, which the rows left cannot show.
    last = version.last_modified or max((r.updated_at for r in rows), default=None)
    return CachedFeed(body, version.etag, last)


def exhibitions_feed(filters: FeedFilters, *, site_url: str, now: dt.datetime,
                     cache: FeedCache, max_age: float = 0.0) -> CachedFeed:
    """The filtered feed from the cache, built on a miss (the ETag is the cache key)."""
    version = exhibitions_version(filters, site_url=site_url, now=now, max_age=max_age)
    cached = cache.get(version.etag)
    if cached is not None:
        return cached
    built = build_exhibitions_feed(filters, site_url=site_url, now=now).compressed()
    cache.put(built)
    return built


def get_exhibition(slug: str) -> Exhibition | None:
    # The catalogue refuses impossible slugs (a NUL byte is an error on PostgreSQL) before asking.
    return catalogue.get_exhibition(slug)


def exhibition_version(exhibition: Exhibition, *, site_url: str) -> FeedVersion:
    return FeedVersion(_etag(FEED_FORMAT, site_url, "exhibition", exhibition.id, exhibition.updated_at,
                             exhibition.sequence, ",".join(exhibition.sectors)), exhibition.updated_at)


def build_exhibition_feed(exhibition: Exhibition, *, site_url: str) -> CachedFeed:
    """The calendar of one exhibition (the same event as in the public feed)."""
    event = show_event(exhibition, [str(s) for s in exhibition.sectors], site_url=site_url)
    version = exhibition_version(exhibition, site_url=site_url)
    body = build_calendar(CalendarInfo(
        name=event.summary, description=f"{event.summary}: {site_url}/exhibitions/{exhibition.slug}",
        events=[event]))
    return CachedFeed(body, version.etag, version.last_modified).compressed()


# --- private feeds: tokens ----------------------------------------------------------------------

def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def active_token(*, company: Company | None = None, programme: Programme | None = None) -> FeedToken | None:
    stmt = select(FeedToken).where(FeedToken.revoked_at.is_(None))
    if company is not None:
        stmt = stmt.where(FeedToken.company_id == company.id)
    elif programme is not None:
        stmt = stmt.where(FeedToken.programme_id == programme.id)
    else:
        raise ValueError("a company or a programme")
    return db.session.scalars(stmt.order_by(FeedToken.id.desc()).limit(1)).first()


def rotate_token(*, actor: User, company: Company | None = None, programme: Programme | None = None,
                 now: dt.datetime | None = None) -> str:
    """Revoke the owner's current token and return a new secret (only its hash is stored).

    The old URL stops working at once; the new one is shown to the user once."""
    now = now or utcnow()
    if (company is None) == (programme is None):
        raise ValueError("exactly one of company and programme")
    owner = FeedToken.company_id == company.id if company is not None else \
        FeedToken.programme_id == programme.id  # type: ignore[union-attr]
    db.session.execute(update(FeedToken).where(owner, FeedToken.revoked_at.is_(None))
                       .values(revoked_at=now).execution_options(synchronize_session="fetch"))
    token = secrets.token_urlsafe(32)
    db.session.add(FeedToken(token_hash=hash_token(token), company_id=company.id if company else None,
                             programme_id=programme.id if programme else None,
                             created_by_id=actor.id, created_at=now))
    db.session.flush()
    return token


def resolve_token(token: str) -> FeedToken | None:
    """The live token for `token`, or None whether it never existed or was revoked."""
    if not TOKEN_RE.match(token):
        return None
    wanted = hash_token(token)
    row = db.session.scalar(select(FeedToken).where(FeedToken.token_hash == wanted))
    # The lookup is by hash (an attacker cannot steer it); compare in constant time anyway.
    if row is None or not hmac.compare_digest(row.token_hash, wanted) or row.revoked_at is not None:
        return None
    return row


# --- private feeds: contents --------------------------------------------------------------------

def _latest(*values: dt.datetime | None) -> dt.datetime:
    present = [v for v in values if v is not None]
    return max(present) if present else dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)


def _deadline(uid: str, summary: str, at: dt.datetime, tzid: str, stamp: dt.datetime, sequence: int,
              description: str, url: str) -> FeedEvent:
    # A deadline is a short block starting at the moment things are due, so the alarm a day
    # before the start is a day before the deadline.
    local = at.astimezone(ZoneInfo(tzid))
    description = f"{description}\nDue: {local:%Y-%m-%d %H:%M} ({tzid})\n{url}"
    return FeedEvent(uid=uid, summary=summary, start=at, end=at + DEADLINE_LENGTH, stamp=stamp,
                     sequence=sequence, tzid=tzid, description=description, url=url,
                     alarm=Alarm(f"Tomorrow: {summary}"))


def _if_cancelled(events: list[FeedEvent], exhibition: Exhibition) -> list[FeedEvent]:
    """A cancelled show's deadlines stay in the feed, marked cancelled and without their alarms,
    so subscribers see the change instead of a reminder to pay for a show that will not happen."""
    if exhibition.status != ExhibitionStatus.cancelled:
        return events
    return [replace(e, summary=f"{e.summary} (cancelled)", status="CANCELLED", alarm=None) for e in events]


def offer_milestones(offer: Offer, *, prefix: str, site_url: str, stamp: dt.datetime,
                     include_window: bool) -> list[FeedEvent]:
    """An offer's dated milestones (and its application window) as events."""
    show = show_title(offer.exhibition.name, offer.exhibition.edition_year)
    url = f"{site_url}/exhibitions/{offer.exhibition.slug}"
    host = _host(site_url)
    # The events carry the show's name and status too, so its edits raise their SEQUENCE.
    seq = offer.sequence + offer.exhibition.sequence
    events: list[FeedEvent] = []

    def uid(what: str) -> str:
        return f"{prefix}-offer-{offer.id}-{what}@{host}"

    if include_window:
        events.append(_deadline(uid("opens"), f"Applications open: {show}", offer.opens_at, offer.timezone,
                                stamp, seq, f"Applications for places at {show} open.", url))
        events.append(_deadline(uid("closes"), f"Applications close: {show}", offer.closes_at,
                                offer.timezone, stamp, seq, f"Last moment to apply for places at {show}.", url))
    for what, at, label in (("payment", offer.payment_due_at, "Co-funding payment due"),
                            ("licence", offer.licence_due_at, "Export licence filing due"),
                            ("shipping", offer.shipping_cutoff_at, "Shipping cut-off")):
        if at is not None:
            events.append(_deadline(uid(what), f"{label}: {show}", at, offer.timezone, stamp, seq,
                                    f"{label} for {show}.", url))
    if offer.buildup_starts_on is not None:
        last = offer.buildup_ends_on or offer.buildup_starts_on
        events.append(FeedEvent(
            uid=uid("buildup"), summary=f"Build-up: {show}", start=offer.buildup_starts_on,
            end=last + dt.timedelta(days=1), stamp=stamp, sequence=seq,
            location=", ".join(p for p in (offer.exhibition.venue, offer.exhibition.city) if p),
            description=f"Stand build-up days for {show}.\n{url}", url=url))
    return _if_cancelled(events, offer.exhibition)


def _application_history(company_id: int) -> dict[int, tuple[int, dt.datetime | None]]:
    """Per offer: how many applications the company made there (whatever their status now) plus
    their recorded status changes, and when they last changed.

    The count only grows (applications are not deleted, the audit trail is never rewritten), so a
    SEQUENCE built on it never goes back, even when a place is declined or an allocation is
    overridden back to the waitlist; a status rank would."""
    rows = db.session.execute(
        select(Application.offer_id, func.count(distinct(Application.id)) + func.count(ApplicationEvent.id),
               func.max(Application.updated_at))
        .outerjoin(ApplicationEvent, ApplicationEvent.application_id == Application.id)
        .where(Application.company_id == company_id).group_by(Application.offer_id))
    return {offer_id: (int(changes), _aware(last)) for offer_id, changes, last in rows}


def company_calendar(company: Company, *, site_url: str) -> tuple[CalendarInfo, dt.datetime]:
    """A company's shows (places held), application and confirmation deadlines and milestones.

    Returns the calendar and the last change of anything in it."""
    applications = db.session.scalars(
        select(Application).where(Application.company_id == company.id,
                                  Application.status.in_(HELD + PENDING))
        .order_by(Application.offer_id, Application.kind)).all()
    host = _host(site_url)
    prefix = f"c{company.id}"
    events: list[FeedEvent] = []
    by_offer: dict[int, list[Application]] = {}
    for application in applications:
        by_offer.setdefault(application.offer_id, []).append(application)
    # Withdrawn or declined applications leave the feed: their changes count as changes too.
    history = _application_history(company.id)
    last_change = _latest(company.updated_at, *(last for _, last in history.values()))
    for group in by_offer.values():
        offer = group[0].offer
        exhibition = offer.exhibition
        changes, applications_changed = history.get(offer.id, (0, None))
        # The company's name is in the descriptions.
        stamp = _latest(offer.updated_at, exhibition.updated_at, applications_changed, company.updated_at)
        last_change = _latest(last_change, stamp)
        show = show_title(exhibition.name, exhibition.edition_year)
        url = f"{site_url}/exhibitions/{exhibition.slug}"
        held = [a for a in group if a.status in HELD]
        pending = [a for a in group if a.status in PENDING]
        sequence = exhibition.sequence + offer.sequence + changes
        deadlines: list[FeedEvent] = []
        if held:
            base = show_event(exhibition, [str(s) for s in exhibition.sectors], site_url=site_url)
            places = ", ".join(f"{a.kind} place {a.status}" for a in held)
            events.append(FeedEvent(
                uid=f"{prefix}-exhibition-{exhibition.id}@{host}", summary=f"{base.summary}: {places}",
                start=base.start, end=base.end, stamp=stamp, sequence=sequence, location=base.location,
                categories=base.categories, description=f"{company.legal_name}: {places}.\n{base.description}",
                url=url, status=base.status))
            events.extend(offer_milestones(offer, prefix=prefix, site_url=site_url, stamp=stamp,
                                           include_window=False))
            for a in held:
                if a.status == ApplicationStatus.allocated and a.confirm_by is not None:
                    deadlines.append(_deadline(
                        f"{prefix}-application-{a.id}-confirm@{host}",
                        f"Confirm your {a.kind} place: {show}", a.confirm_by, offer.timezone, stamp,
                        sequence, f"Confirm or decline the {a.kind} place allocated to "
                                  f"{company.legal_name} at {show}, or it expires.", url))
        if pending and not held:
            kinds = " and ".join(str(a.kind) for a in pending)
            deadlines.append(_deadline(
                f"{prefix}-offer-{offer.id}-closes@{host}", f"Applications close: {show}",
                offer.closes_at, offer.timezone, stamp, sequence,
                f"{company.legal_name} applied for {kinds} places at {show}; applications close.", url))
        events.extend(_if_cancelled(deadlines, exhibition))
    events.sort(key=_event_order)
    name = f"{company.legal_name}: exhibitions and deadlines"
    description = (f"Shows where {company.legal_name} holds places, its application and confirmation "
                   "deadlines and milestones, from the Defence Export Exhibition Planner.")
    return CalendarInfo(name=name, description=description, events=events), last_change


def _pending_confirmations(programme_id: int) -> dict[int, tuple[dt.datetime, int, int, dt.datetime | None]]:
    """Per offer with allocated places awaiting confirmation: the last confirmation deadline,
    how many are pending, a change count that only grows (applications plus their recorded
    status changes), and the last change."""
    pending = {offer_id: (_aware(last), int(n)) for offer_id, last, n in db.session.execute(
        select(Application.offer_id, func.max(Application.confirm_by), func.count())
        .where(Application.programme_id == programme_id, Application.status == ApplicationStatus.allocated,
               Application.confirm_by.is_not(None))
        .group_by(Application.offer_id))}
    if not pending:
        return {}
    changes = {offer_id: (int(n), _aware(last)) for offer_id, n, last in db.session.execute(
        select(Application.offer_id, func.count(distinct(Application.id)) + func.count(ApplicationEvent.id),
               func.max(Application.updated_at))
        .outerjoin(ApplicationEvent, ApplicationEvent.application_id == Application.id)
        .where(Application.offer_id.in_(sorted(pending))).group_by(Application.offer_id))}
    return {offer_id: (due, n, *changes.get(offer_id, (0, None))) for offer_id, (due, n) in pending.items()}


def programme_calendar(programme: Programme, *, site_url: str) -> tuple[CalendarInfo, dt.datetime]:
    """Every window and milestone of a programme's offers (for coordinators), and, once places
    are allocated, the last day companies have to confirm them."""
    offers = db.session.scalars(select(Offer).where(Offer.programme_id == programme.id)
                                .order_by(Offer.id)).all()
    pending = _pending_confirmations(programme.id)
    host = _host(site_url)
    events: list[FeedEvent] = []
    last_change = programme.updated_at
    for offer in offers:
        stamp = _latest(offer.updated_at, offer.exhibition.updated_at)
        last_change = _latest(last_change, stamp)
        events.extend(offer_milestones(offer, prefix=f"p{programme.id}", site_url=site_url,
                                       stamp=stamp, include_window=True))
        if offer.id in pending:
            due, count, changes, changed_at = pending[offer.id]
            confirm_stamp = _latest(stamp, changed_at)
            last_change = _latest(last_change, confirm_stamp)
            show = show_title(offer.exhibition.name, offer.exhibition.edition_year)
            events.extend(_if_cancelled([_deadline(
                f"p{programme.id}-offer-{offer.id}-confirmations@{host}", f"Confirmations due: {show}",
                due, offer.timezone, confirm_stamp, offer.sequence + offer.exhibition.sequence + changes,
                f"{count} allocated place(s) at {show} await confirmation; unconfirmed places expire "
                f"and go to the waitlist.", f"{site_url}/backoffice/allocation/offers/{offer.id}")],
                offer.exhibition))
    events.sort(key=_event_order)
    return CalendarInfo(name=f"{programme.name}: deadlines and milestones",
                        description=f"Application windows and milestones of every offer in {programme.name}.",
                        events=events), last_change


def _event_order(event: FeedEvent) -> tuple[str, str]:
    start = event.start
    key = start.astimezone(dt.timezone.utc).isoformat() if isinstance(start, dt.datetime) else start.isoformat()
    return key, event.uid


def private_feed(token: FeedToken, *, site_url: str) -> CachedFeed | None:
    """The calendar behind a live token (its company's or its programme's)."""
    if token.company_id is not None:
        company = db.session.get(Company, token.company_id)
        if company is None:
            return None
        calendar, last = company_calendar(company, site_url=site_url)
    elif token.programme_id is not None:
        programme = db.session.get(Programme, token.programme_id)
        if programme is None:
            return None
        calendar, last = programme_calendar(programme, site_url=site_url)
    else:
        return None
    body = build_calendar(calendar)
    return CachedFeed(body, '"' + hashlib.sha256(body).hexdigest()[:40] + '"', last)  # small: no gzip


def list_programmes() -> Sequence[tuple[Programme, FeedToken | None]]:
    programmes = db.session.scalars(select(Programme).order_by(Programme.year.desc(), Programme.name)).all()
    return [(p, active_token(programme=p)) for p in programmes]
