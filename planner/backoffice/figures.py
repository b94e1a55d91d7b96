"""Dashboard figures, per programme and across programmes: oversubscription, allocation and
confirmation progress, waitlists, subsidy against the budget by size class and by region,
first-time exhibitors, co-funding totals and the next 60 days' deadlines. Each chart arrives
as a charts.Figure (its table is also its CSV)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from planner.accounts.models import Company
from planner.backoffice import cofunding
from planner.backoffice.charts import Figure, figure
from planner.catalogue import services as catalogue
from planner.catalogue.models import Exhibition, Offer, Programme
from planner.catalogue.regions import REGION_LABELS, region_of
from planner.catalogue.services import company_share_krw
from planner.extensions import db
from planner.i18n import _, localized, ngettext_
from planner.signups.models import Application, ApplicationStatus, PlaceKind
from planner.signups.services import size_class_column
from planner.vocab import SIZE_CLASS_LABELS, SizeClass

S = ApplicationStatus
HELD = (S.allocated, S.confirmed)
DEADLINE_DAYS = 60


@dataclass(frozen=True)
class Slot:
    offer: Offer
    kind: str
    capacity: int
    applications: int     # every application not withdrawn
    allocated: int
    confirmed: int
    waitlisted: int

    @property
    def oversubscription(self) -> float | None:
        return self.applications / self.capacity if self.capacity else None


@dataclass(frozen=True)
class Deadline:
    at: dt.datetime
    offer: Offer
    what: str


@dataclass(frozen=True)
class FirstTimers:
    applicants: int
    first_time_applicants: int
    holders: int
    first_time_holders: int

    @property
    def applicant_share(self) -> float | None:
        return self.first_time_applicants / self.applicants if self.applicants else None

    @property
    def holder_share(self) -> float | None:
        return self.first_time_holders / self.holders if self.holders else None


@dataclass(frozen=True)
class ProgrammeBoard:
    programme: Programme
    offers: list[Offer]
    slots: list[Slot]
    figures: list[Figure]
    first_timers: FirstTimers
    cofunding: cofunding.Totals
    deadlines: list[Deadline]
    committed_krw: int
    confirmed_krw: int
    paid_krw: int


def _label(offer: Offer, kind: str) -> str:
    return f"{localized(offer.exhibition, 'name')} · {_('Booth') if kind == 'booth' else _('Delegation')}"


def _slots(offers: list[Offer]) -> list[Slot]:
    counts: dict[tuple[int, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    if offers:
        for offer_id, kind, status, in_ in db.session.execute(
                select(Application.offer_id, Application.kind, Application.status, db.func.count())
                .where(Application.offer_id.in_([o.id for o in offers]))
                .group_by(Application.offer_id, Application.kind, Application.status)):
            counts[(offer_id, str(kind))][str(status)] += in_
    slots = []
    for offer in offers:
        for kind, capacity in ((PlaceKind.booth.value, offer.booth_capacity),
                               (PlaceKind.delegation.value, offer.delegation_capacity)):
            c = counts[(offer.id, kind)]
            applications = sum(n for status, n in c.items() if status != S.withdrawn.value)
            if not capacity and not applications:
                continue
            slots.append(Slot(offer=offer, kind=kind, capacity=capacity, applications=applications,
                              allocated=c[S.allocated.value], confirmed=c[S.confirmed.value],
                              waitlisted=c[S.waitlisted.value]))
    return slots


def deadlines(offers: list[Offer], *, now: dt.datetime, days: int = DEADLINE_DAYS) -> list[Deadline]:
    """Every offer milestone from `now` to `days` later, soonest first."""
    until = now + dt.timedelta(days=days)
    found = []
    for offer in offers:
        for at, what in ((offer.opens_at, _("Applications open")), (offer.closes_at, _("Applications close")),
                         (offer.payment_due_at, _("Company shares due")),
                         (offer.licence_due_at, _("Export licences due")),
                         (offer.shipping_cutoff_at, _("Shipping cut-off"))):
            if at is not None and now <= at <= until:
                found.append(Deadline(at=at, offer=offer, what=what))
    return sorted(found, key=lambda d: (d.at, d.offer.id))


def _subsidy_rows(programme: Programme) -> list[tuple[int, str, str, int, str, list[str], int]]:
    """(application id, status, size class, subsidy, region, prior exhibitions, company id) for
    every application of the programme that is not withdrawn."""
    rows = db.session.execute(
        select(Application.id, Application.status, Application.kind, Application.subsidy_krw, size_class_column(),
               Company.past_shows, Company.prior_exhibitions, Company.id, Offer.booth_cost_krw, Offer.delegation_cost_krw,
               Exhibition.country_code)
        .join(Company, Company.id == Application.company_id).join(Offer, Offer.id == Application.offer_id)
        .join(Exhibition, Exhibition.id == Offer.exhibition_id)
        .where(Application.programme_id == programme.id, Application.status != S.withdrawn))
    out = []
    for app_id, status, kind, recorded, size, past, prior, company_id, booth_cost, delegation_cost, country in rows:
        cost = int((booth_cost if str(kind) == "booth" else delegation_cost) or 0)
        # A confirmed place's subsidy as recorded (rule 9); the others' under the current rules.
        subsidy = recorded if recorded is not None and str(status) == S.confirmed.value \
            else cost - company_share_krw(cost, programme, str(size))
        out.append((app_id, str(status), str(size), subsidy, region_of(country) or "",
                    [str(show.get("series")) for show in past or []] + list(prior or []), company_id))
    return out


def first_timers(rows: list[tuple[int, str, str, int, str, list[str], int]]) -> FirstTimers:
    """Companies whose profile lists no earlier exhibition, among applicants and place holders."""
    applicants: dict[int, bool] = {}
    holders: dict[int, bool] = {}
    for _id, status, _size, _subsidy, _region, prior, company_id in rows:
        if status == S.ineligible.value:
            continue
        applicants[company_id] = not prior
        if status in HELD:
            holders[company_id] = not prior
    return FirstTimers(applicants=len(applicants), first_time_applicants=sum(applicants.values()),
                       holders=len(holders), first_time_holders=sum(holders.values()))


def _money(value: int) -> str:
    return f"₩{value:,}"


def programme_board(programme: Programme, *, now: dt.datetime) -> ProgrammeBoard:
    offers = catalogue.list_offers(programme)
    slots = _slots(offers)
    rows = _subsidy_rows(programme)
    shares = cofunding.list_shares(programme_id=programme.id)
    paid_ids = {s.application_id for s in shares if s.state == cofunding.PaymentState.paid}
    sizes: dict[str, list[int]] = {str(s): [0, 0, 0] for s in SizeClass}
    regions: dict[str, list[int]] = {r: [0, 0, 0] for r in REGION_LABELS}
    for app_id, status, size, subsidy, region, _prior, _company in rows:
        if status not in HELD:
            continue
        is_paid = app_id in paid_ids
        for line in (sizes.setdefault(size, [0, 0, 0]), regions.setdefault(region, [0, 0, 0])):
            line[0] += subsidy
            line[1] += subsidy if status == S.confirmed.value else 0
            line[2] += subsidy if is_paid else 0
    committed = sum(line[0] for line in sizes.values())
    confirmed = sum(line[1] for line in sizes.values())
    paid = sum(line[2] for line in sizes.values())
    money_columns = (_("Committed (KRW)"), _("Confirmed (KRW)"), _("Paid (KRW)"))
    figures = [
        figure("oversubscription", _("Applications against places"),
               _("Applications (not withdrawn) for each offer and kind of place, with the places it has; "
                 "a bar longer than its places means more applicants than places."),
               (_("Offer"), _("Applications"), _("Places"), _("Applications per place")),
               [(_label(s.offer, s.kind), s.applications, s.capacity,
                 f"{s.oversubscription:.2f}" if s.oversubscription is not None else "–") for s in slots],
               bar_text=[ngettext_("%(n)s for %(num)s place", "%(n)s for %(num)s places", s.capacity, n=s.applications)
                         for s in slots]),
        figure("progress", _("Places allocated and confirmed"),
               _("For each offer and kind of place: places confirmed, places allocated and awaiting "
                 "confirmation, and places in all."),
               (_("Offer"), _("Confirmed"), _("Allocated, not yet confirmed"), _("Places")),
               [(_label(s.offer, s.kind), s.confirmed, s.allocated, s.capacity) for s in slots],
               bar_text=[_("%(confirmed)s confirmed, %(allocated)s allocated of %(places)s",
                           confirmed=s.confirmed, allocated=s.allocated, places=s.capacity) for s in slots]),
        figure("waitlists", _("Waitlist lengths"),
               _("Companies waiting for a place, per offer and kind of place."),
               (_("Offer"), _("Waitlisted")),
               [(_label(s.offer, s.kind), s.waitlisted) for s in slots]),
        figure("subsidy-by-size", _("Subsidy by size class"),
               _("Subsidy committed to allocated and confirmed places, by company size class, against "
                 "a budget of %(budget)s.", budget=_money(programme.budget_krw)),
               (_("Size class"), *money_columns),
               [(str(SIZE_CLASS_LABELS.get(SizeClass(k), k)) if k in SizeClass._value2member_map_ else k,
                 *v) for k, v in sizes.items()],
               bar_text=[_money(v[0]) for v in sizes.values()]),
        figure("subsidy-by-region", _("Subsidy by region"),
               _("Subsidy committed to allocated and confirmed places, by the exhibition's region."),
               (_("Region"), *money_columns),
               [(str(REGION_LABELS.get(k, k)), *v) for k, v in regions.items()],
               bar_text=[_money(v[0]) for v in regions.values()]),
    ]
    return ProgrammeBoard(programme=programme, offers=offers, slots=slots, figures=figures, first_timers=first_timers(rows),
                          cofunding=cofunding.totals(shares), deadlines=deadlines(offers, now=now),
                          committed_krw=committed, confirmed_krw=confirmed, paid_krw=paid)


@dataclass(frozen=True)
class Overview:
    boards: list[ProgrammeBoard]
    figures: list[Figure]
    deadlines: list[Deadline]


def overview(*, now: dt.datetime) -> Overview:
    """Every programme side by side (newest year first) and the next 60 days' deadlines."""
    boards = [programme_board(p, now=now) for p in catalogue.list_programmes()]
    names = [f"{localized(b.programme, 'name')} ({b.programme.year})" for b in boards]
    figures = [
        figure("programmes-subsidy", _("Subsidy committed by programme"),
               _("Subsidy committed to allocated and confirmed places in each programme, against its budget."),
               (_("Programme"), _("Committed (KRW)"), _("Confirmed (KRW)"), _("Paid (KRW)"), _("Budget (KRW)")),
               [(n, b.committed_krw, b.confirmed_krw, b.paid_krw, b.programme.budget_krw)
                for n, b in zip(names, boards, strict=True)],
               bar_text=[_("%(committed)s of %(budget)s", committed=_money(b.committed_krw),
                           budget=_money(b.programme.budget_krw)) for b in boards]),
        figure("programmes-applications", _("Applications by programme"),
               _("Applications (not withdrawn) in each programme, with its places."),
               (_("Programme"), _("Applications"), _("Places"), _("Confirmed")),
               [(n, sum(s.applications for s in b.slots), sum(s.capacity for s in b.slots),
                 sum(s.confirmed for s in b.slots)) for n, b in zip(names, boards, strict=True)]),
    ]
    return Overview(boards=boards, figures=figures,
                    deadlines=deadlines([o for b in boards for o in b.offers], now=now))


def find_figure(figures: list[Figure], key: str) -> Figure | None:
    return next((f for f in figures if f.key == key), None)
