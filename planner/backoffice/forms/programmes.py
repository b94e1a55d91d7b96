"""Back-office forms for programmes and their offers."""
from __future__ import annotations

from dataclasses import replace
from typing import Any
from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from planner.backoffice.forms.fields import MultiCheckboxField
from planner.catalogue.models import OfferMode, Programme, default_criteria
from planner.catalogue.services import OfferInput, ProgrammeInput
from planner.catalogue.services.programmes import SLUG_PATTERN
from planner.vocab import SIZE_CLASS_LABELS, SizeClass

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
BIG_KRW = 10**13  # ten trillion won: far above any real budget, below BIGINT limits


def _size_key(size: SizeClass) -> str:
    return size.value.replace("-", "_")


def _timezone_choices() -> list[tuple[str, str]]:
    # Seoul first: the agency announces most windows in its own zone.
    zones = sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    return [SelectChoice("Asia/Seoul", "Asia/Seoul"), SelectChoice("UTC", "UTC")] + [
        SelectChoice(z, z) for z in zones if z != "Asia/Seoul"]


def _points(label: Any, default: int, minimum: int = 0, maximum: int = 1000) -> IntegerField:
    return IntegerField(label, default=default, validators=[InputRequired(), NumberRange(minimum, maximum)])


_CRITERIA = default_criteria()
# The fields holding a programme's rules, which only an admin may set (DOMAIN.md: an admin is a
# coordinator "who may also manage staff accounts and programme rules").
RULE_FIELDS = ("cap_per_company", "eligible_size_classes",
               *(f"share_{_size_key(s)}" for s in SizeClass), *(f"points_{_size_key(s)}" for s in SizeClass),
               "first_time_at_exhibition", "no_subsidy_last_year", "sector_fit", "export_readiness",
               "no_show_penalty")


class ProgrammeForm(FlaskForm):
    slug = StringField(_l("Slug"), validators=[DataRequired(), Length(max=120),
                                               Regexp(SLUG_PATTERN.pattern, message=_l(
                                                   "Use lowercase letters, digits and single hyphens."))],
                       description=_l("Short name in addresses and exports, e.g. overseas-2027."))
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    name_ko = StringField(_l("Name in Korean"), validators=[Optional(), Length(max=200)])
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(2000, 2100)])
    budget_krw = IntegerField(_l("Total subsidy budget (KRW)"), default=0,
                              validators=[InputRequired(), NumberRange(0, BIG_KRW)])
    cap_per_company = IntegerField(
        _l("Subsidised places per company"), default=2, validators=[InputRequired(), NumberRange(1, 50)],
        description=_l("Booth and delegation places together, across the programme's ranked offers."))
    eligible_size_classes = MultiCheckboxField(
        _l("Size classes eligible for subsidy"),
        choices=[SelectChoice(s.value, SIZE_CLASS_LABELS[s]) for s in SizeClass],
        default=["small", "medium", "middle-market"],
        validators=[DataRequired(message=_l("Choose at least one size class."))])
    share_small = IntegerField(_l("Subsidy share, small companies (%)"), default=70,
                               validators=[InputRequired(), NumberRange(0, 100)])
    share_medium = IntegerField(_l("Subsidy share, medium companies (%)"), default=50,
                                validators=[InputRequired(), NumberRange(0, 100)])
    share_middle_market = IntegerField(_l("Subsidy share, middle-market companies (%)"), default=30,
                                       validators=[InputRequired(), NumberRange(0, 100)])
    share_large = IntegerField(_l("Subsidy share, large companies (%)"), default=0,
                               validators=[InputRequired(), NumberRange(0, 100)])
    points_small = _points(_l("Points: small company"), _CRITERIA["size_class"]["small"])
    points_medium = _points(_l("Points: medium company"), _CRITERIA["size_class"]["medium"])
    points_middle_market = _points(_l("Points: middle-market company"),
                                   _CRITERIA["size_class"]["middle-market"])
    points_large = _points(_l("Points: large company"), _CRITERIA["size_class"]["large"])
    first_time_at_exhibition = _points(_l("Points: first time at this exhibition"),
                                       _CRITERIA["first_time_at_exhibition"])
    no_subsidy_last_year = _points(_l("Points: no subsidised place last year"),
                                   _CRITERIA["no_subsidy_last_year"])
    sector_fit = _points(_l("Points: sector fits the exhibition"), _CRITERIA["sector_fit"])
    export_readiness = _points(_l("Points: export readiness"), _CRITERIA["export_readiness"])
    no_show_penalty = _points(_l("Points: penalty per past no-show (zero or negative)"),
                              _CRITERIA["no_show_penalty"], minimum=-1000, maximum=0)
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    # Once companies have applied, a change of the rules needs a reason and a confirmed preview.
    rules_reason = TextAreaField(
        _l("Reason for changing the rules"), validators=[Optional(), Length(max=2000)],
        description=_l("Required once companies have applied; the companies concerned are told it."))
    rules_digest = HiddenField(label="")  # the preview confirmed (rule_changes.Preview.digest)

    def load(self, programme: Programme) -> None:
        """Fill the fields from an existing programme (GET of the edit page)."""
        self.slug.data = programme.slug
        self.name.data = programme.name
        self.name_ko.data = programme.name_ko
        self.year.data = programme.year
        self.budget_krw.data = programme.budget_krw
        self.cap_per_company.data = programme.cap_per_company
        self.eligible_size_classes.data = list(programme.eligible_size_classes or [])
        shares = programme.subsidy_shares or {}
        criteria = programme.criteria or {}
        sizes = criteria.get("size_class", {})
        for size in SizeClass:
            getattr(self, f"share_{_size_key(size)}").data = round(float(shares.get(size.value, 0)) * 100)
            getattr(self, f"points_{_size_key(size)}").data = int(sizes.get(size.value, 0))
        for key in ("first_time_at_exhibition", "no_subsidy_last_year", "sector_fit",
                    "export_readiness", "no_show_penalty"):
            getattr(self, key).data = int(criteria.get(key, 0))
        self.description.data = programme.description

    def rules_differ_from(self, programme: Programme) -> bool:
        """Whether the posted rule fields differ from what the edit page showed for `programme`
        (compared as shown: shares in whole percent, size classes in any order)."""
        shown = ProgrammeForm(formdata=None, meta={"csrf": False})
        shown.load(programme)
        for name in RULE_FIELDS:
            posted, before = getattr(self, name).data, getattr(shown, name).data
            if name == "eligible_size_classes":
                posted, before = set(posted or ()), set(before or ())
            if posted != before:
                return True
        return False

    def to_input(self, *, rules_of: Programme | None = None,
                 exact_of: Programme | None = None) -> ProgrammeInput:
        """The programme as posted; with `rules_of`, its rules are that programme's, unchanged;
        with `exact_of`, a share posted as that programme's page showed it (whole percent) keeps
        its exact value."""
        if exact_of is not None:
            posted = self.to_input()
            exact = dict(exact_of.subsidy_shares or {})
            shares = {size: exact[size] if size in exact and round(float(exact[size]) * 100) == round(value * 100)
                      else value for size, value in posted.subsidy_shares.items()}
            return replace(posted, subsidy_shares=shares)
        if rules_of is not None:
            posted = self.to_input()
            return replace(posted, cap_per_company=rules_of.cap_per_company,
                           eligible_size_classes=list(rules_of.eligible_size_classes or []),
                           subsidy_shares=dict(rules_of.subsidy_shares or {}),
                           criteria=dict(rules_of.criteria or {}))
        return ProgrammeInput(
            slug=self.slug.data.strip(), name=self.name.data.strip(),
            name_ko=(self.name_ko.data or "").strip() or None, year=self.year.data,
            budget_krw=self.budget_krw.data, cap_per_company=self.cap_per_company.data,
            eligible_size_classes=list(self.eligible_size_classes.data or []),
            subsidy_shares={s.value: getattr(self, f"share_{_size_key(s)}").data / 100 for s in SizeClass},
            criteria={
                "size_class": {s.value: getattr(self, f"points_{_size_key(s)}").data for s in SizeClass},
                **{key: getattr(self, key).data for key in (
                    "first_time_at_exhibition", "no_subsidy_last_year", "sector_fit",
                    "export_readiness", "no_show_penalty")}},
            description=self.description.data)


def _count(label: Any, default: int, minimum: int = 0, maximum: int = 10_000,
           description: Any = None) -> IntegerField:
    return IntegerField(label, default=default, description=description,
                        validators=[InputRequired(), NumberRange(minimum, maximum)])


def _moment(label: Any, required: bool = False) -> DateTimeLocalField:
    return DateTimeLocalField(label, format=LOCAL_FORMAT,
                              validators=[InputRequired() if required else Optional()])


class OfferForm(FlaskForm):
    exhibition_id = SelectField(_l("Exhibition"), coerce=int, validate_choice=True,
                                validators=[InputRequired()])
    booth_capacity = _count(_l("Booth places"), 0)
    booth_size_sqm = _count(_l("Standard booth size (m²)"), 9, minimum=1, maximum=1000)
    booth_cost_krw = _count(_l("Cost per booth (KRW)"), 0, maximum=BIG_KRW)
    delegation_capacity = _count(_l("Delegation places"), 0)
    delegation_people_per_place = _count(_l("People per delegation place"), 2, minimum=1, maximum=50)
    delegation_min_staff = _count(_l("Minimum named staff per delegation place"), 1, minimum=1,
                                  maximum=50)
    delegation_cost_krw = _count(_l("Cost per delegation place (KRW)"), 0, maximum=BIG_KRW)
    timezone = SelectField(_l("Time zone of the dates below"), default="Asia/Seoul",
                           validators=[InputRequired()],
                           description=_l("Window and milestones are entered and announced in this zone."))
    opens_local = _moment(_l("Applications open"), required=True)
    closes_local = _moment(_l("Applications close"), required=True)
    mode = RadioField(_l("Allocation"), default=OfferMode.ranked.value, validators=[InputRequired()],
                      choices=[SelectChoice(OfferMode.ranked.value, _l("Ranked: allocated after the deadline")),
                               SelectChoice(OfferMode.first_come.value,
                                            _l("First come: confirmed on submission while places remain"))])
    confirmation_days = _count(_l("Days to confirm an allocated place"), 7, minimum=1, maximum=90)
    payment_due_local = _moment(_l("Co-funding payment due"))
    licence_due_local = _moment(_l("Export-licence filing due"))
    shipping_cutoff_local = _moment(_l("Shipping cut-off"))
    buildup_starts_on = DateField(_l("First build-up day"), validators=[Optional()])
    buildup_ends_on = DateField(_l("Last build-up day"), validators=[Optional()])
    notes = TextAreaField(_l("Notes for applicants"), validators=[Optional(), Length(max=5000)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.timezone.choices = _timezone_choices()

    def validate_closes_local(self, field: DateTimeLocalField) -> None:
        if field.data and self.opens_local.data and field.data <= self.opens_local.data:
            raise ValidationError(_l("The window must close after it opens."))

    def validate_delegation_min_staff(self, field: IntegerField) -> None:
        people = self.delegation_people_per_place.data
        if field.data and people and field.data > people:
            raise ValidationError(_l("Cannot exceed the people per place."))

    def validate_buildup_ends_on(self, field: DateField) -> None:
        start = self.buildup_starts_on.data
        if field.data and start and field.data < start:
            raise ValidationError(_l("Build-up cannot end before it starts."))

    def validate_delegation_capacity(self, field: IntegerField) -> None:
        if field.data == 0 and self.booth_capacity.data == 0:
            raise ValidationError(_l("Offer at least one booth or delegation place."))

    def load(self, data: OfferInput) -> None:
        for name in ("booth_capacity", "booth_size_sqm", "booth_cost_krw", "delegation_capacity",
                     "delegation_people_per_place", "delegation_min_staff", "delegation_cost_krw",
                     "timezone", "opens_local", "closes_local", "confirmation_days",
                     "payment_due_local", "licence_due_local", "shipping_cutoff_local",
                     "buildup_starts_on", "buildup_ends_on", "notes"):
            getattr(self, name).data = getattr(data, name)
        self.mode.data = OfferMode(data.mode).value

    def to_input(self) -> OfferInput:
        return OfferInput(
            opens_local=self.opens_local.data, closes_local=self.closes_local.data,
            timezone=self.timezone.data, booth_capacity=self.booth_capacity.data,
            booth_size_sqm=self.booth_size_sqm.data, booth_cost_krw=self.booth_cost_krw.data,
            delegation_capacity=self.delegation_capacity.data,
            delegation_people_per_place=self.delegation_people_per_place.data,
            delegation_min_staff=self.delegation_min_staff.data,
            delegation_cost_krw=self.delegation_cost_krw.data, mode=OfferMode(self.mode.data),
            confirmation_days=self.confirmation_days.data,
            payment_due_local=self.payment_due_local.data,
            licence_due_local=self.licence_due_local.data,
            shipping_cutoff_local=self.shipping_cutoff_local.data,
            buildup_starts_on=self.buildup_starts_on.data, buildup_ends_on=self.buildup_ends_on.data,
            notes=self.notes.data)


class OfferEditForm(OfferForm):
    """The offer form without the exhibition choice: an offer stays at its exhibition."""

    exhibition_id = None
