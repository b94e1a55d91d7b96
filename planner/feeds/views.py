"""Blueprint "feeds": public and private iCalendar feeds, and the pages to subscribe and rotate."""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

from flask import Blueprint, Response, abort, current_app, flash, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.http import http_date

from planner.accounts.models import Role
from planner.accounts.permissions import company_required, role_required
from planner.catalogue import services as catalogue
from planner.catalogue.models import Programme
from planner.db import utcnow
from planner.extensions import db
from planner.feeds import services
from planner.feeds.services import CachedFeed, FeedVersion
from planner.forms import CsrfForm
from planner.i18n import _
from planner.sessions import same_for_everyone

bp = Blueprint("feeds", __name__)

MAX_AGE = 300
CALENDAR_MIMETYPE = "text/calendar; charset=utf-8"


def _site_url() -> str:
    return current_app.config["SITE_URL"]


def _wants_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


def _gzip_etag(etag: str) -> str:
    # Each content coding is its own representation and needs its own strong validator.
    return etag[:-1] + '-gz"'


def _not_modified(version: FeedVersion, *, with_gzip: bool = False) -> bool:
    """RFC 9110: If-None-Match decides when present; otherwise If-Modified-Since."""
    if request.if_none_match:
        tags = [version.etag] + ([_gzip_etag(version.etag)] if with_gzip else [])
        return any(request.if_none_match.contains_weak(tag.strip('"')) for tag in tags)
    since = request.if_modified_since
    if since is not None and version.last_modified is not None:
        return version.last_modified.replace(microsecond=0) <= since
    return False


PUBLIC_HEADERS = (("Cache-Control", f"public, max-age={MAX_AGE}"), ("Access-Control-Allow-Origin", "*"),
                  ("Access-Control-Expose-Headers", "ETag, Last-Modified"), ("Vary", "Accept-Encoding"),
                  ("X-Content-Type-Options", "nosniff"))
PRIVATE_HEADERS = (("Cache-Control", f"private, max-age={MAX_AGE}"), ("X-Robots-Tag", "noindex, nofollow"),
                   ("Referrer-Policy", "no-referrer"), ("X-Content-Type-Options", "nosniff"))


@lru_cache(maxsize=64)
def _http_date(value: dt.datetime) -> str:
    return http_date(value.replace(microsecond=0))


def _calendar_response(feed: CachedFeed | None, version: FeedVersion, *, public: bool,
                       filename: str) -> Response:
    """A 200 with the feed (gzip-encoded when the client accepts it), or a 304 when feed is None."""
    use_gzip = public and _wants_gzip() and (feed is None or bool(feed.gzipped))
    # The headers go in as one list: polled feeds answer thousands of times a minute.
    headers = list(PUBLIC_HEADERS if public else PRIVATE_HEADERS)
    headers.append(("ETag", _gzip_etag(version.etag) if use_gzip else version.etag))
    if version.last_modified is not None:
        headers.append(("Last-Modified", _http_date(version.last_modified)))
    headers.append(("Content-Disposition", f'inline; filename="{filename}"'))
    if feed is None:
        return Response(status=304, headers=headers)
    if use_gzip:
        headers.append(("Content-Encoding", "gzip"))
    return Response(feed.gzipped if use_gzip else feed.body, headers=headers, content_type=CALENDAR_MIMETYPE)


@bp.after_request
def _cors_preflight(response: Response) -> Response:
    # Browsers ask before sending validators cross-origin; public feeds welcome them.
    if request.method == "OPTIONS" and request.endpoint in ("feeds.exhibitions_feed", "feeds.exhibition_feed"):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


def _private_response(feed: CachedFeed) -> Response:
    version = FeedVersion(feed.etag, feed.last_modified)
    return _calendar_response(None if _not_modified(version) else feed, version,
                              public=False, filename="calendar.ics")


@bp.route("/calendar/exhibitions.ics")
@same_for_everyone
def exhibitions_feed() -> ResponseReturnValue:
    now = utcnow()
    try:
        filters = services.parse_filters(request.args.items(multi=True), today=now.date())
    except catalogue.FilterError as exc:
        return Response(str(exc) + "\n", status=exc.status_code, mimetype="text/plain")
    # One primary-key lookup gives the ETag; a matching If-None-Match needs nothing more.
    max_age = current_app.config["FEEDS_VERSION_MAX_AGE"]
    version = services.exhibitions_version(filters, site_url=_site_url(), now=now, max_age=max_age)
    if request.if_none_match and _not_modified(version, with_gzip=True):
        return _calendar_response(None, version, public=True, filename="exhibitions.ics")
    feed = services.exhibitions_feed(filters, site_url=_site_url(), now=now, cache=services.feed_cache(),
                                     max_age=max_age)
    version = FeedVersion(feed.etag, feed.last_modified)
    if _not_modified(version, with_gzip=True):
        return _calendar_response(None, version, public=True, filename="exhibitions.ics")
    return _calendar_response(feed, version, public=True, filename="exhibitions.ics")


# The ".ics" suffix makes this rule more specific than catalogue.detail's /exhibitions/<slug>.
@bp.route("/exhibitions/<slug>.ics")
@same_for_everyone
def exhibition_feed(slug: str) -> ResponseReturnValue:
    exhibition = catalogue.get_exhibition(slug)
    if exhibition is None:
        abort(404)
    version = services.exhibition_version(exhibition, site_url=_site_url())
    if _not_modified(version, with_gzip=True):
        return _calendar_response(None, version, public=True, filename=f"{slug}.ics")
    feed = services.build_exhibition_feed(exhibition, site_url=_site_url())
    return _calendar_response(feed, version, public=True, filename=f"{slug}.ics")


@bp.route("/calendar/private/<token>.ics")
@same_for_everyone
def private_feed(token: str) -> ResponseReturnValue:
    row = services.resolve_token(token)
    feed = services.private_feed(row, site_url=_site_url()) if row is not None else None
    if feed is None:
        # The same 404 page as any unknown address: no hint whether the token ever existed.
        abort(404)
    return _private_response(feed)


def _feed_urls(token: str) -> dict[str, str]:
    https = url_for("feeds.private_feed", token=token, _external=True)
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1],
            "path": url_for("feeds.private_feed", token=token)}


@bp.route("/my/calendar")
@company_required
def company_feed() -> ResponseReturnValue:
    company = current_user.company
    token = services.active_token(company=company)
    return render_template("feeds/company_feed.html", company=company, token=token, form=CsrfForm(),
                           urls=None)


@bp.route("/my/calendar/rotate", methods=["POST"])
@company_required
def rotate_company_feed() -> ResponseReturnValue:
    form = CsrfForm()
    if not form.validate_on_submit():
        abort(400)
    company = current_user.company
    token = services.rotate_token(company=company, actor=current_user, now=utcnow())
    # The secret is shown once, on this response; only its hash is kept.
    return render_template("feeds/company_feed.html", company=company, token=services.active_token(company=company),
                           form=CsrfForm(), urls=_feed_urls(token), created=True)


@bp.route("/backoffice/feeds")
@role_required(Role.coordinator)
def programme_feeds() -> ResponseReturnValue:
    return render_template("feeds/programme_feeds.html", programmes=services.programmes_with_tokens(),
                           form=CsrfForm(), created=None, urls=None)


@bp.route("/backoffice/feeds/<int:programme_id>/rotate", methods=["POST"])
@role_required(Role.coordinator)
def rotate_programme_feed(programme_id: int) -> ResponseReturnValue:
    programme = db.get_or_404(Programme, programme_id)
    form = CsrfForm()
    if not form.validate_on_submit():
        abort(400)
    token = services.rotate_token(programme=programme, actor=current_user, now=utcnow())
    flash(_("A new feed address for %(name)s was created; the previous one no longer works.",
            name=programme.name), "success")
    return render_template("feeds/programme_feeds.html", programmes=services.programmes_with_tokens(),
                           form=CsrfForm(), created=programme, urls=_feed_urls(token))
