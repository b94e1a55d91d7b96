"""The subsidy budget: what allocated and confirmed places commit, by size class, per
programme and per offer."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select

from planner.accounts.models import Company
from planner.allocation.services.runs import get_published_run
from planner.catalogue.models import Offer, Programme
from planner.catalogue.services import company_share_krw
from planner.extensions import db
from planner.signups.models import Application, ApplicationStatus
from planner.signups.services import HELD_STATUSES, size_class_column

S = ApplicationStatus


@dataclass
class BudgetLine:
    committed_krw: int = 0    # allocated + confirmed places
    confirmed_krw: int = 0
    places: int = 0


@dataclass
class Budget:
    by_size_class: dict[str, BudgetLine] = field(default_factory=dict)
    budget_krw: int | None = None

    @property
    def committed_krw(self) -> int:
        return sum(line.committed_krw for line in self.by_size_class.values())

    @property
    def confirmed_krw(self) -> int:
        return sum(line.confirmed_krw for line in self.by_size_class.values())

    @property
    def available_krw(self) -> int | None:
        return None if self.budget_krw is None else self.budget_krw - self.committed_krw


def _budget(programme: Programme, offer_ids: Sequence[int] | None) -> Budget:
    # The size class each place was scored (or applied) with, not the profile's current one.
    scored_size = size_class_column()
    query = (select(Offer.booth_cost_krw, Offer.delegation_cost_krw, Application.kind,
                    scored_size, Application.status, func.count())
             .join(Offer, Offer.id == Application.offer_id)
             .join(Company, Company.id == Application.company_id)
             .where(Application.programme_id == programme.id, Application.status.in_(list(HELD_STATUSES)))
             .group_by(Offer.id, Offer.booth_cost_krw, Offer.delegation_cost_krw, Application.kind,
                       scored_size, Application.status))
    if offer_ids is not None:
        query = query.where(Application.offer_id.in_(offer_ids))
    budget = Budget(budget_krw=programme.budget_krw if offer_ids is None else None)
    rules = run_rules(programme)
    for size in ("small", "medium", "middle-market", "large"):
        budget.by_size_class[size] = BudgetLine()
    for booth_cost, delegation_cost, kind, size_class, status, n in db.session.execute(query):
        cost = int((booth_cost if str(kind) == "booth" else delegation_cost) or 0)
        # The agency pays what the company does not, as the programme page quotes it (rounded
        # half up, nothing for a size class the programme does not subsidise), so the budget
        # adds up to the shares companies were promised.
        subsidy = (cost - company_share_krw(cost, rules, str(size_class))) * n
        line = budget.by_size_class.setdefault(str(size_class), BudgetLine())
        line.committed_krw += subsidy
        line.places += n
        if str(status) == S.confirmed.value:
            line.confirmed_krw += subsidy
    return budget


def run_rules(programme: Programme) -> Programme:
    """The money rules places are held under (rule 9): the published run's shares and eligible
    size classes, which an admin's later edit of the programme does not change; the
    programme's own before publication (or for a run older than this record)."""
    run = get_published_run(programme)
    inputs = (run.inputs or {}) if run is not None else {}
    if "subsidy_shares" not in inputs:
        return programme
    # A detached copy carrying only the rules, never added to the session.
    return Programme(subsidy_shares=dict(inputs["subsidy_shares"]),
                     eligible_size_classes=list(inputs.get("eligible_size_classes") or []))


def programme_budget(programme: Programme) -> Budget:
    """Subsidy committed (allocated + confirmed), confirmed and still available, by size class:
    each place costs its offer's price times the size class's subsidy share."""
    return _budget(programme, None)


def offer_budget(offer: Offer) -> Budget:
    return _budget(offer.programme, [offer.id])


