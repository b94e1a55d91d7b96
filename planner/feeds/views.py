"""Blueprint "feeds": public and private iCalendar feeds, and the pages to subscribe and rotate."""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.http import http_date

from planner.accounts.models import Company, Role
from planner.accounts.permissions import company_required, role_required
from planner.catalogue import services as catalogue
from planner.catalogue.models import Programme
from planner.db import utcnow
from planner.extensions import db
from planner.feeds import services
from planner.feeds.services import CachedFeed, FeedVersion
from planner.forms import CsrfForm
from planner.i18n import _, localized, ngettext_
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
                   ("Vary", "Accept-Encoding"),
                   ("Referrer-Policy", "no-referrer"), ("X-Content-Type-Options", "nosniff"))


@lru_cache(maxsize=64)
def _http_date(value: dt.datetime) -> str:
    return http_date(value.replace(microsecond=0))


def _calendar_response(feed: CachedFeed | None, version: FeedVersion, *, public: bool,
                       filename: str) -> Response:
    """A 200 with the feed (gzip-encoded when the client accepts it), or a 304 when feed is None."""
    use_gzip = _wants_gzip() and (feed is None or bool(feed.gzipped))
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
    try:
        lang = services.parse_lang(request.args.getlist("lang"))
    except catalogue.FilterError as exc:
        return Response(str(exc) + "\n", status=exc.status_code, mimetype="text/plain")
    filename = f"{slug}.ics"
    # The data version gives the ETag: a matching If-None-Match reads no show at all.
    version = services.exhibition_version(slug, site_url=_site_url(), lang=lang,
                                          max_age=current_app.config["FEEDS_VERSION_MAX_AGE"])
    if request.if_none_match and _not_modified(version, with_gzip=True):
        return _calendar_response(None, version, public=True, filename=filename)
    feed = services.exhibition_feed(slug, version, site_url=_site_url(), lang=lang, cache=services.feed_cache())
    if feed is None:
        abort(404)
    if _not_modified(version, with_gzip=True):
        return _calendar_response(None, version, public=True, filename=filename)
    return _calendar_response(feed, version, public=True, filename=filename)


@bp.route("/calendar/private/<token>.ics")
@same_for_everyone
def private_feed(token: str) -> ResponseReturnValue:
    now = utcnow()
    max_age = current_app.config["FEEDS_VERSION_MAX_AGE"]
    key = services.hash_token(token)
    if request.if_none_match:
        recent = services.recent_version(key, max_age)
        if recent is not None and _not_modified(recent, with_gzip=True):
            return _calendar_response(None, recent, public=False, filename="calendar.ics")
    row = services.resolve_token(token)
    if row is None:
        # The same 404 page as any unknown address: no hint whether the token ever existed.
        abort(404)
    services.record_fetch(row, now=now)
    version = services.private_version(row, site_url=_site_url(), today=now.date(), max_age=max_age)
    services.remember_version(key, version)
    if _not_modified(version, with_gzip=True):
        return _calendar_response(None, version, public=False, filename="calendar.ics")
    feed = services.private_feed(row, version, site_url=_site_url(), today=now.date(), cache=services.feed_cache())
    if feed is None:
        abort(404)
    return _calendar_response(feed, version, public=False, filename="calendar.ics")


# The new address is shown once, on the page the POST redirects to. It waits on the server
# (services.reveals); the session carries only a handle to it, never the token (the cookie is
# signed, not encrypted), nor does a URL or a log line. Taking it removes it: a reload shows it
# no more.
_NEW_ADDRESS = "feeds_new_address"


def _feed_urls(token: str) -> dict[str, str]:
    https = url_for("feeds.private_feed", token=token, _external=True)
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1],
            "path": url_for("feeds.private_feed", token=token)}


def _show_once(token: str, programme_id: int | None = None) -> None:
    session[_NEW_ADDRESS] = services.stage_reveal(user=current_user, token=token, programme_id=programme_id,
                                                  now=utcnow())


def _new_address() -> tuple[dict[str, str] | None, int | None]:
    handle = session.pop(_NEW_ADDRESS, None)
    shown = services.take_reveal(user=current_user, handle=handle, now=utcnow()) if handle else None
    if shown is None:
        return None, None
    token, programme_id = shown
    return _feed_urls(token), programme_id


@bp.route("/my/calendar")
@company_required
def company_feed() -> ResponseReturnValue:
    company = current_user.company
    urls, _programme = _new_address()
    token = services.active_token(user=current_user, company=company)
    return render_template("feeds/company_feed.html", company=company, token=token, form=CsrfForm(), urls=urls)


@bp.route("/my/calendar/rotate", methods=["POST"])
@company_required
def rotate_company_feed() -> ResponseReturnValue:
    form = CsrfForm()
    if not form.validate_on_submit():
        abort(400)
    token = services.rotate_token(company=current_user.company, actor=current_user, now=utcnow())
    services.forget_private_versions()
    _show_once(token)
    return redirect(url_for("feeds.company_feed"), code=303)


@bp.route("/backoffice/feeds")
@role_required(Role.coordinator)
def programme_feeds() -> ResponseReturnValue:
    urls, programme_id = _new_address()
    created = db.session.get(Programme, programme_id) if urls and programme_id else None
    return render_template("feeds/programme_feeds.html", programmes=services.programmes_with_tokens(current_user),
                           form=CsrfForm(), created=created, urls=urls if created else None)


@bp.route("/backoffice/feeds/<int:programme_id>/rotate", methods=["POST"])
@role_required(Role.coordinator)
def rotate_programme_feed(programme_id: int) -> ResponseReturnValue:
    programme = db.get_or_404(Programme, programme_id)
    form = CsrfForm()
    if not form.validate_on_submit():
        abort(400)
    token = services.rotate_token(programme=programme, actor=current_user, now=utcnow())
    services.forget_private_versions()
    flash(_("A new feed address for %(name)s was created; your previous one no longer works.",
            name=localized(programme, "name")), "success")
    _show_once(token, programme.id)
    return redirect(url_for("feeds.programme_feeds"), code=303)


@bp.route("/backoffice/feeds/companies")
@role_required(Role.admin)
def company_addresses() -> ResponseReturnValue:
    return render_template("feeds/company_addresses.html", companies=services.companies_with_addresses(),
                           form=CsrfForm())


@bp.route("/backoffice/feeds/companies/<int:company_id>/revoke", methods=["POST"])
@role_required(Role.admin)
def revoke_company_addresses(company_id: int) -> ResponseReturnValue:
    company = db.get_or_404(Company, company_id)
    form = CsrfForm()
    if not form.validate_on_submit():
        abort(400)
    count = services.revoke_company_tokens(company, actor=current_user, now=utcnow())
    services.forget_private_versions()
    flash(ngettext_("%(num)d feed address of %(company)s was revoked.",
                    "%(num)d feed addresses of %(company)s were revoked.", count,
                    company=company.legal_name), "success")
    return redirect(url_for("feeds.company_addresses"), code=303)
