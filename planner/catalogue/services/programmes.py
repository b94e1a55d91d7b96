"""Programmes and offers: create, edit, list open offers, subsidy shares."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any, overload
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from planner.catalogue.models import Exhibition, ExhibitionStatus, Offer, OfferMode, Programme, default_criteria
from planner.db import utcnow
from planner.errors import PlannerError
from planner.extensions import db
from planner.i18n import _
from planner.vocab import SizeClass

__all__ = [
    "ProgrammeError", "ProgrammeInput", "OfferInput", "SLUG_PATTERN", "CRITERIA_KEYS",
    "local_to_utc", "utc_to_local", "is_valid_timezone",
    "create_programme", "update_programme", "create_offer", "update_offer",
    "list_programmes", "get_programme_by_slug", "list_offers", "list_open_offers",
    "offers_for_exhibition", "company_share_krw", "offer_input_from", "PlacePrice", "quote_place", "SizeTerms", "size_class_terms",
]

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Flat criteria keys with integer points; "size_class" holds points per size class.
CRITERIA_KEYS = ("first_time_at_exhibition", "no_subsidy_last_year", "sector_fit",
                 "export_readiness", "no_show_penalty")
MAX_POINTS = 1000


class ProgrammeError(PlannerError):
    """A programme or offer rule is broken; the message is fit for coordinators."""


@dataclass(frozen=True)
class ProgrammeInput:
    slug: str
    name: str
    year: int
    cap_per_company: int = 1
    budget_krw: int = 0
    name_ko: str | None = None
    eligible_size_classes: Sequence[str] = ()
    # Share of a place's cost the agency pays, per size class, 0..1.
    subsidy_shares: Mapping[str, float] = field(default_factory=dict)
    criteria: Mapping[str, Any] = field(default_factory=default_criteria)
    description: str | None = None


@dataclass(frozen=True)
class OfferInput:
    """An offer as a coordinator types it: window and milestones in local time of `timezone`."""

    opens_local: dt.datetime
    closes_local: dt.datetime
    timezone: str = "Asia/Seoul"
    booth_capacity: int = 0
    booth_size_sqm: int = 9
    booth_cost_krw: int = 0
    delegation_capacity: int = 0
    delegation_people_per_place: int = 2
    delegation_min_staff: int = 1
    delegation_cost_krw: int = 0
    mode: OfferMode = OfferMode.ranked
    confirmation_days: int = 7
    payment_due_local: dt.datetime | None = None
    licence_due_local: dt.datetime | None = None
    shipping_cutoff_local: dt.datetime | None = None
    buildup_starts_on: dt.date | None = None
    buildup_ends_on: dt.date | None = None
    notes: str | None = None


def is_valid_timezone(name: str) -> bool:
    return name in _timezones()


@lru_cache(maxsize=1)
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def _zone(name: str) -> ZoneInfo:
    if not is_valid_timezone(name):
        raise ProgrammeError(_("Unknown time zone: %(zone)s.", zone=name))
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError as exc:  # pragma: no cover - the set above comes from zoneinfo
        raise ProgrammeError(_("Unknown time zone: %(zone)s.", zone=name)) from exc


def local_to_utc(local: dt.datetime, tz_name: str) -> dt.datetime:
    """A wall-clock time in `tz_name` as an aware UTC datetime.

    Raises ProgrammeError for a time the clocks skip (a daylight-saving gap), since a
    deadline at a time that never happens would be ambiguous to applicants.
    """
    zone = _zone(tz_name)
    if local.tzinfo is not None:
        local = local.replace(tzinfo=None)
    aware = local.replace(tzinfo=zone)
    try:
        utc = aware.astimezone(dt.timezone.utc)
        back = utc.astimezone(zone).replace(tzinfo=None)
    except OverflowError:
        # 0001-01-01 in Seoul is in the year 0 in UTC, 9999-12-31 in Honolulu in the year 10000.
        raise ProgrammeError(_("%(time)s is too far in the past or the future.",
                               time=local.strftime("%Y-%m-%d %H:%M"))) from None
    if back != local:
        raise ProgrammeError(_("%(time)s does not exist in %(zone)s (the clocks change then).",
                               time=local.strftime("%Y-%m-%d %H:%M"), zone=tz_name))
    return utc


@overload
def utc_to_local(value: dt.datetime, tz_name: str) -> dt.datetime: ...
@overload
def utc_to_local(value: dt.datetime | None, tz_name: str) -> dt.datetime | None: ...
def utc_to_local(value: dt.datetime | None, tz_name: str) -> dt.datetime | None:
    """An aware datetime as naive wall-clock time in `tz_name` (for form fields)."""
    if value is None:
        return None
    return value.astimezone(_zone(tz_name)).replace(tzinfo=None)


# --- programmes -----------------------------------------------------------------------------

def _check_programme(data: ProgrammeInput, *, existing: Programme | None) -> dict[str, Any]:
    slug = data.slug.strip().lower()
    if not SLUG_PATTERN.match(slug) or len(slug) > 120:
        raise ProgrammeError(_("The slug may contain only lowercase letters, digits and single "
                               "hyphens (at most 120 characters)."))
    other = get_programme_by_slug(slug)
    if other is not None and other is not existing:
        raise ProgrammeError(_("Another programme already uses the slug %(slug)s.", slug=slug))
    name = data.name.strip()
    if not name:
        raise ProgrammeError(_("The programme needs a name."))
    if not 2000 <= data.year <= 2100:
        raise ProgrammeError(_("The year must be between 2000 and 2100."))
    if data.budget_krw < 0:
        raise ProgrammeError(_("The budget cannot be negative."))
    if data.cap_per_company < 1:
        raise ProgrammeError(_("Each company must be able to hold at least one place."))
    sizes = {s.value for s in SizeClass}
    eligible = [s for s in SizeClass if s.value in set(data.eligible_size_classes)]
    unknown = set(data.eligible_size_classes) - sizes
    if unknown or not eligible:
        raise ProgrammeError(_("Choose at least one eligible size class."))
    shares: dict[str, float] = {}
    for key, value in data.subsidy_shares.items():
        if key not in sizes:
            raise ProgrammeError(_("Unknown size class: %(size)s.", size=key))
        if not 0 <= float(value) <= 1:
            raise ProgrammeError(_("A subsidy share must be between 0 and 100 percent."))
        shares[key] = float(value)
    return dict(slug=slug, name=name, name_ko=(data.name_ko or "").strip() or None, year=data.year,
                budget_krw=data.budget_krw, cap_per_company=data.cap_per_company,
                eligible_size_classes=[s.value for s in eligible], subsidy_shares=shares,
                criteria=_check_criteria(data.criteria, existing.criteria if existing else None),
                description=(data.description or "").strip() or None)


def _check_criteria(criteria: Mapping[str, Any], previous: Mapping[str, Any] | None) -> dict[str, Any]:
    # Keep keys this form does not know (added by later scoring rules) instead of dropping them.
    result: dict[str, Any] = dict(previous or {})
    size_points = criteria.get("size_class", {})
    if not isinstance(size_points, Mapping):
        raise ProgrammeError(_("Size-class points must be given per size class."))
    checked_sizes: dict[str, int] = {}
    for size in SizeClass:
        value = size_points.get(size.value, 0)
        checked_sizes[size.value] = _points(value)
    result["size_class"] = checked_sizes
    for key in CRITERIA_KEYS:
        result[key] = _points(criteria.get(key, 0))
    if result["no_show_penalty"] > 0:
        raise ProgrammeError(_("The no-show penalty must be zero or negative."))
    for key in CRITERIA_KEYS[:-1]:
        if result[key] < 0:
            raise ProgrammeError(_("Criteria points other than the no-show penalty cannot be negative."))
    if any(v < 0 for v in checked_sizes.values()):
        raise ProgrammeError(_("Criteria points other than the no-show penalty cannot be negative."))
    return result


def _points(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > MAX_POINTS:
        raise ProgrammeError(_("Criteria points must be whole numbers between -%(max)s and %(max)s.",
                               max=MAX_POINTS))
    return value


def create_programme(data: ProgrammeInput, *, actor: object | None = None,
                     now: dt.datetime | None = None) -> Programme:
    """Create a programme; raises ProgrammeError for a taken slug or invalid shares, cap, points."""
    values = _check_programme(data, existing=None)
    programme = Programme(**values, created_at=now or utcnow(), updated_at=now or utcnow())
    db.session.add(programme)
    db.session.flush()
    return programme


def update_programme(programme: Programme, data: ProgrammeInput, *, actor: object | None = None,
                     now: dt.datetime | None = None) -> Programme:
    """Change a programme; a change of the cap or the shares applies to later allocation runs."""
    values = _check_programme(data, existing=programme)
    changed = [key for key, value in values.items() if getattr(programme, key) != value]
    for key in changed:
        setattr(programme, key, values[key])
    if changed:
        programme.updated_at = now or utcnow()
    if "name" in changed or "name_ko" in changed:
        # The programme's name appears in each of its offers' calendar entries.
        for offer in list_offers(programme):
            offer.sequence += 1
    db.session.flush()
    return programme


def list_programmes() -> list[Programme]:
    return list(db.session.scalars(
        db.select(Programme).order_by(Programme.year.desc(), Programme.name)))


def get_programme_by_slug(slug: str) -> Programme | None:
    return db.session.scalar(db.select(Programme).where(Programme.slug == slug))


# --- offers ---------------------------------------------------------------------------------

# Fields a calendar subscriber sees (window, milestones, build-up, places): changing any of
# them raises the offer's SEQUENCE so clients replace their copy.
_CALENDAR_FIELDS = ("opens_at", "closes_at", "timezone", "mode", "booth_capacity",
                    "delegation_capacity", "booth_cost_krw", "delegation_cost_krw",
                    "booth_size_sqm", "delegation_people_per_place", "delegation_min_staff",
                    "confirmation_days", "payment_due_at", "licence_due_at", "shipping_cutoff_at",
                    "buildup_starts_on", "buildup_ends_on", "notes")


def _check_offer(data: OfferInput, exhibition: Exhibition, *, existing: Offer | None) -> dict[str, Any]:
    for value, label in ((data.booth_capacity, _("Booth places")),
                         (data.delegation_capacity, _("Delegation places")),
                         (data.booth_cost_krw, _("Booth cost")),
                         (data.delegation_cost_krw, _("Delegation cost"))):
        if value < 0:
            raise ProgrammeError(_("%(field)s cannot be negative.", field=label))
    if data.booth_capacity == 0 and data.delegation_capacity == 0:
        raise ProgrammeError(_("Offer at least one booth or delegation place."))
    if data.booth_size_sqm < 1:
        raise ProgrammeError(_("A booth needs at least 1 m²."))
    if data.delegation_people_per_place < 1:
        raise ProgrammeError(_("A delegation place is for at least one person."))
    if not 1 <= data.delegation_min_staff <= data.delegation_people_per_place:
        raise ProgrammeError(_("The minimum staff must be between 1 and the people per place."))
    if data.confirmation_days < 1:
        raise ProgrammeError(_("Companies need at least one day to confirm."))
    if existing is not None:
        if data.booth_capacity < existing.booth_taken:
            raise ProgrammeError(_("Booth places cannot go below the %(n)s already taken.",
                                   n=existing.booth_taken))
        if data.delegation_capacity < existing.delegation_taken:
            raise ProgrammeError(_("Delegation places cannot go below the %(n)s already taken.",
                                   n=existing.delegation_taken))
    opens_at = local_to_utc(data.opens_local, data.timezone)
    closes_at = local_to_utc(data.closes_local, data.timezone)
    if closes_at <= opens_at:
        raise ProgrammeError(_("The application window must close after it opens."))
    show_starts = dt.datetime.combine(exhibition.starts_on, dt.time(0),
                                      tzinfo=_zone(exhibition.timezone))
    if closes_at > show_starts:
        raise ProgrammeError(_("The application window must close before the exhibition starts."))
    if (data.buildup_starts_on is None) != (data.buildup_ends_on is None):
        raise ProgrammeError(_("Give both the first and the last build-up day, or neither."))
    if data.buildup_starts_on and data.buildup_ends_on:
        if data.buildup_ends_on < data.buildup_starts_on:
            raise ProgrammeError(_("Build-up cannot end before it starts."))
        if data.buildup_ends_on > exhibition.ends_on:
            raise ProgrammeError(_("Build-up must end by the last day of the exhibition."))
    milestones = {name: local_to_utc(value, data.timezone) if value else None
                  for name, value in (("payment_due_at", data.payment_due_local),
                                      ("licence_due_at", data.licence_due_local),
                                      ("shipping_cutoff_at", data.shipping_cutoff_local))}
    return dict(booth_capacity=data.booth_capacity, booth_size_sqm=data.booth_size_sqm,
                booth_cost_krw=data.booth_cost_krw, delegation_capacity=data.delegation_capacity,
                delegation_people_per_place=data.delegation_people_per_place,
                delegation_min_staff=data.delegation_min_staff,
                delegation_cost_krw=data.delegation_cost_krw, opens_at=opens_at,
                closes_at=closes_at, timezone=data.timezone, mode=OfferMode(data.mode),
                confirmation_days=data.confirmation_days, **milestones,
                buildup_starts_on=data.buildup_starts_on, buildup_ends_on=data.buildup_ends_on,
                notes=(data.notes or "").strip() or None)


def create_offer(programme: Programme, exhibition: Exhibition, data: OfferInput, *,
                 actor: object | None = None, now: dt.datetime | None = None) -> Offer:
    """Offer places at `exhibition` within `programme`.

    Raises ProgrammeError for a second offer at the same exhibition in the programme, a
    cancelled exhibition, a window in the wrong order or closing after the show starts.
    """
    if exhibition.status == ExhibitionStatus.cancelled:
        raise ProgrammeError(_("%(name)s is cancelled; it cannot receive offers.", name=exhibition.name))
    duplicate = db.session.scalar(db.select(Offer.id).where(
        Offer.programme_id == programme.id, Offer.exhibition_id == exhibition.id))
    if duplicate is not None:
        raise ProgrammeError(_("This programme already has an offer at %(name)s.", name=exhibition.name))
    values = _check_offer(data, exhibition, existing=None)
    stamp = now or utcnow()
    offer = Offer(programme=programme, exhibition=exhibition, **values, created_at=stamp,
                  updated_at=stamp)
    db.session.add(offer)
    db.session.flush()
    return offer


def update_offer(offer: Offer, data: OfferInput, *, actor: object | None = None,
                 now: dt.datetime | None = None) -> Offer:
    """Change an offer; capacity never goes below the places already taken.

    Any change a calendar subscriber sees raises `Offer.sequence`.
    """
    values = _check_offer(data, offer.exhibition, existing=offer)
    changed = [key for key, value in values.items() if getattr(offer, key) != value]
    for key in changed:
        setattr(offer, key, values[key])
    if any(key in _CALENDAR_FIELDS for key in changed):
        offer.sequence += 1
    if changed:
        offer.updated_at = now or utcnow()
    db.session.flush()
    return offer


def offer_input_from(offer: Offer) -> OfferInput:
    """The form-shaped values of an existing offer (local times in its zone)."""
    tz = offer.timezone
    return OfferInput(
        opens_local=utc_to_local(offer.opens_at, tz), closes_local=utc_to_local(offer.closes_at, tz),
        timezone=tz, booth_capacity=offer.booth_capacity, booth_size_sqm=offer.booth_size_sqm,
        booth_cost_krw=offer.booth_cost_krw, delegation_capacity=offer.delegation_capacity,
        delegation_people_per_place=offer.delegation_people_per_place,
        delegation_min_staff=offer.delegation_min_staff, delegation_cost_krw=offer.delegation_cost_krw,
        mode=OfferMode(offer.mode), confirmation_days=offer.confirmation_days,
        payment_due_local=utc_to_local(offer.payment_due_at, tz),
        licence_due_local=utc_to_local(offer.licence_due_at, tz),
        shipping_cutoff_local=utc_to_local(offer.shipping_cutoff_at, tz),
        buildup_starts_on=offer.buildup_starts_on, buildup_ends_on=offer.buildup_ends_on,
        notes=offer.notes)


def list_offers(programme: Programme) -> list[Offer]:
    return list(db.session.scalars(
        db.select(Offer).join(Offer.exhibition).where(Offer.programme_id == programme.id)
        .order_by(Exhibition.starts_on, Exhibition.name)))


def list_open_offers(now: dt.datetime | None = None) -> list[Offer]:
    """Offers whose window is open at `now` at exhibitions that are not cancelled, soonest deadline first."""
    now = now or utcnow()
    return list(db.session.scalars(
        db.select(Offer).join(Offer.exhibition)
        .where(Offer.opens_at <= now, Offer.closes_at > now,
               Exhibition.status != ExhibitionStatus.cancelled)
        .order_by(Offer.closes_at, Exhibition.starts_on)))


def offers_for_exhibition(exhibition_id: int) -> list[Offer]:
    return list(db.session.scalars(
        db.select(Offer).join(Offer.programme).where(Offer.exhibition_id == exhibition_id)
        .order_by(Programme.year.desc(), Offer.closes_at)))


@dataclass(frozen=True)
class SizeTerms:
    """What a company of one size class may do in a programme, as its rules say: apply with the
    agency paying `share` of each place's cost; apply at the full cost (an eligible class with no
    share); or not apply at all (a class the programme is not open to). Pages show it before a
    company applies, so none is invited to a form that then refuses it."""

    size_class: str
    eligible: bool
    share: float

    @property
    def full_cost(self) -> bool:
        return self.eligible and self.share <= 0


def size_class_terms(programme: Programme, size_class: str) -> SizeTerms:
    size = str(size_class)
    eligible = size in {str(s) for s in programme.eligible_size_classes or []}
    share = float((programme.subsidy_shares or {}).get(size, 0)) if eligible else 0.0
    return SizeTerms(size_class=size, eligible=eligible, share=share)


@dataclass(frozen=True)
class PlacePrice:
    """What one place costs and who pays what: the agency's share (0..1) of the cost, its
    subsidy and the company's share, in won."""

    cost_krw: int
    subsidy_share: float
    subsidy_krw: int
    company_share_krw: int


def quote_place(cost_krw: int, programme: Programme, size_class: str) -> PlacePrice:
    """The price of a place of `cost_krw` for a company of `size_class` under the programme's
    rules. Size classes not eligible in the programme pay the full cost. The agency's part is
    rounded to the nearest won, half up, and the company pays the rest."""
    cost = int(cost_krw)
    share = size_class_terms(programme, size_class).share
    subsidy = int((Decimal(cost) * Decimal(str(share))).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return PlacePrice(cost_krw=cost, subsidy_share=share, subsidy_krw=subsidy, company_share_krw=cost - subsidy)


def company_share_krw(cost_krw: int, programme: Programme, size_class: str) -> int:
    """What a company of `size_class` pays of `cost_krw` under the programme's current rules."""
    return quote_place(cost_krw, programme, size_class).company_share_krw
