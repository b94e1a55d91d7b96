"""Public catalogue pages as rendered, reused while the catalogue's version stays the same.

Rendering twenty exhibitions with localised dates costs far more than the one query that
tells whether anything changed, so anonymous visitors get the stored page until it does. The
version itself is rechecked at most every VERSION_TTL seconds, and at once after any commit in
this process; so another worker's edit shows here within a second.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import Response, current_app, has_app_context, make_response, request, session
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session

from planner.cache import Cache, VersionMemo
from planner.catalogue import services
from planner.db import utcnow
from planner.extensions import db

PAGE_CACHE_SIZE = 256
VERSION_TTL = 1.0
_EXTENSION = "catalogue_page_cache"


@dataclass(frozen=True)
class CachedPage:
    body: bytes
    mimetype: str


@dataclass
class PageCache:
    """One app's rendered pages and the catalogue version they were rendered for."""

    pages: Cache[CachedPage]
    version: VersionMemo[str]


def page_cache() -> PageCache:
    cache: PageCache | None = current_app.extensions.get(_EXTENSION)
    if cache is None:
        cache = current_app.extensions.setdefault(_EXTENSION, PageCache(Cache(size=PAGE_CACHE_SIZE), VersionMemo()))
    return cache


def _forget_version_after_commit(_session: Session) -> None:
    # A commit here may have changed the catalogue; don't wait for the TTL to see it.
    if has_app_context():
        cache = current_app.extensions.get(_EXTENSION)
        if cache is not None:
            cache.version.forget()


def register_listeners() -> None:
    """Listen to commits on SQLAlchemy's Session (create_app calls this; once is enough)."""
    if not event.contains(Session, "after_commit", _forget_version_after_commit):
        event.listen(Session, "after_commit", _forget_version_after_commit)


def _cacheable() -> bool:
    # Signed-in pages carry the user's menu and CSRF token; flashed messages are one-off.
    return (request.method == "GET" and current_app.config["CATALOGUE_PAGE_CACHE"]
            and not current_user.is_authenticated and "_flashes" not in session)


def cached_page(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    """Serve a public page from the page cache while the catalogue version is unchanged."""
    @wraps(view)
    def wrapper(*args: object, **kwargs: object) -> ResponseReturnValue:
        if not _cacheable():
            return view(*args, **kwargs)
        cache = page_cache()
        version = cache.version.read(str(db.engine.url), VERSION_TTL,
                                     lambda: services.catalogue_version(now=utcnow()))
        key = "\x1f".join((request.endpoint or "", request.host_url, request.full_path,
                           str(get_locale() or "en"), version))
        page = cache.pages.get(key)
        if page is not None:
            response = Response(page.body, mimetype=page.mimetype)
            response.headers["X-Page-Cache"] = "hit"
        else:
            response = make_response(view(*args, **kwargs))
            if response.status_code == 200 and "Set-Cookie" not in response.headers and not session.modified:
                cache.pages.put(key, CachedPage(response.get_data(), response.mimetype or "text/html"))
            response.headers["X-Page-Cache"] = "miss"
        response.vary.update(("Cookie", "Accept-Language"))
        return response
    return wrapper
