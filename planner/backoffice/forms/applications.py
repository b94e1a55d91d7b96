"""Back-office forms for reviewing applications: the list's filters and the ineligibility reason."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from planner.db import is_valid_id
from planner.signups.models import ApplicationStatus, PlaceKind
from planner.vocab import SIZE_CLASS_LABELS, SizeClass

# Same words as the applicant pages use, so both sides name a status alike.
STATUS_LABELS = {
    ApplicationStatus.submitted: _l("Submitted"), ApplicationStatus.waitlisted: _l("Waitlisted"),
    ApplicationStatus.allocated: _l("Allocated"), ApplicationStatus.confirmed: _l("Confirmed"),
    ApplicationStatus.declined: _l("Declined"), ApplicationStatus.expired: _l("Expired"),
    ApplicationStatus.withdrawn: _l("Withdrawn"), ApplicationStatus.ineligible: _l("Ineligible"),
    ApplicationStatus.removed: _l("Removed"),
}

SORT_CHOICES = [SelectChoice(value, label) for value, label in (
    ("-submitted", _l("Newest first")), ("submitted", _l("Oldest first")),
    ("company", _l("Company A–Z")), ("-company", _l("Company Z–A")),
    ("preference", _l("Preference 1 first")), ("-preference", _l("Preference last first")),
    ("status", _l("Status A–Z")), ("-status", _l("Status Z–A")))]


def _optional_int(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if is_valid_id(number) else None


class ApplicationFilterForm(FlaskForm):
    """GET filters of the review list; bad values are ignored rather than refused."""

    class Meta:
        csrf = False

    programme = SelectField(_l("Programme"), coerce=_optional_int, validate_choice=False)
    offer = SelectField(_l("Exhibition offer"), coerce=_optional_int, validate_choice=False)
    kind = SelectField(_l("Kind"), validate_choice=False, choices=[
        SelectChoice("", _l("Any kind")), SelectChoice(PlaceKind.booth.value, _l("Booth")),
        SelectChoice(PlaceKind.delegation.value, _l("Delegation"))])
    status = SelectField(_l("Status"), validate_choice=False,
                         choices=[SelectChoice("", _l("Any status"))] + [SelectChoice(s.value, STATUS_LABELS[s])
                                                                  for s in ApplicationStatus])
    size_class = SelectField(_l("Size class"), validate_choice=False,
                             choices=[SelectChoice("", _l("Any size"))] + [SelectChoice(s.value, SIZE_CLASS_LABELS[s])
                                                                for s in SizeClass])
    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)],
                    description=_l("Company name, registration number, exhibition or application number."))
    sort = SelectField(_l("Sort"), choices=SORT_CHOICES, default="-submitted", validate_choice=False)


class IneligibleForm(FlaskForm):
    reason = TextAreaField(_l("Reason (shown to the company)"),
                           validators=[DataRequired(message=_l("Give the reason the application is ineligible.")),
                                       Length(max=2000)])
