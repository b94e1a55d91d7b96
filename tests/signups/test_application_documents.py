"""Documents of one application (exhibit licence evidence, brochures): uploaded by the company
while the application is editable, read by its users and by coordinators, 404 for anyone else."""
from __future__ import annotations

import datetime as dt
import io

import pytest

from planner.accounts import services as accounts
from planner.accounts.models import AccountEvent, CompanyDocument, DocumentKind
from planner.extensions import db
from planner.signups import services
from planner.signups.models import ApplicationStatus
from tests.factories import make_application, make_company, make_coordinator, make_offer, make_user

PDF = b"%PDF-1.7\n%brochure\n"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 40


@pytest.fixture
def app_config(tmp_path):
    return {"MAIL_DIR": str(tmp_path / "mail"), "DOCUMENTS_DIR": str(tmp_path / "documents"),
            "DOCUMENTS_MAX_BYTES": 1000}


@pytest.fixture
def team(app):
    company = make_company()
    user = make_user(company=company, is_main_contact=True)
    application = make_application(company=company)
    return company, user, application


def _count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(CompanyDocument))


def _upload(client, application_id, name, data, kind="brochure"):
    return client.post(f"/my/applications/{application_id}/documents",
                       data={"kind": kind, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


# --- services --------------------------------------------------------------------------------

def test_an_application_document_is_kept_with_its_application_not_among_the_company_documents(team, tmp_path):
    company, user, application = team
    document = services.upload_application_document(application, DocumentKind.exhibit_licence,
                                                    "licence.pdf", PDF, actor=user)
    assert document.application_id == application.id and document.company_id == company.id
    assert (tmp_path / "documents" / document.storage_key).read_bytes() == PDF
    assert services.application_documents(application) == [document]
    assert accounts.list_documents(company) == []


def test_a_company_kind_cannot_be_attached_to_an_application_nor_an_application_kind_to_the_company(team):
    company, user, application = team
    with pytest.raises(accounts.DocumentRefused):
        services.upload_application_document(application, DocumentKind.registration_certificate,
                                             "cert.pdf", PDF, actor=user)
    with pytest.raises(accounts.DocumentRefused):
        accounts.upload_document(company, DocumentKind.brochure, "b.pdf", PDF, actor=user)


def test_documents_change_only_while_the_application_is_editable(team):
    _company, user, application = team
    document = services.upload_application_document(application, DocumentKind.brochure, "b.pdf", PDF, actor=user)
    application.offer.closes_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    with pytest.raises(services.NotEditable):
        services.upload_application_document(application, DocumentKind.brochure, "c.pdf", PDF, actor=user)
    with pytest.raises(services.NotEditable):
        services.delete_application_document(application, document.id, actor=user)
    assert services.application_documents(application) == [document]


def test_another_company_cannot_attach_to_or_delete_from_an_application(team):
    _company, user, application = team
    document = services.upload_application_document(application, DocumentKind.brochure, "b.pdf", PDF, actor=user)
    stranger = make_user()
    with pytest.raises(accounts.DocumentNotFound):
        services.upload_application_document(application, DocumentKind.brochure, "x.pdf", PDF, actor=stranger)
    with pytest.raises(accounts.DocumentNotFound):
        services.delete_application_document(application, document.id, actor=stranger)


def test_deleting_removes_the_row_and_the_file_and_is_logged(team, tmp_path):
    company, user, application = team
    document = services.upload_application_document(application, DocumentKind.brochure, "b.pdf", PDF, actor=user)
    key = document.storage_key
    services.delete_application_document(application, document.id, actor=user)
    assert _count() == 0
    assert not (tmp_path / "documents" / key).exists()
    [event] = db.session.scalars(db.select(AccountEvent).where(AccountEvent.action == "document-deleted"))
    assert (event.company_id, event.details["application_id"]) == (company.id, application.id)


# --- views -----------------------------------------------------------------------------------

def test_the_company_uploads_lists_and_deletes_on_the_application_page(client, login_as, team):
    _company, user, application = team
    db.session.commit()
    login_as(user)
    page = client.get(f"/my/applications/{application.id}").text
    assert "Upload a document" in page and "No documents yet." in page
    response = _upload(client, application.id, "brochure.jpg", JPEG)
    assert response.status_code == 303
    document = db.session.scalar(db.select(CompanyDocument))
    assert document.kind == DocumentKind.brochure and document.application_id == application.id
    page = client.get(f"/my/applications/{application.id}").text
    assert "brochure.jpg" in page and f"/account/documents/{document.id}" in page
    download = client.get(f"/account/documents/{document.id}")
    assert download.status_code == 200 and download.data == JPEG
    assert client.post(f"/my/applications/{application.id}/documents/{document.id}/delete").status_code == 303
    assert _count() == 0


@pytest.mark.parametrize("name, data, message", [
    ("brochure.pdf", b"<html><script>alert(1)</script>", "PDF, PNG or JPEG"),   # wrong type
    ("brochure.exe", PDF, "PDF, PNG or JPEG"),                                  # wrong extension
    ("brochure.pdf", PDF + b"0" * 2000, "too large"),                           # oversize
])
def test_a_wrong_type_or_oversized_application_document_is_refused(client, login_as, team, name, data, message):
    _company, user, application = team
    db.session.commit()
    login_as(user)
    response = _upload(client, application.id, name, data)
    assert response.status_code == 400
    assert message in response.text
    assert _count() == 0


def test_an_upload_after_the_deadline_is_refused_and_the_form_is_gone(client, login_as, team):
    _company, user, application = team
    application.offer.closes_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    db.session.commit()
    login_as(user)
    assert "Upload a document" not in client.get(f"/my/applications/{application.id}").text
    response = _upload(client, application.id, "b.pdf", PDF)
    assert response.status_code == 403
    assert _count() == 0


def test_another_companys_application_document_is_404_everywhere(client, login_as, team):
    _company, user, application = team
    document = services.upload_application_document(application, DocumentKind.exhibit_licence,
                                                    "licence.pdf", PDF, actor=user)
    other_company = make_company()
    outsider = make_user(company=other_company)
    own = make_application(company=other_company, offer=make_offer())
    db.session.commit()
    login_as(outsider)
    # Guessing ids: the document, the application, or the document under the outsider's own application.
    assert client.get(f"/account/documents/{document.id}").status_code == 404
    assert client.get(f"/my/applications/{application.id}").status_code == 404
    assert _upload(client, application.id, "x.pdf", PDF).status_code == 404
    assert client.post(f"/my/applications/{application.id}/documents/{document.id}/delete").status_code == 404
    assert client.post(f"/my/applications/{own.id}/documents/{document.id}/delete").status_code == 404
    assert _count() == 1


@pytest.mark.parametrize("path", [
    "/account/documents/..%2F..%2Fplanner.sqlite", "/account/documents/%2Fetc%2Fpasswd",
    "/my/applications/1/documents/..%2F1/delete", "/my/applications/1/documents/-1/delete"])
def test_path_tricks_are_refused(client, login_as, team, path):
    _company, user, _application = team
    db.session.commit()
    login_as(user)
    assert (client.post(path) if path.endswith("delete") else client.get(path)).status_code in (404, 405)


def test_a_path_in_the_uploaded_name_is_dropped(client, login_as, team, tmp_path):
    _company, user, application = team
    db.session.commit()
    login_as(user)
    assert _upload(client, application.id, "../../../../etc/brochure.pdf", PDF).status_code == 303
    document = db.session.scalar(db.select(CompanyDocument))
    assert document.filename == "brochure.pdf"
    assert [p.name for p in (tmp_path / "documents").iterdir()] == [document.storage_key]


def test_staff_see_and_download_an_application_document_in_the_back_office(client, login_as, team):
    _company, user, application = team
    document = services.upload_application_document(application, DocumentKind.exhibit_licence,
                                                    "licence.pdf", PDF, actor=user)
    coordinator = make_coordinator()
    db.session.commit()
    login_as(coordinator)
    page = client.get(f"/backoffice/applications/{application.id}").text
    assert "licence.pdf" in page and "Export licence evidence for the exhibits" in page
    download = client.get(f"/account/documents/{document.id}")
    assert download.status_code == 200 and download.data == PDF


def test_a_withdrawn_application_keeps_its_documents_read_only(client, login_as, team):
    _company, user, application = team
    document = services.upload_application_document(application, DocumentKind.brochure, "b.pdf", PDF, actor=user)
    application.status = ApplicationStatus.withdrawn
    db.session.commit()
    login_as(user)
    page = client.get(f"/my/applications/{application.id}").text
    assert "b.pdf" in page and "Upload a document" not in page
    assert client.post(f"/my/applications/{application.id}/documents/{document.id}/delete").status_code == 403
    assert _count() == 1
