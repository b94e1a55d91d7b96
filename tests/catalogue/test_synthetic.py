"""Synthetic exhibitions for benchmarks (planner/catalogue/synthetic.py)."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from planner.catalogue.models import Exhibition, ExhibitionSector, ExhibitionStatus
from planner.catalogue.synthetic import CITIES, make_exhibitions
from planner.i18n import known_country_codes

TODAY = dt.date(2026, 11, 22)


def snapshot(db):
    return [(e.slug, e.name, e.starts_on, e.ends_on, e.city, e.status, tuple(e.sectors))
            for e in db.session.scalars(select(Exhibition).order_by(Exhibition.slug))]


def wipe(db):
    db.session.execute(ExhibitionSector.__table__.delete())
    db.session.execute(Exhibition.__table__.delete())
    db.session.commit()


def test_the_same_seed_gives_the_same_exhibitions(app, db):
    make_exhibitions(300, seed=7, today=TODAY)
    db.session.commit()
    first = snapshot(db)
    wipe(db)
    make_exhibitions(300, seed=7, today=TODAY)
    db.session.commit()
    assert snapshot(db) == first


def test_a_different_seed_gives_different_exhibitions(app, db):
    make_exhibitions(100, seed=1, today=TODAY)
    db.session.commit()
    first = snapshot(db)
    wipe(db)
    make_exhibitions(100, seed=2, today=TODAY)
    db.session.commit()
    assert snapshot(db) != first


def test_it_creates_the_number_asked_and_a_rerun_adds_nothing(app, db):
    assert make_exhibitions(250, seed=3, today=TODAY) == 250
    db.session.commit()
    assert make_exhibitions(250, seed=3, today=TODAY) == 0
    assert make_exhibitions(260, seed=3, today=TODAY) == 10
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Exhibition)) == 260


def test_synthetic_rows_are_realistic(app, db):
    make_exhibitions(500, seed=11, today=TODAY)
    db.session.commit()
    countries = known_country_codes()
    rows = list(db.session.scalars(select(Exhibition)))
    years = {e.edition_year for e in rows}
    assert years == {2025, 2026, 2027, 2028, 2029}
    for e in rows:
        assert e.slug == f"synthetic-{e.slug.split('-')[1]}-{e.edition_year}"
        assert 2 <= (e.ends_on - e.starts_on).days + 1 <= 6
        assert e.starts_on.year == e.edition_year == e.ends_on.year
        assert e.country_code in countries
        ZoneInfo(e.timezone)
        assert 1 <= len(e.sectors) <= 3
        assert e.name_ko and e.description
        if e.status is ExhibitionStatus.completed:
            assert e.ends_on < TODAY
        if e.status is ExhibitionStatus.planned:
            assert e.ends_on >= TODAY
    assert len({e.date_certainty for e in rows}) == 3
    assert len({e.status for e in rows}) == 4
    assert len({e.city for e in rows}) > 40


def test_every_city_has_a_real_country_and_time_zone():
    countries = known_country_codes()
    assert len(CITIES) >= 60
    for city, _city_ko, country, tz in CITIES:
        assert country in countries, city
        ZoneInfo(tz)


def test_the_progress_bar_goes_to_stderr(app, db, capsys):
    make_exhibitions(20, seed=5, progress=True, today=TODAY)
    captured = capsys.readouterr()
    assert "exhibitions" in captured.err and captured.out == ""
