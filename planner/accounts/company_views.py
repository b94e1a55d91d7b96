"""The company pages of the accounts blueprint: the profile, colleagues and their roles,
invitations and the company's documents (uploaded by its users, read by them and by staff)."""
from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from planner.accounts import emails, services
from planner.accounts.blueprint import bp
from planner.accounts.forms import CompanyProfileForm, DocumentForm, InvitationForm
from planner.accounts.permissions import company_required
from planner.extensions import limiter
from planner.forms import CsrfForm
from planner.i18n import _


def _status(form: object) -> int:
    return 400 if getattr(form, "errors", None) or getattr(form, "form_errors", None) else 200


@bp.route("/company")
@company_required
def company() -> ResponseReturnValue:
    return _company_page()


def _company_page(invite_form: InvitationForm | None = None, document_form: DocumentForm | None = None,
                  status: int = 200) -> ResponseReturnValue:
    own = current_user.company
    return render_template("accounts/company.html", company=own,
                           members=services.list_members(own),
                           invitations=services.list_pending_invitations(own),
                           documents=services.list_documents(own),
                           invite_form=invite_form or InvitationForm(), revoke_form=CsrfForm(),
                           document_form=document_form or DocumentForm(),
                           main_contact=services.main_contact(own),
                           is_main_contact=current_user.is_main_contact, action_form=CsrfForm(),
                           max_upload_mb=round(current_app.config["DOCUMENTS_MAX_BYTES"] / 1024 / 1024, 1),
                           registration_number=services.format_registration_number(own.registration_number)), \
        status


@bp.route("/company/edit", methods=["GET", "POST"])
@company_required
def company_edit() -> ResponseReturnValue:
    own = current_user.company
    form = CompanyProfileForm()
    if request.method == "GET":
        form.fill_from(own)
    if form.validate_on_submit():
        try:
            services.update_company(own, form.details(), actor=current_user)
        except services.AccountError as exc:
            form.form_errors.append(str(exc))
        else:
            flash(_("The company profile is saved."), "success")
            return redirect(url_for("accounts.company"))
    return render_template("accounts/company_edit.html", form=form, company=own,
                           registration_number=services.format_registration_number(own.registration_number)), \
        _status(form)


@bp.route("/company/invitations", methods=["POST"])
@company_required
@limiter.limit("20/hour")
def invite() -> ResponseReturnValue:
    own = current_user.company
    form = InvitationForm()
    if form.validate_on_submit():
        try:
            invitation = services.invite_colleague(own, form.email.data, actor=current_user)
            emails.send_invitation(invitation, inviter=current_user)
        except services.AccountError as exc:
            form.form_errors.append(str(exc))
        else:
            flash(_("Invitation sent to %(email)s. The link is valid for 7 days.", email=invitation.email), "success")
            return redirect(url_for("accounts.company"))
    return _company_page(invite_form=form, status=400)


@bp.route("/company/invitations/<int:invitation_id>/revoke", methods=["POST"])
@company_required
def revoke_invitation(invitation_id: int) -> ResponseReturnValue:
    form = CsrfForm()
    if form.validate_on_submit():
        try:
            services.revoke_invitation(current_user.company, invitation_id, actor=current_user)
        except services.AccountError as exc:
            abort(exc.status_code)
        flash(_("The invitation is withdrawn; its link no longer works."), "info")
    return redirect(url_for("accounts.company"))


@bp.route("/company/documents", methods=["POST"])
@company_required
@limiter.limit("30/hour")
def upload_document() -> ResponseReturnValue:
    form = DocumentForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            services.upload_document(current_user.company, form.document_kind(), upload.filename or "",
                                     upload.read(), actor=current_user)
        except services.AccountError as exc:
            form.form_errors.append(str(exc))
        else:
            flash(_("The document is uploaded. A coordinator will check it."), "success")
            return redirect(url_for("accounts.company") + "#documents")
    return _company_page(document_form=form, status=400)


@bp.route("/documents/<int:document_id>")
@login_required
def document(document_id: int) -> ResponseReturnValue:
    """A document, for its company's users and for staff; anyone else gets 404, as for a
    document that does not exist."""
    try:
        found = services.get_document_for(current_user, document_id)
        data = services.read_document(found)
    except services.DocumentNotFound:
        abort(404)
    disposition = "inline" if request.args.get("view") else "attachment"
    return Response(data, content_type=found.content_type, headers={
        "Content-Disposition": f'{disposition}; filename="{found.filename}"',
        # Never run as a page on our origin, whatever the browser guesses the bytes are.
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox; default-src 'none'",
        "Cache-Control": "private, no-store"})


@bp.route("/company/members/<int:user_id>/remove", methods=["POST"])
@company_required
def remove_colleague(user_id: int) -> ResponseReturnValue:
    if CsrfForm().validate_on_submit():
        try:
            colleague = services.remove_colleague(current_user.company, user_id, actor=current_user)
        except services.AccountError as exc:
            abort(exc.status_code)
        flash(_("%(name)s is removed: their account is closed and every session of theirs has ended.",
                name=colleague.name or colleague.email), "info")
    return redirect(url_for("accounts.company"))


@bp.route("/company/members/<int:user_id>/main-contact", methods=["POST"])
@company_required
def hand_over(user_id: int) -> ResponseReturnValue:
    if CsrfForm().validate_on_submit():
        try:
            colleague = services.hand_over_main_contact(current_user.company, user_id, actor=current_user)
        except services.AccountError as exc:
            abort(exc.status_code)
        flash(_("%(name)s is now the main contact.", name=colleague.name or colleague.email), "success")
    return redirect(url_for("accounts.company"))
