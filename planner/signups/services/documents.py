"""An application's documents (exhibit licence evidence, brochures): kept through the company
documents of planner.accounts (type by content, size limit, the document store, who may read
them), attached to the application, and changed only while the application is."""
from __future__ import annotations

import datetime as dt

from planner.accounts import services as accounts
from planner.accounts.models import CompanyDocument, DocumentKind, User
from planner.i18n import _
from planner.signups.models import Application
from planner.signups.services.submission import ensure_editable


def application_documents(application: Application) -> list[CompanyDocument]:
    return accounts.list_application_documents(application.id)


def upload_application_document(application: Application, kind: DocumentKind, filename: str,
                                data: bytes, *, actor: User, now: dt.datetime | None = None) -> CompanyDocument:
    """Attach a document to the actor's company's application while it can be changed.
    Raises NotEditable (403) once it cannot, DocumentNotFound (404) for another company's
    application, DocumentRefused for a file of the wrong type or size."""
    if actor.company_id != application.company_id:
        raise accounts.DocumentNotFound(_("This application does not exist."))
    ensure_editable(application, now)
    return accounts.upload_document(application.company, kind, filename, data, actor=actor, now=now,
                                    application_id=application.id)


def delete_application_document(application: Application, document_id: int, *, actor: User,
                                now: dt.datetime | None = None) -> CompanyDocument:
    """Delete one of the application's documents while the application can be changed; a
    document of another application or company is DocumentNotFound (404)."""
    document = accounts.get_document_for(actor, document_id)
    if document.application_id != application.id or actor.company_id != application.company_id:
        raise accounts.DocumentNotFound(_("This document does not exist."))
    ensure_editable(application, now)
    accounts.delete_document(document, actor=actor, now=now)
    return document
