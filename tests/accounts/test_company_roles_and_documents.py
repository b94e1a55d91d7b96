"""Company roles, documents and the size-class check: services and views."""
from __future__ import annotations

import io

import pytest

from planner.accounts import services
from planner.accounts.models import AccountEvent, CompanyDocument, DocumentKind, SizeClassCheck
from planner.extensions import db
from planner.storage import DocumentNotStored, LocalStore, S3Store
from planner.vocab import SizeClass
from tests.accounts.conftest import registration_data
from tests.factories import make_company, make_coordinator, make_user

PDF = b"%PDF-1.7\n%test certificate\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20


@pytest.fixture
def app_config(tmp_path):
    return {"MAIL_DIR": str(tmp_path / "mail"), "DOCUMENTS_DIR": str(tmp_path / "documents"),
            "DOCUMENTS_MAX_BYTES": 1000}


@pytest.fixture
def team(app):
    company = make_company()
    main = make_user(company=company, is_main_contact=True)
    colleague = make_user(company=company)
    return company, main, colleague


def _events(action):
    return list(db.session.scalars(db.select(AccountEvent).where(AccountEvent.action == action)))


# --- services --------------------------------------------------------------------------------

def test_the_first_registered_user_is_the_main_contact(app):
    user = services.register_company(registration_data()["registration_number"], services.CompanyDetails(
        legal_name="Hanbit", size_class=SizeClass.small, sectors=["land"]),
        name="Kim", email="kim@hanbit.example", password="blue-falcon-harbour")
    assert user.is_main_contact
    assert services.main_contact(user.company) == user


def test_the_main_contact_removes_a_colleague_whose_sessions_end(team):
    company, main, colleague = team
    old_id = colleague.get_id()
    services.remove_colleague(company, colleague.id, actor=main)
    assert not colleague.is_active_account
    assert services.load_user(old_id) is None
    [event] = _events("colleague-removed")
    assert (event.actor_id, event.user_id, event.company_id) == (main.id, colleague.id, company.id)


def test_a_member_cannot_remove_a_colleague(team):
    company, main, colleague = team
    with pytest.raises(services.NotMainContact) as caught:
        services.remove_colleague(company, main.id, actor=colleague)
    assert caught.value.status_code == 403


def test_a_user_of_another_company_cannot_be_removed(team):
    company, main, _colleague = team
    stranger = make_user()
    with pytest.raises(services.ColleagueNotFound):
        services.remove_colleague(company, stranger.id, actor=main)
    assert stranger.is_active_account


def test_handing_over_the_main_contact_role_moves_it(team):
    company, main, colleague = team
    services.hand_over_main_contact(company, colleague.id, actor=main)
    db.session.flush()
    assert colleague.is_main_contact and not main.is_main_contact
    assert services.main_contact(company) == colleague
    assert len(_events("main-contact-handed-over")) == 1


def test_an_upload_is_stored_under_a_random_name_outside_the_web_root(app, team, tmp_path):
    company, main, _colleague = team
    document = services.upload_document(company, DocumentKind.registration_certificate,
                                        "../../etc/cert.pdf", PDF, actor=main)
    assert document.filename == "cert.pdf"
    assert document.content_type == "application/pdf"
    assert (tmp_path / "documents" / document.storage_key).read_bytes() == PDF
    assert services.read_document(document) == PDF


@pytest.mark.parametrize("name, data", [
    ("evil.pdf", b"<html><script>alert(1)</script>"),   # extension only
    ("picture.pdf", PNG),                               # content and extension disagree
    ("cert.exe", PDF),
])
def test_an_upload_must_be_a_pdf_png_or_jpeg_by_its_content(team, name, data):
    company, main, _colleague = team
    with pytest.raises(services.DocumentRefused, match="PDF, PNG or JPEG"):
        services.upload_document(company, DocumentKind.sme_confirmation, name, data, actor=main)


def test_an_upload_over_the_configured_size_is_refused(team):
    company, main, _colleague = team
    with pytest.raises(services.DocumentRefused, match="too large"):
        services.upload_document(company, DocumentKind.sme_confirmation, "big.pdf", PDF + b"0" * 1000,
                                 actor=main)


def test_only_the_company_and_staff_may_read_a_document(team):
    company, main, colleague = team
    document = services.upload_document(company, DocumentKind.sme_confirmation, "c.png", PNG, actor=main)
    assert services.get_document_for(colleague, document.id) == document
    assert services.get_document_for(make_coordinator(), document.id) == document
    with pytest.raises(services.DocumentNotFound):
        services.get_document_for(make_user(), document.id)


def test_the_store_refuses_keys_that_are_not_its_own_random_names(tmp_path):
    store = LocalStore(str(tmp_path))
    for key in ("../planner.sqlite", "/etc/passwd", "a" * 31, "A" * 32):
        with pytest.raises(DocumentNotStored):
            store.load(key)


def test_the_s3_store_puts_and_gets_objects_under_its_prefix():
    class FakeS3:
        def __init__(self):
            self.objects = {}

        def put_object(self, Bucket, Key, Body, ContentType):
            self.objects[(Bucket, Key)] = Body

        def get_object(self, Bucket, Key):
            if (Bucket, Key) not in self.objects:
                raise KeyError(Key)
            return {"Body": io.BytesIO(self.objects[(Bucket, Key)])}

        def delete_object(self, Bucket, Key):
            self.objects.pop((Bucket, Key), None)

    client = FakeS3()
    store = S3Store(client, "bucket", "docs/")
    store.save("0" * 32, PDF, "application/pdf")
    assert client.objects == {("bucket", "docs/" + "0" * 32): PDF}
    assert store.load("0" * 32) == PDF
    store.delete("0" * 32)
    with pytest.raises(DocumentNotStored):
        store.load("0" * 32)


def test_a_verified_size_class_becomes_unverified_when_the_company_changes_it(team):
    company, main, _colleague = team
    coordinator = make_coordinator()
    services.check_size_class(company, verified=True, note="", actor=coordinator)
    assert company.size_class_check == SizeClassCheck.verified
    details = services.CompanyDetails(legal_name=company.legal_name, size_class=SizeClass.medium,
                                      sectors=company.sectors)
    services.update_company(company, details, actor=main)
    assert company.size_class_check == SizeClassCheck.unverified
    [changed] = _events("size-class-changed")
    assert changed.details == {"previous": "small", "new": "medium"}
    assert _events("size-class-verified")[0].actor_id == coordinator.id


def test_rejecting_a_size_class_needs_a_note(team):
    company, _main, _colleague = team
    with pytest.raises(services.AccountError):
        services.check_size_class(company, verified=False, note=" ", actor=make_coordinator())
    services.check_size_class(company, verified=False, note="Certificate says medium", actor=make_coordinator())
    assert company.size_class_check == SizeClassCheck.rejected


# --- views -----------------------------------------------------------------------------------

def _upload(client, name, data, kind="registration-certificate"):
    return client.post("/account/company/documents",
                       data={"kind": kind, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_a_company_uploads_a_certificate_and_reads_it_back(client, login_as, team, db):
    company, main, _colleague = team
    db.session.commit()
    login_as(main)
    response = _upload(client, "cert.pdf", PDF)
    assert response.status_code == 302
    document = db.session.scalar(db.select(CompanyDocument))
    response = client.get(f"/account/documents/{document.id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "cert.pdf" in client.get("/account/company").text


@pytest.mark.parametrize("name, data, message", [
    ("cert.pdf", b"MZ\x90\x00 not a pdf", "PDF, PNG or JPEG"),
    ("cert.pdf", PDF + b"0" * 2000, "too large"),
])
def test_a_wrong_or_oversized_upload_is_refused_with_a_message(client, login_as, team, db, name, data, message):
    _company, main, _colleague = team
    db.session.commit()
    login_as(main)
    response = _upload(client, name, data)
    assert response.status_code == 400
    assert message in response.text
    assert db.session.scalar(db.select(db.func.count()).select_from(CompanyDocument)) == 0


def test_another_companys_document_is_404(client, login_as, team, db):
    company, main, _colleague = team
    document = services.upload_document(company, DocumentKind.sme_confirmation, "c.pdf", PDF, actor=main)
    outsider = make_user()
    db.session.commit()
    login_as(outsider)
    assert client.get(f"/account/documents/{document.id}").status_code == 404
    assert client.get("/account/documents/999999").status_code == 404


@pytest.mark.parametrize("path", ["/account/documents/..%2F..%2Fplanner.sqlite",
                                  "/account/documents/%2Fetc%2Fpasswd", "/account/documents/-1"])
def test_path_tricks_in_a_document_address_are_refused(client, login_as, team, db, path):
    _company, main, _colleague = team
    db.session.commit()
    login_as(main)
    assert client.get(path).status_code == 404


def test_the_main_contact_removes_a_colleague_from_the_company_page(client, login_as, team, db):
    company, main, colleague = team
    db.session.commit()
    login_as(main)
    page = client.get("/account/company").text
    assert "Main contact" in page and "Make main contact" in page
    assert client.post(f"/account/company/members/{colleague.id}/remove").status_code == 302
    assert not db.session.get(type(colleague), colleague.id).is_active_account


def test_a_member_gets_403_when_removing_someone(client, login_as, team, db):
    _company, main, colleague = team
    db.session.commit()
    login_as(colleague)
    assert "Make main contact" not in client.get("/account/company").text
    assert client.post(f"/account/company/members/{main.id}/remove").status_code == 403


def test_registration_reports_the_check_digit_with_the_password_errors(client):
    response = client.post("/account/register", data=registration_data(
        registration_number="123-45-67892", password="short", confirm="short", legal_name=""))
    assert response.status_code == 400
    text = response.text
    assert "check digit" in text
    assert "at least 10 characters" in text.lower() or "10 characters" in text
    assert "This field is required" in text or "legal name" in text.lower()


def test_staff_land_in_the_back_office_after_signing_in(client, app):
    coordinator = make_coordinator(email="coord@example.com")
    db.session.commit()
    response = client.post("/account/login", data={"email": coordinator.email, "password": "correct horse battery"})
    assert response.status_code == 302, response.text
    assert response.headers["Location"].endswith("/backoffice/")
