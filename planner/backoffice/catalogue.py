"""Back-office pages for the exhibition catalogue: create, edit, cancel, postpone, CSV.

The forms live here rather than in catalogue/forms.py: only the back office uses them, and
the back office may import a lower domain's models and services only.
"""
from __future__ import annotations

from dataclasses import replace

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (DateField, Field, Form, IntegerField, SelectField, SelectMultipleField, StringField,
                     TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (DataRequired, InputRequired, Length, NumberRange, Optional, Regexp,
                                ValidationError)
from wtforms.widgets import CheckboxInput, ListWidget

from planner.backoffice.views import bp
from planner.catalogue import services as catalogue
from planner.catalogue.models import DateCertainty, Exhibition, ExhibitionStatus
from planner.catalogue.services import (CERTAINTY_LABELS, STATUS_LABELS, ExhibitionInput, SLUG_PATTERN,
                                        country_choices, is_known_country, is_valid_timezone,
                                        is_valid_website)
from planner.db import utcnow
from planner.extensions import db
from planner.vocab import SECTOR_LABELS, Sector

BACKOFFICE_PER_PAGE = 50


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


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


def _exhibition_or_404(slug: str) -> Exhibition:
    exhibition = catalogue.get_exhibition(slug)
    if exhibition is None:
        abort(404)
    return exhibition


def _show_problems(form: ExhibitionForm | CancelForm | PostponeForm,
                   problems: list[tuple[str, str]]) -> None:
    for name, message in problems:
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)


@bp.route("/exhibitions")
def exhibitions() -> ResponseReturnValue:
    try:
        filters = replace(catalogue.parse_filters(request.args), include_past=True)
        page = catalogue.search_exhibitions(filters, now=utcnow(), per_page=BACKOFFICE_PER_PAGE)
    except (catalogue.FilterError, catalogue.PageNotFound) as exc:
        flash(str(exc), "error")
        return redirect(url_for("backoffice.exhibitions"))
    return render_template("backoffice/catalogue/index.html", page=page, filters=filters,
                           args={k: v for k, v in filters.to_args().items() if k != "past"},
                           status_labels=STATUS_LABELS)


@bp.route("/exhibitions/new", methods=["GET", "POST"])
def exhibition_new() -> ResponseReturnValue:
    form = ExhibitionForm()
    if form.validate_on_submit():
        try:
            exhibition = catalogue.create_exhibition(form.to_input(), now=utcnow())
        except catalogue.ExhibitionInvalid as exc:
            _show_problems(form, exc.problems)
        else:
            db.session.commit()
            flash(_("Exhibition %(name)s added.", name=exhibition.name), "success")
            return redirect(url_for("backoffice.exhibition_edit", slug=exhibition.slug))
    return render_template("backoffice/catalogue/form.html", form=form, exhibition=None), \
        400 if form.is_submitted() else 200


@bp.route("/exhibitions/<slug>/edit", methods=["GET", "POST"])
def exhibition_edit(slug: str) -> ResponseReturnValue:
    exhibition = _exhibition_or_404(slug)
    form = ExhibitionForm()
    if not form.is_submitted():
        form.load(exhibition)
    elif form.validate():
        try:
            catalogue.update_exhibition(exhibition, form.to_input(), now=utcnow())
        except catalogue.ExhibitionInvalid as exc:
            db.session.rollback()
            _show_problems(form, exc.problems)
        else:
            db.session.commit()
            flash(_("Exhibition saved."), "success")
            return redirect(url_for("backoffice.exhibition_edit", slug=exhibition.slug))
    return _edit_page(exhibition, form, CancelForm(formdata=None), _postpone_form(exhibition),
                      400 if form.is_submitted() else 200)


def _postpone_form(exhibition: Exhibition) -> PostponeForm:
    form = PostponeForm(formdata=None)
    form.starts_on.data, form.ends_on.data = exhibition.starts_on, exhibition.ends_on
    form.date_certainty.data = exhibition.date_certainty.value
    return form


def _edit_page(exhibition: Exhibition, form: ExhibitionForm, cancel_form: CancelForm,
               postpone_form: PostponeForm, status: int) -> ResponseReturnValue:
    return render_template("backoffice/catalogue/form.html", form=form, exhibition=exhibition,
                           cancel_form=cancel_form, postpone_form=postpone_form,
                           status_labels=STATUS_LABELS), status


@bp.route("/exhibitions/<slug>/cancel", methods=["POST"])
def exhibition_cancel(slug: str) -> ResponseReturnValue:
    exhibition = _exhibition_or_404(slug)
    cancel_form = CancelForm()
    if cancel_form.validate_on_submit():
        try:
            catalogue.cancel_exhibition(exhibition, reason=cancel_form.reason.data or "",
                                        now=utcnow())
        except catalogue.ExhibitionInvalid as exc:
            db.session.rollback()
            _show_problems(cancel_form, exc.problems)
        else:
            db.session.commit()
            flash(_("%(name)s is now marked cancelled.", name=exhibition.name), "success")
            return redirect(url_for("backoffice.exhibition_edit", slug=exhibition.slug))
    form = ExhibitionForm(formdata=None)
    form.load(exhibition)
    return _edit_page(exhibition, form, cancel_form, _postpone_form(exhibition), 400)


@bp.route("/exhibitions/<slug>/postpone", methods=["POST"])
def exhibition_postpone(slug: str) -> ResponseReturnValue:
    exhibition = _exhibition_or_404(slug)
    postpone_form = PostponeForm()
    if postpone_form.validate_on_submit():
        try:
            catalogue.postpone_exhibition(
                exhibition, starts_on=postpone_form.starts_on.data, ends_on=postpone_form.ends_on.data,
                date_certainty=postpone_form.date_certainty.data, reason=postpone_form.reason.data or "",
                now=utcnow())
        except catalogue.ExhibitionInvalid as exc:
            db.session.rollback()
            _show_problems(postpone_form, exc.problems)
        else:
            db.session.commit()
            flash(_("%(name)s is now marked postponed to its new dates.", name=exhibition.name), "success")
            return redirect(url_for("backoffice.exhibition_edit", slug=exhibition.slug))
    form = ExhibitionForm(formdata=None)
    form.load(exhibition)
    return _edit_page(exhibition, form, CancelForm(formdata=None), postpone_form, 400)


@bp.route("/exhibitions/export.csv")
def catalogue_export() -> ResponseReturnValue:
    filename = f"exhibitions-{utcnow():%Y%m%d}.csv"
    # A byte-order mark lets spreadsheet programs read the Korean text as UTF-8.
    return Response("\ufeff" + catalogue.export_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/exhibitions/import", methods=["GET", "POST"])
def catalogue_import() -> ResponseReturnValue:
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        report = catalogue.import_csv(form.file.data.read(), now=utcnow())
        if report.ok:
            db.session.commit()
            flash(_("Import done: %(created)s added, %(updated)s updated, %(unchanged)s unchanged.",
                    created=report.created, updated=report.updated, unchanged=report.unchanged), "success")
            return redirect(url_for("backoffice.exhibitions"))
        db.session.rollback()
    status = 400 if form.is_submitted() else 200
    return render_template("backoffice/catalogue/import.html", form=form, report=report), status
