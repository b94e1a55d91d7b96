"""Back-office pages for programmes and their offers: list, create, edit, fill counts."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from planner.accounts.models import Role
from planner.allocation import services as allocation
from planner.backoffice import rule_changes, services
from planner.backoffice.blueprint import bp
from planner.backoffice.forms import OfferEditForm, OfferForm, ProgrammeForm
from planner.catalogue import services as catalogue
from planner.catalogue.models import Exhibition, Offer, Programme
from planner.db import utcnow
from planner.extensions import db
from planner.i18n import _, localized, ngettext_


def programme_or_404(slug: str) -> Programme:
    programme = catalogue.get_programme_by_slug(slug)
    if programme is None:
        abort(404)
    return programme


@bp.route("/programmes")
def programmes() -> ResponseReturnValue:
    return render_template("backoffice/programmes/index.html", programmes=catalogue.list_programmes())


@bp.route("/programmes/new", methods=["GET", "POST"])
def programme_new() -> ResponseReturnValue:
    form = ProgrammeForm()
    if form.validate_on_submit():
        try:
            programme = catalogue.create_programme(form.to_input(), actor=current_user, now=utcnow())
        except catalogue.ProgrammeError as exc:
            form.form_errors.append(str(exc))
        else:
            flash(_("Programme %(name)s created.", name=programme.name), "success")
            return redirect(url_for("backoffice.programme_detail", slug=programme.slug))
    return render_template("backoffice/programmes/form.html", form=form, programme=None), \
        400 if form.is_submitted() else 200


@bp.route("/programmes/<slug>")
def programme_detail(slug: str) -> ResponseReturnValue:
    programme = programme_or_404(slug)
    offers = catalogue.list_offers(programme)
    return render_template("backoffice/programmes/detail.html", programme=programme, offers=offers,
                           fill=services.offer_fill(offers),
                           shares=services.company_shares(programme, offers),
                           budget=allocation.programme_budget(programme), now=utcnow(),
                           rule_history=[(change, rule_changes.rule_differences(change.before, change.after))
                                         for change in rule_changes.history(programme)])


@bp.route("/programmes/<slug>/edit", methods=["GET", "POST"])
def programme_edit(slug: str) -> ResponseReturnValue:
    programme = programme_or_404(slug)
    form = ProgrammeForm()
    # Coordinators set a programme's rules while drafting it; once companies have applied under
    # them, changing the cap, shares or points is an administrator's decision.
    confirmed_rules = rule_changes.needs_admin(programme)
    rules_locked = confirmed_rules and current_user.role != Role.admin
    preview = None
    if not form.is_submitted():
        form.load(programme)
    elif form.validate():
        if confirmed_rules and form.rules_differ_from(programme):
            # After the first application (allocation rule 9): an admin, a reason, a preview of
            # who is affected, then the confirmed change, logged and told.
            rule_changes.check_may_change(programme, current_user)
            data = form.to_input(exact_of=programme)
            if "confirm" in request.form:
                try:
                    seen = rule_changes.change_rules(programme, data, actor=current_user,
                                                     reason=form.rules_reason.data or "",
                                                     digest=form.rules_digest.data or "", now=utcnow())
                except (rule_changes.RuleChangeError, catalogue.ProgrammeError) as exc:
                    form.form_errors.append(str(exc))
                else:
                    flash(ngettext_("Rules changed; %(num)s company was told.",
                                    "Rules changed; %(num)s companies were told.",
                                    len(seen.company_ids)), "success")
                    return redirect(url_for("backoffice.programme_detail", slug=programme.slug,
                                            _anchor="rule-changes"))
            preview = rule_changes.preview(programme, data)
            form.rules_digest.data = preview.digest
            return render_template("backoffice/programmes/form.html", form=form, programme=programme,
                                   rules_locked=False, confirmed_rules=True, preview=preview,
                                   differences=rule_changes.rule_differences(preview.before, preview.after)), \
                200 if not form.form_errors else 400
        data = form.to_input(rules_of=programme if confirmed_rules else None)
        try:
            catalogue.update_programme(programme, data, actor=current_user, now=utcnow())
        except catalogue.ProgrammeError as exc:
            form.form_errors.append(str(exc))
        else:
            flash(_("Programme saved."), "success")
            return redirect(url_for("backoffice.programme_detail", slug=programme.slug))
    return render_template("backoffice/programmes/form.html", form=form, programme=programme,
                           rules_locked=rules_locked, confirmed_rules=confirmed_rules and not rules_locked,
                           preview=preview), 400 if form.is_submitted() else 200


def _exhibition_choices(programme: Programme) -> list[SelectChoice]:
    return [SelectChoice(e.id, f"{localized(e, 'name')} · {e.starts_on.isoformat()} · {localized(e, 'city')}")
            for e in services.exhibitions_open_for_offer(programme, today=utcnow().date())]


@bp.route("/programmes/<slug>/offers/new", methods=["GET", "POST"])
def offer_new(slug: str) -> ResponseReturnValue:
    programme = programme_or_404(slug)
    form = OfferForm()
    form.exhibition_id.choices = _exhibition_choices(programme)
    if form.validate_on_submit():
        exhibition = db.get_or_404(Exhibition, form.exhibition_id.data)
        try:
            offer = allocation.add_offer(programme, exhibition, form.to_input(),
                                         actor=current_user, now=utcnow())
        except catalogue.ProgrammeError as exc:
            form.form_errors.append(str(exc))
        else:
            flash(_("Offer at %(name)s created.", name=exhibition.name), "success")
            return redirect(url_for("backoffice.programme_detail", slug=programme.slug,
                                    _anchor=f"offer-{offer.id}"))
    return render_template("backoffice/programmes/offer_form.html", form=form, programme=programme,
                           offer=None, published=allocation.get_published_run(programme) is not None), \
        400 if form.is_submitted() else 200


@bp.route("/offers/<int:offer_id>/edit", methods=["GET", "POST"])
def offer_edit(offer_id: int) -> ResponseReturnValue:
    offer = db.get_or_404(Offer, offer_id)
    programme = offer.programme
    form = OfferEditForm()
    if not form.is_submitted():
        form.load(catalogue.offer_input_from(offer))
    elif form.validate():
        try:
            promoted = allocation.change_offer(offer, form.to_input(), actor=current_user, now=utcnow())
        except catalogue.ProgrammeError as exc:
            form.form_errors.append(str(exc))
        else:
            flash(_("Offer saved."), "success")
            if promoted:
                flash(ngettext_("The added place went to %(num)s company on the waitlist; it has been told.",
                                "The added places went to %(num)s companies on the waitlist; they have been told.",
                                len(promoted)), "success")
            return redirect(url_for("backoffice.programme_detail", slug=programme.slug,
                                    _anchor=f"offer-{offer.id}"))
    return render_template("backoffice/programmes/offer_form.html", form=form, programme=programme,
                           offer=offer, published=allocation.get_published_run(programme) is not None), \
        400 if form.is_submitted() else 200
