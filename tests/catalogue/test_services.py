"""Catalogue services without HTTP: filters, search order, timeline, editing, CSV."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from werkzeug.datastructures import MultiDict

from planner.catalogue import services
from planner.catalogue.models import Exhibition, ExhibitionStatus
from planner.catalogue.regions import NOT_PLACES, REGION_OF, REGIONS
from planner.i18n import known_country_codes
from planner.vocab import Sector
from tests.factories import make_exhibition, make_offer

UTC = dt.timezone.utc
TODAY = dt.date(2027, 1, 10)
NOW = dt.datetime(2027, 1, 10, 3, 0, tzinfo=UTC)


def show(start: dt.date, days: int = 4, **overrides) -> Exhibition:
    return make_exhibition(starts_on=start, ends_on=start + dt.timedelta(days=days), **overrides)


def search(**args) -> services.ExhibitionPage:
    return services.search_exhibitions(services.parse_filters(MultiDict(args)), today=TODAY, now=NOW)


def data(**overrides) -> services.ExhibitionInput:
    values = dict(slug="eurosatory-2028", name="Eurosatory", starts_on=dt.date(2028, 6, 12),
                  ends_on=dt.date(2028, 6, 16), city="Paris", country_code="FR", timezone="Europe/Paris",
                  sectors=("land", "security"), website="https://www.eurosatory.com/")
    values.update(overrides)
    return services.ExhibitionInput(**values)


# --- regions and filters ---

def test_every_known_country_is_in_exactly_one_region():
    places = known_country_codes() - NOT_PLACES
    assert places <= set(REGION_OF)
    assert sum(len(codes) for codes in REGIONS.values()) == len(REGION_OF)
    assert REGION_OF["FR"] == "europe" and REGION_OF["AE"] == "middle-east" and REGION_OF["AU"] == "oceania"


def test_parse_filters_reads_every_filter():
    filters = services.parse_filters(MultiDict({
        "q": "  air   show ", "country": "fr", "region": "Europe", "sector": "naval",
        "from": "2027-02", "to": "2027-03", "open": "1", "past": "1", "page": "2"}))
    assert filters == services.ExhibitionFilters(
        q="air show", country="FR", region="europe", sector=Sector.naval, month_from=dt.date(2027, 2, 1),
        month_to=dt.date(2027, 3, 31), open_only=True, include_past=True, page=2)
    assert filters.to_args() == {"q": "air show", "country": "FR", "region": "europe", "sector": "naval",
                                 "from": "2027-02", "to": "2027-03", "open": "1", "past": "1"}


@pytest.mark.parametrize("args, param", [
    ({"q": "x" * 201}, "q"), ({"country": "QQ"}, "country"), ({"country": "ZZ"}, "country"),
    ({"region": "atlantis"}, "region"), ({"sector": "sea"}, "sector"), ({"from": "2027-00"}, "from"),
    ({"to": "27-01"}, "to"), ({"from": "2027-05", "to": "2027-04"}, "to"), ({"page": "0"}, "page"),
    ({"page": "1e9"}, "page"), ({"past": "yes"}, "past"), ({"country": "EU"}, "country"),
    ({"country": "QO"}, "country"),
])
def test_parse_filters_names_the_bad_parameter(args, param):
    with pytest.raises(services.FilterError) as caught:
        services.parse_filters(MultiDict(args))
    assert caught.value.param == param
    assert str(caught.value)


def test_control_characters_in_the_search_text_count_as_spaces():
    # PostgreSQL refuses NUL in a query parameter; a pasted NUL must not become a 500.
    assert services.parse_filters(MultiDict({"q": "air\x00show\x1b"})).q == "air show"
    assert services.parse_filters(MultiDict({"q": "\x00"})).q is None


def test_search_with_a_nul_byte_is_an_ordinary_search(app):
    show(dt.date(2027, 6, 1), slug="air-show", name="Air Show")
    assert [e.slug for e in search(q="air\x00").items] == ["air-show"]


def test_an_impossible_slug_is_unknown_without_asking_the_database(app):
    show(dt.date(2027, 6, 1), slug="air-show")
    assert services.get_exhibition("air-show") is not None
    assert services.get_exhibition("air\x00show") is None
    assert services.get_exhibition("Air-Show") is None


# --- search ---

def test_upcoming_first_by_start_date_and_past_hidden_by_default(app):
    later = show(dt.date(2027, 9, 1), slug="later")
    sooner = show(dt.date(2027, 2, 1), slug="sooner")
    running = show(dt.date(2027, 1, 8), slug="running")   # still on today
    show(dt.date(2026, 6, 1), slug="past")
    assert [e.slug for e in search().items] == [running.slug, sooner.slug, later.slug]


def test_past_editions_follow_upcoming_ones_latest_first(app):
    show(dt.date(2027, 9, 1), slug="upcoming")
    show(dt.date(2025, 6, 1), slug="old")
    show(dt.date(2026, 6, 1), slug="recent")
    assert [e.slug for e in search(past="1").items] == ["upcoming", "recent", "old"]


def test_month_range_in_the_past_includes_past_editions(app):
    show(dt.date(2026, 6, 1), slug="june-2026")
    show(dt.date(2026, 9, 1), slug="september-2026")
    assert [e.slug for e in search(**{"from": "2026-06", "to": "2026-06"}).items] == ["june-2026"]


def test_month_range_counts_shows_overlapping_it(app):
    show(dt.date(2027, 5, 29), days=5, slug="may-june")
    show(dt.date(2027, 7, 1), slug="july")
    assert [e.slug for e in search(**{"from": "2027-06", "to": "2027-06"}).items] == ["may-june"]


def test_search_words_each_match_some_field_in_either_language(app):
    show(dt.date(2027, 6, 1), slug="euro", name="Eurosatory", city="Paris", country_code="FR")
    show(dt.date(2027, 6, 1), slug="ila", name="ILA Berlin", city="Berlin", country_code="DE",
         name_ko="베를린 에어쇼")
    show(dt.date(2027, 6, 1), slug="desc", name="Other", description="Naval systems in Brest",
         country_code="FR")
    assert [e.slug for e in search(q="germany").items] == ["ila"]
    assert [e.slug for e in search(q="독일").items] == ["ila"]
    assert [e.slug for e in search(q="에어쇼").items] == ["ila"]
    assert [e.slug for e in search(q="france naval").items] == ["desc"]
    assert [e.slug for e in search(q="EUROSATORY").items] == ["euro"]


def test_search_treats_like_wildcards_literally(app):
    show(dt.date(2027, 6, 1), slug="plain", name="Plain show")
    assert search(q="%").total == 0
    assert search(q="_").total == 0


def test_sector_country_region_and_open_filters(app):
    naval = show(dt.date(2027, 6, 1), slug="naval", sectors=["naval", "land"], country_code="FR")
    show(dt.date(2027, 6, 1), slug="air", sectors=["air"], country_code="SG", timezone="Asia/Singapore")
    make_offer(exhibition=naval, opens_at=NOW - dt.timedelta(days=1), closes_at=NOW + dt.timedelta(days=1))
    assert [e.slug for e in search(sector="naval").items] == ["naval"]
    assert [e.slug for e in search(country="SG").items] == ["air"]
    assert [e.slug for e in search(region="asia").items] == ["air"]
    page = search(open="1")
    assert [e.slug for e in page.items] == ["naval"]
    assert page.open_ids == {naval.id}


def test_offer_window_counts_as_open_from_opening_until_just_before_closing(app):
    exhibition = show(dt.date(2027, 6, 1), slug="edge")
    make_offer(exhibition=exhibition, opens_at=NOW, closes_at=NOW + dt.timedelta(hours=1))
    assert services.open_exhibition_ids([exhibition.id], now=NOW) == {exhibition.id}
    assert services.open_exhibition_ids([exhibition.id], now=NOW + dt.timedelta(hours=1)) == frozenset()


def test_pages_of_twenty_with_total_and_page_past_end_raises(app):
    for n in range(41):
        show(dt.date(2027, 3, 1) + dt.timedelta(days=n), slug=f"s{n:02d}")
    page = search(page="3")
    assert (page.total, page.pages, page.number) == (41, 3, 3)
    assert [e.slug for e in page.items] == ["s40"]
    with pytest.raises(services.PageNotFound):
        search(page="4")


# --- timeline ---

def test_timeline_clips_bars_to_the_year(app):
    show(dt.date(2026, 12, 30), days=4, slug="new-year", sectors=["air"])
    show(dt.date(2027, 12, 30), days=4, slug="year-end")
    show(dt.date(2028, 2, 1), slug="next-year")
    timeline = services.timeline(dt.date(2027, 1, 1), now=NOW)
    assert timeline.days == 365 and len(timeline.months) == 12
    bars = {bar.exhibition.slug: bar for bar in timeline.bars}
    assert set(bars) == {"new-year", "year-end"}
    assert (bars["new-year"].column, bars["new-year"].span, bars["new-year"].starts_before) == (1, 3, True)
    assert (bars["year-end"].column, bars["year-end"].span, bars["year-end"].ends_after) == (364, 2, True)


# --- editing ---

def test_create_exhibition_cleans_and_stores_everything(app):
    exhibition = services.create_exhibition(data(slug=" Eurosatory-2028 ", country_code="fr"), now=NOW)
    assert exhibition.slug == "eurosatory-2028" and exhibition.country_code == "FR"
    assert exhibition.edition_year == 2028 and exhibition.sectors == [Sector.land, Sector.security]
    assert exhibition.sequence == 0


@pytest.mark.parametrize("overrides, field", [
    ({"ends_on": dt.date(2028, 6, 1)}, "ends_on"),
    ({"country_code": "XY"}, "country_code"),
    ({"timezone": "Europe/Atlantis"}, "timezone"),
    ({"slug": "Bad Slug!"}, "slug"),
    ({"website": "javascript:alert(1)"}, "website"),
    ({"website": "ftp://example.org"}, "website"),
    # urlsplit() drops these silently, so they once passed as part of a valid address.
    ({"website": "https://example.org/\r\nX-Injected:1"}, "website"),
    ({"website": "https://example.org/a\tb"}, "website"),
    # An unclosed IPv6 bracket makes urlsplit() raise instead of answering.
    ({"website": "https://[example.org"}, "website"),
    ({"sectors": ()}, "sectors"),
    ({"sectors": ("land", "underwater")}, "sectors"),
    ({"name": "  "}, "name"),
    ({"date_certainty": "maybe"}, "date_certainty"),
    ({"status": "gone"}, "status"),
    ({"country_code": "EU"}, "country_code"),
    ({"name": "Euro\x00satory"}, "name"),
    ({"description": "line\x00"}, "description"),
])
def test_create_refuses_broken_rules_naming_the_field(app, overrides, field):
    with pytest.raises(services.ExhibitionInvalid) as caught:
        services.create_exhibition(data(**overrides), now=NOW)
    assert field in [name for name, _message in caught.value.problems]


def test_slug_must_be_unique(app):
    make_exhibition(slug="eurosatory-2028")
    with pytest.raises(services.ExhibitionInvalid) as caught:
        services.create_exhibition(data(), now=NOW)
    assert caught.value.problems[0][0] == "slug"


def test_visible_change_bumps_sequence_but_a_source_edit_does_not(app):
    exhibition = services.create_exhibition(data(), now=NOW)
    services.update_exhibition(exhibition, data(source="organiser press release"), now=NOW)
    assert exhibition.sequence == 0
    services.update_exhibition(exhibition, data(venue="Paris Nord Villepinte"), now=NOW)
    assert exhibition.sequence == 1
    services.update_exhibition(exhibition, data(venue="Paris Nord Villepinte"), now=NOW)
    assert exhibition.sequence == 1


def test_postpone_moves_dates_marks_postponed_and_bumps_sequence(app):
    exhibition = services.create_exhibition(data(), now=NOW)
    services.postpone_exhibition(exhibition, starts_on=dt.date(2028, 9, 1), ends_on=dt.date(2028, 9, 5),
                                 reason="Venue unavailable", date_certainty="month", now=NOW)
    assert exhibition.status == ExhibitionStatus.postponed
    assert (exhibition.starts_on, exhibition.status_note, exhibition.sequence) == (
        dt.date(2028, 9, 1), "Venue unavailable", 1)
    assert exhibition.date_certainty.value == "month"


def test_postpone_refuses_bad_dates_and_missing_reason(app):
    exhibition = services.create_exhibition(data(), now=NOW)
    with pytest.raises(services.ExhibitionInvalid):
        services.postpone_exhibition(exhibition, starts_on=dt.date(2028, 9, 5), ends_on=dt.date(2028, 9, 1),
                                     reason="x", now=NOW)
    with pytest.raises(services.ExhibitionInvalid):
        services.postpone_exhibition(exhibition, starts_on=dt.date(2028, 9, 1), ends_on=dt.date(2028, 9, 5),
                                     reason="  ", now=NOW)
    assert exhibition.status == ExhibitionStatus.planned and exhibition.sequence == 0


def test_cancel_marks_cancelled_with_reason_once(app):
    exhibition = services.create_exhibition(data(), now=NOW)
    services.cancel_exhibition(exhibition, reason="Organiser cancelled", now=NOW)
    assert exhibition.status == ExhibitionStatus.cancelled and exhibition.sequence == 1
    with pytest.raises(services.ExhibitionInvalid):
        services.cancel_exhibition(exhibition, reason="again", now=NOW)


def test_cancel_refuses_a_reason_with_a_nul_byte(app):
    exhibition = services.create_exhibition(data(), now=NOW)
    with pytest.raises(services.ExhibitionInvalid) as caught:
        services.cancel_exhibition(exhibition, reason="Organiser\x00cancelled", now=NOW)
    assert caught.value.problems[0][0] == "reason"
    assert exhibition.status == ExhibitionStatus.planned


# --- CSV ---

def test_csv_round_trip_recreates_the_catalogue(app, db):
    services.create_exhibition(data(name_ko="유로사토리", description="Line one, \"quoted\"\nline two"), now=NOW)
    services.create_exhibition(data(slug="idex-2027", name="IDEX", country_code="AE", timezone="Asia/Dubai",
                                    sectors=("land",), date_certainty="projected"), now=NOW)
    exported = services.export_csv()
    before = [services.exhibition_input_from(e) for e in db.session.scalars(db.select(Exhibition).order_by(Exhibition.slug))]
    for exhibition in db.session.scalars(db.select(Exhibition)):
        db.session.delete(exhibition)
    db.session.flush()
    report = services.import_csv(exported.encode("utf-8"), now=NOW)
    assert report.ok and report.created == 2
    after = [services.exhibition_input_from(e) for e in db.session.scalars(db.select(Exhibition).order_by(Exhibition.slug))]
    assert after == before


def test_csv_export_neutralises_formulas_and_still_round_trips(app, db):
    import csv
    import io
    risky = {"name": '=HYPERLINK("https://evil.example","Eurosatory")', "organiser": "+82 2 1234",
             "venue": "-Hall 5", "acronym": "@SUM(A1)", "city": "'=already quoted",
             "description": "''=twice", "status_note": "'plain apostrophe"}
    services.create_exhibition(data(**risky), now=NOW)
    before = services.exhibition_input_from(db.session.scalar(db.select(Exhibition)))
    exported = services.export_csv()
    row = next(csv.DictReader(io.StringIO(exported)))
    assert row["name"] == "'" + risky["name"] and row["organiser"] == "'+82 2 1234"
    assert row["venue"] == "'-Hall 5" and row["acronym"] == "'@SUM(A1)"
    assert row["city"] == "''=already quoted" and row["description"] == "'''=twice"
    assert row["status_note"] == "'plain apostrophe"  # no formula after it: left alone
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row.values())
    report = services.import_csv(exported, now=NOW)
    assert report.ok and report.unchanged == 1
    for exhibition in db.session.scalars(db.select(Exhibition)):
        db.session.delete(exhibition)
    db.session.flush()
    assert services.import_csv(exported, now=NOW).created == 1
    assert services.exhibition_input_from(db.session.scalar(db.select(Exhibition))) == before


def test_import_upserts_by_slug_and_reports_counts(app, db):
    exhibition = services.create_exhibition(data(), now=NOW)
    exported = services.export_csv()
    changed = exported.replace(",Paris,", ",Lyon,")
    report = services.import_csv(changed, now=NOW)
    assert (report.created, report.updated) == (0, 1)
    assert exhibition.city == "Lyon" and exhibition.sequence == 1
    assert services.import_csv(changed, now=NOW).unchanged == 1


def test_bad_row_imports_nothing_and_reports_row_and_column(app, db):
    header = ",".join(services.CSV_COLUMNS)
    good = "new-show,New Show,,,2027,2027-06-01,2027-06-04,confirmed,Paris,,FR,,Europe/Paris,,,land,planned,,,,"
    bad = "bad-show,Bad Show,,,2027,2027-06-05,2027-06-01,confirmed,Paris,,XX,,Mars/Base,,,land,planned,,,,"
    report = services.import_csv(f"{header}\n{good}\n{bad}\n", now=NOW)
    assert not report.ok
    assert {(e.row, e.column) for e in report.errors} == {(3, "ends_on"), (3, "country_code"), (3, "timezone")}
    assert db.session.scalar(db.select(db.func.count()).select_from(Exhibition)) == 0


@pytest.mark.parametrize("content, column", [
    (b"", ""),
    (b"\xff\xfe not utf-8", ""),
    (b"slug,name\nx,y\n", "starts_on"),
    (b"slug,name,starts_on,ends_on,city,country_code,timezone,sectors,colour\n", "colour"),
])
def test_malformed_files_are_reported_not_raised(app, content, column):
    report = services.import_csv(content, now=NOW)
    assert not report.ok
    assert column in {e.column for e in report.errors}


def test_a_nul_byte_in_a_cell_is_a_row_error_and_nothing_is_imported(app, db):
    header = ",".join(services.CSV_COLUMNS)
    good = "new-show,New Show,,,2027,2027-06-01,2027-06-04,confirmed,Paris,,FR,,Europe/Paris,,,land,planned,,,,"
    bad = "nul-show,Nul\x00Show,,,2027,2027-06-01,2027-06-04,confirmed,Paris,,FR,,Europe/Paris,,,land,planned,,,,"
    report = services.import_csv(f"{header}\n{good}\n{bad}\n".encode(), now=NOW)
    assert [(e.row, e.column) for e in report.errors] == [(3, "name")]
    assert db.session.scalar(db.select(db.func.count()).select_from(Exhibition)) == 0


def test_duplicate_slug_and_bad_date_in_file_are_row_errors(app):
    header = ",".join(services.CSV_COLUMNS)
    row = "dup,Dup,,,,2027-06-01,2027-06-04,,Paris,,FR,,Europe/Paris,,,land,,,,,"
    worse = "other,Other,,,,01/06/2027,2027-06-04,,Paris,,FR,,Europe/Paris,,,land,,,,,"
    report = services.import_csv(f"{header}\n{row}\n{row}\n{worse}\n", now=NOW)
    assert {(e.row, e.column) for e in report.errors} == {(3, "slug"), (4, "starts_on")}


def test_offer_summary_gives_company_share_per_eligible_size(app):
    from tests.factories import make_programme
    exhibition = show(dt.date(2027, 6, 1))
    programme = make_programme(eligible_size_classes=["small", "medium"],
                               subsidy_shares={"small": 0.7, "medium": 0.5})
    make_offer(exhibition=exhibition, programme=programme, booth_cost_krw=10_000_000,
               opens_at=NOW - dt.timedelta(days=1), closes_at=NOW + dt.timedelta(days=1))
    [summary] = services.offer_summaries(exhibition, now=NOW)
    assert summary.is_open
    assert summary.booth_shares == [("small", 3_000_000), ("medium", 5_000_000)]


def test_catalogue_version_changes_when_a_window_opens_or_a_show_changes(app, db):
    exhibition = show(dt.date(2027, 6, 1))
    make_offer(exhibition=exhibition, opens_at=NOW + dt.timedelta(hours=1), closes_at=NOW + dt.timedelta(days=5))
    db.session.commit()
    before = services.catalogue_version(now=NOW)
    assert services.catalogue_version(now=NOW + dt.timedelta(minutes=30)) == before
    assert services.catalogue_version(now=NOW + dt.timedelta(hours=2)) != before
    services.update_exhibition(exhibition, replace(services.exhibition_input_from(exhibition), city="Lyon"),
                               now=NOW + dt.timedelta(seconds=1))
    db.session.commit()
    assert services.catalogue_version(now=NOW) != before


def test_searching_a_city_finds_shows_held_there_not_descriptions_naming_it(app):
    from planner.catalogue.services.filters import filter_clauses, parse_filters
    from planner.db import utcnow
    from planner.extensions import db
    from tests.factories import make_exhibition
    paris = make_exhibition(name="Eurosatory", city="Paris", city_ko="파리", country_code="FR")
    make_exhibition(name="Farnborough International Airshow", city="Farnborough", city_ko="판버러",
                    country_code="GB", description="Alternates with the Paris Air Show.",
                    description_ko="파리 에어쇼와 번갈아 개최됩니다.")
    for word in ("파리", "Paris"):
        query = db.select(Exhibition).where(*filter_clauses(parse_filters({"q": word, "past": "1"}), now=utcnow()))
        assert [e.id for e in db.session.scalars(query)] == [paris.id], word


def test_in_december_the_timeline_opens_on_the_twelve_months_from_this_one_with_today_marked(app):
    assert services.parse_timeline_start(None, today=dt.date(2026, 12, 3)) == dt.date(2026, 12, 1)
    assert services.parse_timeline_start("2027-03", today=dt.date(2026, 12, 3)) == dt.date(2027, 3, 1)
    now = dt.datetime(2026, 12, 3, 9, tzinfo=dt.UTC)
    show(dt.date(2027, 11, 29), days=4, slug="runs-out")
    rolling = services.timeline(dt.date(2026, 12, 1), now=now)
    assert (rolling.first_day, rolling.last_day, rolling.days) == (dt.date(2026, 12, 1), dt.date(2027, 11, 30), 365)
    assert [m.first_day.month for m in rolling.months] == [12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert (rolling.months[1].column, rolling.today_column, rolling.calendar_year) == (32, 3, None)
    [bar] = rolling.bars
    assert (bar.column, bar.span, bar.ends_after) == (364, 2, True)
    assert services.timeline(dt.date(2026, 1, 1), now=now).today_column == 337
    assert services.timeline(dt.date(2027, 1, 1), now=now).today_column is None
    assert services.timeline(dt.date(2027, 1, 1), now=now).calendar_year == 2027


@pytest.mark.parametrize("text", ["2027", "2027-13", "2027-1", "27-01", "abcd-ef", "9999-01"])
def test_a_bad_timeline_start_is_refused(text):
    with pytest.raises(services.FilterError):
        services.parse_timeline_start(text, today=dt.date(2026, 12, 3))
