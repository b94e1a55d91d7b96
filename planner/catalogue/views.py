"""Blueprint "catalogue": the public list, timeline and page of each exhibition."""
from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode

from babel.dates import format_skeleton

from flask import (Blueprint, Response, abort, current_app, has_app_context, make_response, render_template,
                   request, session)
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal, get_locale, gettext as _
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session

from planner.catalogue import services
from planner.catalogue.regions import REGION_LABELS, region_of
from planner.db import utcnow

bp = Blueprint("catalogue", __name__)
PAGE_CACHE_SIZE = 256


@dataclass(frozen=True)
class _CachedPage:
    body: bytes
    mimetype: str


class PageCache:
    """Public catalogue pages as rendered, per worker process, keyed by the catalogue's version.

    Rendering twenty exhibitions with localised dates costs far more than the one query that
    tells whether anything changed, so anonymous visitors get the stored page until it does.
    The version itself is rechecked at most every VERSION_TTL seconds, and at once after any
    commit in this process; so another worker's edit shows here within a second.
    """

    VERSION_TTL = 1.0

    def __init__(self, size: int = PAGE_CACHE_SIZE) -> None:
        self.size = size
        self._pages: OrderedDict[tuple[str, ...], _CachedPage] = OrderedDict()
        self._lock = threading.Lock()
        self._version: str | None = None
        self._version_checked = 0.0

    def version(self) -> str:
        with self._lock:
            if self._version is not None and time.monotonic() - self._version_checked < self.VERSION_TTL:
                return self._version
        version = services.catalogue_version(now=utcnow())
        with self._lock:
            self._version, self._version_checked = version, time.monotonic()
        return version

    def forget_version(self) -> None:
        with self._lock:
            self._version = None

    def get(self, key: tuple[str, ...]) -> _CachedPage | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: tuple[str, ...], page: _CachedPage) -> None:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)


def _page_cache() -> PageCache:
    return current_app.extensions.setdefault("catalogue_page_cache", PageCache())


@event.listens_for(Session, "after_commit")
def _forget_version_after_commit(_session: Session) -> None:
    # A commit here may have changed the catalogue; don't wait for the TTL to see it.
    if has_app_context():
        cache = current_app.extensions.get("catalogue_page_cache")
        if cache is not None:
            cache.forget_version()


def _cacheable() -> bool:
    # Signed-in pages carry the user's menu and CSRF token; flashed messages are one-off.
    return (request.method == "GET" and current_app.config.get("CATALOGUE_PAGE_CACHE", True)
            and not current_user.is_authenticated and "_flashes" not in session)


def cached_page(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    """Serve a public page from the PageCache while the catalogue version is unchanged."""
    @wraps(view)
    def wrapper(*args: object, **kwargs: object) -> ResponseReturnValue:
        if not _cacheable():
            return view(*args, **kwargs)
        cache = _page_cache()
        key = (request.endpoint or "", request.host_url, request.full_path, str(get_locale() or "en"),
               cache.version())
        page = cache.get(key)
        if page is not None:
            response = Response(page.body, mimetype=page.mimetype)
            response.headers["X-Page-Cache"] = "hit"
        else:
            response = make_response(view(*args, **kwargs))
            if response.status_code == 200 and "Set-Cookie" not in response.headers and not session.modified:
                cache.put(key, _CachedPage(response.get_data(), response.mimetype or "text/html"))
            response.headers["X-Page-Cache"] = "miss"
        response.vary.update(("Cookie", "Accept-Language"))
        return response
    return wrapper


def format_month(value: dt.date) -> str:
    """A month and year in the visitor's language ("June 2027", "2027년 6월")."""
    return format_skeleton("yMMMM", value, locale=str(get_locale() or "en"))


def format_month_short(value: dt.date) -> str:
    return format_skeleton("MMM", value, locale=str(get_locale() or "en"))


def offset_text(hours: float | None) -> str:
    if hours is None:
        return ""
    if hours == 0:
        return _("Same time as Seoul")
    amount = format_decimal(abs(hours), "#,##0.##")
    if hours > 0:
        return _("%(hours)s h ahead of Seoul", hours=amount)
    return _("%(hours)s h behind Seoul", hours=amount)


@bp.record_once
def _register_helpers(state: BlueprintSetupState) -> None:
    # Globals rather than a context processor: macros imported by templates see only globals.
    state.app.jinja_env.globals.update(format_month=format_month, format_month_short=format_month_short,
                                       offset_text=offset_text, exhibition_status_labels=services.STATUS_LABELS,
                                       catalogue_max_query_length=services.MAX_QUERY_LENGTH)


def _calendar_path(args: dict[str, str]) -> str:
    query = {k: v for k, v in args.items() if k != "past"}
    return "/calendar/exhibitions.ics" + (f"?{urlencode(query)}" if query else "")


def _list_context() -> dict[str, object]:
    return dict(countries=services.country_choices(), regions=REGION_LABELS,
                status_labels=services.STATUS_LABELS, certainty_labels=services.CERTAINTY_LABELS)


@bp.route("/exhibitions")
@cached_page
def index() -> ResponseReturnValue:
    try:
        filters = services.parse_filters(request.args)
        page = services.search_exhibitions(filters, now=utcnow())
    except services.FilterError as exc:
        return render_template("catalogue/index.html", page=None, filters=None, error=str(exc),
                               error_param=exc.param, **_list_context()), 400
    except services.PageNotFound as exc:
        args = filters.to_args()
        return render_template("catalogue/index.html", page=None, filters=filters, error=str(exc),
                               error_param="page", first_page_args=args, **_list_context()), 404
    args = filters.to_args()
    return render_template("catalogue/index.html", page=page, filters=filters, args=args,
                           calendar_path=_calendar_path(args), error=None, **_list_context())


# Registered before /exhibitions/<slug> so "timeline" is never taken for a slug.
@bp.route("/exhibitions/timeline")
@cached_page
def timeline() -> ResponseReturnValue:
    now = utcnow()
    try:
        year = services.parse_year(request.args.get("year"), default=now.date().year)
        filters = services.parse_filters(request.args)
    except services.FilterError as exc:
        return render_template("catalogue/timeline.html", timeline=None, error=str(exc), year=now.year,
                               filters=None, **_list_context()), 400
    data = services.timeline(year, filters, now=now)
    args = {k: v for k, v in filters.to_args().items() if k not in ("from", "to", "past")}
    return render_template("catalogue/timeline.html", timeline=data, year=year, filters=filters, args=args,
                           calendar_path=_calendar_path(args), error=None, **_list_context())


@bp.route("/exhibitions/<slug>")
@cached_page
def detail(slug: str) -> ResponseReturnValue:
    exhibition = services.get_exhibition(slug)
    if exhibition is None:
        abort(404, description=_("No exhibition has this address. It may have been renamed: "
                                 "search the catalogue instead."))
    now = utcnow()
    return render_template("catalogue/detail.html", exhibition=exhibition,
                           offers=services.offer_summaries(exhibition, now=now),
                           seoul_offset=services.seoul_offset_hours_for(exhibition), now=now,
                           status_labels=services.STATUS_LABELS, certainty_labels=services.CERTAINTY_LABELS,
                           region=REGION_LABELS.get(region_of(exhibition.country_code) or ""))
