"""Read models of allocation results: per-slot summaries of a run, a run's results, a company's
results with live waitlist positions, an offer's applications and audit log, and programmes
with their runs."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select

from planner.accounts.models import Company
from planner.allocation import scoring
from planner.allocation.models import AllocationResult, AllocationRun
from planner.catalogue import services as catalogue
from planner.catalogue.models import Exhibition, Offer, Programme
from planner.extensions import db
from planner.signups.models import Application, ApplicationEvent, ApplicationStatus
from planner.signups.services import held_places

S = ApplicationStatus


@dataclass(frozen=True)
class SlotSummary:
    offer_id: int
    exhibition: str
    exhibition_ko: str | None
    exhibition_slug: str
    kind: str
    capacity: int
    applications: int     # eligible applications matched over
    allocated: int
    waitlisted: int
    ineligible: int
    withdrawn: int
    cutoff: float | None  # lowest priority that got a place

    @property
    def fill_rate(self) -> float | None:
        return self.allocated / self.capacity if self.capacity else None

    @property
    def oversubscription(self) -> float | None:
        return self.applications / self.capacity if self.capacity else None


def summarise_run(run: AllocationRun) -> list[SlotSummary]:
    """Per slot type: capacity, applications, outcomes and the cut-off score."""
    counts: dict[tuple[int, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    cutoffs: dict[tuple[int, str], float] = {}
    for offer_id, kind, outcome, n, lowest in db.session.execute(
            select(Application.offer_id, Application.kind, AllocationResult.outcome,
                   func.count(), func.min(AllocationResult.priority))
            .join(Application, Application.id == AllocationResult.application_id)
            .where(AllocationResult.run_id == run.id)
            .group_by(Application.offer_id, Application.kind, AllocationResult.outcome)):
        key = (offer_id, str(kind))
        counts[key][outcome] = n
        if outcome == S.allocated.value and lowest is not None:
            cutoffs[key] = lowest
    names = {offer_id: (name, name_ko) for offer_id, name, name_ko in db.session.execute(
        select(Offer.id, Exhibition.name, Exhibition.name_ko).join(Exhibition, Exhibition.id == Offer.exhibition_id)
        .where(Offer.programme_id == run.programme_id))}
    out = []
    for slot in (run.inputs or {}).get("slots", []):
        key = (slot["offer_id"], slot["kind"])
        c = counts.get(key, {})
        out.append(SlotSummary(
            offer_id=slot["offer_id"], exhibition=names.get(slot["offer_id"], (slot["exhibition"],))[0],
            exhibition_ko=names.get(slot["offer_id"], (None, None))[1],
            exhibition_slug=slot["exhibition"], kind=slot["kind"], capacity=slot["capacity"],
            applications=c.get("allocated", 0) + c.get("waitlisted", 0),
            allocated=c.get("allocated", 0), waitlisted=c.get("waitlisted", 0),
            ineligible=c.get("ineligible", 0), withdrawn=c.get("withdrawn", 0),
            cutoff=cutoffs.get(key)))
    return out


def cutoffs_for(run: AllocationRun) -> dict[tuple[int, str], float]:
    return {(s.offer_id, s.kind): s.cutoff for s in summarise_run(run) if s.cutoff is not None}


def list_run_results(run: AllocationRun, *, offer_id: int | None = None,
                     limit: int = 500) -> list[tuple[AllocationResult, Application]]:
    query = (select(AllocationResult, Application)
             .join(Application, Application.id == AllocationResult.application_id)
             .where(AllocationResult.run_id == run.id))
    if offer_id is not None:
        query = query.where(Application.offer_id == offer_id)
    query = query.order_by(Application.offer_id, Application.kind, AllocationResult.priority.desc(),
                           AllocationResult.tiebreak.desc()).limit(limit)
    return [(r, a) for r, a in db.session.execute(query)]


@dataclass(frozen=True)
class CompanyResult:
    application: Application
    result: AllocationResult
    run: AllocationRun
    cutoff: float | None
    position: int | None        # live position among those still waitlisted
    at_cap: bool                # waitlisted but holding the programme's cap already
    breakdown: tuple[tuple[str, float], ...]


def list_company_results(company: Company) -> list[CompanyResult]:
    """The company's results in every published run, best-ranked first."""
    rows = db.session.execute(
        select(Application, AllocationResult, AllocationRun)
        .join(AllocationResult, AllocationResult.application_id == Application.id)
        .join(AllocationRun, AllocationRun.id == AllocationResult.run_id)
        .where(Application.company_id == company.id,
               AllocationRun.published_programme_id.is_not(None))
        .order_by(Application.programme_id, Application.preference)).all()
    cutoff_cache: dict[int, dict[tuple[int, str], float]] = {}
    held_cache: dict[int, int] = {}
    out = []
    for application, result, run in rows:
        if run.id not in cutoff_cache:
            cutoff_cache[run.id] = cutoffs_for(run)
        position = None
        at_cap = False
        if application.status == S.waitlisted and result.priority is not None:
            ahead = db.session.scalar(
                select(func.count()).select_from(Application)
                .join(AllocationResult, AllocationResult.application_id == Application.id)
                .where(AllocationResult.run_id == run.id, Application.offer_id == application.offer_id,
                       Application.kind == application.kind, Application.status == S.waitlisted,
                       (AllocationResult.priority > result.priority)
                       | ((AllocationResult.priority == result.priority)
                          & (AllocationResult.tiebreak > result.tiebreak))))
            position = (ahead or 0) + 1
            if application.programme_id not in held_cache:
                held_cache[application.programme_id] = held_places(company.id, application.programme_id)
            at_cap = held_cache[application.programme_id] >= run_cap(run)
        breakdown = tuple((code, float((result.breakdown or {}).get(code, 0.0)))
                          for code in scoring.CRITERIA_CODES)
        out.append(CompanyResult(application, result, run,
                                 cutoff_cache[run.id].get((application.offer_id, str(application.kind))),
                                 position, at_cap, breakdown))
    return out


def run_cap(run: AllocationRun) -> int:
    return int((run.inputs or {}).get("cap_per_company") or 1)


def list_offer_events(offer: Offer) -> list[ApplicationEvent]:
    """The offer's audit log: every status change of its applications, newest first."""
    return list(db.session.scalars(
        select(ApplicationEvent).join(Application, Application.id == ApplicationEvent.application_id)
        .where(Application.offer_id == offer.id)
        .order_by(ApplicationEvent.at.desc(), ApplicationEvent.id.desc())))


def list_offer_applications(offer: Offer) -> list[Application]:
    return list(db.session.scalars(
        select(Application).where(Application.offer_id == offer.id)
        .order_by(Application.kind, Application.id)))


def list_programmes_with_runs() -> list[tuple[Programme, list[AllocationRun]]]:
    """Every programme (newest year first, from the catalogue) with its runs, newest first."""
    runs: dict[int, list[AllocationRun]] = defaultdict(list)
    for run in db.session.scalars(select(AllocationRun).order_by(AllocationRun.id.desc())):
        runs[run.programme_id].append(run)
    return [(p, runs.get(p.id, [])) for p in catalogue.list_programmes()]
