"""Back-office announcements: write to the applicants of an offer or a programme by status,
preview the recipient count and one message, send; earlier announcements listed below."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from planner.backoffice.blueprint import bp
from planner.backoffice.forms.announcements import AnnouncementForm
from planner.catalogue import services as catalogue
from planner.catalogue.models import Offer, Programme
from planner.db import is_valid_id
from planner.extensions import db
from planner.i18n import ngettext_
from planner.signups.services import announcements


def _draft(form: AnnouncementForm, programme: Programme, offer: Offer | None) -> announcements.Draft:
    return announcements.Draft(programme=programme, offer=offer, statuses=list(form.statuses.data or ()),
                               subject_en=form.subject_en.data or "", body_en=form.body_en.data or "",
                               subject_ko=form.subject_ko.data or "", body_ko=form.body_ko.data or "")


def _draft_id() -> int | None:
    text = request.form.get("announcement_id", "")
    return int(text) if text.isdigit() and is_valid_id(int(text)) else None


def _page(programme: Programme, offer: Offer | None) -> ResponseReturnValue:
    form = AnnouncementForm()
    preview = None
    draft_id = None
    status = 200
    if form.validate_on_submit():
        draft = _draft(form, programme, offer)
        try:
            # Two buttons: "preview" shows the count and one message and keeps a draft; "send"
            # sends that draft, once however often it is clicked.
            if request.form.get("action") == "send":
                sent = announcements.send(draft, actor=current_user, draft_id=_draft_id())
                flash(ngettext_("The announcement is on its way to %(num)s company.",
                                "The announcement is on its way to %(num)s companies.", sent.company_count),
                      "success")
                return redirect(_here(programme, offer), 303)
            preview = announcements.preview(draft)
            draft_id = announcements.stage(draft, actor=current_user, draft_id=_draft_id()).id
        except (announcements.AnnouncementInvalid, announcements.AlreadySent) as exc:
            form.form_errors.append(str(exc))
            status = exc.status_code
    elif form.is_submitted():
        status = 400
    return render_template("backoffice/announcements.html", form=form, programme=programme, offer=offer,
                           preview=preview, draft_id=draft_id,
                           sent=announcements.list_announcements(programme, offer)), status


def _here(programme: Programme, offer: Offer | None) -> str:
    if offer is not None:
        return url_for("backoffice.offer_announcements", offer_id=offer.id)
    return url_for("backoffice.programme_announcements", slug=programme.slug)


@bp.route("/offers/<int:offer_id>/announcements", methods=["GET", "POST"])
def offer_announcements(offer_id: int) -> ResponseReturnValue:
    offer = db.get_or_404(Offer, offer_id)
    return _page(offer.programme, offer)


@bp.route("/programmes/<slug>/announcements", methods=["GET", "POST"])
def programme_announcements(slug: str) -> ResponseReturnValue:
    programme = catalogue.get_programme_by_slug(slug)
    if programme is None:
        abort(404)
    return _page(programme, None)
