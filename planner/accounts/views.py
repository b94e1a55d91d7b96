"""Blueprint "accounts": sign-up, email verification, login and logout, passwords, the company
profile and invitations of colleagues."""
from __future__ import annotations

from flask import Response, current_app, flash, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from werkzeug.exceptions import HTTPException
from wtforms.fields.choices import SelectChoice

from planner.accounts import company_views, emails, services
from planner.accounts.blueprint import bp
from planner.accounts.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    MailPreferencesForm,
    RegistrationForm,
    ResetPasswordForm,
)
from planner.accounts.models import User
from planner.accounts.permissions import home_url
from planner.extensions import limiter
from planner.forms import CsrfForm
from planner.i18n import _, is_safe_redirect
from planner.notifications import preferences

# The company pages (profile, colleagues, documents) register on the same blueprint.
ROUTE_MODULES = (company_views,)


def _account_and_address_key() -> str:
    # Guesses at one account are limited per (account, client address) pair, with windows that
    # make the wait grow (a minute, then an hour, then a day) for someone who keeps trying: a
    # stranger elsewhere cannot lock the owner out, as a limit per account alone would.
    email = services.normalise_email(request.form.get("email", ""))[:254]
    return f"login-pair:{email}|{get_remote_address()}"


def _remember_cookie_present() -> bool:
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies


def _log_in(user: User, *, remember: bool = False, second_factor_passed: bool = False) -> bool:
    """Sign `user` in on a new session; False when the second factor is still to come (the
    caller then sends the browser to accounts.two_factor)."""
    # Start a new session: nothing from before the login carries over, above all not the CSRF
    # token, which a page shown before (or a cookie planted on a shared computer) may have let
    # someone else see.
    session.clear()
    login_session = services.start_session(user, user_agent=request.user_agent.string, ip=request.remote_addr or "")
    if second_factor_passed:
        services.mark_second_factor_passed(login_session.id)
    elif services.second_factor_required(user):
        from planner.accounts.twofactor_views import await_second_factor
        await_second_factor(user, remember=remember)
        return False
    login_user(user, remember=remember)
    return True


def _status(form: object) -> int:
    return 400 if getattr(form, "errors", None) or getattr(form, "form_errors", None) else 200


@bp.app_context_processor
def verification_state() -> dict[str, object]:
    def verification_banner() -> Markup:
        # Rendered once per page, whichever template asks first (base.html or an account page).
        if request.environ.get("planner.verification_banner_shown") or not current_user.is_authenticated \
                or current_user.email_verified_at is not None:
            return Markup("")
        request.environ["planner.verification_banner_shown"] = True
        return Markup(render_template("accounts/_verify_banner.html", resend_form=CsrfForm()))
    return {"verification_banner": verification_banner}


# Pages whose URL holds a secret token: keep the token out of Referer headers and caches.
_TOKEN_ENDPOINTS = frozenset({"accounts.verify", "accounts.reset_password", "accounts.accept_invitation",
                              "accounts.staff_welcome"})


@bp.after_request
def protect_token_pages(response: Response) -> Response:
    if request.endpoint in _TOKEN_ENDPOINTS:
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_errorhandler(CSRFError)
def csrf_error(exc: CSRFError) -> ResponseReturnValue:
    # Offer to reload the form's page, when the address that was posted to also shows a page.
    reload_url = url_for("site.index")
    try:
        current_app.url_map.bind("localhost").match(request.path, method="GET")
    except HTTPException:
        pass
    else:
        reload_url = request.full_path.rstrip("?")
    return render_template("accounts/csrf_error.html", reason=exc.description, reload_url=reload_url), 400


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10/minute", methods=["POST"])
@limiter.limit("10/minute;30/hour;100/day", methods=["POST"], key_func=_account_and_address_key)
def login() -> ResponseReturnValue:
    target = request.args.get("next")
    target = target if is_safe_redirect(target) else None
    if current_user.is_authenticated:
        return redirect(target or home_url(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            # The same words whether the address is unknown or the password wrong.
            form.form_errors.append(_("Wrong email or password."))
        else:
            if not _log_in(user, remember=bool(form.remember.data)):
                return redirect(url_for("accounts.two_factor", next=target))
            services.record_login(user)
            if user.email_verified_at is None:
                flash(_("Please confirm your email address with the link we sent you."), "warning")
            return redirect(target or home_url(user))
    return render_template("accounts/login.html", form=form), _status(form)


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    if current_user.is_authenticated:
        # On the server: a copy of the session or remember-me cookie no longer opens anything.
        services.end_session(current_user, current_user.login_session_id)
    # Cleared first: logout_user() then marks the remember-me cookie for deletion.
    session.clear()
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("site.index"))


def _registration_validated(response: Response) -> bool:
    return bool(g.get("registration_form_validated"))


@bp.route("/register", methods=["GET", "POST"])
# Only submissions that pass the form's own checks count: a company correcting its typing
# errors one at a time must not lock itself out.
@limiter.limit("5/hour", methods=["POST"], deduct_when=_registration_validated)
def register() -> ResponseReturnValue:
    if current_user.is_authenticated:
        flash(_("You are already logged in. Log out first to register another company."), "info")
        return redirect(url_for("accounts.company") if current_user.company_id else url_for("site.index"))
    form = RegistrationForm()
    if form.validate_on_submit():
        g.registration_form_validated = True
        try:
            emails.answer_registration(
                form.registration_number.data, form.details(), name=form.name.data,
                email=form.email.data, password=form.password.data, locale=str(get_locale() or "en"))
        except services.AccountError as exc:
            form.form_errors.append(str(exc))
        else:
            # The same answer whether the address was free or already had an account (whose
            # owner got a note by mail): not signed in, sent to read the mail.
            session["registration_email"] = services.normalise_email(form.email.data)
            return redirect(url_for("accounts.check_email"))
    return render_template("accounts/register.html", form=form), _status(form)


@bp.route("/check-email")
def check_email() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return render_template("accounts/check_email.html", resend_form=CsrfForm(), email=current_user.email)
    email = session.get("registration_email")
    if not isinstance(email, str):
        return redirect(url_for("accounts.login"))
    return render_template("accounts/check_email.html", resend_form=None, email=email)


@bp.route("/verify/<token>")
def verify(token: str) -> ResponseReturnValue:
    try:
        services.verify_email(token)
    except services.TokenInvalid as exc:
        return render_template("accounts/link_failed.html", kind="verify", message=str(exc),
                               reason=exc.reason, resend_form=CsrfForm()), exc.status_code
    flash(_("Thank you: your email address is confirmed."), "success")
    if current_user.is_authenticated:
        return redirect(url_for("accounts.company") if current_user.company_id else url_for("site.index"))
    return redirect(url_for("accounts.login"))


@bp.route("/verify/resend", methods=["POST"])
@login_required
@limiter.limit("5/hour")
def resend_verification() -> ResponseReturnValue:
    form = CsrfForm()
    if not form.validate_on_submit():
        flash(_("Please try again."), "error")
    elif current_user.email_verified_at is not None:
        flash(_("Your email address is already confirmed."), "info")
    else:
        emails.send_verification(current_user)
        flash(_("We sent a new link to %(email)s. It is valid for 48 hours.", email=current_user.email), "success")
    return redirect(url_for("accounts.check_email") if current_user.email_verified_at is None
                    else url_for("accounts.company"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("5/hour", methods=["POST"])
def forgot_password() -> ResponseReturnValue:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        emails.answer_password_reset_request(form.email.data)
        # Same page whether or not the address has an account, so nobody can probe for accounts.
        return render_template("accounts/forgot_password_sent.html", email=form.email.data)
    return render_template("accounts/forgot_password.html", form=form), _status(form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> ResponseReturnValue:
    return _choose_password(token, services.TokenPurpose.reset_password, "reset")


@bp.route("/welcome/<token>", methods=["GET", "POST"])
def staff_welcome(token: str) -> ResponseReturnValue:
    """An invited coordinator or administrator chooses a password."""
    return _choose_password(token, services.TokenPurpose.staff_invitation, "staff-invitation")


def _choose_password(token: str, purpose: services.TokenPurpose, kind: str) -> ResponseReturnValue:
    try:
        services.user_for_password_reset(token, purpose=purpose)
    except services.TokenInvalid as exc:
        return render_template("accounts/link_failed.html", kind=kind, message=str(exc),
                               reason=exc.reason), exc.status_code
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.reset_password(token, form.password.data, purpose=purpose)
        except services.AccountError as exc:
            form.form_errors.append(str(exc))
        else:
            signed_in = _log_in(user)
            flash(_("Your password is changed. Every other device has been logged out."), "success")
            if not signed_in:
                return redirect(url_for("accounts.two_factor"))
            services.record_login(user)
            return redirect(home_url(user))
    return render_template("accounts/reset_password.html", form=form), _status(form)


@bp.route("/password", methods=["GET", "POST"])
@login_required
# Someone holding a stolen session must not be able to guess the current password at speed.
@limiter.limit("10/minute", methods=["POST"])
def change_password() -> ResponseReturnValue:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.password.data)
        except services.AccountError as exc:
            form.form_errors.append(str(exc))
        else:
            # The session version changed: log this session in again under the new id so only
            # the other sessions and remember-me cookies are logged out.
            _log_in(current_user._get_current_object(), remember=_remember_cookie_present(),
                    second_factor_passed=True)
            flash(_("Your password is changed. Every other device has been logged out."), "success")
            return redirect(url_for("accounts.company") if current_user.company_id else url_for("site.index"))
    return render_template("accounts/change_password.html", form=form), _status(form)


@bp.route("/mail", methods=["GET", "POST"])
@login_required
def mail_preferences() -> ResponseReturnValue:
    form = MailPreferencesForm()
    form.receive.choices = [SelectChoice(code, _(label)) for code, label in preferences.OPTIONAL_CATEGORIES.items()]
    if request.method == "GET":
        form.locale.data = current_user.locale or str(get_locale() or "en")
        form.receive.data = sorted(set(preferences.OPTIONAL_CATEGORIES) - preferences.categories_off(current_user.email))
    elif form.validate_on_submit():
        services.set_mail_language(current_user, form.locale.data)
        preferences.set_categories_off(current_user.email,
                                       set(preferences.OPTIONAL_CATEGORIES) - set(form.receive.data or ()))
        flash(_("Your mail settings are saved."), "success")
        return redirect(url_for("accounts.mail_preferences"), 303)
    return render_template("accounts/mail_preferences.html", form=form), _status(form)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> ResponseReturnValue:
    try:
        invitation = services.invitation_for_token(token)
    except services.TokenInvalid as exc:
        return render_template("accounts/link_failed.html", kind="invitation", message=str(exc),
                               reason=exc.reason), exc.status_code
    if current_user.is_authenticated:
        return render_template("accounts/accept_invitation.html", invitation=invitation, form=None)
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(token, name=form.name.data, password=form.password.data,
                                              locale=str(get_locale() or "en"))
        except services.AccountError as exc:
            form.form_errors.append(str(exc))
        else:
            _log_in(user)
            services.record_login(user)
            flash(_("Welcome! You have joined %(company)s.", company=invitation.company.legal_name), "success")
            return redirect(url_for("accounts.company"))
    return render_template("accounts/accept_invitation.html", invitation=invitation, form=form), _status(form)
