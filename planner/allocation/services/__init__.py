"""Allocation services, by capability: inputs (loading a run's applications and facts), runs
(dry and published runs), publication (applying a run in bulk), lifecycle (confirm, decline,
withdraw, expire), promotion (offering freed places on), offers (adding and changing offers
once companies have applied or the run is published), overrides, results (read models) and budget. The pure core is
scoring.py, lottery.py and matching.py. Callers use `from planner.allocation import services`."""
from planner.allocation.services.budget import Budget, BudgetLine, offer_budget, programme_budget
from planner.allocation.services.errors import (
                                                AllocationError,
                                                CapacityFull,
                                                CapReached,
                                                ConfirmationClosed,
                                                NoRun,
                                                NotAllocated,
                                                NotPreviewed,
                                                NotYours,
                                                PublishedAlready,
                                                ReasonRequired,
                                                RunChanged,
                                                SeedNotDrawn,
                                                WindowsOpen,
)
from planner.allocation.services.inputs import profile_complete, programmes_with_ranked_offers, ranked_offers
from planner.allocation.services.lifecycle import (
                                                confirm,
                                                decline,
                                                expire_overdue,
                                                fill_all_freed_places,
                                                withdraw,
)
from planner.allocation.services.offers import OfferRefused, add_offer, change_offer
from planner.allocation.services.overrides import Target, override
from planner.allocation.services.promotion import fill_freed_place, lock_programmes, promotion_cap, waitlist
from planner.allocation.services.results import (
                                                CompanyResult,
                                                SlotSummary,
                                                cutoffs_for,
                                                list_company_results,
                                                list_offer_applications,
                                                list_offer_events,
                                                list_programmes_with_runs,
                                                list_run_results,
                                                run_cap,
                                                summarise_run,
)
from planner.allocation.services.runs import (
                                                get_latest_run,
                                                get_published_run,
                                                list_runs,
                                                priorities_under,
                                                publish_preview,
                                                run_allocation,
)
from planner.allocation.services.seeds import programme_seed

__all__ = [
    "AllocationError", "Budget", "BudgetLine", "CapReached", "CapacityFull", "CompanyResult",
    "ConfirmationClosed", "NoRun", "NotAllocated", "NotPreviewed", "NotYours", "PublishedAlready",
    "OfferRefused", "ReasonRequired", "RunChanged", "add_offer", "change_offer", "SeedNotDrawn", "SlotSummary", "Target", "WindowsOpen",
    "confirm", "cutoffs_for", "decline", "expire_overdue", "fill_all_freed_places",
    "fill_freed_place", "lock_programmes", "get_latest_run", "get_published_run", "list_company_results",
    "list_offer_applications", "list_offer_events", "list_programmes_with_runs",
    "list_run_results", "list_runs", "offer_budget", "override", "profile_complete",
    "priorities_under", "programme_budget", "programme_seed", "programmes_with_ranked_offers", "promotion_cap", "publish_preview", "ranked_offers", "run_allocation", "run_cap",
    "summarise_run", "waitlist", "withdraw",
]
