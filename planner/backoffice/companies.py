"""Back-office company directory: search and filters, a company's page, and the coordinator's
check of its size class against its certificate."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from planner.accounts import services as accounts
from planner.accounts.models import Company, SizeClassCheck
from planner.backoffice import directory
from planner.backoffice.blueprint import bp
from planner.backoffice.forms import CHECK_LABELS, CompanyFilterForm, SizeClassCheckForm
from planner.extensions import db
from planner.i18n import _
from planner.vocab import Sector, SizeClass


def _enum_or_none(enum: Any, value: str | None) -> Any:
    return enum(value) if value and value in enum._value2member_map_ else None


@bp.route("/companies")
def companies() -> ResponseReturnValue:
    form = CompanyFilterForm(request.args)
    filters = directory.CompanyFilters(
        q=(form.q.data or "").strip()[:100], size_class=_enum_or_none(SizeClass, form.size_class.data),
        check=_enum_or_none(SizeClassCheck, form.check.data), sector=_enum_or_none(Sector, form.sector.data))
    page = directory.search_companies(filters, page=request.args.get("page", 1, type=int) or 1)
    args = {name: request.args[name] for name in ("q", "size_class", "check", "sector") if request.args.get(name)}
    return render_template("backoffice/companies/index.html", form=form, page=page, args=args,
                           check_labels=CHECK_LABELS)


def _render_company(company: Company, form: SizeClassCheckForm, status: int = 200) -> ResponseReturnValue:
    return render_template("backoffice/companies/detail.html", overview=directory.company_overview(company),
                           form=form, check_labels=CHECK_LABELS), status


@bp.route("/companies/<int:company_id>")
def company_detail(company_id: int) -> ResponseReturnValue:
    return _render_company(db.get_or_404(Company, company_id), SizeClassCheckForm())


@bp.route("/companies/<int:company_id>/size-class", methods=["POST"])
def check_size_class(company_id: int) -> ResponseReturnValue:
    company = db.get_or_404(Company, company_id)
    form = SizeClassCheckForm()
    if form.validate_on_submit():
        try:
            accounts.check_size_class(company, verified=form.outcome.data == "verified",
                                      note=form.note.data or "", actor=current_user)
        except accounts.AccountError as exc:
            form.form_errors.append(str(exc))
        else:
            flash(_("The size class of %(company)s is recorded as: %(check)s.", company=company.legal_name,
                    check=CHECK_LABELS[company.size_class_check]), "success")
            return redirect(url_for("backoffice.company_detail", company_id=company.id))
    return _render_company(company, form, 400)
