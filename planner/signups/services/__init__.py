"""Sign-up services, by capability: answers, submission, ranks, lifecycle (withdrawal and
first-come promotion), places, the status machine, allowances, a company's applications and the
public programme pages. Callers use `from planner.signups import services`."""
from planner.signups.reasons import describe_reason
from planner.signups.services.allowances import Allowance, company_allowances, programme_allowance
from planner.signups.services.answers import (
                                              LICENCE_STATUSES,
                                              NEEDS,
                                              ApplicationAnswers,
                                              Delegate,
                                              Exhibit,
                                              check_answers,
)
from planner.signups.services.documents import (
                                              application_documents,
                                              delete_application_document,
                                              upload_application_document,
)
from planner.signups.services.errors import (
                                              DuplicateApplication,
                                              InvalidAnswers,
                                              NotEditable,
                                              NotEligible,
                                              PlaceNotOffered,
                                              RankError,
                                              SignupError,
                                              StaleOrder,
                                              StatusChanged,
                                              TransitionNotAllowed,
                                              WindowClosed,
)
from planner.signups.services.lifecycle import promote_first_come, tell_ineligible, withdraw_application
from planner.signups.services.my_applications import (
                                              ApplicationRow,
                                              ProgrammeApplications,
                                              list_company_applications,
                                              next_step,
)
from planner.signups.services.places import (
                                              HELD_STATUSES,
                                              capacity,
                                              counter_drift,
                                              free_place,
                                              free_places,
                                              held_places,
                                              offered_kinds,
                                              parse_kind,
                                              place_cost,
                                              place_price,
                                              take_place,
                                              take_places,
                                              taken,
)
from planner.signups.services.programmes import ProgrammeOffers, get_programme_with_offers, list_programmes_with_offers
from planner.signups.services.ranks import (
                                              RANKABLE,
                                              move_application,
                                              next_rank,
                                              rank_of,
                                              ranked_applications,
                                              ranks_close_at,
                                              ranks_editable,
                                              set_order,
                                              set_ranks,
)
from planner.signups.services.sizes import size_class_column, size_class_of
from planner.signups.services.status import (
                                              ALLOWED_TRANSITIONS,
                                              BulkChange,
                                              change_status,
                                              change_statuses,
                                              check_transition,
                                              record_edit,
)
from planner.signups.services.submission import (
                                              ACTIVE,
                                              check_can_apply,
                                              duplicate_error,
                                              ensure_editable,
                                              find_application,
                                              get_company_application,
                                              get_offer,
                                              is_editable,
                                              is_size_eligible,
                                              is_withdrawable,
                                              submit_application,
                                              update_answers,
                                              window_is_open,
)

__all__ = [
    "ACTIVE", "ALLOWED_TRANSITIONS", "HELD_STATUSES", "LICENCE_STATUSES", "NEEDS", "RANKABLE",
    "Allowance", "ApplicationAnswers", "ApplicationRow", "BulkChange", "Delegate",
    "DuplicateApplication", "Exhibit", "InvalidAnswers", "NotEditable", "NotEligible",
    "PlaceNotOffered", "ProgrammeApplications", "ProgrammeOffers", "RankError", "SignupError",
    "StaleOrder", "StatusChanged", "TransitionNotAllowed", "WindowClosed",
    "application_documents", "capacity", "change_status", "delete_application_document",
    "upload_application_document", "counter_drift", "free_places", "change_statuses", "check_answers", "check_can_apply",
    "check_transition", "company_allowances", "describe_reason", "duplicate_error",
    "ensure_editable", "find_application", "free_place", "get_company_application", "get_offer",
    "get_programme_with_offers", "held_places", "is_editable", "is_size_eligible", "is_withdrawable",
    "list_company_applications", "list_programmes_with_offers", "move_application", "next_rank",
    "next_step", "offered_kinds", "parse_kind", "place_cost", "place_price", "programme_allowance", "promote_first_come", "rank_of",
    "ranked_applications", "record_edit", "ranks_close_at", "ranks_editable", "set_order", "set_ranks",
    "size_class_column", "size_class_of",
    "submit_application", "take_place", "take_places", "taken", "tell_ineligible", "update_answers",
    "window_is_open", "withdraw_application",
]
