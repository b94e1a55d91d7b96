"""Two-factor sign-in pages: the code step after the password, enrolment (required for staff at
their first sign-in, optional for applicants) and the recovery codes shown once."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from planner.accounts import services
from planner.accounts.blueprint import bp
from planner.accounts.models import User
from planner.accounts.permissions import home_url
from planner.extensions import limiter
from planner.i18n import _, is_safe_redirect

# The Flask session keys of a sign-in waiting for its second factor.
PENDING_USER, PENDING_REMEMBER = "_2fa_user", "_2fa_remember"


class TwoFactorForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)],
                       description=_l("The 6-digit code your authenticator app shows, or one of your recovery codes."))


def await_second_factor(user: User, *, remember: bool) -> None:
    """After a right password: remember who is signing in, without signing them in yet."""
    session[PENDING_USER] = user.get_id()
    session[PENDING_REMEMBER] = remember


@bp.route("/two-factor", methods=["GET", "POST"])
@limiter.limit("10/minute", methods=["POST"])
def two_factor() -> ResponseReturnValue:
    target = request.args.get("next")
    target = target if is_safe_redirect(target) else None
    if current_user.is_authenticated:
        user: User = current_user._get_current_object()
        if services.is_enrolled(user):
            flash(_("Two-factor sign-in is on for your account."), "info")
            return redirect(target or home_url(user))
    else:
        pending = services.pending_login(session.get(PENDING_USER, ""))
        if pending is None:
            return redirect(url_for("accounts.login"))
        user = pending[0]
    enrolling = not services.is_enrolled(user)
    enrolment = services.begin_enrolment(user) if enrolling else None
    form = TwoFactorForm()
    if form.validate_on_submit():
        try:
            if enrolling:
                codes = services.confirm_enrolment(user, form.code.data)
            else:
                services.check_second_factor(user, form.code.data)
        except services.AccountError as exc:
            form.form_errors.append(str(exc))
        else:
            services.mark_second_factor_passed(user.login_session_id)
            if not current_user.is_authenticated:
                remember = bool(session.pop(PENDING_REMEMBER, False))
                session.pop(PENDING_USER, None)
                login_user(user, remember=remember)
                services.record_login(user)
            if enrolling:
                return render_template("accounts/recovery_codes.html", codes=codes,
                                       next_url=target or home_url(user))
            return redirect(target or home_url(user))
    return render_template("accounts/two_factor.html", form=form, enrolling=enrolling,
                           secret=enrolment.secret if enrolment else None,
                           uri=services.provisioning_uri(user, enrolment) if enrolment else None), \
        400 if form.errors or form.form_errors else 200
