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
from planner.feeds.services.events import FEED_LANGUAGES, SHOW_COLUMNS, ShowRow, show_event, show_name, words
from planner.feeds.services.versions import FEED_FORMAT, CachedFeed, FeedVersion, data_version, etag_of, latest
from planner.i18n import N_, _

if TYPE_CHECKING:
    from redis import Redis

__all__ = ["DEFAULT_WINDOW", "MAX_FEED_BYTES", "FeedFilters", "parse_filters", "exhibitions_version",
           "build_exhibitions_feed", "exhibitions_feed", "exhibition_version", "build_exhibition_feed",
           "exhibition_feed", "parse_lang",
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
    lang: str = "en"

    @cached_property
    def key(self) -> str:
        args = sorted(self.listing.to_args().items())
        return f"{args!r}|{self.ends_from}|{self.budgeted}|{self.lang}"


def parse_filters(pairs: Iterable[tuple[str, str]], *, today: dt.date) -> FeedFilters:
    """Read a feed's query parameters: the listing's filters and rules, unknown names refused
    (catalogue.FilterError).

    Without `from` or `past`, the feed starts with shows that ended a year ago; without `to` or
    `past`, it is cut at a date boundary to stay under MAX_FEED_BYTES. `lang` (en or ko) picks
    the feed's language."""
    return _parse_filters(tuple(pairs), today)


def parse_lang(values: Iterable[str]) -> str:
    """The feed language asked for by `lang` parameters (English when none); another value, or
    two different ones, is refused like any bad filter (catalogue.FilterError)."""
    chosen = set(values)
    if not chosen:
        return "en"
    if len(chosen) > 1 or not chosen <= set(FEED_LANGUAGES):
        raise catalogue.FilterError("lang", _("Unknown language “%(value)s”: use lang=en or lang=ko.",
                                              value=sorted(chosen)[0][:20]))
    return chosen.pop()


@lru_cache(maxsize=256)
def _parse_filters(pairs: tuple[tuple[str, str], ...], today: dt.date) -> FeedFilters:
    # Subscribers poll the same few addresses all day; parse each once (errors are not cached).
    lang = parse_lang(value for name, value in pairs if name == "lang")
    listing = catalogue.parse_filter_pairs(pair for pair in pairs if pair[0] != "lang")
    if listing.include_past or listing.month_from is not None:
        ends_from = listing.month_from if not listing.include_past else None
    else:
        ends_from = today - DEFAULT_WINDOW
    budgeted = not listing.include_past and listing.month_to is None
    return FeedFilters(listing=listing, ends_from=ends_from, budgeted=budgeted, lang=lang)


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


def build_exhibitions_feed(filters: FeedFilters, *, site_url: str, now: dt.datetime) -> CachedFeed:
    """The public calendar of the filtered exhibitions in the filters' language, with its ETag
    and Last-Modified."""
    lang = filters.lang
    version = exhibitions_version(filters, site_url=site_url, now=now)
    rows, sectors = _show_rows(_where(select(*SHOW_COLUMNS), filters, now=now))
    budget = MAX_FEED_BYTES - 8_000 if filters.budgeted else None
    events, blocks, first_out = render_within(
        (show_event(r, sectors.get(r.id, ()), site_url=site_url, lang=lang) for r in rows), budget)
    rows = rows[:len(events)]
    description = words(lang, N_("Foreign defence and security exhibitions from the Defence Export Exhibition "
                                 "Planner: dates, venues and sectors. %(url)s")) % {"url": f"{site_url}/exhibitions"}
    if first_out is not None:
        description += " " + words(lang, N_("This feed lists shows starting before %(date)s; add from=%(month)s "
                                            "to the address for later ones.")) % {
            "date": first_out.isoformat(), "month": f"{first_out:%Y-%m}"}
    title = words(lang, N_("Foreign defence exhibitions"))
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


def exhibition_version(slug: str, *, site_url: str, lang: str, max_age: float = 0.0) -> FeedVersion:
    """The ETag of one show's feed without reading the show: its address, language and the
    catalogue's data version (which moves with any change to the show or its sectors)."""
    version, changed_at = data_version(max_age=max_age)
    return FeedVersion(etag_of(FEED_FORMAT, site_url, "exhibition", slug, lang, version), changed_at)


def build_exhibition_feed(exhibition: Exhibition, *, site_url: str, lang: str = "en",
                          version: FeedVersion | None = None) -> CachedFeed:
    """The calendar of one exhibition (the same event as in the public feed)."""
    event = show_event(exhibition, [str(s) for s in exhibition.sectors], site_url=site_url, lang=lang)
    version = version or exhibition_version(exhibition.slug, site_url=site_url, lang=lang)
    body = build_calendar(CalendarInfo(
        name=show_name(exhibition, lang), description=f"{event.summary}: {event.url}", events=[event]))
    return CachedFeed(body, version.etag, version.last_modified).compressed()


def exhibition_feed(slug: str, version: FeedVersion, *, site_url: str, lang: str,
                    cache: Cache[CachedFeed]) -> CachedFeed | None:
    """One show's feed from the cache by ETag, built from its row on a miss; None if no show
    has this address."""
    key = version.etag.strip('"')
    cached = cache.get(key)
    if cached is not None:
        return cached
    exhibition = catalogue.get_exhibition(slug)
    if exhibition is None:
        return None
    built = build_exhibition_feed(exhibition, site_url=site_url, lang=lang, version=version)
    cache.put(key, built)
    return built
