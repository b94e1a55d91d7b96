"""Blueprint "signups": public programme pages, applying, "my applications", ranks, withdrawal."""
from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    has_request_context,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user

from planner.accounts import services as accounts
from planner.accounts.permissions import company_required
from planner.catalogue import services as catalogue
from planner.catalogue.models import Programme
from planner.db import utcnow
from planner.extensions import limiter
from planner.forms import CsrfForm
from planner.i18n import _, localized
from planner.signups import services
from planner.signups.forms import (
    EMPTY_PAST_SHOW_ROWS,
    ApplicationDocumentForm,
    ApplicationForm,
    MoveForm,
    PastShowsForm,
    WithdrawForm,
    form_data,
)
from planner.signups.models import Application, ApplicationStatus, PlaceKind
from planner.signups.reasons import describe_reason
from planner.signups.services import ApplicationAnswers, DuplicateApplication, SignupError, follows

bp = Blueprint("signups", __name__)

# Pages of other domains that include _macros/allowance.html (the company page: accounts may not
# import signups, so its view cannot pass the allowances itself).
ALLOWANCE_PAGES = frozenset({"accounts.company", "accounts.invite"})


@bp.app_context_processor
def allowance_context() -> dict[str, object]:
    # Computed here, in Python, and only for the pages that show it: templates run no queries.
    if not has_request_context() or request.endpoint not in ALLOWANCE_PAGES \
            or not current_user.is_authenticated:
        return {}
    return {"allowances": services.company_allowances(current_user.company_id)}


# Every page that shows an audit trail or a result's reason (sign-ups, allocation, back office).
bp.add_app_template_global(describe_reason, "event_reason")


def _verified_or_page() -> ResponseReturnValue | None:
    if current_user.email_verified_at is None:
        return render_template("signups/verify_first.html"), 403
    return None


def _own_application(application_id: int) -> Application:
    application = services.get_company_application(current_user.company_id, application_id)
    if application is None:
        abort(404)
    return application


def _viewer_terms(programme: Programme) -> catalogue.SizeTerms | None:
    """What the signed-in company may do in the programme (apply, at full cost, or not at
    all), shown before it applies; None for visitors and staff."""
    company = current_user.company if current_user.is_authenticated else None
    return catalogue.size_class_terms(programme, company.size_class) if company is not None else None


# --- public ---------------------------------------------------------------------------------

@bp.route("/programmes")
def programmes() -> ResponseReturnValue:
    groups = services.list_programmes_with_offers()
    return render_template("signups/programmes.html", groups=groups, now=utcnow(),
                           terms={g.programme.id: _viewer_terms(g.programme) for g in groups})


@bp.route("/programmes/<slug>")
def programme(slug: str) -> ResponseReturnValue:
    group = services.get_programme_with_offers(slug)
    if group is None:
        abort(404)
    company_id = current_user.company_id if current_user.is_authenticated else None
    return render_template("signups/programme.html", programme=group.programme, offers=group.offers,
                           now=utcnow(), company_share=catalogue.company_share_krw,
                           terms=_viewer_terms(group.programme),
                           followed=follows.followed_offer_ids(company_id, (o.id for o in group.offers)),
                           follow_form=CsrfForm())


# --- applying -------------------------------------------------------------------------------

@bp.route("/offers/<int:offer_id>/apply/<kind>", methods=["GET", "POST"])
@company_required
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
    terms = _viewer_terms(offer.programme)
    try:
        services.check_can_apply(offer, place_kind, company)
    except SignupError as exc:
        return render_template("signups/closed.html", offer=offer, kind=place_kind, reason=str(exc),
                               allowance=allowance, terms=terms), 403
    form = ApplicationForm(offer=offer, kind=place_kind)
    status = 200
    if form.validate_on_submit():
        try:
            application = services.submit_application(offer, place_kind, company=company, actor=current_user,
                                                      answers=form.answers())
        except DuplicateApplication as exc:
            return _already_applied(exc)
        except SignupError as exc:
            form.form_errors.append(str(exc))
            status = exc.status_code
        else:
            flash(_submitted_message(application), "success")
            return redirect(url_for("signups.application", application_id=application.id), 303)
    elif request.method == "POST":
        status = 400
    return render_template("signups/apply.html", offer=offer, kind=place_kind, form=form,
                           allowance=allowance, application=None, terms=terms,
                           cost=services.place_cost(offer, place_kind),
                           next_rank=services.next_rank(company.id, offer.programme_id)), status


def _already_applied(exc: DuplicateApplication) -> ResponseReturnValue:
    """Opening the form again leads to the existing application; posting it again (a double
    click, the back button) is refused with 409 and shows that application, saving nothing."""
    flash(str(exc), "info")
    if request.method == "POST":
        return _detail(exc.existing, WithdrawForm(), 409)
    return redirect(url_for("signups.application", application_id=exc.existing.id), 303)


def _submitted_message(application: Application) -> str:
    status = ApplicationStatus(application.status)
    if status == ApplicationStatus.confirmed:
        return _("Your application is in and your place is confirmed.")
    if status == ApplicationStatus.waitlisted:
        return _("Your application is in, but every first-come place is taken: you are on the waitlist.")
    return _("Your application is in. Places are allocated after the deadline.")


# --- my applications ------------------------------------------------------------------------

@bp.route("/my/applications")
@company_required
def my_applications() -> ResponseReturnValue:
    return _my_applications_page()


def _my_applications_page(status: int = 200) -> ResponseReturnValue:
    return render_template("signups/my_applications.html",
                           groups=services.list_company_applications(current_user.company_id),
                           move_form=MoveForm()), status


@bp.route("/my/applications/<int:application_id>")
@company_required
def application(application_id: int) -> ResponseReturnValue:
    application = _own_application(application_id)
    return _detail(application, WithdrawForm())


def _detail(application: Application, withdraw_form: WithdrawForm, status: int = 200,
            document_form: ApplicationDocumentForm | None = None) -> ResponseReturnValue:
    return render_template(
        "signups/application.html", application=application,
        answers=ApplicationAnswers.from_application(application),
        editable=services.is_editable(application), withdrawable=services.is_withdrawable(application),
        next_step=services.next_step(application),
        rank=services.rank_of(application), price=services.place_price(application),
        withdraw_form=withdraw_form,
        documents=services.application_documents(application),
        document_form=document_form or ApplicationDocumentForm(), delete_form=CsrfForm(),
        max_upload_mb=round(current_app.config["DOCUMENTS_MAX_BYTES"] / 1024 / 1024, 1),
        allowance=services.programme_allowance(application.company_id, application.offer.programme)), status


@bp.route("/my/applications/<int:application_id>/edit", methods=["GET", "POST"])
@company_required
def edit(application_id: int) -> ResponseReturnValue:
    application = _own_application(application_id)
    refused = _verified_or_page()
    if refused is not None:
        return refused
    if not services.is_editable(application):
        flash(_("This application can no longer be changed."), "error")
        return _detail(application, WithdrawForm(), 403)
    kind = PlaceKind(application.kind)
    answers = ApplicationAnswers.from_application(application)
    form = ApplicationForm(offer=application.offer, kind=kind, data=form_data(answers),
                           kept_markets=answers.target_markets)
    status = 200
    if form.validate_on_submit():
        try:
            services.update_answers(application, actor=current_user, answers=form.answers())
        except SignupError as exc:
            form.form_errors.append(str(exc))
            status = exc.status_code
        else:
            flash(_("Your changes are saved."), "success")
            return redirect(url_for("signups.application", application_id=application.id), 303)
    elif request.method == "POST":
        status = 400
    return render_template("signups/apply.html", offer=application.offer, kind=kind, form=form,
                           application=application,
                           allowance=services.programme_allowance(application.company_id,
                                                                  application.offer.programme)), status


@bp.route("/my/applications/<int:application_id>/documents", methods=["POST"])
@company_required
@limiter.limit("30/hour")
def upload_document(application_id: int) -> ResponseReturnValue:
    """Attach exhibit licence evidence or a brochure to the application while it is editable."""
    application = _own_application(application_id)
    form = ApplicationDocumentForm()
    if not form.validate_on_submit():
        return _detail(application, WithdrawForm(), 400, document_form=form)
    upload = form.file.data
    try:
        services.upload_application_document(application, form.document_kind(), upload.filename or "",
                                             upload.read(), actor=current_user)
    except accounts.DocumentNotFound:
        abort(404)
    except (accounts.AccountError, SignupError) as exc:
        form.form_errors.append(str(exc))
        return _detail(application, WithdrawForm(), exc.status_code, document_form=form)
    flash(_("The document is attached to this application."), "success")
    return redirect(url_for("signups.application", application_id=application.id, _anchor="documents"), 303)


@bp.route("/my/applications/<int:application_id>/documents/<int:document_id>/delete", methods=["POST"])
@company_required
def delete_document(application_id: int, document_id: int) -> ResponseReturnValue:
    application = _own_application(application_id)
    if not CsrfForm().validate_on_submit():
        abort(400)
    try:
        document = services.delete_application_document(application, document_id, actor=current_user)
    except accounts.DocumentNotFound:
        abort(404)
    except SignupError as exc:
        flash(str(exc), "error")
        return _detail(application, WithdrawForm(), exc.status_code)
    flash(_("%(name)s is deleted.", name=document.filename), "info")
    return redirect(url_for("signups.application", application_id=application.id, _anchor="documents"), 303)


@bp.route("/my/applications/<int:application_id>/withdraw", methods=["POST"])
@company_required
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
        flash(str(exc), "error")
        return _detail(application, form, exc.status_code)
    flash(_("Your application is withdrawn."), "success")
    return redirect(url_for("signups.my_applications"), 303)


@bp.route("/my/applications/reorder", methods=["POST"])
@company_required
def reorder() -> ResponseReturnValue:
    form = MoveForm()
    if not form.validate_on_submit():
        flash(_("That move was not understood. Please try again."), "error")
        return _my_applications_page(400)
    application_id, direction = form.parsed()
    application = _own_application(application_id)
    refused = _verified_or_page()
    if refused is not None:
        return refused
    try:
        services.move_application(application, direction, actor=current_user,
                                  expected_order=form.shown_order())
    except SignupError as exc:
        flash(str(exc), "error")
        return _my_applications_page(exc.status_code)
    flash(_("Your ranks are saved."), "success")
    return redirect(url_for("signups.my_applications", _anchor=f"application-{application.id}"), 303)


@bp.route("/offers/<int:offer_id>/follow", methods=["POST"])
@company_required
def follow(offer_id: int) -> ResponseReturnValue:
    """Ask for (or stop) a reminder before the offer's window closes."""
    offer = services.get_offer(offer_id)
    if offer is None:
        abort(404)
    if not CsrfForm().validate_on_submit():
        abort(400)
    if request.form.get("action") == "unfollow":
        follows.unfollow(current_user.company_id, offer)
        flash(_("You will not be reminded about %(exhibition)s.", exhibition=localized(offer.exhibition, "name")),
              "info")
    else:
        follows.follow(current_user.company_id, offer)
        flash(_("We will remind you 3 days and 1 day before applications for %(exhibition)s close.",
                exhibition=localized(offer.exhibition, "name")), "success")
    return redirect(url_for("signups.programme", slug=offer.programme.slug, _anchor=f"offer-{offer.id}"), 303)


# --- past shows (part of the company profile, chosen from the catalogue's series) -------------

@bp.route("/company/past-shows", methods=["GET", "POST"])
@company_required
def past_shows() -> ResponseReturnValue:
    company = current_user.company
    form = PastShowsForm(series=catalogue.exhibition_series(), stored=list(company.past_shows or []),
                         unrecognised=list(company.prior_exhibitions or []), this_year=utcnow().year)
    status = 200
    if request.method == "POST" and request.form.get("more"):
        form.add_rows(EMPTY_PAST_SHOW_ROWS)   # nothing saved: the company goes on choosing
    elif form.validate_on_submit():
        try:
            accounts.set_past_shows(company, form.chosen(), unrecognised=form.keep.data or [], actor=current_user)
        except accounts.AccountError as exc:
            form.form_errors.append(str(exc))
            status = exc.status_code
        else:
            flash(_("Your past shows are saved."), "success")
            return redirect(url_for("accounts.company"), 303)
    elif request.method == "POST":
        status = 400
    return render_template("signups/past_shows.html", form=form), status
