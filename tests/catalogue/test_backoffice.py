"""Coordinator pages for the catalogue: permissions, create, edit, cancel, postpone, CSV."""
from __future__ import annotations

import datetime as dt
import io

import pytest

from planner.catalogue.models import Exhibition, ExhibitionStatus
from tests.factories import make_coordinator, make_exhibition, make_user

FORM = {
    "name": "Eurosatory", "slug": "eurosatory-2028", "starts_on": "2028-06-12", "ends_on": "2028-06-16",
    "date_certainty": "confirmed", "status": "planned", "city": "Paris", "country_code": "FR",
    "timezone": "Europe/Paris", "website": "https://www.eurosatory.com/", "sectors": ["land", "security"],
}
PAGES = ["/backoffice/exhibitions", "/backoffice/exhibitions/new", "/backoffice/exhibitions/export.csv",
         "/backoffice/exhibitions/import"]


@pytest.fixture
def coordinator(db, login_as):
    user = make_coordinator()
    db.session.commit()
    return login_as(user)


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("path", PAGES)
def test_applicants_are_forbidden(client, db, login_as, path):
    login_as(make_user())
    db.session.commit()
    assert client.get(path).status_code == 403


def test_applicant_cannot_cancel(client, db, login_as):
    make_exhibition(slug="safe")
    login_as(make_user())
    db.session.commit()
    assert client.post("/backoffice/exhibitions/safe/cancel", data={"reason": "x"}).status_code == 403
    assert db.session.scalar(db.select(Exhibition.status).where(Exhibition.slug == "safe")) == ExhibitionStatus.planned


def test_list_links_to_edit_pages(client, db, coordinator):
    make_exhibition(slug="listed", name="Listed Show", starts_on=dt.date(2020, 1, 1), ends_on=dt.date(2020, 1, 2))
    db.session.commit()
    page = client.get("/backoffice/exhibitions").get_data(as_text=True)
    assert "Listed Show" in page  # past editions included
    assert "/backoffice/exhibitions/listed/edit" in page


def test_coordinator_creates_an_exhibition(client, db, coordinator):
    response = client.post("/backoffice/exhibitions/new", data=FORM)
    assert response.status_code == 302
    exhibition = db.session.scalar(db.select(Exhibition).where(Exhibition.slug == "eurosatory-2028"))
    assert exhibition.city == "Paris" and [s.value for s in exhibition.sectors] == ["land", "security"]


@pytest.mark.parametrize("changes, message", [
    ({"ends_on": "2028-06-01"}, "The end date is before the start date."),
    ({"country_code": "XY"}, "Choose a known country."),
    ({"timezone": "Paris"}, "IANA time zone"),
    ({"website": "www.example"}, "starting with http"),
    ({"slug": "Bad slug"}, "lowercase letters"),
    ({"sectors": []}, "Choose at least one sector."),
])
def test_form_refuses_bad_input_with_a_message(client, db, coordinator, changes, message):
    response = client.post("/backoffice/exhibitions/new", data={**FORM, **changes})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Exhibition)) == 0


def test_form_refuses_a_slug_already_used(client, db, coordinator):
    make_exhibition(slug="eurosatory-2028")
    db.session.commit()
    response = client.post("/backoffice/exhibitions/new", data=FORM)
    assert response.status_code == 400
    assert "already uses the address" in response.get_data(as_text=True)


def test_coordinator_edits_and_the_sequence_rises(client, db, coordinator):
    exhibition = make_exhibition(slug="edit-me", city="Paris")
    db.session.commit()
    assert 'value="Paris"' in client.get("/backoffice/exhibitions/edit-me/edit").get_data(as_text=True)
    response = client.post("/backoffice/exhibitions/edit-me/edit", data={**FORM, "slug": "edit-me", "city": "Lyon"})
    assert response.status_code == 302
    db.session.refresh(exhibition)
    assert exhibition.city == "Lyon" and exhibition.sequence == 1


def test_unknown_slug_in_back_office_is_404(client, coordinator):
    assert client.get("/backoffice/exhibitions/nope/edit").status_code == 404
    assert client.post("/backoffice/exhibitions/nope/cancel", data={"reason": "x"}).status_code == 404


def test_cancel_needs_a_reason_then_marks_cancelled(client, db, coordinator):
    exhibition = make_exhibition(slug="to-cancel")
    db.session.commit()
    assert client.post("/backoffice/exhibitions/to-cancel/cancel", data={"reason": ""}).status_code == 400
    response = client.post("/backoffice/exhibitions/to-cancel/cancel", data={"reason": "Organiser cancelled"})
    assert response.status_code == 302
    db.session.refresh(exhibition)
    assert exhibition.status == ExhibitionStatus.cancelled and exhibition.status_note == "Organiser cancelled"
    assert "Organiser cancelled" in client.get("/exhibitions/to-cancel").get_data(as_text=True)


def test_postpone_sets_new_dates_and_note(client, db, coordinator):
    exhibition = make_exhibition(slug="to-move", starts_on=dt.date(2027, 6, 14), ends_on=dt.date(2027, 6, 18))
    db.session.commit()
    bad = client.post("/backoffice/exhibitions/to-move/postpone",
                      data={"starts_on": "2027-10-05", "ends_on": "2027-10-01", "reason": "Venue works",
                            "date_certainty": "confirmed"})
    assert bad.status_code == 400
    response = client.post("/backoffice/exhibitions/to-move/postpone",
                           data={"starts_on": "2027-10-01", "ends_on": "2027-10-05", "reason": "Venue works",
                                 "date_certainty": "confirmed"})
    assert response.status_code == 302
    db.session.refresh(exhibition)
    assert exhibition.status == ExhibitionStatus.postponed
    assert exhibition.starts_on == dt.date(2027, 10, 1) and exhibition.sequence == 1


def test_csv_export_then_import_round_trips(client, db, coordinator):
    make_exhibition(slug="round-trip", name="Round Trip", name_ko="왕복", sectors=["air", "space"])
    db.session.commit()
    response = client.get("/backoffice/exhibitions/export.csv")
    assert response.mimetype == "text/csv"
    exported = response.get_data()
    assert "왕복" in exported.decode("utf-8-sig")
    db.session.execute(db.delete(Exhibition))
    db.session.commit()
    response = client.post("/backoffice/exhibitions/import",
                           data={"file": (io.BytesIO(exported), "exhibitions.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    exhibition = db.session.scalar(db.select(Exhibition).where(Exhibition.slug == "round-trip"))
    assert exhibition.name_ko == "왕복" and [s.value for s in exhibition.sectors] == ["air", "space"]


def test_bad_csv_imports_nothing_and_shows_row_errors(client, db, coordinator):
    make_exhibition(slug="keep", city="Paris")
    db.session.commit()
    exported = client.get("/backoffice/exhibitions/export.csv").get_data().decode("utf-8-sig")
    header, row = exported.strip().split("\r\n")
    changed = row.replace(",Paris,", ",Lyon,")
    broken = row.replace("keep", "second").replace(",FR,", ",QQ,")
    content = "\r\n".join([header, changed, broken]).encode()
    response = client.post("/backoffice/exhibitions/import",
                           data={"file": (io.BytesIO(content), "exhibitions.csv")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "nothing was imported" in page
    assert "<td>3</td>" in page and "country_code" in page
    db.session.expire_all()
    assert db.session.scalar(db.select(Exhibition.city).where(Exhibition.slug == "keep")) == "Paris"
    assert db.session.scalar(db.select(db.func.count()).select_from(Exhibition)) == 1


def test_import_without_a_file_asks_for_one(client, coordinator):
    response = client.post("/backoffice/exhibitions/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose a CSV file." in response.get_data(as_text=True)
