"""Blueprint "catalogue_api": the JSON API under /api/v1 and its OpenAPI description."""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, jsonify, render_template, request, url_for
from flask.typing import ResponseReturnValue

from planner.catalogue import services
from planner.catalogue.models import DateCertainty, Exhibition, ExhibitionStatus
from planner.catalogue.pages import cached_page
from planner.catalogue.regions import REGIONS, region_of
from planner.catalogue.services.filters import MAX_PAGE
from planner.db import utcnow
from planner.i18n import _, known_country_codes
from planner.vocab import Sector

bp = Blueprint("catalogue_api", __name__, url_prefix="/api/v1")


def _exhibition_json(exhibition: Exhibition, *, is_open: bool) -> dict[str, Any]:
    return {
        "slug": exhibition.slug,
        "name": exhibition.name,
        "name_ko": exhibition.name_ko,
        "acronym": exhibition.acronym,
        "edition_year": exhibition.edition_year,
        "starts_on": exhibition.starts_on.isoformat(),
        "ends_on": exhibition.ends_on.isoformat(),
        "date_certainty": exhibition.date_certainty.value,
        "city": exhibition.city,
        "city_ko": exhibition.city_ko,
        "country_code": exhibition.country_code,
        "region": region_of(exhibition.country_code),
        "venue": exhibition.venue,
        "timezone": exhibition.timezone,
        "organiser": exhibition.organiser,
        "website": _uri_or_none(exhibition.website),
        "sectors": [s.value for s in exhibition.sectors],
        "status": exhibition.status.value,
        "status_note": exhibition.status_note,
        "description": exhibition.description,
        "description_ko": exhibition.description_ko,
        "open_for_applications": is_open,
        "sequence": exhibition.sequence,
        "url": url_for("catalogue.detail", slug=exhibition.slug, _external=True),
        "api_url": url_for("catalogue_api.exhibition", slug=exhibition.slug, _external=True),
    }


# The months the filters take: years MIN_YEAR to MAX_YEAR (1990 to 2100), months 01 to 12.
MONTH_SCHEMA_PATTERN = r"^(199[0-9]|20[0-9]{2}|2100)-(0[1-9]|1[0-2])$"


def _uri_or_none(value: str | None) -> str | None:
    """The schema promises a URI: a stored address without a scheme ("www.show.com") gets
    https://, and one that is no URL at all (spaces, no host) is left out rather than sent."""
    if not value:
        return None
    text = value.strip()
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
    except ValueError:  # an unclosed IPv6 bracket
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or "." not in parts.hostname \
            or re.search(r"[\s\x00-\x1f\x7f<>\"{}|\\^`]", text):
        return None
    return text


def _error(status: int, message: str, param: str | None = None) -> ResponseReturnValue:
    names = {400: "Bad Request", 404: "Not Found"}
    body: dict[str, Any] = {"error": names.get(status, "Error"), "message": message, "status": status}
    if param:
        body["parameter"] = param
    return jsonify(body), status


@bp.route("/exhibitions")
@cached_page
def exhibitions() -> ResponseReturnValue:
    try:
        filters = services.parse_filters(request.args)
        page = services.search_exhibitions(filters, now=utcnow())
    except services.FilterError as exc:
        return _error(exc.status_code, str(exc), exc.param)
    except services.PageNotFound as exc:
        return _error(exc.status_code, str(exc), "page")
    args = filters.to_args()

    def link(number: int) -> str:
        return url_for("catalogue_api.exhibitions", _external=True, **args, page=number)

    links = {"self": link(page.number), "first": link(1), "last": link(page.pages),
             "next": link(page.number + 1) if page.number < page.pages else None,
             "prev": link(page.number - 1) if page.number > 1 else None}
    return jsonify(items=[_exhibition_json(e, is_open=e.id in page.open_ids) for e in page.items],
                   total=page.total, page=page.number, pages=page.pages, per_page=page.per_page,
                   links=links)


@bp.route("/exhibitions/<slug>")
@cached_page
def exhibition(slug: str) -> ResponseReturnValue:
    found = services.get_exhibition(slug)
    if found is None:
        return _error(404, _("No exhibition has the slug “%(slug)s”.", slug=slug[:120]))
    is_open = found.id in services.open_exhibition_ids([found.id], now=utcnow())
    return jsonify(_exhibition_json(found, is_open=is_open))


@bp.route("/openapi.json")
def openapi() -> ResponseReturnValue:
    return jsonify(openapi_document(request.host_url.rstrip("/") + "/api/v1"))


@bp.route("/")
def docs() -> ResponseReturnValue:
    spec = openapi_document("/api/v1")
    # Jinja reads `operation.get` as the dict's get method, so the page gets the parameters
    # ready: every operation's, in the document's order.
    parameters = {f"{method.upper()} {path}": list(operation.get("parameters", []))
                  for path, methods in spec["paths"].items() for method, operation in methods.items()}
    return render_template("catalogue/api_docs.html", spec=spec, parameters=parameters)


def openapi_document(server_url: str) -> dict[str, Any]:
    """The OpenAPI 3.1 description of the catalogue API (kept beside the code it describes)."""
    def query(name: str, description: str, schema: dict[str, Any], example: Any = None) -> dict[str, Any]:
        param: dict[str, Any] = {"name": name, "in": "query", "required": False,
                                 "description": description, "schema": schema}
        if example is not None:
            param["example"] = example
        return param

    error_ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Defence Export Exhibition Planner: catalogue API",
            "version": "1.0.0",
            "description": "Read-only access to the catalogue of foreign defence exhibitions. "
                           "Lists are ordered upcoming first (by start date), then past editions "
                           "(latest first) when they are included. No authentication.",
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/exhibitions": {
                "get": {
                    "operationId": "listExhibitions",
                    "summary": "Search the exhibitions",
                    "parameters": [
                        query("q", "Words searched in the name (English and Korean), acronym, city, "
                                   "description and country name (English or Korean). Every word must match.",
                              {"type": "string", "maxLength": services.MAX_QUERY_LENGTH}, "paris"),
                        query("country", "ISO 3166-1 alpha-2 country code.",
                              {"type": "string", "enum": [c for c in sorted(known_country_codes()) if services.is_known_country(c)]}, "FR"),
                        query("region", "Region (roughly a continent).", {"type": "string", "enum": list(REGIONS)}),
                        query("sector", "Sector.", {"type": "string", "enum": [s.value for s in Sector]}),
                        query("from", "First month (YYYY-MM): shows on during or after it.",
                              {"type": "string", "pattern": MONTH_SCHEMA_PATTERN}, "2027-01"),
                        query("to", "Last month (YYYY-MM): shows on during or before it. Not before "
                                    "`from` (400 otherwise).",
                              {"type": "string", "pattern": MONTH_SCHEMA_PATTERN}, "2027-12"),
                        query("open", "1: only exhibitions with an application window open now.",
                              {"type": "string", "enum": ["0", "1"]}),
                        query("past", "1: include editions that have ended (also implied by a "
                                      "`from` or `to` month in the past).", {"type": "string", "enum": ["0", "1"]}),
                        query("page", f"Page number, {services.PER_PAGE} items per page.",
                              {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}),
                    ],
                    "responses": {
                        "200": {"description": "One page of exhibitions.",
                                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ExhibitionPage"}}}},
                        "400": {"description": "A filter has a value that cannot be used; `parameter` names it.", **error_ref},
                        "404": {"description": "The page is past the last page.", **error_ref},
                    },
                },
            },
            "/exhibitions/{slug}": {
                "get": {
                    "operationId": "getExhibition",
                    "summary": "One exhibition",
                    "parameters": [{"name": "slug", "in": "path", "required": True,
                                    "schema": {"type": "string", "pattern": "^[a-z0-9]+(?:-[a-z0-9]+)*$"},
                                    "example": "eurosatory-2026"}],
                    "responses": {
                        "200": {"description": "The exhibition.",
                                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Exhibition"}}}},
                        "404": {"description": "No exhibition has this slug.", **error_ref},
                    },
                },
            },
        },
        "components": {
            "schemas": {
                "Exhibition": {
                    "type": "object",
                    "required": ["slug", "name", "edition_year", "starts_on", "ends_on", "date_certainty", "city",
                                 "country_code", "timezone", "sectors", "status", "open_for_applications", "url"],
                    "properties": {
                        "slug": {"type": "string"},
                        "name": {"type": "string"},
                        "name_ko": {"type": ["string", "null"]},
                        "acronym": {"type": ["string", "null"]},
                        "edition_year": {"type": "integer"},
                        "starts_on": {"type": "string", "format": "date", "description": "Local date at the venue."},
                        "ends_on": {"type": "string", "format": "date", "description": "Local date, inclusive."},
                        "date_certainty": {"type": "string", "enum": [c.value for c in DateCertainty],
                                           "description": "confirmed; month (only the month is announced); "
                                                          "projected (from the show's usual cycle)."},
                        "city": {"type": "string"},
                        "city_ko": {"type": ["string", "null"]},
                        "country_code": {"type": "string", "description": "ISO 3166-1 alpha-2."},
                        "region": {"type": ["string", "null"], "enum": [*REGIONS, None]},
                        "venue": {"type": ["string", "null"]},
                        "timezone": {"type": "string", "description": "IANA time zone of the venue."},
                        "organiser": {"type": ["string", "null"]},
                        "website": {"type": ["string", "null"], "format": "uri"},
                        "sectors": {"type": "array", "items": {"type": "string", "enum": [s.value for s in Sector]}},
                        "status": {"type": "string", "enum": [s.value for s in ExhibitionStatus]},
                        "status_note": {"type": ["string", "null"]},
                        "description": {"type": ["string", "null"]},
                        "description_ko": {"type": ["string", "null"]},
                        "open_for_applications": {"type": "boolean"},
                        "sequence": {"type": "integer", "description": "Raised whenever calendar-visible facts change."},
                        "url": {"type": "string", "format": "uri"},
                        "api_url": {"type": "string", "format": "uri"},
                    },
                },
                "ExhibitionPage": {
                    "type": "object",
                    "required": ["items", "total", "page", "pages", "per_page", "links"],
                    "properties": {
                        "items": {"type": "array", "items": {"$ref": "#/components/schemas/Exhibition"}},
                        "total": {"type": "integer", "description": "Exhibitions matching, on all pages."},
                        "page": {"type": "integer"},
                        "pages": {"type": "integer"},
                        "per_page": {"type": "integer"},
                        "links": {"type": "object", "properties": {
                            name: {"type": ["string", "null"], "format": "uri"}
                            for name in ("self", "first", "last", "next", "prev")}},
                    },
                },
                "Error": {
                    "type": "object",
                    "required": ["error", "message", "status"],
                    "properties": {
                        "error": {"type": "string"},
                        "message": {"type": "string"},
                        "status": {"type": "integer"},
                        "parameter": {"type": "string", "description": "The query parameter at fault."},
                    },
                },
            },
        },
    }
