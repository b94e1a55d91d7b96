"""The JSON API: list with filters and pagination, one exhibition, OpenAPI, errors as JSON."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import make_exhibition, make_offer

TODAY = dt.date.today()


def upcoming(days: int = 60, **overrides):
    start = TODAY + dt.timedelta(days=days)
    return make_exhibition(starts_on=start, ends_on=start + dt.timedelta(days=3), edition_year=start.year,
                           **overrides)


def test_list_returns_items_total_pages_and_links(client, db):
    for n in range(23):
        upcoming(days=10 + n, slug=f"show-{n:02d}", sectors=["air"])
    db.session.commit()
    body = client.get("/api/v1/exhibitions?sector=air").get_json()
    assert body["total"] == 23 and body["pages"] == 2 and body["page"] == 1
    assert len(body["items"]) == 20
    assert body["items"][0]["slug"] == "show-00"
    assert body["links"]["next"].endswith("/api/v1/exhibitions?sector=air&page=2")
    assert body["links"]["prev"] is None
    second = client.get("/api/v1/exhibitions?sector=air&page=2").get_json()
    assert [i["slug"] for i in second["items"]] == ["show-20", "show-21", "show-22"]


def test_item_carries_the_documented_fields(client, db):
    show = upcoming(slug="idex-2027", name="IDEX", country_code="AE", timezone="Asia/Dubai", sectors=["land", "air"])
    make_offer(exhibition=show)
    db.session.commit()
    item = client.get("/api/v1/exhibitions/idex-2027").get_json()
    assert item["name"] == "IDEX" and item["region"] == "middle-east"
    assert item["sectors"] == ["air", "land"]
    assert item["open_for_applications"] is True
    assert item["url"].endswith("/exhibitions/idex-2027")
    spec = client.get("/api/v1/openapi.json").get_json()
    documented = set(spec["components"]["schemas"]["Exhibition"]["properties"])
    assert set(item) == documented


def test_region_filter_uses_continents(client, db):
    upcoming(slug="paris", country_code="FR")
    upcoming(slug="santiago", country_code="CL", timezone="America/Santiago")
    db.session.commit()
    body = client.get("/api/v1/exhibitions?region=americas").get_json()
    assert [i["slug"] for i in body["items"]] == ["santiago"]


@pytest.mark.parametrize("query, param", [
    ("sector=banana", "sector"), ("from=2027-1", "from"), ("page=-1", "page"), ("country=ZZ", "country"),
])
def test_bad_filters_are_json_400_naming_the_parameter(client, query, param):
    response = client.get(f"/api/v1/exhibitions?{query}")
    assert response.status_code == 400
    body = response.get_json()
    assert body["status"] == 400 and body["parameter"] == param and body["message"]


def test_page_past_the_end_is_json_404(client):
    response = client.get("/api/v1/exhibitions?page=3")
    assert response.status_code == 404
    assert response.get_json()["parameter"] == "page"


def test_empty_catalogue_is_an_empty_page_not_an_error(client):
    body = client.get("/api/v1/exhibitions").get_json()
    assert body["items"] == [] and body["total"] == 0 and body["pages"] == 1


def test_unknown_slug_is_json_404(client):
    response = client.get("/api/v1/exhibitions/nope")
    assert response.status_code == 404
    assert response.get_json()["status"] == 404


def test_openapi_describes_both_operations_with_errors(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    listing = spec["paths"]["/exhibitions"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"q", "country", "region", "sector", "from", "to", "open", "page"}
    assert {"200", "400", "404"} <= set(listing["responses"])
    assert {"200", "404"} <= set(spec["paths"]["/exhibitions/{slug}"]["get"]["responses"])


def test_docs_page_is_html_for_people(client):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "/api/v1/openapi.json" in response.get_data(as_text=True)


def test_docs_page_lists_every_parameter_of_the_openapi_document(client):
    from planner.catalogue.api import openapi_document
    html = client.get("/api/v1/").get_data(as_text=True)
    spec = openapi_document("/api/v1")
    names = [p["name"] for methods in spec["paths"].values() for op in methods.values()
             for p in op.get("parameters", [])]
    assert len(names) == 10
    for name in names:
        assert f"<td><code>{name}</code></td>" in html, name
