"""Accounts services, one module per capability:

- passwords.py: the password policy, hashing, setting and changing a password
- users.py: email addresses, creating users, logging in, the Flask-Login loader
- companies.py: registration numbers, signing a company up, the company profile and members
- tokens.py: signed one-time links; verifying an email, resetting a password
- sessions.py: login sessions kept on the server (logout, log out everywhere, the list)
- twofactor.py: two-factor sign-in (authenticator codes, recovery codes), required for staff
- invitations.py: inviting a colleague and accepting or revoking the invitation
- roles.py: company roles; the main contact removes colleagues and hands the role over
- documents.py: company documents (type, size, storage, who reads them) and the size-class check
- staff.py: administrators invite, re-role and deactivate coordinators and administrators
- audit.py: the accounts audit log
- errors.py: AccountError and its kinds

Every function flushes and never commits: the request's or command's unit of work commits.
Callers use `from planner.accounts import services` and the names below.
"""
from __future__ import annotations

from planner.accounts.services.audit import list_events, record_event
from planner.accounts.services.companies import (
                                                 CompanyDetails,
                                                 PastShow,
                                                 brn_check_digit,
                                                 format_registration_number,
                                                 get_company_by_registration_number,
                                                 list_members,
                                                 normalise_registration_number,
                                                 register_company,
                                                 set_past_shows,
                                                 update_company,
)
from planner.accounts.services.documents import (
                                                 FILE_TYPES,
                                                 DocumentNotFound,
                                                 DocumentRefused,
                                                 check_size_class,
                                                 delete_document,
                                                 get_document_for,
                                                 list_application_documents,
                                                 list_documents,
                                                 read_document,
                                                 sniff_content_type,
                                                 upload_document,
)
from planner.accounts.services.errors import AccountError, EmailNotVerified, InvitationNotFound, TokenInvalid
from planner.accounts.services.invitations import (
                                                 accept_invitation,
                                                 invitation_for_token,
                                                 invite_colleague,
                                                 list_pending_invitations,
                                                 make_invitation_token,
                                                 revoke_invitation,
)
from planner.accounts.services.passwords import (
                                                 MAX_PASSWORD_LENGTH,
                                                 MIN_PASSWORD_LENGTH,
                                                 change_password,
                                                 check_password_policy,
                                                 hash_password,
                                                 set_password,
)
from planner.accounts.services.roles import (
                                                 ColleagueNotFound,
                                                 NotMainContact,
                                                 hand_over_main_contact,
                                                 main_contact,
                                                 remove_colleague,
)
from planner.accounts.services.sessions import (
                                                 end_all_sessions,
                                                 end_session,
                                                 list_sessions,
                                                 start_session,
                                                 touch_session,
)
from planner.accounts.services.staff import (
                                                 STAFF_ROLES,
                                                 StaffChangeRefused,
                                                 StaffNotFound,
                                                 change_staff_role,
                                                 get_staff_member,
                                                 invite_staff,
                                                 list_staff,
                                                 set_staff_active,
)
from planner.accounts.services.tokens import (
                                                 TOKEN_MAX_AGE,
                                                 TokenPurpose,
                                                 make_token,
                                                 make_user_token,
                                                 read_token,
                                                 reset_password,
                                                 user_for_password_reset,
                                                 user_for_password_reset_request,
                                                 verify_email,
)
from planner.accounts.services.twofactor import (
                                                 begin_enrolment,
                                                 check_second_factor,
                                                 confirm_enrolment,
                                                 is_enrolled,
                                                 mark_second_factor_passed,
                                                 pending_login,
                                                 provisioning_uri,
                                                 second_factor_required,
)
from planner.accounts.services.users import (
                                                 authenticate,
                                                 create_user,
                                                 ensure_email_verified,
                                                 get_user_by_email,
                                                 load_user,
                                                 mask_email,
                                                 normalise_email,
                                                 record_login,
                                                 set_mail_language,
)

__all__ = [
    "FILE_TYPES", "STAFF_ROLES", "ColleagueNotFound", "DocumentNotFound", "DocumentRefused",
    "NotMainContact", "StaffChangeRefused", "StaffNotFound", "change_staff_role",
    "check_size_class", "get_document_for", "get_staff_member", "hand_over_main_contact",
    "invite_staff", "delete_document", "list_application_documents", "list_documents", "list_events", "list_staff", "main_contact",
    "read_document", "record_event", "remove_colleague", "set_staff_active", "sniff_content_type",
    "upload_document",
    "AccountError", "CompanyDetails", "EmailNotVerified", "InvitationNotFound",
    "MAX_PASSWORD_LENGTH", "MIN_PASSWORD_LENGTH", "TOKEN_MAX_AGE", "TokenInvalid", "TokenPurpose",
    "end_all_sessions", "end_session", "list_sessions", "start_session", "touch_session",
    "begin_enrolment", "check_second_factor", "confirm_enrolment", "is_enrolled",
    "mark_second_factor_passed", "pending_login", "provisioning_uri", "second_factor_required",
    "accept_invitation", "authenticate", "brn_check_digit", "change_password",
    "check_password_policy", "create_user", "ensure_email_verified", "format_registration_number",
    "get_company_by_registration_number", "get_user_by_email", "hash_password",
    "invitation_for_token", "invite_colleague", "list_members", "list_pending_invitations",
    "load_user", "make_invitation_token", "make_token", "make_user_token", "mask_email",
    "normalise_email", "normalise_registration_number", "read_token", "record_login", "set_mail_language",
    "register_company", "reset_password", "revoke_invitation", "set_password", "update_company", "PastShow", "set_past_shows",
    "user_for_password_reset", "user_for_password_reset_request", "verify_email",
]
