"""Blueprint "outcomes": a company's results reports and follow-ups (/my/outcomes), and the
coordinators' attendance lists, report reviews, follow-up queue and figures
(/backoffice/outcomes)."""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from planner.accounts.models import Role
from planner.accounts.permissions import company_required, role_required
from planner.catalogue.models import Offer, Programme
from planner.extensions import db
from planner.i18n import _
from planner.outcomes import services
from planner.outcomes.charts import bar_chart
from planner.outcomes.forms import AmendForm, AttendanceForm, FollowUpChangeForm, FollowUpForm, ReportForm, SettingsForm
from planner.outcomes.labels import label
from planner.outcomes.models import AttendanceStatus, FollowUpArea, FollowUpStatus, ReportStatus, ResultsReport
from planner.outcomes.rates import RATES_DATE, USD_PER_UNIT
from planner.outcomes.services import OutcomeError

bp = Blueprint("outcomes", __name__)
staff_only = role_required(Role.coordinator)


@bp.app_context_processor
def outcome_helpers() -> dict[str, object]:
    return {"outcome_label": label}


# --- the company's side -------------------------------------------------------------------------

@bp.route("/my/outcomes")
@company_required
def my_reports() -> ResponseReturnValue:
    company_id = current_user.company_id
    return render_template("outcomes/my_reports.html", due=services.reports_due(company_id),
                           reports={r.offer_id: r for r in services.list_company_reports(company_id)})


@bp.route("/my/outcomes.csv")
@company_required
def my_reports_csv() -> ResponseReturnValue:
    text = services.company_reports_csv(services.list_company_reports(current_user.company_id))
    return Response(text, mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=results-reports.csv"})


@bp.route("/my/outcomes/<int:offer_id>", methods=["GET", "POST"])
@company_required
def report(offer_id: int) -> ResponseReturnValue:
    offer = db.get_or_404(Offer, offer_id)
    report = services.open_report(offer, current_user.company_id)
    form = ReportForm()
    if report.status == ReportStatus.draft and form.validate_on_submit():
        write = services.submit_report if "submit" in request.form else services.save_draft
        try:
            write(report, form.report(), version=form.version_number(), actor=current_user)
        except OutcomeError as exc:
            form.form_errors.append(str(exc))
            return _report_page(report, form, status=exc.status_code)
        flash(_("Your report was submitted. Thank you.") if report.status == ReportStatus.submitted
              else _("Your draft was saved."), "success")
        return redirect(url_for("outcomes.report", offer_id=offer.id))
    if request.method == "GET":
        form.fill(services.report_data(report), report.version)
    return _report_page(report, form, status=400 if request.method == "POST" else 200)


def _report_page(report: ResultsReport, form: ReportForm, *, status: int = 200,
                 follow_up_form: FollowUpForm | None = None) -> ResponseReturnValue:
    return render_template("outcomes/report.html", report=report, form=form,
                           follow_up_form=follow_up_form or FollowUpForm(formdata=None),
                           data=services.report_data(report), on_time=services.filed_on_time(report)), status


@bp.route("/my/outcomes/<int:offer_id>/follow-ups", methods=["POST"])
@company_required
def ask_follow_up(offer_id: int) -> ResponseReturnValue:
    offer = db.get_or_404(Offer, offer_id)
    report = services.open_report(offer, current_user.company_id)
    form = FollowUpForm()
    if form.validate_on_submit():
        try:
            services.ask_follow_up(report, FollowUpArea(form.area.data), note=form.note.data or "",
                                   actor=current_user)
        except OutcomeError as exc:
            form.form_errors.append(str(exc))
        else:
            flash(_("Your follow-up request reached the agency."), "success")
            return redirect(url_for("outcomes.report", offer_id=offer.id) + "#follow-ups")
    report_form = ReportForm(formdata=None)
    report_form.fill(services.report_data(report), report.version)
    return _report_page(report, report_form, status=400, follow_up_form=form)


# --- the back office ----------------------------------------------------------------------------

@bp.route("/backoffice/outcomes/")
@staff_only
def index() -> ResponseReturnValue:
    offers = services.list_ended_offers()
    programmes = list(db.session.scalars(db.select(Programme).order_by(Programme.year.desc(), Programme.name)))
    return render_template("outcomes/index.html", offers=offers, programmes=programmes,
                           years=sorted({p.year for p in programmes}, reverse=True))


@bp.route("/backoffice/outcomes/offers/<int:offer_id>", methods=["GET", "POST"])
@staff_only
def offer(offer_id: int) -> ResponseReturnValue:
    offer = db.get_or_404(Offer, offer_id)
    form = AttendanceForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.record_attendance(offer, int(form.company_id.data), AttendanceStatus(form.status.data),
                                       reason=form.reason.data, actor=current_user)
        except (OutcomeError, ValueError) as exc:
            flash(str(exc), "error")
            status = getattr(exc, "status_code", 400)
        else:
            flash(_("Attendance recorded."), "success")
            return redirect(url_for("outcomes.offer", offer_id=offer.id))
    elif request.method == "POST":
        flash(_("Choose attended or no-show, and give the reason for a no-show."), "error")
        status = 400
    reports = {r.company_id: r for r in services.list_offer_reports(offer)}
    return render_template("outcomes/offer.html", offer=offer, rows=services.list_attendance(offer),
                           reports=reports, ended=services.show_has_ended(offer),
                           due_on=services.report_due_on(offer)), status


@bp.route("/backoffice/outcomes/reports/<int:report_id>", methods=["GET", "POST"])
@staff_only
def review(report_id: int) -> ResponseReturnValue:
    report = db.get_or_404(ResultsReport, report_id)
    form = AmendForm()
    status = 200
    if report.status == ReportStatus.submitted and form.validate_on_submit():
        try:
            services.amend_report(report, form.report(), version=form.version_number(),
                                  reason=form.reason.data or "", actor=current_user)
        except OutcomeError as exc:
            form.form_errors.append(str(exc))
            status = exc.status_code
        else:
            flash(_("The report was amended."), "success")
            return redirect(url_for("outcomes.review", report_id=report.id))
    elif request.method == "POST":
        status = 400
    else:
        form.fill(services.report_data(report), report.version)
    return render_template("outcomes/review.html", report=report, form=form,
                           data=services.report_data(report), on_time=services.filed_on_time(report)), status


@bp.route("/backoffice/outcomes/follow-ups")
@staff_only
def queue() -> ResponseReturnValue:
    return render_template("outcomes/queue.html", requests=services.list_queue(), form=FollowUpChangeForm(),
                           F=FollowUpStatus)


@bp.route("/backoffice/outcomes/follow-ups/<int:request_id>", methods=["POST"])
@staff_only
def change_follow_up(request_id: int) -> ResponseReturnValue:
    follow_up = services.get_follow_up(request_id)
    if follow_up is None:
        return render_template("errors/404.html"), 404
    form = FollowUpChangeForm()
    if not form.validate_on_submit():
        flash(_("The change could not be read. Try again."), "error")
        return redirect(url_for("outcomes.queue"))
    try:
        services.change_follow_up(follow_up, FollowUpStatus(form.to.data),
                                  expected=FollowUpStatus(form.expected.data), actor=current_user,
                                  note=form.note.data or "")
    except OutcomeError as exc:
        flash(str(exc), "error")
        return render_template("outcomes/queue.html", requests=services.list_queue(), form=form,
                               F=FollowUpStatus), exc.status_code
    except ValueError:
        flash(_("The change could not be read. Try again."), "error")
        return redirect(url_for("outcomes.queue"))
    flash(_("The request is now: %(status)s.", status=label(follow_up.status)), "success")
    return redirect(url_for("outcomes.queue") + f"#follow-up-{follow_up.id}")


SCOPES = ("offer", "programme", "year")


def _scope(scope: str, key: int) -> tuple[list[Offer], str]:
    offers = services.offers_in_scope(scope, key)
    if scope == "offer":
        offer = db.get_or_404(Offer, key)
        return offers, f"{offer.exhibition.name} / {offer.programme.name}"
    if scope == "programme":
        return offers, db.get_or_404(Programme, key).name
    return offers, str(key)


@bp.route("/backoffice/outcomes/figures/<any(offer, programme, year):scope>/<int:key>")
@staff_only
def figures(scope: str, key: int) -> ResponseReturnValue:
    offers, title = _scope(scope, key)
    figures = services.compute_figures(offers)
    charts = [
        bar_chart(_("Signed contracts by country (USD)"),
                  [(code, t.signed_usd) for code, t in figures.by_country.items()]),
        bar_chart(_("Subsidy by size class (KRW)"),
                  [(code, t.subsidy_krw) for code, t in figures.by_size_class.items()]),
        bar_chart(_("Leads by sector"), [(code, t.leads) for code, t in figures.by_sector.items()]),
    ]
    return render_template("outcomes/figures.html", figures=figures, title=title, scope=scope, key=key,
                           charts=charts, rates_date=RATES_DATE, rates=USD_PER_UNIT)


@bp.route("/backoffice/outcomes/figures/<any(offer, programme, year):scope>/<int:key>.<any(csv, xlsx):fmt>")
@staff_only
def figures_export(scope: str, key: int, fmt: str) -> ResponseReturnValue:
    offers, title = _scope(scope, key)
    figures = services.compute_figures(offers)
    name = f"outcomes-{scope}-{key}.{fmt}"
    if fmt == "csv":
        return Response(services.figures_csv(figures, title), mimetype="text/csv",
                        headers={"Content-Disposition": f"attachment; filename={name}"})
    return Response(services.figures_xlsx(figures, title),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.route("/backoffice/outcomes/programmes/<int:programme_id>/settings", methods=["GET", "POST"])
@staff_only
def settings(programme_id: int) -> ResponseReturnValue:
    programme = db.get_or_404(Programme, programme_id)
    form = SettingsForm()
    if form.validate_on_submit():
        try:
            services.set_report_due_days(programme, form.report_due_days.data or 0)
        except OutcomeError as exc:
            form.form_errors.append(str(exc))
        else:
            flash(_("Settings saved."), "success")
            return redirect(url_for("outcomes.index"))
    elif request.method == "GET":
        form.report_due_days.data = services.report_due_days(programme.id)
    return render_template("outcomes/settings.html", programme=programme, form=form), \
        400 if request.method == "POST" else 200


