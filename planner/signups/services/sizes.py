"""Which company size class counts for an application: the one the published allocation scored
it with, else the one the company declared when it applied, else (applications made before
these were recorded) the profile's current one. Points, subsidy and the company's share follow
it, so a later change of the profile leaves a place's money as it was."""
from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.sql.elements import ColumnElement

from planner.accounts.models import Company
from planner.signups.models import Application


def size_class_of(application: Application, company: Company) -> str:
    return str(application.scored_size_class or application.submitted_size_class or company.size_class)


def size_class_column() -> ColumnElement[str]:
    """The same in SQL, for a query that joins Application and Company."""
    return func.coalesce(Application.scored_size_class, Application.submitted_size_class,
                         Company.size_class)
