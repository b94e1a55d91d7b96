from __future__ import annotations

import datetime as dt
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.db import UTCDateTime, utcnow
from planner.db import str_enum as _enum
from planner.extensions import Model
from planner.vocab import SizeClass


class Role(StrEnum):
    applicant = "applicant"
    coordinator = "coordinator"
    admin = "admin"


class SizeClassCheck(StrEnum):
    """Where a coordinator's check of the declared size class against the certificate stands."""

    unverified = "unverified"
    verified = "verified"
    rejected = "rejected"


class DocumentKind(StrEnum):
    registration_certificate = "registration-certificate"
    sme_confirmation = "sme-confirmation"
    # Per application (CompanyDocument.application_id set): evidence of the exhibits' export
    # licences and the brochures of what the company will show.
    exhibit_licence = "exhibit-licence"
    brochure = "brochure"


# The kinds a company keeps once, on its company page, and those it attaches to one application.
COMPANY_DOCUMENT_KINDS = (DocumentKind.registration_certificate, DocumentKind.sme_confirmation)
APPLICATION_DOCUMENT_KINDS = (DocumentKind.exhibit_licence, DocumentKind.brochure)


class Company(Model):
    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Korean business registration number, 10 digits without dashes.
    registration_number: Mapped[str] = mapped_column(String(10), unique=True)
    legal_name: Mapped[str] = mapped_column(String(200))
    # The company's name in Korean, and the name printed on its booth's fascia board (English,
    # and optionally Korean); the pavilion builder's list uses them.
    legal_name_ko: Mapped[str | None] = mapped_column(String(200))
    fascia_name: Mapped[str | None] = mapped_column(String(60))
    fascia_name_ko: Mapped[str | None] = mapped_column(String(60))
    size_class: Mapped[SizeClass] = mapped_column(_enum(SizeClass))
    sectors: Mapped[list[str]] = mapped_column(JSON, default=list)
    products: Mapped[str | None] = mapped_column(Text)
    employees: Mapped[int | None] = mapped_column(Integer)
    export_record: Mapped[str | None] = mapped_column(Text)
    has_defence_exports: Mapped[bool] = mapped_column(Boolean, default=False)
    # Exhibitions attended before, chosen from the catalogue's series: [{"series": series key
    # (catalogue.series), "year": 2024 or null, "name": "Eurosatory", "name_ko": "유로사토리"}].
    past_shows: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    # Lines of the former free-text field that named no series of the catalogue: shown to the
    # company as "not recognised, please choose" until it removes them; scoring still reads them.
    prior_exhibitions: Mapped[list[str]] = mapped_column(JSON, default=list)
    no_show_count: Mapped[int] = mapped_column(Integer, default=0)
    # Size class sets points and subsidy, so a coordinator checks it against the certificate;
    # changing it afterwards sets it back to unverified. Who checked it is in the audit log.
    size_class_check: Mapped[SizeClassCheck] = mapped_column(
        _enum(SizeClassCheck), default=SizeClassCheck.unverified, server_default=SizeClassCheck.unverified.value)
    size_class_checked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    size_class_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<Company {self.registration_number}>"


class User(UserMixin, Model):
    __tablename__ = "users"
    __table_args__ = (
        # A company has at most one main contact; handing the role over moves it in one flush.
        Index("uq_users_company_main_contact", "company_id", unique=True,
              sqlite_where=text("is_main_contact"), postgresql_where=text("is_main_contact")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(_enum(Role), default=Role.applicant)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"),
                                                   index=True)
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    # The company's main contact may remove colleagues and hand the role over; others are members.
    is_main_contact: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    email_verified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Bumped on password change: every session and remember-me cookie carries it, so all log out.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    locale: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    company: Mapped[Company | None] = relationship(lazy="joined")

    def get_id(self) -> str:
        # The login session this request runs under (set by services.start_session or
        # load_user): revoking its row ends the session cookie and the remember-me cookie alike.
        login_session_id = getattr(self, "login_session_id", None)
        return f"{self.id}:{self.session_version}:{login_session_id or ''}"

    @property
    def is_active(self) -> bool:
        return self.is_active_account

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.coordinator, Role.admin)

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class LoginSession(Model):
    """One signed-in browser. The session and remember-me cookies carry its id; deleting the
    row logs that browser out at once."""
    __tablename__ = "login_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    ip: Mapped[str] = mapped_column(String(45), default="")
    # When this browser passed the second factor; a session that needs one and has not passed
    # it is not signed in (services.load_user).
    second_factor_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class TwoFactor(Model):
    """A user's authenticator app (TOTP) and recovery codes. Required for staff, optional for
    applicants; a row without enabled_at is an enrolment not yet confirmed with a code."""
    __tablename__ = "two_factor"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    secret: Mapped[str] = mapped_column(String(64))
    enabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The time step of the last code accepted: a code is good once, not for its whole 30 s.
    last_step: Mapped[int] = mapped_column(Integer, default=0)
    # SHA-256 digests of the unused recovery codes.
    recovery_codes: Mapped[list[str]] = mapped_column(JSON, default=list)


class Invitation(Model):
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    company: Mapped[Company] = relationship()


class AccountEvent(Model):
    """Audit log of accounts: company roles, colleagues removed, documents, size-class checks
    and staff changes; who did what to whom, and when."""

    __tablename__ = "account_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    # What changed, e.g. {"from": "medium", "to": "small"} or {"note": "..."}.
    details: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])


class CompanyDocument(Model):
    """A file a company uploaded; the bytes live in the document store under `storage_key`."""

    __tablename__ = "company_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    # Set for a document of one application (exhibit licence evidence, brochure); NULL for the
    # company's own documents (certificate, SME confirmation).
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"),
                                                       index=True)
    kind: Mapped[DocumentKind] = mapped_column(_enum(DocumentKind, length=30))
    # Random, never derived from the uploaded name, so no name can reach outside the store.
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    uploaded_by: Mapped[User | None] = relationship()
