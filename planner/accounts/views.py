"""Blueprint "accounts": login, logout, registration, company profile (stub until issue 3 lands)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required, login_user, logout_user

from planner.accounts import services
from planner.accounts.forms import LoginForm
from planner.extensions import db
from planner.i18n import is_safe_redirect

bp = Blueprint("accounts", __name__, url_prefix="/account")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.form_errors.append("Wrong email or password.")
        else:
            login_user(user, remember=form.remember.data)
            db.session.commit()
            target = request.args.get("next")
            return redirect(target if is_safe_redirect(target) else url_for("site.index"))
    return render_template("accounts/login.html", form=form), 200 if not form.errors else 400


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("site.index"))


@bp.route("/register", methods=["GET", "POST"])
def register() -> ResponseReturnValue:
    abort(404)


@bp.route("/company")
@login_required
def company() -> ResponseReturnValue:
    abort(404)
