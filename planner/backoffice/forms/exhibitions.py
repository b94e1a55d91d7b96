"""Back-office forms for the exhibition catalogue: an exhibition, cancelling or postponing it,
and the CSV import."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, Field, Form, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from planner.backoffice.forms.fields import MultiCheckboxField
from planner.catalogue.models import DateCertainty, Exhibition, ExhibitionStatus
from planner.catalogue.services import (
    CERTAINTY_LABELS,
    SLUG_PATTERN,
    STATUS_LABELS,
    ExhibitionInput,
    country_choices,
    is_known_country,
    is_valid_timezone,
    is_valid_website,
)
from planner.vocab import SECTOR_LABELS, Sector


def _check_country(form: Form, field: Field) -> None:
    if field.data and not is_known_country(field.data):
        raise ValidationError(_l("Choose a known country."))


def _check_timezone(form: Form, field: Field) -> None:
    if field.data and not is_valid_timezone(field.data.strip()):
        raise ValidationError(_l("Give an IANA time zone such as Europe/Paris or Asia/Dubai."))


def _check_website(form: Form, field: Field) -> None:
    if field.data and not is_valid_website(field.data.strip()):
        raise ValidationError(_l("Give a full web address starting with http:// or https://."))


class ExhibitionForm(FlaskForm):
    """Every rule that needs no database; the slug's uniqueness is checked by the service,
    whose problems the view puts back on these fields."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    name_ko = StringField(_l("Name in Korean"), validators=[Optional(), Length(max=200)])
    acronym = StringField(_l("Acronym"), validators=[Optional(), Length(max=40)])
    slug = StringField(_l("Slug"), validators=[DataRequired(), Length(max=120), Regexp(
        SLUG_PATTERN.pattern, message=_l("Use lowercase letters, digits and single hyphens only, e.g. eurosatory-2026."))],
        description=_l("The exhibition's address on this site, e.g. eurosatory-2026."))
    edition_year = IntegerField(_l("Edition year"), validators=[Optional(), NumberRange(1990, 2100)],
                                description=_l("Leave empty to use the start date's year."))
    starts_on = DateField(_l("First day"), validators=[InputRequired()])
    ends_on = DateField(_l("Last day"), validators=[InputRequired()])
    date_certainty = SelectField(_l("Date certainty"),
                                 choices=[SelectChoice(c.value, label) for c, label in CERTAINTY_LABELS.items()],
                                 default=DateCertainty.confirmed.value)
    status = SelectField(_l("Status"), choices=[SelectChoice(s.value, label) for s, label in STATUS_LABELS.items()],
                         default=ExhibitionStatus.planned.value)
    status_note = StringField(_l("Status note"), validators=[Optional(), Length(max=300)],
                              description=_l("Shown to visitors, e.g. why the show was postponed."))
    city = StringField(_l("City"), validators=[DataRequired(), Length(max=120)])
    city_ko = StringField(_l("City in Korean"), validators=[Optional(), Length(max=120)])
    country_code = SelectField(_l("Country"), validators=[DataRequired(), _check_country], validate_choice=False)
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
    timezone = StringField(_l("Time zone"), validators=[DataRequired(), Length(max=64), _check_timezone],
                           description=_l("IANA name of the venue's zone, e.g. Europe/Paris."),
                           render_kw={"list": "timezones", "autocomplete": "off"})
    organiser = StringField(_l("Organiser"), validators=[Optional(), Length(max=200)])
    website = StringField(_l("Website"), validators=[Optional(), Length(max=300), _check_website],
                          render_kw={"type": "url", "placeholder": "https://"})
    sectors = MultiCheckboxField(_l("Sectors"), choices=[SelectChoice(s.value, SECTOR_LABELS[s]) for s in Sector],
                                 validators=[DataRequired(message=_l("Choose at least one sector."))])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    description_ko = TextAreaField(_l("Description in Korean"), validators=[Optional(), Length(max=5000)])
    source = TextAreaField(_l("Source of these facts"), validators=[Optional(), Length(max=2000)],
                           description=_l("Where the dates and venue come from (organiser's page, press release)."))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.country_code.choices = [SelectChoice("", _l("Choose a country"))] + [
            SelectChoice(code, name) for code, name in country_choices()]

    def validate_ends_on(self, field: Field) -> None:
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The end date is before the start date."))

    def load(self, exhibition: Exhibition) -> None:
        self.process(obj=exhibition)
        self.sectors.data = [s.value for s in exhibition.sectors]
        self.date_certainty.data = exhibition.date_certainty.value
        self.status.data = exhibition.status.value

    def to_input(self) -> ExhibitionInput:
        return ExhibitionInput(
            slug=self.slug.data or "", name=self.name.data or "", name_ko=self.name_ko.data,
            acronym=self.acronym.data, edition_year=self.edition_year.data,
            starts_on=self.starts_on.data, ends_on=self.ends_on.data,
            date_certainty=self.date_certainty.data, status=self.status.data,
            status_note=self.status_note.data, city=self.city.data or "", city_ko=self.city_ko.data,
            country_code=self.country_code.data or "", venue=self.venue.data,
            timezone=self.timezone.data or "", organiser=self.organiser.data, website=self.website.data,
            sectors=tuple(self.sectors.data or ()), description=self.description.data,
            description_ko=self.description_ko.data, source=self.source.data)


class CancelForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=300)],
                         description=_l("Shown on the exhibition's page and in calendars."))


class PostponeForm(FlaskForm):
    starts_on = DateField(_l("New first day"), validators=[InputRequired()])
    ends_on = DateField(_l("New last day"), validators=[InputRequired()])
    date_certainty = SelectField(_l("Date certainty"),
                                 choices=[SelectChoice(c.value, label) for c, label in CERTAINTY_LABELS.items()],
                                 default=DateCertainty.confirmed.value)
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=300)],
                         description=_l("Shown on the exhibition's page and in calendars."))

    def validate_ends_on(self, field: Field) -> None:
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The end date is before the start date."))


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[
        FileRequired(message=_l("Choose a CSV file.")),
        FileAllowed(["csv", "txt"], message=_l("Upload a .csv file."))],
        description=_l("UTF-8, with a header row as in the export. Nothing is imported if any row is wrong."))
