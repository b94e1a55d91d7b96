"""The subsidy budget: what allocated and confirmed places commit, by size class, per
programme and per offer."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import case, func, select

from planner.accounts.models import Company
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
    recorded = case((Application.status == S.confirmed.value, Application.subsidy_krw))
    query = (select(Offer.booth_cost_krw, Offer.delegation_cost_krw, Application.kind,
                    scored_size, Application.status, func.count(), func.count(recorded),
                    func.coalesce(func.sum(recorded), 0))
             .join(Offer, Offer.id == Application.offer_id)
             .join(Company, Company.id == Application.company_id)
             .where(Application.programme_id == programme.id, Application.status.in_(list(HELD_STATUSES)))
             .group_by(Offer.id, Offer.booth_cost_krw, Offer.delegation_cost_krw, Application.kind,
                       scored_size, Application.status))
    if offer_ids is not None:
        query = query.where(Application.offer_id.in_(offer_ids))
    budget = Budget(budget_krw=programme.budget_krw if offer_ids is None else None)
    for size in ("small", "medium", "middle-market", "large"):
        budget.by_size_class[size] = BudgetLine()
    for booth_cost, delegation_cost, kind, size_class, status, n, n_recorded, recorded_krw in \
            db.session.execute(query):
        cost = int((booth_cost if str(kind) == "booth" else delegation_cost) or 0)
        # A confirmed place commits the subsidy recorded when it was confirmed (rule 9: a later
        # rule change does not rewrite it); an allocated one, what the programme's rules give
        # now, as the programme page quotes it (rounded half up, nothing for a size class the
        # programme does not subsidise).
        subsidy = int(recorded_krw) + (cost - company_share_krw(cost, programme, str(size_class))) \
            * (n - n_recorded)
        line = budget.by_size_class.setdefault(str(size_class), BudgetLine())
        line.committed_krw += subsidy
        line.places += n
        if str(status) == S.confirmed.value:
            line.confirmed_krw += subsidy
    return budget


def programme_budget(programme: Programme) -> Budget:
    """Subsidy committed (allocated + confirmed), confirmed and still available, by size class:
    each place costs its offer's price times the size class's subsidy share."""
    return _budget(programme, None)


def offer_budget(offer: Offer) -> Budget:
    return _budget(offer.programme, [offer.id])


