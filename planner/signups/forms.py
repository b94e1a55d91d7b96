"""Forms of the applicant side: the application (booth or delegation), withdrawal, rank moves."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from planner.accounts.models import DocumentKind
from planner.accounts.services import PastShow
from planner.catalogue import services as catalogue
from planner.catalogue.models import Offer
from planner.db import is_valid_id
from planner.i18n import localized, ngettext_
from planner.signups.models import PlaceKind
from planner.signups.services import ApplicationAnswers, Delegate, Exhibit

EXHIBIT_ROWS = 5        # rows shown without JavaScript; empty ones are ignored
MAX_EXHIBIT_ROWS = 30   # signups.js may add rows up to this many

LICENCE_CHOICES = [
    SelectChoice("not_needed", _l("Not needed")),
    SelectChoice("applied", _l("Applied for")),
    SelectChoice("granted", _l("Granted")),
    SelectChoice("refused", _l("Refused")),
]


class ExhibitForm(Form):
    # Explained once above the rows (templates/signups/apply.html), not under every row.
    name = StringField(_l("Exhibit"), validators=[Optional(), Length(max=200)])
    needs_licence = BooleanField(_l("Needs an export licence"))
    licence_status = SelectField(_l("Licence status"), choices=LICENCE_CHOICES, default="not_needed")


class DelegateForm(Form):
    name = StringField(_l("Name"), validators=[Optional(), Length(max=120)])
    role = StringField(_l("Role"), validators=[Optional(), Length(max=120)])


class MarketsField(SelectMultipleField):
    """Countries ticked in the market chooser (templates/_macros/market_chooser.html). Only the
    offered markets are accepted, and those already stored on the record (`kept`), so an old
    choice no longer offered is neither lost nor refused."""

    def offer_markets(self, *, kept: Sequence[str] = ()) -> None:
        self.groups = catalogue.market_groups(leading=catalogue.host_country_codes(), kept=kept)
        self.choices = [SelectChoice(o.code, o.label) for g in self.groups for o in g.options]

    def process_formdata(self, valuelist: list[Any]) -> None:
        # Codes are upper case; a hand-made post of "fr" means FR.
        self.data = list(dict.fromkeys(str(v).strip().upper() for v in valuelist if str(v).strip()))

    def pre_validate(self, form: Any) -> None:
        offered = {choice.value for choice in self.choices or ()}
        unknown = [code for code in self.data or () if code not in offered]
        if unknown:
            raise ValidationError(_l("“%(code)s” is not a market you can choose: tick countries from the list.",
                                     code=unknown[0][:10]))


class ApplicationForm(FlaskForm):
    exhibits = FieldList(FormField(ExhibitForm), min_entries=EXHIBIT_ROWS, max_entries=MAX_EXHIBIT_ROWS)
    target_markets = MarketsField(
        _l("Target markets"), description=_l("Countries where you want to sell: tick as many as you like."))
    needs_guarantee = BooleanField(
        _l("Guarantee or financing support"),
        description=_l("You would like export guarantees or financing from the trade-insurance corporation."))
    needs_b2b = BooleanField(
        _l("B2B meetings"),
        description=_l("You would like the agency to arrange business meetings at the show."))
    b2b_buyers = TextAreaField(
        _l("Kinds of buyers to meet"), validators=[Optional(), Length(max=500)],
        description=_l("For B2B meetings: e.g. army procurement offices, system integrators, distributors."))
    needs_licence_help = BooleanField(
        _l("Help with export licences"),
        description=_l("You would like advice on filing export licences for your exhibits."))
    other_public_funding = BooleanField(
        _l("Other public funding covers the same costs"),
        description=_l("Tick if another public body already pays for this booth or trip. The programme "
                       "cannot pay twice for the same costs, so such an application cannot be accepted."))
    delegates = FieldList(FormField(DelegateForm), min_entries=0, max_entries=MAX_EXHIBIT_ROWS)
    export_control_attested = BooleanField(
        _l("I attest that our exhibits and activities comply with Korean export-control law"),
        validators=[DataRequired(_l("You must give the export-control attestation to apply."))],
        description=_l("Required. Strategic items may only be shown or discussed abroad with the "
                       "licences the law requires; the agency relies on this statement."))

    def __init__(self, *args: Any, offer: Offer, kind: PlaceKind, kept_markets: Sequence[str] = (),
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offer = offer
        self.kind = kind
        self.target_markets.offer_markets(kept=kept_markets)
        while len(self.exhibits.entries) < EXHIBIT_ROWS:
            self.exhibits.append_entry()
        if kind == PlaceKind.delegation:
            while len(self.delegates.entries) < offer.delegation_people_per_place:
                self.delegates.append_entry()
        else:
            del self.delegates

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        rows = [row.form for row in self.exhibits]
        named = [r for r in rows if (r.name.data or "").strip()]
        for row in named:
            if row.needs_licence.data and row.licence_status.data == "not_needed":
                row.licence_status.errors = [*row.licence_status.errors, _l(
                    "You ticked that it needs a licence: choose whether it is applied for, granted or refused.")]
                ok = False
        if self.kind == PlaceKind.booth and not named:
            rows[0].name.errors = [*rows[0].name.errors, _l("Name at least one exhibit for your booth.")]
            ok = False
        if self.needs_b2b.data and not (self.b2b_buyers.data or "").strip():
            self.b2b_buyers.errors = [*self.b2b_buyers.errors,
                                      _l("Say which kinds of buyers you want to meet.")]
            ok = False
        if self.kind == PlaceKind.delegation:
            ok = self._validate_delegates() and ok
        return ok

    def _validate_delegates(self) -> bool:
        ok = True
        rows = [row.form for row in self.delegates]
        for row in rows:
            has_name, has_role = bool((row.name.data or "").strip()), bool((row.role.data or "").strip())
            if has_role and not has_name:
                row.name.errors = [*row.name.errors, _l("Give this delegate's name.")]
                ok = False
            elif has_name and not has_role:
                row.role.errors = [*row.role.errors, _l("Give this delegate's role, e.g. CEO or engineer.")]
                ok = False
        named = [r for r in rows if (r.name.data or "").strip()]
        low, high = self.offer.delegation_min_staff, self.offer.delegation_people_per_place
        if len(named) < low:
            message = ngettext_("Name at least %(num)s delegate.", "Name at least %(num)s delegates.", low)
            first_empty = next((r for r in rows if not (r.name.data or "").strip()), None)
            if first_empty is None:
                self.form_errors.append(message)
            else:
                first_empty.name.errors = [*first_empty.name.errors, message]
            ok = False
        elif len(named) > high:
            self.form_errors.append(ngettext_("A place takes at most %(num)s person.",
                                              "A place takes at most %(num)s people.", high))
            ok = False
        return ok

    def answers(self) -> ApplicationAnswers:
        exhibits = tuple(
            Exhibit(name=row.form.name.data.strip(), needs_licence=bool(row.form.needs_licence.data),
                    licence_status=row.form.licence_status.data if row.form.needs_licence.data else "not_needed")
            for row in self.exhibits if (row.form.name.data or "").strip())
        needs = tuple(code for code, wanted in (("guarantee", self.needs_guarantee.data),
                                                ("b2b", self.needs_b2b.data),
                                                ("licence_help", self.needs_licence_help.data)) if wanted)
        delegates: tuple[Delegate, ...] = ()
        if self.kind == PlaceKind.delegation:
            delegates = tuple(Delegate(name=row.form.name.data.strip(), role=(row.form.role.data or "").strip())
                              for row in self.delegates if (row.form.name.data or "").strip())
        return ApplicationAnswers(
            exhibits=exhibits, target_markets=tuple(self.target_markets.data or ()), needs=needs,
            b2b_buyers=(self.b2b_buyers.data or "").strip() if self.needs_b2b.data else "",
            delegates=delegates, other_public_funding=bool(self.other_public_funding.data),
            export_control_attested=bool(self.export_control_attested.data))


def form_data(answers: ApplicationAnswers) -> dict[str, Any]:
    """Initial data for ApplicationForm from stored answers (editing)."""
    return {
        "exhibits": [{"name": e.name, "needs_licence": e.needs_licence, "licence_status": e.licence_status}
                     for e in answers.exhibits],
        "target_markets": list(answers.target_markets),
        "needs_guarantee": "guarantee" in answers.needs,
        "needs_b2b": "b2b" in answers.needs,
        "b2b_buyers": answers.b2b_buyers,
        "needs_licence_help": "licence_help" in answers.needs,
        "other_public_funding": answers.other_public_funding,
        "delegates": [{"name": d.name, "role": d.role} for d in answers.delegates],
        "export_control_attested": answers.export_control_attested,
    }


APPLICATION_DOCUMENT_LABELS = {
    DocumentKind.exhibit_licence: _l("Export licence evidence for the exhibits"),
    DocumentKind.brochure: _l("Brochure"),
}


class ApplicationDocumentForm(FlaskForm):
    """A document of one application: the exhibits' export licence evidence or a brochure."""

    kind = RadioField(_l("Document"), validators=[InputRequired(message=_l("Choose which document this is."))],
                      choices=[SelectChoice(k.value, label) for k, label in APPLICATION_DOCUMENT_LABELS.items()])
    file = FileField(_l("File"), validators=[FileRequired(message=_l("Choose a file to upload."))],
                     description=_l("A PDF, PNG or JPEG file."))

    def document_kind(self) -> DocumentKind:
        return DocumentKind(self.kind.data)


class WithdrawForm(FlaskForm):
    confirm = BooleanField(_l("Yes, withdraw this application"),
                           validators=[DataRequired(_l("Tick the box to confirm the withdrawal."))],
                           description=_l("A withdrawal cannot be undone. A place you held goes to the next company."))


class MoveForm(FlaskForm):
    """One of the up/down buttons on "my applications": value "<application id>:up|down"."""

    move = StringField(validators=[DataRequired(), Regexp(r"^\d{1,12}:(up|down)$")])
    # The ranked ids of the programme as the page showed them, best first (see move_application).
    order = StringField(validators=[Optional(), Regexp(r"^\d{1,12}(,\d{1,12}){0,199}$")])

    # Twelve digits pass the patterns but not PostgreSQL's INTEGER; the view words the error.
    def validate_move(self, field: StringField) -> None:
        number = (field.data or "").split(":")[0]
        if number.isdecimal() and not is_valid_id(int(number)):
            raise ValidationError()

    def validate_order(self, field: StringField) -> None:
        if any(n.isdecimal() and not is_valid_id(int(n)) for n in (field.data or "").split(",")):
            raise ValidationError()

    def parsed(self) -> tuple[int, str]:
        application_id, direction = self.move.data.split(":")
        return int(application_id), direction

    def shown_order(self) -> list[int] | None:
        # Optional() lets a blank value through without the pattern: " " means no order shown.
        order = (self.order.data or "").strip()
        return [int(i) for i in order.split(",")] if order else None


# --- past shows (the company's exhibitions attended before) ----------------------------------

PAST_SHOW_YEARS = 12        # the years offered: this one and the eleven before
EMPTY_PAST_SHOW_ROWS = 3    # empty rows under the filled ones; "Add more rows" adds as many again
MAX_PAST_SHOW_ROWS = 60


class PastShowRow(Form):
    series = SelectField(_l("Exhibition"), validate_choice=False)
    year = SelectField(_l("Year"), validate_choice=False)


class PastShowsForm(FlaskForm):
    """The exhibitions a company attended before, each chosen from the catalogue's series with
    a year; without JavaScript more rows come from posting "Add more rows"."""

    shows = FieldList(FormField(PastShowRow), min_entries=0, max_entries=MAX_PAST_SHOW_ROWS)
    keep = SelectMultipleField(_l("Kept as written"), widget=ListWidget(prefix_label=False),
                               option_widget=CheckboxInput())

    def __init__(self, *args: Any, series: Sequence[catalogue.ExhibitionSeries], stored: Sequence[dict[str, Any]],
                 unrecognised: Sequence[str], this_year: int, **kwargs: Any) -> None:
        # Posted rows win over these (WTForms reads the form data first).
        kwargs["data"] = {"shows": [{"series": s.get("series") or "", "year": str(s.get("year") or "")}
                                    for s in stored],
                          "keep": list(unrecognised)}
        super().__init__(*args, **kwargs)
        self.series_by_key = {s.key: s for s in series}
        for show in stored:  # a series no longer in the catalogue stays choosable on its record
            key = str(show.get("series") or "")
            if key and key not in self.series_by_key:
                self.series_by_key[key] = catalogue.ExhibitionSeries(key, str(show.get("name") or key),
                                                                    str(show.get("name_ko") or ""))
        years = list(range(this_year, this_year - PAST_SHOW_YEARS, -1))
        years += sorted({int(str(s["year"])) for s in stored if s.get("year")} - set(years), reverse=True)
        self.series_choices = [SelectChoice("", _l("Choose an exhibition"))] + [
            SelectChoice(s.key, localized(s, "name") or s.name) for s in sorted(
                self.series_by_key.values(), key=lambda s: (localized(s, "name") or s.name).casefold())]
        self.year_choices = [SelectChoice("", _l("Year not known"))] + [SelectChoice(str(y), str(y)) for y in years]
        self.keep.choices = [SelectChoice(line, line) for line in unrecognised]
        # Empty rows under the stored ones; a posted form brings its own rows back.
        self.add_rows(0 if self.is_submitted() else EMPTY_PAST_SHOW_ROWS)

    def add_rows(self, count: int) -> None:
        for _i in range(count):
            if len(self.shows.entries) >= MAX_PAST_SHOW_ROWS:
                break
            self.shows.append_entry()
        for entry in self.shows:
            entry.form.series.choices = self.series_choices
            entry.form.year.choices = self.year_choices

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        offered_years = {c.value for c in self.year_choices}
        for entry in self.shows:
            row = entry.form
            if row.series.data and row.series.data not in self.series_by_key:
                row.series.errors = [*row.series.errors, _l("Choose an exhibition from the list.")]
                ok = False
            elif row.year.data and not row.series.data:
                row.series.errors = [*row.series.errors, _l("Choose the exhibition you attended in that year.")]
                ok = False
            if (row.year.data or "") not in offered_years:
                row.year.errors = [*row.year.errors, _l("Choose a year from the list.")]
                ok = False
        return ok

    def chosen(self) -> list[PastShow]:
        shows = []
        for entry in self.shows:
            found = self.series_by_key.get(entry.form.series.data or "")
            if found is not None:
                year = entry.form.year.data
                shows.append(PastShow(found.key, int(year) if year else None, found.name, found.name_ko))
        return shows
