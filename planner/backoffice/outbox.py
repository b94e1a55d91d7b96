"""Back-office outbox: mail waiting, failed or sent, the error of its last attempt, and resend
for failed mail (one, or all of them)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from planner.backoffice.blueprint import bp
from planner.backoffice.forms.outbox import OutboxFilterForm
from planner.db import is_valid_id
from planner.extensions import db
from planner.forms import CsrfForm
from planner.i18n import _, ngettext_
from planner.notifications import delivery
from planner.notifications.models import OutboxMessage, OutboxState


@bp.route("/outbox")
def outbox() -> ResponseReturnValue:
    page_number = request.args.get("page", 1, type=int) or 1
    kinds = delivery.search_outbox(page=1, per_page=1).kinds
    form = OutboxFilterForm(request.args, kinds=kinds)
    form.validate()
    page = delivery.search_outbox(state=form.chosen_state(), recipient=(form.to.data or "").strip(),
                                  kind=form.kind.data or "", page=max(1, min(page_number, 100_000)))
    args = {k: v for k, v in request.args.items() if k in ("state", "to", "kind") and v}
    return render_template("backoffice/outbox.html", form=form, page=page, args=args,
                           health=delivery.health(), action_form=CsrfForm(), OutboxState=OutboxState)


@bp.route("/outbox/<int:message_id>/resend", methods=["POST"])
def outbox_resend(message_id: int) -> ResponseReturnValue:
    if not is_valid_id(message_id) or not CsrfForm().validate_on_submit():
        abort(400)
    message = db.get_or_404(OutboxMessage, message_id)
    if delivery.retry(message_ids=[message.id]):
        flash(_("Mail #%(id)s is queued again; the next run of the mail timer sends it.", id=message.id), "success")
    else:
        flash(_("Mail #%(id)s has not failed; nothing to resend.", id=message.id), "info")
    return redirect(url_for("backoffice.outbox", state="failed"), 303)


@bp.route("/outbox/resend-failed", methods=["POST"])
def outbox_resend_failed() -> ResponseReturnValue:
    if not CsrfForm().validate_on_submit():
        abort(400)
    count = delivery.retry()
    flash(ngettext_("%(num)s failed mail is queued again.", "%(num)s failed mails are queued again.", count),
          "success")
    return redirect(url_for("backoffice.outbox"), 303)
