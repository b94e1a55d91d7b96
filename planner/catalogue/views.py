"""Blueprint "catalogue": the public list, timeline and page of each exhibition."""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from babel.dates import format_skeleton
from flask import Blueprint, abort, render_template, request
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal, get_locale
from flask_login import current_user

from planner.catalogue import services
from planner.catalogue.pages import cached_page
from planner.catalogue.regions import REGION_LABELS, region_of
from planner.db import utcnow
from planner.i18n import _

bp = Blueprint("catalogue", __name__)


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
    hosts = services.host_country_codes()
    # The countries hosting a show first; a country asked for in the link stays offered.
    asked = (request.args.get("country") or "").upper()
    groups = services.market_groups(leading=hosts, kept=[asked] if services.is_known_country(asked) else [],
                                    exclude=services.NOT_SHOW_PLACES, defence_markets=False)
    return dict(countries=services.country_choices(), host_countries=hosts, country_groups=groups,
                regions=REGION_LABELS,
                status_labels=services.STATUS_LABELS, certainty_labels=services.CERTAINTY_LABELS)


@bp.route("/exhibitions")
@cached_page
def index() -> ResponseReturnValue:
    try:
        filters = services.parse_filters(request.args)
        page = services.search_exhibitions(filters, now=utcnow())
    except services.FilterError as exc:
        return render_template("catalogue/index.html", page=None, filters=None, error=str(exc),
                               error_param=exc.param, **_list_context()), exc.status_code
    except services.PageNotFound as exc:
        args = filters.to_args()
        return render_template("catalogue/index.html", page=None, filters=filters, error=str(exc),
                               error_param="page", first_page_args=args, **_list_context()), exc.status_code
    args = filters.to_args()
    return render_template("catalogue/index.html", page=page, filters=filters, args=args,
                           calendar_path=_calendar_path(args), error=None, **_list_context())


# Registered before /exhibitions/<slug> so "timeline" is never taken for a slug.
@bp.route("/exhibitions/timeline")
@cached_page
def timeline() -> ResponseReturnValue:
    """Twelve months from this one by default (`?start=YYYY-MM` moves the window a month or a
    year at a time); `?year=YYYY` is the calendar year."""
    now = utcnow()
    try:
        if request.args.get("year"):
            first = dt.date(services.parse_year(request.args.get("year"), default=now.year), 1, 1)
        else:
            first = services.parse_timeline_start(request.args.get("start"), today=now.date())
        filters = services.parse_filters(request.args)
    except services.FilterError as exc:
        return render_template("catalogue/timeline.html", timeline=None, error=str(exc), filters=None,
                               this_month=dt.date(now.year, now.month, 1), **_list_context()), exc.status_code
    data = services.timeline(first, filters, now=now)
    args = {k: v for k, v in filters.to_args().items() if k not in ("from", "to", "past")}
    return render_template("catalogue/timeline.html", timeline=data, filters=filters, args=args,
                           this_month=dt.date(now.year, now.month, 1), add_months=services.add_months,
                           calendar_path=_calendar_path(args), error=None, **_list_context())


def _viewer_size_class() -> str | None:
    # The signed-in company's size class, so the page says before it applies what it may do
    # (signed-in pages are never served from the page cache).
    company = getattr(current_user, "company", None) if current_user.is_authenticated else None
    return str(company.size_class) if company is not None and company.size_class else None


@bp.route("/exhibitions/<slug>")
@cached_page
def detail(slug: str) -> ResponseReturnValue:
    exhibition = services.get_exhibition(slug)
    if exhibition is None:
        abort(404, description=_("No exhibition has this address. It may have been renamed: "
                                 "search the catalogue instead."))
    now = utcnow()
    return render_template("catalogue/detail.html", exhibition=exhibition,
                           offers=services.offer_summaries(exhibition, now=now,
                                                           size_class=_viewer_size_class()),
                           seoul_offset=services.seoul_offset_hours_for(exhibition), now=now,
                           status_labels=services.STATUS_LABELS, certainty_labels=services.CERTAINTY_LABELS,
                           region=REGION_LABELS.get(region_of(exhibition.country_code) or ""))
