"""Forms of the applicant side: the application (booth or delegation), withdrawal, rank moves."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from planner.catalogue.models import Offer
from planner.db import is_valid_id
from planner.i18n import country_name, known_country_codes, ngettext_
from planner.signups.models import PlaceKind
from planner.signups.services import ApplicationAnswers, Delegate, Exhibit

# Markets Korean defence SMEs name most often, listed first so the long list is rarely needed.
FREQUENT_MARKETS = ("PL", "AE", "SA", "EG", "IN", "ID", "PH", "MY", "TH", "VN", "AU", "RO", "NO",
                    "EE", "TR", "US", "GB", "FR", "DE", "CA", "PE", "QA")
# Codes that are not export markets: Korea itself, unions and placeholders.
NOT_MARKETS = frozenset({"KR", "EU", "EZ", "UN", "ZZ", "XA", "XB", "QO"})

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


class ApplicationForm(FlaskForm):
    exhibits = FieldList(FormField(ExhibitForm), min_entries=EXHIBIT_ROWS, max_entries=MAX_EXHIBIT_ROWS)
    target_markets = SelectMultipleField(
        _l("Target markets"),
        description=_l("Countries where you want to sell. Hold Ctrl (⌘ on a Mac) to choose several."))
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

    def __init__(self, *args: Any, offer: Offer, kind: PlaceKind, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offer = offer
        self.kind = kind
        self.target_markets.choices = market_choices()
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


def market_choices() -> list[SelectChoice]:
    """Country choices in the viewer's language: frequent markets first, then all others."""
    frequent_label, other_label = str(_l("Frequent markets")), str(_l("All other countries"))
    frequent = sorted((SelectChoice(code, country_name(code), optgroup=frequent_label)
                       for code in FREQUENT_MARKETS), key=lambda choice: choice.label)
    others = sorted((SelectChoice(code, country_name(code), optgroup=other_label)
                     for code in known_country_codes() - NOT_MARKETS - set(FREQUENT_MARKETS)),
                    key=lambda choice: choice.label)
    return frequent + others


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
