"""Outcome services by capability: settings, attendance, reports, follow-ups, figures, past
results and exports."""
from planner.outcomes.services.attendance import (
                                                  AttendanceRow,
                                                  held_a_place,
                                                  holder_ids,
                                                  list_attendance,
                                                  list_ended_offers,
                                                  local_today,
                                                  record_attendance,
                                                  show_has_ended,
)
from planner.outcomes.services.errors import NoPlaceHeld, OutcomeError, ShowNotEnded, StaleChange
from planner.outcomes.services.exports import company_reports_csv, figures_csv, figures_xlsx
from planner.outcomes.services.figures import Figures, Tally, compute_figures, offers_in_scope
from planner.outcomes.services.followups import ask_follow_up, change_follow_up, get_follow_up, list_queue
from planner.outcomes.services.past import past_results
from planner.outcomes.services.reports import (
                                                  ContractLine,
                                                  DueReport,
                                                  LeadLine,
                                                  ReportData,
                                                  amend_report,
                                                  filed_on_time,
                                                  get_report,
                                                  list_company_reports,
                                                  list_offer_reports,
                                                  open_report,
                                                  report_data,
                                                  reports_due,
                                                  request_reports,
                                                  save_draft,
                                                  submit_report,
)
from planner.outcomes.services.settings import report_due_days, report_due_on, set_report_due_days

__all__ = [
    "AttendanceRow", "held_a_place", "holder_ids", "list_attendance", "list_ended_offers",
    "local_today", "record_attendance", "show_has_ended",
    "NoPlaceHeld", "OutcomeError", "ShowNotEnded", "StaleChange",
    "company_reports_csv", "figures_csv", "figures_xlsx",
    "Figures", "Tally", "compute_figures", "offers_in_scope",
    "ask_follow_up", "change_follow_up", "get_follow_up", "list_queue",
    "past_results",
    "ContractLine", "DueReport", "LeadLine", "ReportData", "amend_report", "filed_on_time",
    "get_report", "list_company_reports", "list_offer_reports", "open_report", "report_data",
    "reports_due", "request_reports", "save_draft", "submit_report",
    "report_due_days", "report_due_on", "set_report_due_days",
]
