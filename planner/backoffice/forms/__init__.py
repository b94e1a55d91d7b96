"""Back-office forms, one module per area: exhibitions.py (the catalogue), programmes.py
(programmes and offers), applications.py (review filters, ineligibility), cofunding.py
(payment marks, co-funding settings, notes), companies.py (company directory, size-class check,
staff accounts); fields.py holds the
fields they share."""
from __future__ import annotations

from planner.backoffice.forms.applications import SORT_CHOICES, STATUS_LABELS, ApplicationFilterForm, IneligibleForm
from planner.backoffice.forms.cofunding import CofundingSettingsForm, NoteForm, PaymentForm
from planner.backoffice.forms.companies import (
    ACCOUNT_EVENT_LABELS,
    CHECK_LABELS,
    STAFF_ROLE_LABELS,
    CompanyFilterForm,
    SizeClassCheckForm,
    StaffInviteForm,
    StaffRoleForm,
)
from planner.backoffice.forms.exhibitions import CancelForm, ExhibitionForm, ImportForm, PostponeForm
from planner.backoffice.forms.programmes import RULE_FIELDS, OfferEditForm, OfferForm, ProgrammeForm

__all__ = ["ACCOUNT_EVENT_LABELS", "CHECK_LABELS", "STAFF_ROLE_LABELS", "CompanyFilterForm", "SizeClassCheckForm",
           "StaffInviteForm", "StaffRoleForm", "RULE_FIELDS", "SORT_CHOICES", "STATUS_LABELS", "ApplicationFilterForm", "CancelForm",
           "CofundingSettingsForm", "NoteForm", "PaymentForm",
           "ExhibitionForm", "ImportForm", "IneligibleForm", "OfferEditForm", "OfferForm",
           "PostponeForm", "ProgrammeForm"]
