"""A run's inputs: the programme's ranked offers, its applications and the facts about their
companies the criteria and eligibility gates look at, loaded in bulk."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from planner.accounts.models import Company
from planner.catalogue.models import Exhibition, Offer, OfferMode, Programme
from planner.catalogue.series import exhibition_series_keys, series_key
from planner.extensions import db
from planner.signups.models import Application
from planner.signups.services import HELD_STATUSES

# Licence states of an exhibit that let it travel (export readiness, allocation rule 1).
LICENCE_OK = frozenset({"granted", "not_needed", "not-needed", "not needed", "none"})


@dataclass(frozen=True)
class AppRow:
    id: int
    company_id: int
    offer_id: int
    kind: str
    preference: int
    status: str
    answers: Mapping[str, object]
    attested: bool
    other_funding: bool
    ineligible_reason: str | None


def ranked_offers(programme: Programme) -> list[Offer]:
    return list(db.session.scalars(
        select(Offer).where(Offer.programme_id == programme.id, Offer.mode == OfferMode.ranked)
        .order_by(Offer.id)))


def programmes_with_ranked_offers() -> set[int]:
    """Ids of the programmes that have a ranked offer, hence an allocation run (rule 8)."""
    return set(db.session.scalars(select(Offer.programme_id).distinct()
                                  .where(Offer.mode == OfferMode.ranked)))


def load_applications(offer_ids: Sequence[int]) -> list[AppRow]:
    if not offer_ids:
        return []
    t = Application.__table__
    rows = db.session.execute(
        select(t.c.id, t.c.company_id, t.c.offer_id, t.c.kind, t.c.preference, t.c.status,
               t.c.answers, t.c.export_control_attested, t.c.other_public_funding,
               t.c.ineligible_reason)
        .where(t.c.offer_id.in_(offer_ids)).order_by(t.c.id))
    return [AppRow(r.id, r.company_id, r.offer_id, str(r.kind), r.preference, str(r.status),
                    r.answers or {}, bool(r.export_control_attested), bool(r.other_public_funding),
                    r.ineligible_reason) for r in rows]


def current_statuses(ids: Sequence[int], *, lock: bool) -> dict[int, tuple[str, str | None]]:
    """(status, ineligible reason) of each application as committed now."""
    t = Application.__table__
    found: dict[int, tuple[str, str | None]] = {}
    # Chunked so the IN list stays within every driver's parameter limit.
    for start in range(0, len(ids), 5000):
        query = select(t.c.id, t.c.status, t.c.ineligible_reason).where(t.c.id.in_(ids[start:start + 5000]))
        if lock:
            query = query.with_for_update()
        found.update((r.id, (str(r.status), r.ineligible_reason)) for r in db.session.execute(query))
    return found


def profile_complete(company: Company | CompanyFacts) -> bool:
    """A profile the programme can judge: name, size class, at least one sector, products."""
    return bool(company.legal_name and company.size_class and company.sectors
                and (company.products or "").strip())


@dataclass(frozen=True)
class CompanyFacts:
    id: int
    legal_name: str
    size_class: str
    sectors: tuple[str, ...]
    products: str | None
    has_defence_exports: bool
    prior_exhibitions: frozenset[str]
    no_show_count: int


def load_companies(company_ids: Iterable[int]) -> dict[int, CompanyFacts]:
    ids = sorted(set(company_ids))
    t = Company.__table__
    out: dict[int, CompanyFacts] = {}
    for start in range(0, len(ids), 5000):
        for r in db.session.execute(
                select(t.c.id, t.c.legal_name, t.c.size_class, t.c.sectors, t.c.products,
                       t.c.has_defence_exports, t.c.past_shows, t.c.prior_exhibitions, t.c.no_show_count)
                .where(t.c.id.in_(ids[start:start + 5000]))):
            out[r.id] = CompanyFacts(
                r.id, r.legal_name, str(r.size_class), tuple(r.sectors or ()), r.products,
                bool(r.has_defence_exports),
                past_series(r.past_shows, r.prior_exhibitions),
                int(r.no_show_count or 0))
    return out


def past_series(past_shows: Iterable[Mapping[str, object]] | None, unrecognised: Iterable[object] | None) -> frozenset[str]:
    """The series a company exhibited at: the series keys it chose on its profile, and the
    keys of old free-text lines no series recognised (a show added to the catalogue later
    still matches them)."""
    keys = {str(show.get("series") or "") for show in past_shows or () if isinstance(show, Mapping)}
    keys |= {series_key(str(line)) for line in unrecognised or ()}
    keys.discard("")
    return frozenset(keys)


def subsidised_last_year(programme: Programme, company_ids: Iterable[int]) -> set[int]:
    """Companies holding a subsidised place (allocated or confirmed) in a programme of the
    previous year: the "no subsidised place in the previous year" criterion."""
    previous = select(Programme.id).where(Programme.year == programme.year - 1)
    ids = set(company_ids)
    return {cid for cid in db.session.scalars(
        select(Application.company_id).distinct()
        .where(Application.programme_id.in_(previous), Application.status.in_(list(HELD_STATUSES))))
        if cid in ids}


def exhibition_keys(exhibition: Exhibition) -> frozenset[str]:
    """The series keys of the exhibition, which a company's past shows are matched against
    (any edition of the same show counts; see catalogue.series)."""
    return exhibition_series_keys(name=exhibition.name, slug=exhibition.slug,
                                  name_ko=exhibition.name_ko)


def export_ready(company: CompanyFacts, answers: Mapping[str, object]) -> bool:
    if company.has_defence_exports:
        return True
    exhibits = answers.get("exhibits") or []
    if not isinstance(exhibits, list):
        return False
    for exhibit in exhibits:
        if not isinstance(exhibit, Mapping):
            return False
        if exhibit.get("needs_licence") is False:
            continue
        if str(exhibit.get("licence_status") or "").casefold() not in LICENCE_OK:
            return False
    return True
