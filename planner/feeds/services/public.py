"""Public exhibition feeds: the catalogue's filter plus a feed's window, the feed of every
matching show (cached by ETag, shared through Redis when configured) and one show's feed."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import Select, select

from planner.cache import Cache
from planner.catalogue import services as catalogue
from planner.catalogue.models import Exhibition, ExhibitionSector
from planner.extensions import db, redis_client
from planner.feeds.ical import CalendarInfo, build_calendar, render_within
from planner.feeds.services.events import SHOW_COLUMNS, ShowRow, show_event
from planner.feeds.services.versions import FEED_FORMAT, CachedFeed, FeedVersion, data_version, etag_of, latest

if TYPE_CHECKING:
    from redis import Redis

__all__ = ["DEFAULT_WINDOW", "MAX_FEED_BYTES", "FeedFilters", "parse_filters", "exhibitions_version",
           "build_exhibitions_feed", "exhibitions_feed", "exhibition_version", "build_exhibition_feed",
           "make_feed_cache", "feed_cache"]

# The default public feed starts a year back: clients see last year's editions, and the feed of
# thousands of shows stays well under the 1 MB that calendar services accept.
DEFAULT_WINDOW = dt.timedelta(days=365)
# Calendar services refuse bigger feeds; feeds without an explicit end stop at a date before it.
MAX_FEED_BYTES = 950_000
FEED_CACHE_SIZE = 32
_EXTENSION = "feeds_cache"


# --- filters ------------------------------------------------------------------------------------

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
    """Read a feed's query parameters: the listing's filters and rules, unknown names refused
    (catalogue.FilterError).

    Without `from` or `past`, the feed starts with shows that ended a year ago; without `to` or
    `past`, it is cut at a date boundary to stay under MAX_FEED_BYTES."""
    return _parse_filters(tuple(pairs), today)


@lru_cache(maxsize=256)
def _parse_filters(pairs: tuple[tuple[str, str], ...], today: dt.date) -> FeedFilters:
    # Subscribers poll the same few addresses all day; parse each once (errors are not cached).
    listing = catalogue.parse_filter_pairs(pairs)
    if listing.include_past or listing.month_from is not None:
        ends_from = listing.month_from if not listing.include_past else None
    else:
        ends_from = today - DEFAULT_WINDOW
    budgeted = not listing.include_past and listing.month_to is None
    return FeedFilters(listing=listing, ends_from=ends_from, budgeted=budgeted)


def _where(stmt: Select, filters: FeedFilters, *, now: dt.datetime) -> Select:
    # The feed's window replaces the listing's "from" month and its "upcoming only".
    if filters.ends_from is not None:
        stmt = stmt.where(Exhibition.ends_on >= filters.ends_from)
    return stmt.where(*catalogue.filter_clauses(replace(filters.listing, month_from=None), now=now))


# --- versions and the cache ---------------------------------------------------------------------

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
        changed_at = latest(changed_at, now.replace(second=0, microsecond=0))
    return FeedVersion(etag_of(FEED_FORMAT, site_url, filters.key, version, moment), changed_at)


def _encode(feed: CachedFeed) -> bytes:
    stamp = feed.last_modified.isoformat() if feed.last_modified else ""
    return f"{stamp}|{len(feed.body)}\n".encode() + feed.body + feed.gzipped


def _decode(key: str, raw: bytes) -> CachedFeed:
    header, _, rest = raw.partition(b"\n")
    stamp, _, size = header.decode().partition("|")
    return CachedFeed(rest[:int(size)], f'"{key}"', dt.datetime.fromisoformat(stamp) if stamp else None,
                      rest[int(size):])


def make_feed_cache(*, redis: Redis | None, prefix: str) -> Cache[CachedFeed]:
    """Built feeds by ETag (without its quotes): entries are keyed by the filters and the data
    version, so a change in the data simply misses the cache; stale entries age out."""
    return Cache(size=FEED_CACHE_SIZE, redis=redis, prefix=prefix, encode=_encode, decode=_decode)


def feed_cache() -> Cache[CachedFeed]:
    """The app's feed cache, shared through the app's Redis client when REDIS_URL is set."""
    cache: Cache[CachedFeed] | None = current_app.extensions.get(_EXTENSION)
    if cache is None:
        cache = current_app.extensions.setdefault(_EXTENSION, make_feed_cache(
            redis=redis_client(), prefix=current_app.config["FEEDS_CACHE_PREFIX"]))
    return cache


# --- building -----------------------------------------------------------------------------------

def _show_rows(stmt: Select) -> tuple[list[ShowRow], dict[int, list[str]]]:
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
    rows, sectors = _show_rows(_where(select(*SHOW_COLUMNS), filters, now=now))
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
                     cache: Cache[CachedFeed], max_age: float = 0.0) -> CachedFeed:
    """The filtered feed from the cache, built on a miss (the ETag is the cache key)."""
    version = exhibitions_version(filters, site_url=site_url, now=now, max_age=max_age)
    key = version.etag.strip('"')
    cached = cache.get(key)
    if cached is not None:
        return cached
    built = build_exhibitions_feed(filters, site_url=site_url, now=now).compressed()
    cache.put(key, built)
    return built


def exhibition_version(exhibition: Exhibition, *, site_url: str) -> FeedVersion:
    return FeedVersion(etag_of(FEED_FORMAT, site_url, "exhibition", exhibition.id, exhibition.updated_at,
                               exhibition.sequence, ",".join(exhibition.sectors)), exhibition.updated_at)


def build_exhibition_feed(exhibition: Exhibition, *, site_url: str) -> CachedFeed:
    """The calendar of one exhibition (the same event as in the public feed)."""
    event = show_event(exhibition, [str(s) for s in exhibition.sectors], site_url=site_url)
    version = exhibition_version(exhibition, site_url=site_url)
    body = build_calendar(CalendarInfo(
        name=event.summary, description=f"{event.summary}: {site_url}/exhibitions/{exhibition.slug}",
        events=[event]))
    return CachedFeed(body, version.etag, version.last_modified).compressed()
