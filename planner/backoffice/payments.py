"""Back-office co-funding pages: an offer's company shares with their paid or waived marks,
a programme's co-funding settings, and a payment letter per company (a print page)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from planner.accounts.models import Company
from planner.backoffice import cofunding, services
from planner.backoffice.blueprint import bp
from planner.backoffice.forms import CofundingSettingsForm, PaymentForm
from planner.backoffice.programmes import programme_or_404
from planner.catalogue.models import Offer
from planner.db import utcnow
from planner.errors import PlannerError
from planner.extensions import db
from planner.i18n import _


def _render_offer(offer: Offer, form: PaymentForm | None = None, status: int = 200) -> ResponseReturnValue:
    shares = cofunding.list_shares(offer_id=offer.id)
    return render_template("backoffice/payments/offer.html", offer=offer, shares=shares,
                           totals=cofunding.totals(shares).overall,
                           history=cofunding.payment_history(s.application_id for s in shares),
                           form=form or PaymentForm()), status


@bp.route("/offers/<int:offer_id>/payments")
def offer_payments(offer_id: int) -> ResponseReturnValue:
    return _render_offer(db.get_or_404(Offer, offer_id))


@bp.route("/applications/<int:application_id>/payment", methods=["POST"])
def application_payment(application_id: int) -> ResponseReturnValue:
    application = services.get_application(application_id)
    if application is None:
        abort(404)
    form = PaymentForm()
    if form.validate_on_submit():
        try:
            if form.action.data == "paid":
                cofunding.mark_paid(application, actor=current_user, paid_on=form.paid_on.data, now=utcnow())
            elif form.action.data == "waived":
                cofunding.mark_waived(application, actor=current_user, reason=form.reason.data or "", now=utcnow())
            else:
                cofunding.mark_due(application, actor=current_user, reason=form.reason.data or "", now=utcnow())
        except PlannerError as exc:
            form.form_errors.append(str(exc))
        else:
            flash(_("Payment mark saved for %(company)s.", company=application.company.legal_name), "success")
            return redirect(url_for("backoffice.offer_payments", offer_id=application.offer_id,
                                    _anchor=f"share-{application.id}"))
    return _render_offer(application.offer, form, 400)


@bp.route("/programmes/<slug>/cofunding", methods=["GET", "POST"])
def programme_cofunding(slug: str) -> ResponseReturnValue:
    programme = programme_or_404(slug)
    settings = cofunding.get_settings(programme)
    form = CofundingSettingsForm()
    if not form.is_submitted():
        form.cancellation_charge_percent.data = settings.cancellation_charge_percent
        form.payment_instructions.data = settings.payment_instructions or ""
    elif form.validate():
        try:
            cofunding.save_settings(programme, cancellation_charge_percent=form.cancellation_charge_percent.data or 0,
                                    payment_instructions=form.payment_instructions.data or "",
                                    actor=current_user, now=utcnow())
        except PlannerError as exc:
            form.form_errors.append(str(exc))
        else:
            flash(_("Co-funding settings saved."), "success")
            return redirect(url_for("backoffice.programme_cofunding", slug=programme.slug))
    shares = cofunding.list_shares(programme_id=programme.id)
    companies = sorted({(s.company, s.company_id) for s in shares})
    return render_template("backoffice/payments/programme.html", programme=programme, form=form,
                           totals=cofunding.totals(shares), companies=companies,
                           offers={o.id: o for o in db.session.scalars(
                               db.select(Offer).where(Offer.programme_id == programme.id))}), \
        400 if form.is_submitted() else 200


@bp.route("/programmes/<slug>/companies/<int:company_id>/letter")
def payment_letter(slug: str, company_id: int) -> ResponseReturnValue:
    programme = programme_or_404(slug)
    company = db.get_or_404(Company, company_id)
    return render_template("backoffice/payments/letter.html", letter=cofunding.payment_letter(company, programme),
                           today=utcnow())
