"""Blueprint "signups": public programme pages, applying, "my applications", ranks, withdrawal."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from planner.catalogue import services as catalogue
from planner.db import utcnow
from planner.extensions import db
from planner.notifications.services import deliver_in_development
from planner.signups import services
from planner.signups.forms import ApplicationForm, MoveForm, WithdrawForm, form_data
from planner.signups.models import Application, PlaceKind
from planner.signups.services import (ApplicationAnswers, DuplicateApplication, NotEditable,
                                      SignupError, WindowClosed)

bp = Blueprint("signups", __name__)

F = TypeVar("F", bound=Callable[..., ResponseReturnValue])


@bp.app_context_processor
def allowance_helpers() -> dict[str, object]:
    # A function, not data: pages that do not include the allowance partial run no query.
    def company_allowances(company_id: int | None = None) -> list[services.Allowance]:
        if company_id is None and current_user.is_authenticated:
            company_id = current_user.company_id
        return services.company_allowances(company_id)
    return {"company_allowances": company_allowances, "event_reason": services.describe_reason}


def applicant_required(view: F) -> F:
    """Logged in and member of a company; 403 for staff without a company."""
    @wraps(view)
    @login_required
    def wrapped(*args: object, **kwargs: object) -> ResponseReturnValue:
        if current_user.company_id is None:
            abort(403)
        return view(*args, **kwargs)
    return wrapped  # type: ignore[return-value]


def _verified_or_page() -> ResponseReturnValue | None:
    if current_user.email_verified_at is None:
        return render_template("signups/verify_first.html"), 403
    return None


def _own_application(application_id: int) -> Application:
    application = services.get_company_application(current_user.company_id, application_id)
    if application is None:
        abort(404)
    return application


# --- public ---------------------------------------------------------------------------------

@bp.route("/programmes")
def programmes() -> ResponseReturnValue:
    return render_template("signups/programmes.html", groups=services.list_programmes_with_offers(),
                           now=utcnow())


@bp.route("/programmes/<slug>")
def programme(slug: str) -> ResponseReturnValue:
    group = services.get_programme_with_offers(slug)
    if group is None:
        abort(404)
    return render_template("signups/programme.html", programme=group.programme, offers=group.offers,
                           now=utcnow(), company_share=catalogue.company_share_krw)


# --- applying -------------------------------------------------------------------------------

@bp.route("/offers/<int:offer_id>/apply/<kind>", methods=["GET", "POST"])
@applicant_required
def apply(offer_id: int, kind: str) -> ResponseReturnValue:
    offer = services.get_offer(offer_id)
    place_kind = services.parse_kind(kind)
    if offer is None or place_kind is None or services.capacity(offer, place_kind) <= 0:
        abort(404)
    refused = _verified_or_page()
    if refused is not None:
        return refused
    company = current_user.company
    existing = services.find_application(company.id, offer.id, place_kind)
    if existing is not None:
        return _already_applied(services.duplicate_error(existing))
    allowance = services.programme_allowance(company.id, offer.programme)
    try:
        services.check_can_apply(offer, place_kind, company)
    except SignupError as exc:
        return render_template("signups/closed.html", offer=offer, kind=place_kind, reason=str(exc),
                               allowance=allowance), 403
    form = ApplicationForm(offer=offer, kind=place_kind)
    status = 200
    if form.validate_on_submit():
        try:
            application = services.submit_application(offer, place_kind, company=company, actor=current_user,
                                                      answers=form.answers())
        except DuplicateApplication as exc:
            db.session.rollback()
            return _already_applied(exc)
        except SignupError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
            status = 403 if isinstance(exc, WindowClosed) else 400
        else:
            db.session.commit()
            deliver_in_development()
            flash(_submitted_message(application), "success")
            return redirect(url_for("signups.application", application_id=application.id), 303)
    elif request.method == "POST":
        status = 400
    return render_template("signups/apply.html", offer=offer, kind=place_kind, form=form,
                           allowance=allowance, application=None,
                           next_rank=services.next_rank(company.id, offer.programme_id)), status


def _already_applied(exc: DuplicateApplication) -> ResponseReturnValue:
    """Opening the form again leads to the existing application; posting it again (a double
    click, the back button) is refused with 409 and shows that application, saving nothing."""
    flash(str(exc), "info")
    if request.method == "POST":
        return _detail(exc.existing, WithdrawForm(), 409)
    return redirect(url_for("signups.application", application_id=exc.existing.id), 303)


def _submitted_message(application: Application) -> str:
    status = services.ApplicationStatus(application.status)
    if status == services.S.confirmed:
        return _("Your application is in and your place is confirmed.")
    if status == services.S.waitlisted:
        return _("Your application is in, but every first-come place is taken: you are on the waitlist.")
    return _("Your application is in. Places are allocated after the deadline.")


# --- my applications ------------------------------------------------------------------------

@bp.route("/my/applications")
@applicant_required
def my_applications() -> ResponseReturnValue:
    return render_template("signups/my_applications.html",
                           groups=services.list_company_applications(current_user.company_id),
                           move_form=MoveForm())


@bp.route("/my/applications/<int:application_id>")
@applicant_required
def application(application_id: int) -> ResponseReturnValue:
    application = _own_application(application_id)
    return _detail(application, WithdrawForm())


def _detail(application: Application, withdraw_form: WithdrawForm, status: int = 200) -> ResponseReturnValue:
    return render_template(
        "signups/application.html", application=application,
        answers=ApplicationAnswers.from_application(application),
        editable=services.is_editable(application), next_step=services.next_step(application),
        rank=services.rank_of(application),
        withdraw_form=withdraw_form,
        allowance=services.programme_allowance(application.company_id, application.offer.programme)), status


@bp.route("/my/applications/<int:application_id>/edit", methods=["GET", "POST"])
@applicant_required
def edit(application_id: int) -> ResponseReturnValue:
    application = _own_application(application_id)
    refused = _verified_or_page()
    if refused is not None:
        return refused
    if not services.is_editable(application):
        flash(_("This application can no longer be changed."), "error")
        return _detail(application, WithdrawForm(), 403)
    kind = PlaceKind(application.kind)
    form = ApplicationForm(offer=application.offer, kind=kind,
                           data=form_data(ApplicationAnswers.from_application(application)))
    status = 200
    if form.validate_on_submit():
        try:
            services.update_answers(application, actor=current_user, answers=form.answers())
        except SignupError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
            status = 403 if isinstance(exc, NotEditable) else 400
        else:
            db.session.commit()
            flash(_("Your changes are saved."), "success")
            return redirect(url_for("signups.application", application_id=application.id), 303)
    elif request.method == "POST":
        status = 400
    return render_template("signups/apply.html", offer=application.offer, kind=kind, form=form,
                           application=application,
                           allowance=services.programme_allowance(application.company_id,
                                                                  application.offer.programme)), status


@bp.route("/my/applications/<int:application_id>/withdraw", methods=["POST"])
@applicant_required
def withdraw(application_id: int) -> ResponseReturnValue:
    application = _own_application(application_id)
    refused = _verified_or_page()
    if refused is not None:
        return refused
    form = WithdrawForm()
    if not form.validate_on_submit():
        return _detail(application, form, 400)
    try:
        services.withdraw_application(application, actor=current_user)
    except SignupError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _detail(application, form, 403 if isinstance(exc, NotEditable) else 400)
    db.session.commit()
    deliver_in_development()  # a promoted waitlisted company is told at once
    flash(_("Your application is withdrawn."), "success")
    return redirect(url_for("signups.my_applications"), 303)


@bp.route("/my/applications/reorder", methods=["POST"])
@applicant_required
def reorder() -> ResponseReturnValue:
    form = MoveForm()
    if not form.validate_on_submit():
        flash(_("That move was not understood. Please try again."), "error")
        return render_template("signups/my_applications.html",
                               groups=services.list_company_applications(current_user.company_id),
                               move_form=MoveForm()), 400
    application_id, direction = form.parsed()
    application = _own_application(application_id)
    refused = _verified_or_page()
    if refused is not None:
        return refused
    try:
        services.move_application(application, direction, actor=current_user,
                                  expected_order=form.shown_order())
    except SignupError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return render_template("signups/my_applications.html",
                               groups=services.list_company_applications(current_user.company_id),
                               move_form=MoveForm()), 403 if isinstance(exc, WindowClosed) else 409
    db.session.commit()
    flash(_("Your ranks are saved."), "success")
    return redirect(url_for("signups.my_applications", _anchor=f"application-{application.id}"), 303)
