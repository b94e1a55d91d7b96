"""Back-office pages for the exhibition catalogue: create, edit, cancel, postpone, CSV."""
from __future__ import annotations

from dataclasses import replace

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from planner.backoffice.blueprint import bp
from planner.backoffice.forms import CancelForm, ExhibitionForm, ImportForm, PostponeForm
from planner.catalogue import services as catalogue
from planner.catalogue.models import Exhibition
from planner.catalogue.services import STATUS_LABELS
from planner.db import utcnow
from planner.i18n import _
from planner.signups.services import exhibition_news

BACKOFFICE_PER_PAGE = 50


def _exhibition_or_404(slug: str) -> Exhibition:
    exhibition = catalogue.get_exhibition(slug)
    if exhibition is None:
        abort(404)
    return exhibition


def _show_problems(form: ExhibitionForm | CancelForm | PostponeForm,
                   problems: list[tuple[str, str]]) -> None:
    for name, message in problems:
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)


@bp.route("/exhibitions")
def exhibitions() -> ResponseReturnValue:
    try:
        filters = replace(catalogue.parse_filters(request.args), include_past=True)
        page = catalogue.search_exhibitions(filters, now=utcnow(), per_page=BACKOFFICE_PER_PAGE)
    except (catalogue.FilterError, catalogue.PageNotFound) as exc:
        flash(str(exc), "error")
        return redirect(url_for("backoffice.exhibitions"))
    return render_template("backoffice/catalogue/index.html", page=page, filters=filters,
                           args={k: v for k, v in filters.to_args().items() if k != "past"},
                           status_labels=STATUS_LABELS)


@bp.route("/exhibitions/new", methods=["GET", "POST"])
def exhibition_new() -> ResponseReturnValue:
    form = ExhibitionForm()
    if form.validate_on_submit():
        try:
            exhibition = catalogue.create_exhibition(form.to_input(), now=utcnow())
        except catalogue.ExhibitionInvalid as exc:
            _show_problems(form, exc.problems)
        else:
            flash(_("Exhibition %(name)s added.", name=exhibition.name), "success")
            return redirect(url_for("backoffice.exhibition_edit", slug=exhibition.slug))
    return render_template("backoffice/catalogue/form.html", form=form, exhibition=None), \
        400 if form.is_submitted() else 200


@bp.route("/exhibitions/<slug>/edit", methods=["GET", "POST"])
def exhibition_edit(slug: str) -> ResponseReturnValue:
    exhibition = _exhibition_or_404(slug)
    form = ExhibitionForm()
    if not form.is_submitted():
        form.load(exhibition)
    elif form.validate():
        before = exhibition_news.Facts.of(exhibition)
        try:
            catalogue.update_exhibition(exhibition, form.to_input(), now=utcnow())
        except catalogue.ExhibitionInvalid as exc:
            _show_problems(form, exc.problems)
        else:
            exhibition_news.tell_applicants(exhibition, exhibition_news.Change.changed, before=before)
            flash(_("Exhibition saved."), "success")
            return redirect(url_for("backoffice.exhibition_edit", slug=exhibition.slug))
    return _edit_page(exhibition, 400 if form.is_submitted() else 200, form=form)


def _postpone_form(exhibition: Exhibition) -> PostponeForm:
    form = PostponeForm(formdata=None)
    form.starts_on.data, form.ends_on.data = exhibition.starts_on, exhibition.ends_on
    form.date_certainty.data = exhibition.date_certainty.value
    return form


def _edit_page(exhibition: Exhibition, status: int, *, form: ExhibitionForm | None = None,
               cancel_form: CancelForm | None = None,
               postpone_form: PostponeForm | None = None) -> ResponseReturnValue:
    """The edit page with its three forms; those not posted show the exhibition as stored."""
    if form is None:
        form = ExhibitionForm(formdata=None)
        form.load(exhibition)
    return render_template("backoffice/catalogue/form.html", form=form, exhibition=exhibition,
                           cancel_form=cancel_form or CancelForm(formdata=None),
                           postpone_form=postpone_form or _postpone_form(exhibition),
                           status_labels=STATUS_LABELS), status


@bp.route("/exhibitions/<slug>/cancel", methods=["POST"])
def exhibition_cancel(slug: str) -> ResponseReturnValue:
    exhibition = _exhibition_or_404(slug)
    cancel_form = CancelForm()
    if cancel_form.validate_on_submit():
        before = exhibition_news.Facts.of(exhibition)
        try:
            catalogue.cancel_exhibition(exhibition, reason=cancel_form.reason.data or "",
                                        now=utcnow())
        except catalogue.ExhibitionInvalid as exc:
            _show_problems(cancel_form, exc.problems)
        else:
            exhibition_news.tell_applicants(exhibition, exhibition_news.Change.cancelled, before=before,
                                            reason=cancel_form.reason.data or "")
            flash(_("%(name)s is now marked cancelled.", name=exhibition.name), "success")
            return redirect(url_for("backoffice.exhibition_edit", slug=exhibition.slug))
    return _edit_page(exhibition, 400, cancel_form=cancel_form)


@bp.route("/exhibitions/<slug>/postpone", methods=["POST"])
def exhibition_postpone(slug: str) -> ResponseReturnValue:
    exhibition = _exhibition_or_404(slug)
    postpone_form = PostponeForm()
    if postpone_form.validate_on_submit():
        before = exhibition_news.Facts.of(exhibition)
        try:
            catalogue.postpone_exhibition(
                exhibition, starts_on=postpone_form.starts_on.data, ends_on=postpone_form.ends_on.data,
                date_certainty=postpone_form.date_certainty.data, reason=postpone_form.reason.data or "",
                now=utcnow())
        except catalogue.ExhibitionInvalid as exc:
            _show_problems(postpone_form, exc.problems)
        else:
            exhibition_news.tell_applicants(exhibition, exhibition_news.Change.postponed, before=before,
                                            reason=postpone_form.reason.data or "")
            flash(_("%(name)s is now marked postponed to its new dates.", name=exhibition.name), "success")
            return redirect(url_for("backoffice.exhibition_edit", slug=exhibition.slug))
    return _edit_page(exhibition, 400, postpone_form=postpone_form)


@bp.route("/exhibitions/export.csv")
def catalogue_export() -> ResponseReturnValue:
    filename = f"exhibitions-{utcnow():%Y%m%d}.csv"
    # A byte-order mark lets spreadsheet programs read the Korean text as UTF-8.
    return Response("\ufeff" + catalogue.export_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/exhibitions/import", methods=["GET", "POST"])
def catalogue_import() -> ResponseReturnValue:
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        report = catalogue.import_csv(form.file.data.read(), now=utcnow())
        if report.ok:
            flash(_("Import done: %(created)s added, %(updated)s updated, %(unchanged)s unchanged.",
                    created=report.created, updated=report.updated, unchanged=report.unchanged), "success")
            return redirect(url_for("backoffice.exhibitions"))
    status = 400 if form.is_submitted() else 200
    return render_template("backoffice/catalogue/import.html", form=form, report=report), status
