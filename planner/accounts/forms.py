"""Account forms: sign-up, login, passwords, company profile and invitations."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from planner.accounts.models import DocumentKind
from planner.accounts.services import (
    MAX_PASSWORD_LENGTH,
    AccountError,
    CompanyDetails,
    check_password_policy,
    normalise_registration_number,
)
from planner.vocab import SECTOR_LABELS, SIZE_CLASS_LABELS, Sector, SizeClass


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _email_field(label: object = None) -> EmailField:
    return EmailField(label or _l("Email"), validators=[
        DataRequired(), Length(max=254), Email(message=_l("Enter a valid email address."))])


class LoginForm(FlaskForm):
    email = _email_field()
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])
    remember = BooleanField(_l("Remember me"), description=_l("Stay logged in on this device for up to a year. Not on shared computers."))


class _NewPasswordMixin:
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)],
        description=_l("At least 10 characters; not a common password, not your email address."))
    confirm = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(), EqualTo("password", message=_l("The two passwords do not match."))])

    def validate_password(self, field: PasswordField) -> None:
        # The services check the policy again; checking here too puts the reason next to the
        # field, together with the form's other errors, instead of one at a time after them.
        email_field = getattr(self, "email", None)
        try:
            check_password_policy(field.data or "", email=email_field.data if email_field is not None else None)
        except AccountError as exc:
            raise ValidationError(str(exc)) from None


class CompanyProfileForm(FlaskForm):
    legal_name = StringField(_l("Legal name"), validators=[DataRequired(), Length(max=200)],
                             description=_l("As on the business registration certificate."))
    legal_name_ko = StringField(_l("Name in Korean"), validators=[Optional(), Length(max=200)],
                                description=_l("The company's name in Hangul, as Korean readers know it."))
    fascia_name = StringField(_l("Fascia name"), validators=[Optional(), Length(max=60)],
                              description=_l("The name printed on your booth's fascia board, in English. Leave it empty to use the legal name."))
    fascia_name_ko = StringField(_l("Fascia name in Korean"), validators=[Optional(), Length(max=60)],
                                 description=_l("Optional: a Korean line for the fascia board."))
    size_class = RadioField(_l("Company size"), validators=[InputRequired(message=_l("Choose the company size."))],
                            choices=[SelectChoice(s.value, SIZE_CLASS_LABELS[s]) for s in SizeClass])
    sectors = MultiCheckboxField(_l("Sectors"), choices=[SelectChoice(s.value, SECTOR_LABELS[s]) for s in Sector],
                                 validators=[DataRequired(message=_l("Choose at least one sector."))],
                                 description=_l("Used to match your company with exhibitions."))
    products = TextAreaField(_l("Products"), validators=[Optional(), Length(max=2000)],
                             description=_l("What the company makes, in a few lines. Needed before the allocation: without it your ranked applications are ineligible."))
    employees = IntegerField(_l("Employees"), validators=[
        Optional(), NumberRange(min=0, max=10_000_000, message=_l("Enter a number of employees between 0 and 10,000,000."))])
    has_defence_exports = BooleanField(_l("The company has exported defence products before"))
    export_record = TextAreaField(_l("Defence export record"), validators=[Optional(), Length(max=2000)],
                                  description=_l("Countries, customers and years, if any."))

    def details(self) -> CompanyDetails:
        return CompanyDetails(
            legal_name=self.legal_name.data or "", size_class=SizeClass(self.size_class.data),
            sectors=tuple(self.sectors.data or ()), products=self.products.data or "",
            employees=self.employees.data, export_record=self.export_record.data or "",
            has_defence_exports=bool(self.has_defence_exports.data),
            legal_name_ko=self.legal_name_ko.data or "", fascia_name=self.fascia_name.data or "",
            fascia_name_ko=self.fascia_name_ko.data or "")

    def fill_from(self, company: object) -> None:
        self.legal_name.data = company.legal_name  # type: ignore[attr-defined]
        self.legal_name_ko.data = company.legal_name_ko or ""  # type: ignore[attr-defined]
        self.fascia_name.data = company.fascia_name or ""  # type: ignore[attr-defined]
        self.fascia_name_ko.data = company.fascia_name_ko or ""  # type: ignore[attr-defined]
        self.size_class.data = str(company.size_class)  # type: ignore[attr-defined]
        self.sectors.data = list(company.sectors or [])  # type: ignore[attr-defined]
        self.products.data = company.products or ""  # type: ignore[attr-defined]
        self.employees.data = company.employees  # type: ignore[attr-defined]
        self.has_defence_exports.data = company.has_defence_exports  # type: ignore[attr-defined]
        self.export_record.data = company.export_record or ""  # type: ignore[attr-defined]


class RegistrationForm(CompanyProfileForm, _NewPasswordMixin):
    registration_number = StringField(
        _l("Business registration number"), validators=[DataRequired(), Length(max=20)],
        description=_l("10 digits, with or without dashes: 123-45-67890."))
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    email = _email_field(_l("Your work email"))

    def validate_registration_number(self, field: StringField) -> None:
        # The check digit is checked with the other fields, so every error shows at once.
        try:
            normalise_registration_number(field.data or "")
        except AccountError as exc:
            raise ValidationError(str(exc)) from None


class ForgotPasswordForm(FlaskForm):
    email = _email_field()


class ResetPasswordForm(FlaskForm, _NewPasswordMixin):
    pass


class ChangePasswordForm(FlaskForm, _NewPasswordMixin):
    current_password = PasswordField(_l("Current password"),
                                     validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])


class InvitationForm(FlaskForm):
    email = _email_field(_l("Colleague's email"))


class AcceptInvitationForm(FlaskForm, _NewPasswordMixin):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])



DOCUMENT_KIND_LABELS = {
    DocumentKind.registration_certificate: _l("Business registration certificate"),
    DocumentKind.sme_confirmation: _l("SME confirmation"),
}


class DocumentForm(FlaskForm):
    kind = RadioField(_l("Document"), validators=[InputRequired(message=_l("Choose which document this is."))],
                      choices=[SelectChoice(k.value, label) for k, label in DOCUMENT_KIND_LABELS.items()])
    file = FileField(_l("File"), validators=[FileRequired(message=_l("Choose a file to upload."))],
                     description=_l("A PDF, PNG or JPEG file."))

    def document_kind(self) -> DocumentKind:
        return DocumentKind(self.kind.data)


class MailPreferencesForm(FlaskForm):
    """The language of a user's mail, and which optional mails they receive (required ones,
    such as results and deadlines, cannot be turned off and are not offered here)."""

    locale = RadioField(_l("Language of my mail"), choices=[SelectChoice("en", "English"), SelectChoice("ko", "한국어")],
                        validators=[InputRequired()])
    receive = MultiCheckboxField(_l("Also send me"), choices=[], validate_choice=True)
