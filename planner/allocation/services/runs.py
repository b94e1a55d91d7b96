"""Allocation runs: the eligibility gates, scores, lottery and matching over a programme's
ranked offers, stored as an AllocationRun with one result per application (a dry run, or the
published run, whose seed is the previewed one)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from planner.accounts.models import User
from planner.allocation import lottery, matching, scoring
from planner.allocation.models import AllocationResult, AllocationRun
from planner.allocation.services.errors import (
    NoRun,
    NotPreviewed,
    PublishedAlready,
    SeedNotDrawn,
    WindowsOpen,
)
from planner.allocation.services.inputs import (
    AppRow,
    current_statuses,
    exhibition_keys,
    export_ready,
    load_applications,
    load_companies,
    profile_complete,
    ranked_offers,
    subsidised_last_year,
)
from planner.allocation.services.publication import apply_publication
from planner.allocation.services.seeds import programme_seed
from planner.catalogue.models import Offer, Programme
from planner.db import utcnow
from planner.extensions import db
from planner.i18n import _
from planner.outcomes import services as outcomes
from planner.outcomes.criteria import PAST_RESULT_CODES, PastResults
from planner.signups.models import ApplicationStatus

S = ApplicationStatus


@dataclass
class _Computed:
    slots: list[matching.Slot]
    candidates: list[matching.Candidate]
    scores: dict[int, scoring.Score]
    tiebreaks: dict[int, float]
    reasons: dict[int, str]        # ineligible applications and why
    withdrawn: set[int]            # not matched: withdrawn before the run (or changed since)
    matching: matching.Matching
    size_classes: dict[int, str]   # the company size class each application was scored with


def _match(slots: list[matching.Slot], candidates: list[matching.Candidate],
           cap: int) -> matching.Matching:
    return matching.deferred_acceptance(slots, candidates, cap)


def _compute(programme: Programme, offers: list[Offer], apps: list[AppRow], seed: str) -> _Computed:
    """Eligibility, scores, lottery numbers and the matching for the loaded applications."""
    companies = load_companies(app.company_id for app in apps)
    last_year = subsidised_last_year(programme, companies)
    keys = {o.id: exhibition_keys(o.exhibition) for o in offers}
    exhibition_sectors = {o.id: frozenset(str(s) for s in o.exhibition.sectors) for o in offers}
    criteria = programme.criteria or {}
    past = _past_results(offers, criteria, companies)
    eligible_sizes = list(programme.eligible_size_classes or [])

    slots = []
    for offer in offers:
        # Places already held (none before the first publication) are not offered again.
        slots.append(matching.Slot((offer.id, "booth"), max(offer.booth_capacity - offer.booth_taken, 0)))
        slots.append(matching.Slot((offer.id, "delegation"),
                                   max(offer.delegation_capacity - offer.delegation_taken, 0)))
    candidates: list[matching.Candidate] = []
    scores: dict[int, scoring.Score] = {}
    tiebreaks: dict[int, float] = {}
    reasons: dict[int, str] = {}
    withdrawn: set[int] = set()
    size_classes: dict[int, str] = {}
    # Facts take few distinct values (size class, five yes/no answers, no-shows): scoring each
    # combination once keeps a 20,000-application run from re-adding the same points.
    score_of: dict[scoring.Facts, scoring.Score] = {}
    submitted, ineligible = S.submitted.value, S.ineligible.value
    for app in apps:
        company = companies[app.company_id]
        status = app.status
        facts = scoring.Facts(
            size_class=company.size_class,
            first_time_at_exhibition=not (keys[app.offer_id] & company.prior_exhibitions),
            subsidised_last_year=company.id in last_year,
            sector_fit=not exhibition_sectors[app.offer_id].isdisjoint(company.sectors),
            export_ready=export_ready(company, app.answers),
            no_shows=company.no_show_count,
            past=past.get(app.company_id, PastResults()),
        )
        # Every application gets its score and lottery number, so the export and the pages
        # show the same fields for all; only eligible, submitted ones are matched.
        score = score_of.get(facts)
        if score is None:
            score = score_of[facts] = scoring.score(criteria, facts)
        scores[app.id] = score
        size_classes[app.id] = company.size_class
        tiebreaks[app.id] = lottery.tiebreak(seed, str(app.id))
        if status == ineligible:
            reasons[app.id] = app.ineligible_reason or scoring.INELIGIBLE_PROFILE
            continue
        if status != submitted:
            withdrawn.add(app.id)
            continue
        reason = scoring.check_eligibility(
            size_class=company.size_class, eligible_size_classes=eligible_sizes,
            profile_complete=profile_complete(company), attested=app.attested,
            other_public_funding=app.other_funding)
        if reason is not None:
            reasons[app.id] = reason
            continue
        candidates.append(matching.Candidate(
            application_id=app.id, company_id=app.company_id, slot=(app.offer_id, app.kind),
            preference=app.preference, priority=score.total,
            tiebreak=tiebreaks[app.id]))
    result = _match(slots, candidates, programme.cap_per_company)
    return _Computed(slots, candidates, scores, tiebreaks, reasons, withdrawn, result, size_classes)


def _past_results(offers: list[Offer], criteria: Mapping[str, Any],
                  companies: Mapping[int, Any]) -> dict[int, PastResults]:
    """The companies' records at shows that ended before the last ranked window closed (a fixed
    date, so a preview and its publication read the same), when the programme scores them."""
    if not offers or not any(code in criteria for code in PAST_RESULT_CODES):
        return {}
    before = max(offer.closes_at for offer in offers).date()
    return outcomes.past_results(companies, before=before)


def _result_rows(run_id: int, apps: list[AppRow], computed: _Computed) -> list[dict[str, object]]:
    positions = computed.matching.positions()
    allocated = computed.matching.allocated
    breakdowns: dict[int, dict[str, float]] = {}  # one dict per distinct Score
    rows = []
    for app in apps:
        position = None
        reason = computed.reasons.get(app.id)
        if reason is not None:
            outcome = "ineligible"
        elif app.id in computed.withdrawn:
            outcome = "withdrawn"
        elif app.id in allocated:
            outcome = "allocated"
        else:
            outcome, position = "waitlisted", positions.get(app.id)
        score = computed.scores[app.id]
        breakdown = breakdowns.get(id(score))
        if breakdown is None:
            breakdown = breakdowns[id(score)] = score.as_dict()
        rows.append(dict(run_id=run_id, application_id=app.id, outcome=outcome,
                         priority=score.total, tiebreak=computed.tiebreaks[app.id],
                         breakdown=breakdown, size_class=computed.size_classes[app.id],
                         waitlist_position=position, reason=reason))
    return rows


def get_published_run(programme: Programme) -> AllocationRun | None:
    return db.session.scalar(
        select(AllocationRun).where(AllocationRun.published_programme_id == programme.id))


def get_latest_run(programme: Programme) -> AllocationRun | None:
    """The published run, or else the latest dry run."""
    return get_published_run(programme) or db.session.scalar(
        select(AllocationRun).where(AllocationRun.programme_id == programme.id)
        .order_by(AllocationRun.created_at.desc(), AllocationRun.id.desc()).limit(1))


def list_runs(programme: Programme) -> list[AllocationRun]:
    return list(db.session.scalars(
        select(AllocationRun).where(AllocationRun.programme_id == programme.id)
        .order_by(AllocationRun.id.desc())))


def run_allocation(programme: Programme, *, actor: User | None, dry_run: bool,
                   seed: str | None = None, now: dt.datetime | None = None) -> AllocationRun:
    """Allocate the programme's ranked offers together (allocation rules 1-5, 8).

    Eligibility gates first, then scores and lottery numbers, then company-proposing deferred
    acceptance; one AllocationResult per application. A dry run changes no status. Publishing
    also moves every matched application to allocated / waitlisted / ineligible (audit rows
    included), raises the offers' taken counters and mails each company once.
    Raises PublishedAlready if the programme has a published run, WindowsOpen when publishing
    while an application window is still open.
    """
    now = now or utcnow()
    if get_published_run(programme) is not None:
        raise PublishedAlready(_("This programme's allocation is already published; it can only be "
                                 "amended by promotions and overrides."))
    offers = ranked_offers(programme)
    if not offers:
        # First-come offers stand outside any run (rule 8): an empty run would only lock the
        # programme against later ranked offers.
        raise NoRun(_("This programme has no ranked offers, so it has no allocation run: its "
                      "first-come offers confirm places on submission."))
    if not dry_run:
        still_open = [o for o in offers if o.closes_at > now]
        if still_open:
            raise WindowsOpen(_("%(count)s application windows are still open (the first closes on "
                                "%(date)s); publish after they have all closed.",
                                count=len(still_open),
                                date=min(o.closes_at for o in still_open).strftime("%Y-%m-%d %H:%M UTC")))
    drawn = programme_seed(programme, now)
    if not dry_run:
        assert drawn is not None  # ranked offers, all closed (checked above): the seed is drawn
        if seed is not None and seed != drawn.seed:
            raise SeedNotDrawn(_("The publication uses the seed the system drew when the "
                                 "applications closed; no other seed can be given."))
        seed = drawn.seed
    # A preview uses the drawn seed once there is one; before the windows close (only a
    # rehearsal, never publishable) a throwaway one.
    seed = seed or (drawn.seed if drawn is not None else lottery.new_seed())
    apps = load_applications([o.id for o in offers])
    computed = _compute(programme, offers, apps, seed)

    run = AllocationRun(programme_id=programme.id, seed=seed, is_dry_run=dry_run,
                        created_by_id=actor.id if actor else None, created_at=now)
    db.session.add(run)
    if not dry_run:
        run.published_programme_id = programme.id
        run.published_at = now
    try:
        # A savepoint, so losing the race to publish leaves the caller's transaction usable.
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise PublishedAlready(_("Another coordinator has just published this programme's "
                                 "allocation.")) from None

    if not dry_run:
        # From here this transaction holds the write lock (SQLite) or the rows (PostgreSQL), so
        # a withdrawal committed while we computed is seen now and cannot slip in afterwards.
        submitted_read = [a.id for a in apps if a.status == S.submitted.value]
        now_status = current_statuses(submitted_read, lock=True)
        changed = {aid: now_status.get(aid, (S.withdrawn.value, None)) for aid in submitted_read
                   if now_status.get(aid, (None, None))[0] != S.submitted.value}
        if changed:
            # Withdrawn or marked ineligible meanwhile: the run records what they are now, and
            # the matching is recomputed so their places go to others.
            apps = [replace(a, status=changed[a.id][0], ineligible_reason=changed[a.id][1])
                    if a.id in changed else a for a in apps]
            computed = _compute(programme, offers, apps, seed)

    run.inputs = _inputs_snapshot(programme, offers, apps, computed)
    # Written now: with no results to insert nothing else would flush it before publication
    # expires the session (the run page showed "Cap per company: None").
    db.session.flush()
    rows = _result_rows(run.id, apps, computed)
    if rows:
        db.session.execute(insert(AllocationResult.__table__), rows)
    if not dry_run:
        apply_publication(programme, offers, apps, rows, actor=actor, now=now)
    db.session.flush()
    return run


def publish_preview(previewed: AllocationRun, *, seed: str, actor: User | None,
                    now: dt.datetime | None = None) -> AllocationRun:
    """Publish the programme of a dry run with that run's seed, so the lottery is the one the
    coordinator previewed (allocation rule 2), never a seed typed in or tried out elsewhere.

    `seed` is the one the publishing page showed; raises NotPreviewed when it is not the
    previewed run's seed or the run is no dry run, and what run_allocation raises.
    """
    if not previewed.is_dry_run or seed != previewed.seed:
        raise NotPreviewed(_("Only a previewed run can be published, with the lottery seed it was "
                             "previewed with. Open the preview again and publish from its page."))
    programme = db.session.get(Programme, previewed.programme_id)
    if programme is None:
        raise NoRun(_("This run's programme no longer exists."))
    return run_allocation(programme, actor=actor, dry_run=False, seed=previewed.seed, now=now)


def _inputs_snapshot(programme: Programme, offers: list[Offer], apps: list[AppRow],
                     computed: _Computed) -> dict[str, object]:
    by_offer = {o.id: o for o in offers}
    return {
        "programme": programme.slug,
        "cap_per_company": programme.cap_per_company,
        "criteria": programme.criteria,
        "eligible_size_classes": list(programme.eligible_size_classes or []),
        # The money rules too (rule 9), as the run was made under them; each place records its
        # own price when it is confirmed (Application.subsidy_krw, company_share_krw).
        "subsidy_shares": dict(programme.subsidy_shares or {}),
        "slots": [{"offer_id": s.key[0], "exhibition": by_offer[s.key[0]].exhibition.slug,
                   "kind": s.key[1], "capacity": s.capacity} for s in computed.slots],
        "applications": len(apps),
        "candidates": len(computed.candidates),
    }


def priorities_under(programme: Programme, criteria: Mapping[str, Any]) -> dict[int, float]:
    """Each application's priority in the programme's ranked offers if the criteria were
    `criteria` (the preview of a change of points, rule 9); the programme is not changed."""
    offers = ranked_offers(programme)
    apps = load_applications([o.id for o in offers])
    if not apps:
        return {}
    # A detached copy carrying the rules, never added to the session.
    rules = Programme(year=programme.year, criteria=dict(criteria), cap_per_company=programme.cap_per_company,
                      eligible_size_classes=list(programme.eligible_size_classes or []))
    computed = _compute(rules, offers, apps, "preview")
    return {app_id: score.total for app_id, score in computed.scores.items()}
