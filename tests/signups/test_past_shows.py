"""Past shows on the company profile: chosen from the catalogue's exhibition series with a year
(issue 10 item 8), with the old free-text lines migrated, never silently lost."""
from __future__ import annotations

import datetime as dt
import json

from flask_migrate import upgrade
from sqlalchemy import text

from planner import create_app
from planner.accounts.models import Company
from planner.extensions import db as _db
from tests.conftest import scratch_database
from tests.factories import make_exhibition, make_user

BEFORE, AFTER = "c3d4e5f6a7b8", "3b7d2c9e41f0"


def _catalogue():
    make_exhibition(name="Eurosatory 2026", slug="eurosatory-2026", acronym="EUROSATORY", name_ko="유로사토리 2026")
    make_exhibition(name="Eurosatory 2024", slug="eurosatory-2024", acronym="EUROSATORY",
                    starts_on=dt.date(2024, 6, 17), ends_on=dt.date(2024, 6, 21))
    make_exhibition(name="IDEX 2027", slug="idex-2027", acronym="IDEX")


def test_the_profile_offers_the_catalogues_series_and_saves_the_chosen_ones(client, db, login_as):
    _catalogue()
    user = login_as(make_user())
    db.session.commit()
    page = client.get("/company/past-shows").get_data(as_text=True)
    assert '<option value="eurosatory">Eurosatory</option>' in page      # one entry per series
    assert page.count('value="eurosatory"') == 3 and 'value="idex"' in page  # three empty rows
    response = client.post("/company/past-shows", data={
        "shows-0-series": "eurosatory", "shows-0-year": "2024",
        "shows-1-series": "idex", "shows-1-year": "",
        "shows-2-series": "", "shows-2-year": ""})
    assert response.status_code == 303
    company = db.session.get(Company, user.company_id)
    assert [(s["series"], s["year"]) for s in company.past_shows] == [("eurosatory", 2024), ("idex", None)]
    profile = client.get("/account/company").get_data(as_text=True)
    assert "Eurosatory 2024" in profile and "IDEX" in profile
    again = client.get("/company/past-shows").get_data(as_text=True)
    assert 'value="2024" selected' in again or 'selected value="2024"' in again


def test_a_series_not_in_the_catalogue_or_a_year_off_the_list_is_refused(client, db, login_as):
    _catalogue()
    user = login_as(make_user())
    db.session.commit()
    for row in ({"shows-0-series": "made-up-show", "shows-0-year": "2024"},
                {"shows-0-series": "idex", "shows-0-year": "1950"},
                {"shows-0-series": "", "shows-0-year": "2024"}):
        response = client.post("/company/past-shows", data=row)
        assert response.status_code == 400
    assert db.session.get(Company, user.company_id).past_shows == []


def test_add_more_rows_works_without_javascript_and_saves_nothing(client, db, login_as):
    _catalogue()
    user = login_as(make_user())
    db.session.commit()
    response = client.post("/company/past-shows", data={
        "shows-0-series": "idex", "shows-0-year": "2025", "shows-1-series": "", "shows-1-year": "", "more": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="shows-4-series"' in page and 'name="shows-5-series"' not in page
    assert db.session.get(Company, user.company_id).past_shows == []


def test_unrecognised_lines_are_shown_and_kept_until_the_company_unticks_them(client, db, login_as):
    _catalogue()
    user = login_as(make_user())
    user.company.prior_exhibitions = ["Our own roadshow 2023", "Milipol 2025"]
    db.session.commit()
    page = client.get("/company/past-shows").get_data(as_text=True)
    assert "Not recognised, please choose" in page
    assert '<input checked id="keep-0" name="keep" type="checkbox" value="Our own roadshow 2023">' in page
    assert "Not recognised, please choose" in client.get("/account/company").get_data(as_text=True)
    client.post("/company/past-shows", data={"keep": ["Milipol 2025"], "shows-0-series": "idex", "shows-0-year": "2025"})
    company = db.session.get(Company, user.company_id)
    assert company.prior_exhibitions == ["Milipol 2025"]
    # Editing the rest of the profile never touches them.
    client.post("/account/company/edit", data={"legal_name": "Renamed", "size_class": "small", "sectors": ["land"]})
    assert db.session.get(Company, user.company_id).prior_exhibitions == ["Milipol 2025"]


def test_the_migration_maps_free_text_to_series_and_keeps_what_it_cannot_read(tmp_path):
    with scratch_database(tmp_path, "planner_past_shows") as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
        with app.app_context():
            upgrade(directory="migrations", revision=BEFORE)
            now = {"now": "2026-11-22 08:00:00"}
            for slug, name, name_ko, year in (("eurosatory-2026", "Eurosatory 2026", "유로사토리 2026", 2026),
                                              ("sea-air-space-2026", "Sea-Air-Space 2026", None, 2026),
                                              ("singapore-airshow-2026", "Singapore Airshow 2026", None, 2026)):
                _db.session.execute(text(
                    "INSERT INTO exhibitions (slug, name, name_ko, edition_year, starts_on, ends_on, date_certainty, "
                    "city, country_code, timezone, status, sequence, created_at, updated_at) VALUES "
                    f"(:slug, :name, :name_ko, {year}, '{year}-06-15', '{year}-06-19', 'confirmed', 'Paris', 'FR', "
                    "'Europe/Paris', 'planned', 0, :now, :now)"), {"slug": slug, "name": name, "name_ko": name_ko, **now})
            lines = ["Eurosatory 2024", "유로사토리 2022", "eurosatory-2024", "SAS", "Sea Air Space",
                     "Our own roadshow 2023"]
            _db.session.execute(text(
                "INSERT INTO companies (registration_number, legal_name, size_class, sectors, has_defence_exports, "
                "prior_exhibitions, no_show_count, created_at, updated_at) VALUES "
                "('1234567890', 'Old Co', 'small', '[]', false, :prior, 0, :now, :now)"),
                {"prior": json.dumps(lines, ensure_ascii=False), **now})
            _db.session.commit()
            upgrade(directory="migrations", revision=AFTER)
            row = _db.session.execute(text("SELECT past_shows, prior_exhibitions FROM companies")).one()
            past = row[0] if isinstance(row[0], list) else json.loads(row[0])
            kept = row[1] if isinstance(row[1], list) else json.loads(row[1])
            assert [(s["series"], s["year"]) for s in past] == [
                ("eurosatory", 2024), ("eurosatory", 2022), ("seaairspace", None)]
            assert past[0]["name"] == "Eurosatory" and past[0]["name_ko"] == "유로사토리"
            # "SAS" is an acronym two shows share: not guessed, left for the company to choose.
            assert kept == ["SAS", "Our own roadshow 2023"]
            _db.session.remove()
            _db.engine.dispose()
