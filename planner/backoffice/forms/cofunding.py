"""Back-office forms for co-funding and review: a payment mark, a programme's co-funding
settings, an internal note."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class PaymentForm(FlaskForm):
    action = SelectField(_l("Mark"), choices=[SelectChoice("paid", _l("Paid")), SelectChoice("waived", _l("Waived")),
                                               SelectChoice("due", _l("Due again"))])
    paid_on = DateField(_l("Paid on"), validators=[Optional()])
    reason = TextAreaField(_l("Reason (for a waiver or taking a mark back)"),
                           validators=[Optional(), Length(max=500)])

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        if self.action.data == "paid" and self.paid_on.data is None:
            self.paid_on.errors = [*self.paid_on.errors, _l("Give the date the payment arrived.")]
            ok = False
        return ok


class CofundingSettingsForm(FlaskForm):
    cancellation_charge_percent = IntegerField(
        _l("Cancellation charge (% of the company share)"), default=0,
        validators=[Optional(), NumberRange(min=0, max=100, message=_l("Give a percentage from 0 to 100."))],
        description=_l("Charged when a company withdraws from a place it confirmed; 0 when the rules set none."))
    payment_instructions = TextAreaField(_l("Payment instructions for the letters"),
                                         validators=[Optional(), Length(max=1000)],
                                         description=_l("Bank account, reference to quote, whom to ask."))


class NoteForm(FlaskForm):
    body = TextAreaField(_l("Internal note (coordinators only)"),
                         validators=[DataRequired(message=_l("Write the note.")), Length(max=4000)])
