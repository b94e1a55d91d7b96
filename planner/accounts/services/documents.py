"""Company documents: the company's own (business registration certificate, SME confirmation)
and those of one of its applications (exhibit licence evidence, brochures). Checking an
upload's type and size, keeping it in the document store, who may read it, deleting it; and
the coordinator's check of the company's size class against its certificate."""
from __future__ import annotations

import datetime as dt
import os
import secrets

from flask import current_app

from planner.accounts.models import (
    APPLICATION_DOCUMENT_KINDS,
    COMPANY_DOCUMENT_KINDS,
    Company,
    CompanyDocument,
    DocumentKind,
    SizeClassCheck,
    User,
)
from planner.accounts.services.audit import record_event
from planner.accounts.services.errors import AccountError
from planner.accounts.services.users import one_line
from planner.db import utcnow
from planner.extensions import db
from planner.i18n import _
from planner.storage import DocumentNotStored, document_store

# The file types a certificate may come as, by the bytes they start with, and the extensions
# each may carry: a renamed executable or HTML page is refused whatever its name says.
FILE_TYPES: dict[str, tuple[bytes, tuple[str, ...]]] = {
    "application/pdf": (b"%PDF-", (".pdf",)),
    "image/png": (b"\x89PNG\r\n\x1a\n", (".png",)),
    "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg")),
}


class DocumentRefused(AccountError):
    pass


class DocumentNotFound(AccountError):
    status_code = 404


def sniff_content_type(data: bytes) -> str | None:
    """The content type the file's first bytes show, if it is one of FILE_TYPES."""
    for content_type, (magic, _extensions) in FILE_TYPES.items():
        if data.startswith(magic):
            return content_type
    return None


def _clean_filename(filename: str) -> str:
    # Only shown to people and sent back as the download name, never used as a path.
    name = one_line(os.path.basename((filename or "").replace("\\", "/"))).replace('"', "")
    return name[-200:] or "document"


def upload_document(company: Company, kind: DocumentKind, filename: str, data: bytes, *,
                    actor: User, now: dt.datetime | None = None,
                    application_id: int | None = None) -> CompanyDocument:
    """Keep a document of `company` uploaded by one of its users: the company's own, or with
    `application_id` one of that application's (the caller checks the application is the
    company's and still editable). Raises DocumentRefused when it is empty, larger than
    DOCUMENTS_MAX_BYTES, or not a PDF, PNG or JPEG (by its content, and by its extension too),
    or when the kind does not belong there."""
    if actor.company_id != company.id:
        raise DocumentNotFound(_("You can only upload documents of your own company."))
    if kind not in (COMPANY_DOCUMENT_KINDS if application_id is None else APPLICATION_DOCUMENT_KINDS):
        raise DocumentRefused(_("Choose which document this is."))
    limit = int(current_app.config["DOCUMENTS_MAX_BYTES"])
    if not data:
        raise DocumentRefused(_("The file is empty."))
    if len(data) > limit:
        raise DocumentRefused(_("The file is too large: at most %(mb)s MB.", mb=round(limit / 1024 / 1024, 1)))
    name = _clean_filename(filename)
    content_type = sniff_content_type(data)
    if content_type is None or not name.lower().endswith(FILE_TYPES[content_type][1]):
        raise DocumentRefused(_("Upload a PDF, PNG or JPEG file."))
    key = secrets.token_hex(16)
    # Written before the commit: if the request fails afterwards the file is an orphan nobody
    # can reach (no row names it), which is harmless, whereas a row without a file is not.
    document_store().save(key, data, content_type)
    document = CompanyDocument(company_id=company.id, application_id=application_id, kind=kind,
                               storage_key=key, filename=name,
                               content_type=content_type, size=len(data), uploaded_by_id=actor.id,
                               uploaded_at=now or utcnow())
    db.session.add(document)
    db.session.flush()
    record_event("document-uploaded", actor=actor, company_id=company.id, now=now,
                 kind=kind.value, filename=name, document_id=document.id, application_id=application_id)
    return document


def list_documents(company: Company) -> list[CompanyDocument]:
    """The company's own documents (not those of its applications), the newest first."""
    return list(db.session.scalars(
        db.select(CompanyDocument).where(CompanyDocument.company_id == company.id,
                                         CompanyDocument.application_id.is_(None))
        .order_by(CompanyDocument.uploaded_at.desc(), CompanyDocument.id.desc())))


def list_application_documents(application_id: int) -> list[CompanyDocument]:
    """The documents of one application, the newest first."""
    return list(db.session.scalars(
        db.select(CompanyDocument).where(CompanyDocument.application_id == application_id)
        .order_by(CompanyDocument.uploaded_at.desc(), CompanyDocument.id.desc())))


def delete_document(document: CompanyDocument, *, actor: User, now: dt.datetime | None = None) -> None:
    """Delete a document of the actor's company, its row and its file (the caller checks the
    application it belongs to may still be changed)."""
    if actor.company_id is None or actor.company_id != document.company_id:
        raise DocumentNotFound(_("This document does not exist."))
    key, company_id = document.storage_key, document.company_id
    record_event("document-deleted", actor=actor, company_id=company_id, now=now, kind=document.kind.value,
                 filename=document.filename, document_id=document.id, application_id=document.application_id)
    db.session.delete(document)
    db.session.flush()
    # After the row is gone from this transaction: should it still roll back, the row points at
    # no file and reads as missing (404), which is what the company asked for anyway.
    document_store().delete(key)


def get_document_for(user: User, document_id: int) -> CompanyDocument:
    """A document `user` may read: staff read every company's, others only their own company's.
    Raises DocumentNotFound (404) otherwise, the same as for a document that does not exist."""
    document = db.session.get(CompanyDocument, document_id)
    if document is None or not (user.is_staff or (user.company_id is not None
                                                   and user.company_id == document.company_id)):
        raise DocumentNotFound(_("This document does not exist."))
    return document


def read_document(document: CompanyDocument) -> bytes:
    try:
        return document_store().load(document.storage_key)
    except DocumentNotStored as exc:
        raise DocumentNotFound(_("This document does not exist.")) from exc


# --- the size-class check --------------------------------------------------------------------

def check_size_class(company: Company, *, verified: bool, note: str, actor: User,
                     now: dt.datetime | None = None) -> Company:
    """A coordinator records that the company's size class matches its certificate (verified)
    or does not (rejected), with a note; logged with the size class checked."""
    if not actor.is_staff:
        raise DocumentNotFound(_("This company does not exist."))
    now = now or utcnow()
    note = note.strip()[:2000]
    if not verified and not note:
        raise AccountError(_("Say why the size class does not match the certificate."))
    company.size_class_check = SizeClassCheck.verified if verified else SizeClassCheck.rejected
    company.size_class_checked_at = now
    company.size_class_note = note or None
    db.session.flush()
    record_event("size-class-" + company.size_class_check.value, actor=actor, company_id=company.id,
                 now=now, size_class=company.size_class.value, note=note)
    return company


def size_class_changed(company: Company, previous: str, *, actor: User,
                       now: dt.datetime | None = None) -> None:
    """A company changed its own size class: a check no longer holds, so it is unverified again."""
    company.size_class_check = SizeClassCheck.unverified
    company.size_class_checked_at = None
    company.size_class_note = None
    db.session.flush()
    record_event("size-class-changed", actor=actor, company_id=company.id, now=now,
                 previous=previous, new=company.size_class.value)
