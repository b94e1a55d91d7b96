"""The real catalogue file and its loader (planner/catalogue/demo.py)."""
from __future__ import annotations

import datetime as dt
import textwrap
from collections import Counter

import pytest
from sqlalchemy import func, select

from planner.catalogue import demo
from planner.catalogue.models import DateCertainty, Exhibition, ExhibitionStatus

TODAY = dt.date(2026, 11, 22)


def write_catalogue(tmp_path, body: str):
    path = tmp_path / "exhibitions.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


GOOD_SHOW = """
- key: testshow
  name: Test Show
  name_ko: 테스트 쇼
  city: Paris
  country_code: FR
  timezone: Europe/Paris
  sectors: [land]
  editions:
    - year: 2027
      starts_on: 2027-06-14
      ends_on: 2027-06-18
      date_certainty: confirmed
      status: planned
      source: https://example.org/a
"""


# ------------------------------------------------------------------ the data file itself

@pytest.fixture(scope="module")
def rows():
    return demo.read_exhibitions(today=TODAY)


def test_catalogue_has_at_least_thirty_real_shows_from_2026_to_2028(rows):
    shows = {row.slug.rsplit("-", 1)[0] for row in rows}
    assert len(shows) >= 34
    assert {row.edition_year for row in rows} == {2026, 2027, 2028}
    for slug in ("eurosatory-2026", "eurosatory-2028", "dsei-2027", "idex-2027",
                 "world-defense-show-2026", "adex-azerbaijan-2028", "farnborough-2026"):
        assert slug in {row.slug for row in rows}


def test_every_edition_names_its_source(rows):
    assert all(row.source.strip() for row in rows)


def test_no_edition_cites_a_wiki_or_a_wiki_mirror(rows):
    # A wiki (or one of its copies) is where a date goes wrong unseen: the organiser says it.
    assert [row.slug for row in rows if "wiki" in row.source.lower()] == []


def test_no_future_edition_is_marked_completed_and_past_ones_are(rows):
    for row in rows:
        if row.ends_on < TODAY:
            assert row.status is ExhibitionStatus.completed, row.slug
        if row.starts_on > TODAY:
            assert row.status is not ExhibitionStatus.completed, row.slug


def test_every_edition_falls_within_its_edition_year(rows):
    for row in rows:
        assert row.starts_on.year == row.edition_year == row.ends_on.year, row.slug
        assert row.slug.endswith(str(row.edition_year))


def test_every_edition_has_korean_names(rows):
    for row in rows:
        assert row.name_ko and any("\uac00" <= ch <= "\ud7a3" for ch in row.name_ko), row.slug
        assert row.description_ko and row.city_ko, row.slug


def test_unconfirmed_dates_say_so_in_the_status_note(rows):
    for row in rows:
        if row.date_certainty is not DateCertainty.confirmed:
            assert row.status_note, row.slug


def test_korea_own_shows_are_not_in_the_catalogue(rows):
    assert "KR" not in {row.country_code for row in rows}


def test_sourced_dates_are_confirmed_and_conflicting_ones_are_not(rows):
    by_slug = {row.slug: row for row in rows}
    wds = by_slug["world-defense-show-2026"]
    assert (wds.starts_on, wds.ends_on, wds.date_certainty) == (
        dt.date(2026, 2, 8), dt.date(2026, 2, 12), DateCertainty.confirmed)
    idex = by_slug["idex-2027"]
    assert (idex.starts_on, idex.ends_on) == (dt.date(2027, 1, 21), dt.date(2027, 1, 25))
    assert idex.date_certainty is DateCertainty.month and "25–29 January" in idex.status_note
    assert by_slug["eurosatory-2028"].date_certainty is DateCertainty.projected


# ------------------------------------------------------------------ the loader

def test_loading_the_catalogue_creates_every_edition_with_sectors(app, db):
    created, updated = demo.load_exhibitions(today=TODAY)
    assert created >= 40 and updated == 0
    assert db.session.scalar(select(func.count()).select_from(Exhibition)) == created
    eurosatory = db.session.scalar(select(Exhibition).where(Exhibition.slug == "eurosatory-2026"))
    assert eurosatory.name == "Eurosatory 2026"
    assert eurosatory.name_ko == "유로사토리 2026"
    assert eurosatory.country_code == "FR" and eurosatory.timezone == "Europe/Paris"
    assert [s.value for s in eurosatory.sectors] == ["air", "land", "security"]
    assert eurosatory.status is ExhibitionStatus.completed
    assert eurosatory.sequence == 0


def test_loading_twice_changes_nothing(app, db):
    demo.load_exhibitions(today=TODAY)
    db.session.commit()
    before = {e.slug: (e.sequence, e.updated_at) for e in db.session.scalars(select(Exhibition))}
    assert demo.load_exhibitions(today=TODAY) == (0, 0)
    db.session.commit()
    after = {e.slug: (e.sequence, e.updated_at) for e in db.session.scalars(select(Exhibition))}
    assert after == before


def test_a_changed_row_is_updated_and_its_sequence_raised(app, db, tmp_path):
    path = write_catalogue(tmp_path, "shows:" + GOOD_SHOW + GOOD_SHOW.replace("testshow", "othershow"))
    assert demo.load_exhibitions(path, today=TODAY) == (2, 0)
    db.session.commit()

    moved = path.read_text(encoding="utf-8").replace("2027-06-18", "2027-06-19", 1)
    path.write_text(moved, encoding="utf-8")
    assert demo.load_exhibitions(path, today=TODAY) == (0, 1)
    db.session.commit()

    show = db.session.scalar(select(Exhibition).where(Exhibition.slug == "testshow-2027"))
    other = db.session.scalar(select(Exhibition).where(Exhibition.slug == "othershow-2027"))
    assert show.ends_on == dt.date(2027, 6, 19) and show.sequence == 1
    assert other.ends_on == dt.date(2027, 6, 18) and other.sequence == 0


def test_a_sector_change_alone_counts_as_a_change(app, db, tmp_path):
    path = write_catalogue(tmp_path, "shows:" + GOOD_SHOW)
    demo.load_exhibitions(path, today=TODAY)
    db.session.commit()
    path.write_text(path.read_text(encoding="utf-8").replace("[land]", "[land, naval]"), encoding="utf-8")
    assert demo.load_exhibitions(path, today=TODAY) == (0, 1)
    db.session.commit()
    show = db.session.scalar(select(Exhibition).where(Exhibition.slug == "testshow-2027"))
    assert [s.value for s in show.sectors] == ["land", "naval"] and show.sequence == 1


def test_a_planned_edition_becomes_completed_once_it_has_ended(app, db, tmp_path):
    path = write_catalogue(tmp_path, "shows:" + GOOD_SHOW)
    demo.load_exhibitions(path, today=dt.date(2027, 1, 1))
    db.session.commit()
    assert demo.load_exhibitions(path, today=dt.date(2027, 7, 1)) == (0, 1)
    show = db.session.scalar(select(Exhibition).where(Exhibition.slug == "testshow-2027"))
    assert show.status is ExhibitionStatus.completed and show.sequence == 1


@pytest.mark.parametrize(("change", "message"), [
    (("country_code: FR", "country_code: XX"), "unknown country code 'XX'"),
    (("timezone: Europe/Paris", "timezone: Europe/Atlantis"), "unknown time zone 'Europe/Atlantis'"),
    (("ends_on: 2027-06-18", "ends_on: 2027-06-10"), "is before starts_on"),
    (("sectors: [land]", "sectors: [land, underwater]"), "unknown sector"),
    (("status: planned", "status: maybe"), "unknown status 'maybe'"),
    (("date_certainty: confirmed", "date_certainty: rumoured"), "unknown date_certainty 'rumoured'"),
    (("      source: https://example.org/a\n", ""), "missing source"),
    (("starts_on: 2027-06-14", "starts_on: 2026-06-14"), "not in the edition year 2027"),
    (("status: planned", "status: completed"), "marked completed but starts on 2027-06-14"),
    (("  city: Paris", "  city: Paris\n  colour: blue"), "unknown field(s) colour"),
])
def test_a_bad_row_is_refused_with_its_name_and_nothing_is_loaded(app, db, tmp_path, change, message):
    good_first = GOOD_SHOW.replace("testshow", "goodshow")
    bad = GOOD_SHOW.replace(*change)
    path = write_catalogue(tmp_path, "shows:" + good_first + bad)
    with pytest.raises(ValueError) as error:
        demo.load_exhibitions(path, today=TODAY)
    assert "show 'testshow'" in str(error.value)
    assert message in str(error.value)
    assert db.session.scalar(select(func.count()).select_from(Exhibition)) == 0


def test_a_slug_used_twice_is_refused(app, db, tmp_path):
    path = write_catalogue(tmp_path, "shows:" + GOOD_SHOW + GOOD_SHOW)
    with pytest.raises(ValueError, match="slug 'testshow-2027' is used twice"):
        demo.load_exhibitions(path, today=TODAY)


def test_statuses_and_certainties_are_mixed_in_the_real_data(rows):
    certainties = Counter(row.date_certainty for row in rows)
    assert certainties[DateCertainty.confirmed] >= 5
    assert certainties[DateCertainty.projected] >= 5
    assert Counter(row.status for row in rows)[ExhibitionStatus.planned] >= 20
