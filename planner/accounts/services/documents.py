"""Company documents (business registration certificate, SME confirmation): checking an
upload's type and size, keeping it in the document store, and who may read it; and the
coordinator's check of the company's size class against its certificate."""
from __future__ import annotations

import datetime as dt
import os
import secrets

from flask import current_app

from planner.accounts.models import Company, CompanyDocument, DocumentKind, SizeClassCheck, User
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
                    actor: User, now: dt.datetime | None = None) -> CompanyDocument:
    """Keep a document of `company` uploaded by one of its users. Raises DocumentRefused when
    it is empty, larger than DOCUMENTS_MAX_BYTES, or not a PDF, PNG or JPEG (by its content,
    and by its extension too)."""
    if actor.company_id != company.id:
        raise DocumentNotFound(_("You can only upload documents of your own company."))
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
    document = CompanyDocument(company_id=company.id, kind=kind, storage_key=key, filename=name,
                               content_type=content_type, size=len(data), uploaded_by_id=actor.id,
                               uploaded_at=now or utcnow())
    db.session.add(document)
    db.session.flush()
    record_event("document-uploaded", actor=actor, company_id=company.id, now=now,
                 kind=kind.value, filename=name, document_id=document.id)
    return document


def list_documents(company: Company) -> list[CompanyDocument]:
    return list(db.session.scalars(
        db.select(CompanyDocument).where(CompanyDocument.company_id == company.id)
        .order_by(CompanyDocument.uploaded_at.desc(), CompanyDocument.id.desc())))


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
