"""The public catalogue pages through the test client: lists, filters, timeline, detail, bad input."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import make_exhibition, make_offer, make_programme

UTC = dt.timezone.utc
TODAY = dt.date.today()


def upcoming(days: int = 60, length: int = 4, **overrides):
    start = TODAY + dt.timedelta(days=days)
    overrides.setdefault("starts_on", start)
    overrides.setdefault("ends_on", start + dt.timedelta(days=length))
    overrides.setdefault("edition_year", start.year)
    return make_exhibition(**overrides)


def test_list_shows_upcoming_exhibitions_with_count_and_hides_past_ones(client, db):
    upcoming(name="Eurosatory")
    upcoming(name="Old Show", days=-400)
    db.session.commit()
    response = client.get("/exhibitions")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Eurosatory" in page
    assert "Old Show" not in page
    assert "1 exhibition." in page


def test_list_says_when_dates_are_not_confirmed(client, db):
    upcoming(name="Month Show", date_certainty="month")
    upcoming(name="Projected Show", date_certainty="projected")
    db.session.commit()
    page = client.get("/exhibitions").get_data(as_text=True)
    assert "dates not yet confirmed" in page and "projected" in page


def test_past_editions_are_reachable_with_past_1(client, db):
    upcoming(name="Old Show", days=-400)
    db.session.commit()
    assert "Old Show" in client.get("/exhibitions?past=1").get_data(as_text=True)


def test_search_matches_korean_country_name(client, db):
    upcoming(name="Eurosatory", country_code="FR")
    upcoming(name="IDEX", country_code="AE", city="Abu Dhabi", timezone="Asia/Dubai")
    db.session.commit()
    page = client.get("/exhibitions?q=프랑스").get_data(as_text=True)
    assert "Eurosatory" in page and "IDEX" not in page


def test_filters_combine_and_are_reflected_in_the_form(client, db):
    upcoming(name="Naval Paris", sectors=["naval"], country_code="FR")
    upcoming(name="Land Paris", sectors=["land"], country_code="FR")
    upcoming(name="Naval Dubai", sectors=["naval"], country_code="AE", timezone="Asia/Dubai")
    db.session.commit()
    page = client.get("/exhibitions?sector=naval&country=FR").get_data(as_text=True)
    assert "Naval Paris" in page
    assert "Land Paris" not in page and "Naval Dubai" not in page
    assert '<option value="naval" selected>' in page
    assert 'name="country" value="FR" checked' in page  # in the country chooser, its group open


def test_empty_result_says_so_and_offers_to_clear(client, db):
    upcoming(name="Eurosatory")
    db.session.commit()
    page = client.get("/exhibitions?q=zzzzzz").get_data(as_text=True)
    assert "No exhibitions match" in page
    assert "Clear filters" in page


def test_open_filter_and_badge_show_exhibitions_accepting_applications(client, db):
    open_show = upcoming(name="Open Show")
    upcoming(name="Closed Show")
    make_offer(exhibition=open_show)
    db.session.commit()
    page = client.get("/exhibitions?open=1").get_data(as_text=True)
    assert "Open Show" in page and "Closed Show" not in page
    assert "Open for applications</span>" in page


@pytest.mark.parametrize("query, param", [
    ("sector=banana", "sector"),
    ("country=XX", "country"),
    ("region=mars", "region"),
    ("from=2027-13", "from"),
    ("from=june", "from"),
    ("from=2027-06&to=2027-01", "to"),
    ("page=0", "page"),
    ("page=abc", "page"),
    ("open=maybe", "open"),
    ("q=" + "x" * 201, "q"),
])
def test_bad_filter_values_answer_400_with_a_message(client, query, param):
    response = client.get(f"/exhibitions?{query}")
    assert response.status_code == 400
    assert 'role="alert"' in response.get_data(as_text=True)


def test_unknown_parameters_are_ignored(client, db):
    upcoming(name="Eurosatory")
    db.session.commit()
    response = client.get("/exhibitions?utm_source=newsletter")
    assert response.status_code == 200
    assert "Eurosatory" in response.get_data(as_text=True)


def test_page_past_the_end_is_404_with_a_link_to_page_one(client, db):
    upcoming(name="Eurosatory", sectors=["air"])
    db.session.commit()
    response = client.get("/exhibitions?sector=air&page=5")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "There is no page 5" in page
    assert 'href="/exhibitions?sector=air"' in page


def test_pagination_has_twenty_per_page_and_a_next_link(client, db):
    for n in range(25):
        upcoming(name=f"Show number {n:02d}", days=30 + n)
    db.session.commit()
    first = client.get("/exhibitions").get_data(as_text=True)
    assert "Show number 19" in first and "Show number 20" not in first
    assert 'rel="next"' in first
    second = client.get("/exhibitions?page=2").get_data(as_text=True)
    assert "Show number 20" in second and "Show number 24" in second


def test_list_links_the_calendar_feed_with_the_same_filters(client, db):
    page = client.get("/exhibitions?sector=naval").get_data(as_text=True)
    assert "/calendar/exhibitions.ics?sector=naval" in page


def test_detail_shows_facts_certainty_seoul_offset_and_calendar(client, db):
    upcoming(slug="eurosatory-2026", name="Eurosatory", venue="Paris Nord Villepinte",
             date_certainty="month", organiser="COGES Events", website="https://www.eurosatory.com/")
    db.session.commit()
    page = client.get("/exhibitions/eurosatory-2026").get_data(as_text=True)
    assert "Paris Nord Villepinte" in page and "COGES Events" in page
    assert "Dates not yet confirmed: month announced." in page
    assert "behind Seoul" in page
    assert "https://www.eurosatory.com/" in page
    assert "/exhibitions/eurosatory-2026.ics" in page


def test_detail_of_cancelled_show_says_so_with_the_note(client, db):
    upcoming(slug="gone", status="cancelled", status_note="The organiser called it off.")
    db.session.commit()
    page = client.get("/exhibitions/gone").get_data(as_text=True)
    assert "This edition is cancelled." in page
    assert "The organiser called it off." in page


def test_detail_lists_offers_with_company_share_and_apply_buttons(client, db):
    show = upcoming(slug="idex-2027")
    programme = make_programme(name="Overseas 2027", eligible_size_classes=["small"],
                               subsidy_shares={"small": 0.7})
    offer = make_offer(exhibition=show, programme=programme, booth_cost_krw=20_000_000)
    db.session.commit()
    page = client.get("/exhibitions/idex-2027").get_data(as_text=True)
    assert "Overseas 2027" in page
    assert "₩6,000,000" in page  # 30 % of 20 million for a small company
    assert f"/offers/{offer.id}/apply/booth" in page
    assert f"/offers/{offer.id}/apply/delegation" in page
    assert "Deadline in Seoul" in page


def test_closed_offer_has_no_apply_button(client, db):
    show = upcoming(slug="closed")
    now = dt.datetime.now(UTC)
    offer = make_offer(exhibition=show, opens_at=now - dt.timedelta(days=20), closes_at=now - dt.timedelta(days=1))
    db.session.commit()
    page = client.get("/exhibitions/closed").get_data(as_text=True)
    assert "Applications closed" in page
    assert f"/offers/{offer.id}/apply/booth" not in page


def test_unknown_slug_is_a_404_page(client):
    response = client.get("/exhibitions/no-such-show")
    assert response.status_code == 404
    assert "No exhibition has this address" in response.get_data(as_text=True)


def test_korean_page_shows_korean_country_and_name(client, db):
    upcoming(slug="eurosatory-2026", name="Eurosatory", name_ko="유로사토리", country_code="FR")
    db.session.commit()
    client.set_cookie("locale", "ko")
    page = client.get("/exhibitions/eurosatory-2026").get_data(as_text=True)
    assert "유로사토리" in page and "프랑스" in page


def test_timeline_draws_a_bar_per_show_of_the_year(client, db):
    make_exhibition(name="Bar Show", acronym="BAR", starts_on=dt.date(2027, 3, 1), ends_on=dt.date(2027, 3, 5),
                    sectors=["naval"])
    make_exhibition(name="Next Year", acronym="NXT", starts_on=dt.date(2028, 3, 1), ends_on=dt.date(2028, 3, 5))
    db.session.commit()
    response = client.get("/exhibitions/timeline?year=2027")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Bar Show" in page and "Next Year" not in page
    assert "bar-naval" in page
    assert "grid-column: 60 / span 5" in page  # 1 March 2027 is day 60


@pytest.mark.parametrize("year", ["abc", "99999", "1000"])
def test_timeline_refuses_a_bad_year(client, year):
    response = client.get(f"/exhibitions/timeline?year={year}")
    assert response.status_code == 400


def test_home_page_lists_coming_shows(client, db):
    upcoming(name="Eurosatory")
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "Eurosatory" in page


def test_cached_list_shows_a_new_exhibition_at_once(client, db):
    upcoming(name="First Show")
    db.session.commit()
    assert client.get("/exhibitions").headers["X-Page-Cache"] == "miss"
    assert client.get("/exhibitions").headers["X-Page-Cache"] == "hit"
    upcoming(name="Second Show")
    db.session.commit()
    response = client.get("/exhibitions")
    assert "Second Show" in response.get_data(as_text=True)


def fresh_get(app, client, path):
    # The test app keeps one app context open, and g (where the locale and the signed-in
    # user are remembered) lives there; a new context per request is what a server does.
    with app.app_context():
        return client.get(path)


def test_cached_page_is_per_language(app, client, db):
    upcoming(slug="fr-show", country_code="FR")
    db.session.commit()
    assert "France" in fresh_get(app, client, "/exhibitions/fr-show").get_data(as_text=True)
    client.set_cookie("locale", "ko")
    assert "프랑스" in fresh_get(app, client, "/exhibitions/fr-show").get_data(as_text=True)


def test_signed_in_visitors_never_get_a_cached_page(app, client, db, login_as):
    from tests.factories import make_user
    upcoming(slug="show")
    user = make_user()
    db.session.commit()
    assert fresh_get(app, client, "/exhibitions/show").headers["X-Page-Cache"] == "miss"
    login_as(user)
    response = fresh_get(app, client, "/exhibitions/show")
    assert "X-Page-Cache" not in response.headers
    assert "Log out" in response.get_data(as_text=True)


@pytest.mark.parametrize("path, status", [
    ("/exhibitions?q=air%00show", 200),
    ("/exhibitions/timeline?q=%00", 200),
    ("/exhibitions/air%00show", 404),
    ("/api/v1/exhibitions?q=x%00", 200),
    ("/api/v1/exhibitions/air%00show", 404),
    ("/exhibitions/air%00show.ics", 404),
    ("/calendar/exhibitions.ics?q=air%00", 200),
    ("/exhibitions?country=EU", 400),
])
def test_nul_bytes_and_pseudo_countries_are_never_a_server_error(client, db, path, status):
    # PostgreSQL refuses NUL in text parameters, which used to surface as a 500 there.
    upcoming(slug="air-show", name="Air Show")
    db.session.commit()
    assert client.get(path).status_code == status


def test_search_box_accepts_no_more_than_the_search_allows(client):
    from planner.catalogue.services import MAX_QUERY_LENGTH
    page = client.get("/exhibitions").get_data(as_text=True)
    assert f'name="q" value="" maxlength="{MAX_QUERY_LENGTH}"' in page


def test_detail_labels_the_venue_as_location_not_a_place(client, db):
    # "Place" means a booth or delegation place elsewhere, and is translated that way.
    upcoming(slug="air-show", name="Air Show", venue="Hall 5")
    db.session.commit()
    page = client.get("/exhibitions/air-show").get_data(as_text=True)
    assert "<dt>Location</dt>" in page and "<dt>Place</dt>" not in page


def test_other_http_errors_get_a_plain_page_with_a_way_back(client):
    response = client.post("/exhibitions")
    page = response.get_data(as_text=True)
    assert response.status_code == 405
    assert "This address does not accept that kind of request" in page
    assert 'href="/exhibitions"' in page


def test_timeline_gives_only_the_month_of_a_show_whose_days_are_not_confirmed(client, db):
    make_exhibition(name="Projected Show", starts_on=dt.date(2027, 3, 1), ends_on=dt.date(2027, 3, 5),
                    date_certainty="projected")
    db.session.commit()
    page = client.get("/exhibitions/timeline?year=2027").get_data(as_text=True)
    assert "Projected Show: March 2027 (projected)" in page
    assert "Mar 1, 2027" not in page


@pytest.mark.parametrize("path, feed", [
    ("/", "/calendar/exhibitions.ics"),
    ("/exhibitions/timeline?year=2027&sector=naval", "/calendar/exhibitions.ics?sector=naval"),
])
def test_pages_that_list_shows_offer_to_subscribe_to_them(client, db, path, feed):
    make_exhibition(name="Bar Show", starts_on=dt.date(2027, 3, 1), ends_on=dt.date(2027, 3, 5), sectors=["naval"])
    db.session.commit()
    page = client.get(path).get_data(as_text=True)
    assert f'href="webcal://localhost{feed.replace("&", "&amp;")}"' in page
    assert f'href="{feed}" download' in page


class TestPageCacheKeepsVisitorsApart:
    """The per-worker page cache must never hand one visitor's page, CSRF token or name to
    another visitor (tokens are real here: CSRF protection is on, as in production)."""

    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    @staticmethod
    def _get(app, client, path):
        with app.app_context():
            return client.get(path)

    def test_no_page_from_the_cache_carries_a_token_or_a_name(self, app, db):
        import re

        from tests.factories import make_user
        upcoming(slug="show", name="Cached Show")
        user = make_user(name="Kim Secret-Name")
        db.session.commit()

        anonymous = app.test_client()
        login_page = self._get(app, anonymous, "/account/login").get_data(as_text=True)
        anonymous_token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login_page).group(1)
        signed_in = app.test_client()
        with signed_in.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True

        for path in ["/exhibitions", "/exhibitions/show", "/exhibitions/timeline"]:
            # An anonymous visitor with a session (and a CSRF token in it) fills the cache; the
            # first visit only marks the session not fresh, which sets a cookie and stores nothing.
            for _ in range(2):
                assert self._get(app, anonymous, path).status_code == 200, path
            # The signed-in visitor never reads from the cache nor writes to it.
            own = self._get(app, signed_in, path)
            own_page = own.get_data(as_text=True)
            assert "X-Page-Cache" not in own.headers and "Log out" in own_page, path
            own_token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', own_page).group(1)
            # Everyone else gets the stored page, with nobody's token or menu in it.
            for visitor in (app.test_client(), anonymous):
                response = self._get(app, visitor, path)
                page = response.get_data(as_text=True)
                assert response.headers["X-Page-Cache"] == "hit", path
                assert "csrf_token" not in page and anonymous_token not in page and own_token not in page
                assert "Log out" not in page and "Kim Secret-Name" not in page
                assert "Set-Cookie" not in response.headers

    def test_a_page_with_a_flashed_message_is_neither_stored_nor_served_from_the_cache(self, app, db):
        upcoming(slug="show")
        db.session.commit()
        visitor = app.test_client()
        with visitor.session_transaction() as session:
            session["_flashes"] = [("info", "Only for this visitor")]
        response = self._get(app, visitor, "/exhibitions/show")
        assert "Only for this visitor" in response.get_data(as_text=True)
        assert "X-Page-Cache" not in response.headers
        other = self._get(app, app.test_client(), "/exhibitions/show")
        assert other.headers["X-Page-Cache"] == "miss"
        assert "Only for this visitor" not in other.get_data(as_text=True)
