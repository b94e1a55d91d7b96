"""Feed services, one module per capability:

- versions: the catalogue's data version (and the Session listeners keeping it), ETags, built feeds
- events: shows, offer windows and milestones as calendar events
- public: the public exhibition feeds, their filters, window and cache
- tokens: each person's private feed addresses (create, rotate, resolve, revoke, last fetched)
- private: the company and programme calendars behind a token, their window, bound and ETag
- reveals: a new address shown once after its POST, kept sealed on the server meanwhile
"""
from planner.feeds.services.events import (
    DEADLINE_LENGTH,
    FEED_LANGUAGES,
    SHOW_COLUMNS,
    ShowRow,
    deadline,
    event_order,
    exhibition_uid,
    host_of,
    if_cancelled,
    offer_milestones,
    show_event,
    show_name,
    show_title,
    words,
)
from planner.feeds.services.private import (
    PRIVATE_MAX_BYTES,
    PRIVATE_WINDOW_AFTER,
    PRIVATE_WINDOW_BEFORE,
    company_calendar,
    forget_private_versions,
    private_feed,
    private_version,
    programme_calendar,
    recent_version,
    remember_version,
)
from planner.feeds.services.public import (
    DEFAULT_WINDOW,
    MAX_FEED_BYTES,
    FeedFilters,
    build_exhibition_feed,
    build_exhibitions_feed,
    exhibition_feed,
    exhibition_version,
    exhibitions_feed,
    exhibitions_version,
    feed_cache,
    make_feed_cache,
    parse_filters,
    parse_lang,
)
from planner.feeds.services.reveals import REVEAL_FOR, stage_reveal, take_reveal
from planner.feeds.services.tokens import (
    FETCH_RECORD_INTERVAL,
    TOKEN_RE,
    CompanyAddresses,
    LiveToken,
    active_token,
    companies_with_addresses,
    hash_token,
    list_tokens,
    programmes_with_tokens,
    record_fetch,
    resolve_token,
    revoke_company_tokens,
    rotate_token,
)
from planner.feeds.services.versions import (
    FEED_FORMAT,
    CachedFeed,
    FeedVersion,
    aware,
    data_version,
    etag_of,
    forget_version,
    latest,
    register_listeners,
)

__all__ = [
    "FEED_FORMAT", "FeedVersion", "CachedFeed", "register_listeners", "data_version", "etag_of", "aware",
    "latest", "forget_version", "DEADLINE_LENGTH", "ShowRow", "SHOW_COLUMNS", "host_of", "exhibition_uid",
    "show_title", "show_event", "deadline", "if_cancelled", "offer_milestones", "event_order",
    "DEFAULT_WINDOW", "MAX_FEED_BYTES", "FeedFilters", "parse_filters", "exhibitions_version",
    "build_exhibitions_feed", "exhibitions_feed", "exhibition_version", "build_exhibition_feed",
    "make_feed_cache", "feed_cache", "TOKEN_RE", "hash_token", "active_token", "rotate_token",
    "resolve_token", "programmes_with_tokens", "company_calendar", "programme_calendar", "private_feed",
    "FEED_LANGUAGES", "show_name", "words", "PRIVATE_MAX_BYTES", "PRIVATE_WINDOW_AFTER", "PRIVATE_WINDOW_BEFORE",
    "forget_private_versions", "private_version", "recent_version", "remember_version", "exhibition_feed",
    "parse_lang", "FETCH_RECORD_INTERVAL", "CompanyAddresses", "LiveToken", "companies_with_addresses",
    "list_tokens", "record_fetch", "revoke_company_tokens", "REVEAL_FOR", "stage_reveal", "take_reveal",
]
