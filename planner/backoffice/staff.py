"""Back-office staff accounts: every coordinator sees the list; administrators invite, change
roles and deactivate (the accounts services refuse anyone else)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from planner.accounts import emails
from planner.accounts import services as accounts
from planner.accounts.models import Role
from planner.backoffice.blueprint import bp
from planner.backoffice.forms import STAFF_ROLE_LABELS, StaffInviteForm, StaffRoleForm
from planner.forms import CsrfForm
from planner.i18n import _


def _render(invite_form: StaffInviteForm | None = None, status: int = 200) -> ResponseReturnValue:
    return render_template("backoffice/staff/index.html", staff=accounts.list_staff(),
                           events=accounts.list_events(staff=True, limit=30),
                           invite_form=invite_form or StaffInviteForm(), role_form=StaffRoleForm(),
                           action_form=CsrfForm(), role_labels=STAFF_ROLE_LABELS,
                           can_manage=current_user.role == Role.admin), status


@bp.route("/staff")
def staff() -> ResponseReturnValue:
    return _render()


@bp.route("/staff/invite", methods=["POST"])
def invite_staff() -> ResponseReturnValue:
    form = StaffInviteForm()
    if form.validate_on_submit():
        try:
            user = accounts.invite_staff(form.email.data, name=form.name.data, role=Role(form.role.data),
                                         actor=current_user)
        except accounts.AccountError as exc:
            if exc.status_code == 403:
                abort(403)
            form.form_errors.append(str(exc))
        else:
            emails.send_staff_invitation(user, inviter=current_user)
            flash(_("Invitation sent to %(email)s. The link is valid for 7 days.", email=user.email), "success")
            return redirect(url_for("backoffice.staff"))
    return _render(form, 400)


@bp.route("/staff/<int:user_id>/role", methods=["POST"])
def change_staff_role(user_id: int) -> ResponseReturnValue:
    form = StaffRoleForm()
    if form.validate_on_submit():
        try:
            user = accounts.change_staff_role(accounts.get_staff_member(user_id), Role(form.role.data),
                                              actor=current_user)
        except accounts.AccountError as exc:
            abort(exc.status_code)
        flash(_("%(email)s is now: %(role)s.", email=user.email, role=STAFF_ROLE_LABELS[user.role]), "success")
    return redirect(url_for("backoffice.staff"))


@bp.route("/staff/<int:user_id>/<any(deactivate, reactivate):action>", methods=["POST"])
def set_staff_active(user_id: int, action: str) -> ResponseReturnValue:
    if CsrfForm().validate_on_submit():
        try:
            user = accounts.set_staff_active(accounts.get_staff_member(user_id), action == "reactivate",
                                             actor=current_user)
        except accounts.AccountError as exc:
            abort(exc.status_code)
        flash(_("%(email)s can sign in again.", email=user.email) if user.is_active_account else
              _("%(email)s is deactivated; their sessions have ended.", email=user.email), "info")
    return redirect(url_for("backoffice.staff"))
