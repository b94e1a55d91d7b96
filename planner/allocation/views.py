"""Blueprint "allocation": back-office preview, publication, offer audit and overrides; the
public results page; a company's results with confirm and decline."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from planner.accounts.models import Role
from planner.accounts.permissions import company_required, role_required
from planner.allocation import services
from planner.allocation.forms import OverrideForm, PublishForm
from planner.allocation.models import AllocationRun
from planner.allocation.scoring import CRITERIA_CODES, breakdown_codes
from planner.catalogue import services as catalogue
from planner.catalogue.models import Offer, Programme
from planner.db import is_valid_id
from planner.extensions import db
from planner.forms import CsrfForm
from planner.i18n import _
from planner.signups import services as signups
from planner.signups.models import Application

bp = Blueprint("allocation", __name__)


def _runs_page(status: int = 200, error: str | None = None) -> ResponseReturnValue:
    return render_template("allocation/runs.html", programmes=services.list_programmes_with_runs(),
                           ranked=services.programmes_with_ranked_offers(), form=CsrfForm(),
                           error=error), status


@bp.route("/backoffice/allocation")
@role_required(Role.coordinator)
def runs() -> ResponseReturnValue:
    return _runs_page()


@bp.route("/backoffice/allocation/programmes/<int:programme_id>/preview", methods=["POST"])
@role_required(Role.coordinator)
def preview(programme_id: int) -> ResponseReturnValue:
    programme = db.get_or_404(Programme, programme_id)
    if not CsrfForm().validate_on_submit():
        return _runs_page(400, _("The form has expired; please try again."))
    try:
        run = services.run_allocation(programme, actor=current_user, dry_run=True)
    except services.AllocationError as exc:
        return _runs_page(exc.status_code, str(exc))
    return redirect(url_for("allocation.run", run_id=run.id))


def _run_page(run: AllocationRun, form: PublishForm | None = None,
              status: int = 200) -> ResponseReturnValue:
    programme = db.get_or_404(Programme, run.programme_id)
    published = services.get_published_run(programme)
    offer_id = request.args.get("offer", type=int)
    if not is_valid_id(offer_id):
        offer_id = None
    if form is None:
        form = PublishForm(seed=run.seed)
    return render_template(
        "allocation/run.html", run=run, programme=programme, published=published,
        slots=services.summarise_run(run), budget=services.programme_budget(programme),
        results=services.list_run_results(run, offer_id=offer_id) if offer_id else None,
        offer_id=offer_id, form=form), status


@bp.route("/backoffice/allocation/runs/<int:run_id>")
@role_required(Role.coordinator)
def run(run_id: int) -> ResponseReturnValue:
    return _run_page(db.get_or_404(AllocationRun, run_id))


@bp.route("/backoffice/allocation/runs/<int:run_id>/publish", methods=["POST"])
@role_required(Role.coordinator)
def publish(run_id: int) -> ResponseReturnValue:
    previewed = db.get_or_404(AllocationRun, run_id)
    form = PublishForm()
    if not form.validate_on_submit():
        return _run_page(previewed, form, 400)
    try:
        published = services.publish_preview(previewed, seed=form.seed.data, actor=current_user)
    except services.AllocationError as exc:
        form.form_errors.append(str(exc))
        return _run_page(previewed, form, exc.status_code)
    flash(_("The allocation is published and every company has been told."), "success")
    return redirect(url_for("allocation.run", run_id=published.id))


def _offer_page(offer: Offer, form: OverrideForm | None = None, form_for: int | None = None,
                status: int = 200) -> ResponseReturnValue:
    return render_template(
        "allocation/offer.html", offer=offer, events=services.list_offer_events(offer),
        applications=services.list_offer_applications(offer), budget=services.offer_budget(offer),
        programme_budget=services.programme_budget(offer.programme),
        published=services.get_published_run(offer.programme), form=form or OverrideForm(),
        form_for=form_for), status


@bp.route("/backoffice/allocation/offers/<int:offer_id>")
@role_required(Role.coordinator)
def offer_audit(offer_id: int) -> ResponseReturnValue:
    return _offer_page(db.get_or_404(Offer, offer_id))


@bp.route("/backoffice/allocation/applications/<int:application_id>/override", methods=["POST"])
@role_required(Role.coordinator)
def override(application_id: int) -> ResponseReturnValue:
    application = db.get_or_404(Application, application_id)
    form = OverrideForm()
    if not form.validate_on_submit():
        return _offer_page(application.offer, form, application.id, 400)
    try:
        services.override(application, form.to_status.data, actor=current_user,
                          reason=form.reason.data, position=form.position.data,
                          beyond_cap=bool(form.beyond_cap.data))
    except (services.AllocationError, signups.StatusChanged) as exc:
        form.form_errors.append(str(exc))
        return _offer_page(application.offer, form, application_id, exc.status_code)
    flash(_("Override recorded."), "success")
    return redirect(url_for("allocation.offer_audit", offer_id=application.offer_id))


@bp.route("/programmes/<slug>/results")
def programme_results(slug: str) -> ResponseReturnValue:
    programme = catalogue.get_programme_by_slug(slug)
    if programme is None:
        abort(404)
    run = services.get_published_run(programme)
    return render_template("allocation/programme_results.html", programme=programme, run=run,
                           drawn=services.programme_seed(programme),
                           slots=services.summarise_run(run) if run else [],
                           criteria_codes=breakdown_codes((run.inputs or {}).get("criteria") or {})
                           if run else CRITERIA_CODES)


@bp.route("/my/allocation")
@company_required
def my_results() -> ResponseReturnValue:
    return render_template("allocation/my_results.html",
                           results=services.list_company_results(current_user.company),
                           form=CsrfForm())


def _answer(application_id: int, action: str) -> ResponseReturnValue:
    application = signups.get_company_application(current_user.company_id, application_id)
    if application is None:
        abort(404)
    if not CsrfForm().validate_on_submit():
        flash(_("The form has expired; please try again."), "error")
        return redirect(url_for("allocation.my_results")), 303
    try:
        if action == "confirm":
            services.confirm(application, actor=current_user)
        elif action == "withdraw":
            services.withdraw(application, actor=current_user)
        else:
            services.decline(application, actor=current_user)
    except (services.AllocationError, signups.StatusChanged) as exc:
        return render_template("allocation/my_results.html",
                               results=services.list_company_results(current_user.company),
                               form=CsrfForm(), error=str(exc)), exc.status_code
    messages = {
        "confirm": _("Thank you: your place is confirmed."),
        "decline": _("You have declined the place; it is offered to the next company on the waitlist that can still take a place."),
        "withdraw": _("Your application is withdrawn."),
    }
    flash(messages[action], "success")
    return redirect(url_for("allocation.my_results"))


@bp.route("/my/allocation/<int:application_id>/confirm", methods=["POST"])
@company_required
def confirm(application_id: int) -> ResponseReturnValue:
    return _answer(application_id, "confirm")


@bp.route("/my/allocation/<int:application_id>/decline", methods=["POST"])
@company_required
def decline(application_id: int) -> ResponseReturnValue:
    return _answer(application_id, "decline")


@bp.route("/my/allocation/<int:application_id>/withdraw", methods=["POST"])
@company_required
def withdraw(application_id: int) -> ResponseReturnValue:
    return _answer(application_id, "withdraw")
