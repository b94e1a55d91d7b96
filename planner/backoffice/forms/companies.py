"""Back-office forms for companies (directory filters, the size-class check) and staff accounts."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from planner.accounts.models import Role, SizeClassCheck
from planner.vocab import SECTOR_LABELS, SIZE_CLASS_LABELS, Sector, SizeClass

CHECK_LABELS = {
    SizeClassCheck.unverified: _l("Not yet checked"),
    SizeClassCheck.verified: _l("Checked against the certificate"),
    SizeClassCheck.rejected: _l("Does not match the certificate"),
}

ACCOUNT_EVENT_LABELS = {
    "colleague-removed": _l("Colleague removed"),
    "main-contact-handed-over": _l("Main contact handed over"),
    "document-uploaded": _l("Document uploaded"),
    "document-deleted": _l("Document deleted"),
    "size-class-verified": _l("Size class verified"),
    "size-class-rejected": _l("Size class rejected"),
    "size-class-changed": _l("Size class changed by the company"),
    "staff-invited": _l("Staff invited"),
    "staff-role-changed": _l("Staff role changed"),
    "staff-deactivated": _l("Staff deactivated"),
    "staff-reactivated": _l("Staff reactivated"),
}

STAFF_ROLE_LABELS = {Role.coordinator: _l("Coordinator"), Role.admin: _l("Administrator")}


class CompanyFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)],
                    description=_l("Name, business registration number or a user's email"))
    size_class = SelectField(_l("Size class"), validators=[Optional()], choices=[
        SelectChoice("", _l("Any size"))] + [SelectChoice(s.value, SIZE_CLASS_LABELS[s]) for s in SizeClass])
    check = SelectField(_l("Size-class check"), validators=[Optional()], choices=[
        SelectChoice("", _l("Any"))] + [SelectChoice(c.value, label) for c, label in CHECK_LABELS.items()])
    sector = SelectField(_l("Sector"), validators=[Optional()], choices=[
        SelectChoice("", _l("Any sector"))] + [SelectChoice(s.value, SECTOR_LABELS[s]) for s in Sector])


class SizeClassCheckForm(FlaskForm):
    outcome = RadioField(_l("The size class on the certificate"),
                         validators=[InputRequired(message=_l("Choose whether it matches."))],
                         choices=[SelectChoice("verified", _l("Matches: verify")),
                                  SelectChoice("rejected", _l("Does not match: reject"))])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)],
                         description=_l("Required when rejecting; the company sees it."))


class StaffInviteForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254),
                                                Email(message=_l("Enter a valid email address."))])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    role = RadioField(_l("Role"), validators=[InputRequired()], default=Role.coordinator.value,
                      choices=[SelectChoice(r.value, label) for r, label in STAFF_ROLE_LABELS.items()])


class StaffRoleForm(FlaskForm):
    role = SelectField(_l("Role"), validators=[InputRequired()],
                       choices=[SelectChoice(r.value, label) for r, label in STAFF_ROLE_LABELS.items()])
