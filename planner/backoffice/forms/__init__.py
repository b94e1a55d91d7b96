"""Back-office forms, one module per area: exhibitions.py (the catalogue), programmes.py
(programmes and offers), applications.py (review filters, ineligibility), cofunding.py
(payment marks, co-funding settings, notes); fields.py holds the
fields they share."""
from __future__ import annotations

from planner.backoffice.forms.applications import SORT_CHOICES, STATUS_LABELS, ApplicationFilterForm, IneligibleForm
from planner.backoffice.forms.cofunding import CofundingSettingsForm, NoteForm, PaymentForm
from planner.backoffice.forms.exhibitions import CancelForm, ExhibitionForm, ImportForm, PostponeForm
from planner.backoffice.forms.programmes import RULE_FIELDS, OfferEditForm, OfferForm, ProgrammeForm

__all__ = ["RULE_FIELDS", "SORT_CHOICES", "STATUS_LABELS", "ApplicationFilterForm", "CancelForm",
           "CofundingSettingsForm", "NoteForm", "PaymentForm",
           "ExhibitionForm", "ImportForm", "IneligibleForm", "OfferEditForm", "OfferForm",
           "PostponeForm", "ProgrammeForm"]
