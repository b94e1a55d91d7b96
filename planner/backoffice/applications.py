"""Back-office review of applications: filtered lists, one application, ineligibility, exports."""
from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from planner.accounts import services as accounts
from planner.backoffice import review, services
from planner.backoffice.blueprint import bp
from planner.backoffice.forms import ApplicationFilterForm, IneligibleForm, NoteForm
from planner.catalogue.models import Offer
from planner.db import utcnow
from planner.errors import PlannerError
from planner.extensions import db
from planner.i18n import _, localized
from planner.signups.models import ApplicationStatus, PlaceKind
from planner.vocab import SizeClass


def _enum_or_none(enum: Any, value: str | None) -> Any:
    return enum(value) if value and value in enum._value2member_map_ else None


def _filters(form: ApplicationFilterForm, offer: Offer | None = None) -> services.ApplicationFilters:
    filters = services.ApplicationFilters(
        programme_id=form.programme.data if isinstance(form.programme.data, int) else None,
        offer_id=form.offer.data if isinstance(form.offer.data, int) else None,
        kind=_enum_or_none(PlaceKind, form.kind.data),
        status=_enum_or_none(ApplicationStatus, form.status.data),
        size_class=_enum_or_none(SizeClass, form.size_class.data),
        q=(form.q.data or "").strip()[:100],
        sort=form.sort.data if form.sort.data in services.SORTS else "-submitted")
    return filters.with_offer(offer) if offer is not None else filters


def _filter_form() -> ApplicationFilterForm:
    form = ApplicationFilterForm(request.args)
    programmes, offers = services.filter_choices()
    form.programme.choices = [SelectChoice("", _("Any programme"))] + [
        SelectChoice(p.id, localized(p, "name")) for p in programmes]
    chosen = form.programme.data if isinstance(form.programme.data, int) else None
    form.offer.choices = [SelectChoice("", _("Any exhibition"))] + [
        SelectChoice(o.id, f"{localized(o.exhibition, 'name')} ({o.programme.slug})") for o in offers
        if chosen is None or o.programme_id == chosen]
    return form


def _query_args(form: ApplicationFilterForm) -> dict[str, Any]:
    """The current filters as URL arguments, for pagination and export links."""
    return {name: request.args[name] for name in ("programme", "offer", "kind", "status",
                                                  "size_class", "q", "sort")
            if request.args.get(name)}


def _render_list(offer: Offer | None) -> ResponseReturnValue:
    form = _filter_form()
    filters = _filters(form, offer)
    page = services.list_applications(filters, page=request.args.get("page", 1, type=int) or 1)
    args = _query_args(form)
    return render_template("backoffice/applications/index.html", form=form, page=page, offer=offer,
                           args=args, endpoint="backoffice.offer_applications" if offer else
                           "backoffice.applications",
                           endpoint_args=dict(args, offer_id=offer.id) if offer else args)


@bp.route("/applications")
def applications() -> ResponseReturnValue:
    return _render_list(None)


@bp.route("/offers/<int:offer_id>/applications")
def offer_applications(offer_id: int) -> ResponseReturnValue:
    return _render_list(db.get_or_404(Offer, offer_id))


@bp.route("/applications/<int:application_id>")
def application_detail(application_id: int) -> ResponseReturnValue:
    application = services.get_application(application_id)
    if application is None:
        abort(404)
    return _render_detail(application)


def _render_detail(application: Any, *, form: IneligibleForm | None = None, note_form: NoteForm | None = None,
                   status: int = 200) -> ResponseReturnValue:
    return render_template("backoffice/applications/detail.html", application=application,
                           events=services.list_events(application), form=form or IneligibleForm(),
                           note_form=note_form or NoteForm(), notes=review.list_notes(application),
                           score=review.score_card(application),
                           documents=accounts.list_application_documents(application.id)), status


@bp.route("/applications/<int:application_id>/notes", methods=["POST"])
def application_note(application_id: int) -> ResponseReturnValue:
    application = services.get_application(application_id)
    if application is None:
        abort(404)
    note_form = NoteForm()
    if note_form.validate_on_submit():
        try:
            review.add_note(application, author=current_user, body=note_form.body.data, now=utcnow())
        except PlannerError as exc:
            note_form.form_errors.append(str(exc))
        else:
            flash(_("Note added."), "success")
            return redirect(url_for("backoffice.application_detail", application_id=application.id,
                                    _anchor="notes"))
    return _render_detail(application, note_form=note_form, status=400)


@bp.route("/applications/<int:application_id>/ineligible", methods=["POST"])
def application_ineligible(application_id: int) -> ResponseReturnValue:
    application = services.get_application(application_id)
    if application is None:
        abort(404)
    form = IneligibleForm()
    if form.validate_on_submit():
        try:
            services.mark_ineligible(application, actor=current_user, reason=form.reason.data,
                                     now=utcnow())
        except PlannerError as exc:
            form.form_errors.append(str(exc))
        else:
            flash(_("Application %(id)s marked ineligible.", id=application.id), "success")
            return redirect(url_for("backoffice.application_detail", application_id=application.id))
    return _render_detail(application, form=form, status=400)


def _export_name(extension: str) -> str:
    return f"applications-{utcnow():%Y%m%d-%H%M}.{extension}"


@bp.route("/applications.csv")
def applications_csv() -> ResponseReturnValue:
    filters = _filters(_filter_form())
    # content_type, not mimetype: Werkzeug appends "; charset=utf-8" to a text mimetype again.
    return Response(services.applications_csv(filters), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{_export_name("csv")}"'})


@bp.route("/applications.xlsx")
def applications_xlsx() -> ResponseReturnValue:
    filters = _filters(_filter_form())
    return Response(
        services.applications_xlsx(filters),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{_export_name("xlsx")}"'})

