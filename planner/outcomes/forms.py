"""Forms of the after-show pages: the results report, attendance, follow-ups, settings."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DecimalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from planner.i18n import country_name, known_country_codes
from planner.outcomes.labels import label
from planner.outcomes.models import AttendanceStatus, FollowUpArea
from planner.outcomes.rates import CURRENCIES
from planner.outcomes.services.reports import ContractLine, LeadLine, ReportData

LEAD_ROWS = 5        # blank rows offered without JavaScript; empty rows are ignored
CONTRACT_ROWS = 3


def country_choices() -> list[SelectChoice]:
    codes = sorted(known_country_codes() - {"KR"}, key=lambda code: country_name(code))
    return [SelectChoice("", "—")] + [SelectChoice(code, country_name(code)) for code in codes]


class LeadLineForm(Form):
    country = SelectField(_l("Country"), validators=[Optional()], validate_choice=False)
    meetings = IntegerField(_l("Meetings"), validators=[Optional(), NumberRange(min=0, max=100000)])
    leads = IntegerField(_l("Leads"), validators=[Optional(), NumberRange(min=0, max=100000)])


class ContractLineForm(Form):
    country = SelectField(_l("Country"), validators=[Optional()], validate_choice=False)
    stage = SelectField(_l("Stage"), choices=[SelectChoice("signed", _l("Signed")), SelectChoice("expected", _l("Expected"))],
                        validate_choice=False)
    value = DecimalField(_l("Value"), places=2, validators=[Optional(), NumberRange(min=0)])
    currency = SelectField(_l("Currency"), choices=[SelectChoice(c, c) for c in CURRENCIES], default="USD",
                           validate_choice=False)


class ReportForm(FlaskForm):
    version = HiddenField()
    leads = FieldList(FormField(LeadLineForm), min_entries=LEAD_ROWS, max_entries=50)
    mous_signed = IntegerField(_l("MoUs signed"), default=0,
                               validators=[Optional(), NumberRange(min=0, max=10000)])
    contracts = FieldList(FormField(ContractLineForm), min_entries=CONTRACT_ROWS, max_entries=50)
    products_shown = TextAreaField(_l("Products shown"), validators=[Optional(), Length(max=2000)])
    satisfaction = RadioField(_l("How useful was the agency's support? (1 = not at all, 5 = very)"),
                              choices=[SelectChoice(str(n), str(n)) for n in range(1, 6)], validators=[Optional()])
    support_note = TextAreaField(_l("What the agency's support was worth to you"),
                                 validators=[Optional(), Length(max=4000)])
    comments = TextAreaField(_l("Anything else"), validators=[Optional(), Length(max=4000)])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        choices = country_choices()
        for row in [*self.leads, *self.contracts]:
            row.form.country.choices = choices

    def fill(self, data: ReportData, version: int) -> None:
        """Put a stored report into the form, with blank rows after the filled ones."""
        self.version.data = str(version)
        while len(self.leads):
            self.leads.pop_entry()
        for lead in data.leads:
            self.leads.append_entry({"country": lead.country, "meetings": lead.meetings, "leads": lead.leads})
        while len(self.contracts):
            self.contracts.pop_entry()
        for contract in data.contracts:
            self.contracts.append_entry({"country": contract.country, "stage": contract.stage,
                                         "value": contract.value, "currency": contract.currency})
        for _i in range(max(2, LEAD_ROWS - len(data.leads))):
            self.leads.append_entry()
        for _i in range(max(1, CONTRACT_ROWS - len(data.contracts))):
            self.contracts.append_entry()
        choices = country_choices()
        for row in [*self.leads, *self.contracts]:
            row.form.country.choices = choices
        self.mous_signed.data = data.mous_signed
        self.products_shown.data = data.products_shown
        self.satisfaction.data = str(data.satisfaction) if data.satisfaction else None
        self.support_note.data = data.support_note
        self.comments.data = data.comments

    def report(self) -> ReportData:
        """The filled-in rows as report values; rows without a country are ignored."""
        leads = tuple(LeadLine(row.country.data, row.meetings.data or 0, row.leads.data or 0)
                      for row in (entry.form for entry in self.leads) if row.country.data)
        contracts = tuple(ContractLine(row.country.data, row.stage.data, row.value.data or Decimal(0),
                                       row.currency.data)
                          for row in (entry.form for entry in self.contracts)
                          if row.country.data and row.value.data is not None)
        return ReportData(leads=leads, contracts=contracts, mous_signed=self.mous_signed.data or 0,
                          products_shown=self.products_shown.data or "",
                          satisfaction=int(self.satisfaction.data) if self.satisfaction.data else None,
                          support_note=self.support_note.data or "", comments=self.comments.data or "")

    def version_number(self) -> int:
        try:
            return int(self.version.data or 0)
        except ValueError:
            return 0


class AmendForm(ReportForm):
    reason = TextAreaField(_l("Reason for the amendment"), validators=[DataRequired(), Length(max=2000)])


class FollowUpForm(FlaskForm):
    area = SelectField(_l("Area"), choices=[SelectChoice(a.value, label(a)) for a in FollowUpArea])
    note = TextAreaField(_l("What you need"), validators=[Optional(), Length(max=2000)])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.area.choices = [SelectChoice(a.value, label(a)) for a in FollowUpArea]


class FollowUpChangeForm(FlaskForm):
    to = HiddenField(validators=[DataRequired()])
    expected = HiddenField(validators=[DataRequired()])
    note = TextAreaField(_l("Note or outcome"), validators=[Optional(), Length(max=2000)])


class AttendanceForm(FlaskForm):
    company_id = HiddenField(validators=[DataRequired()])
    status = RadioField(_l("Attendance"), validators=[InputRequired()],
                        choices=[SelectChoice(s.value, s.value) for s in AttendanceStatus])
    reason = StringField(_l("Reason (for a no-show)"), validators=[Optional(), Length(max=500)])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = [SelectChoice(s.value, label(s)) for s in AttendanceStatus]


class SettingsForm(FlaskForm):
    report_due_days = IntegerField(_l("Results reports are due this many days after the show"),
                                   validators=[InputRequired(), NumberRange(min=1, max=365)])
