"""Forms of the allocation pages: publish with a confirmation, override with a reason (the
preview and the company's confirm/decline buttons carry only CSRF: planner.forms.CsrfForm)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Regexp


class PublishForm(FlaskForm):
    # The previewed run's seed: publishing with it gives what the coordinator just saw,
    # unless applications changed in between.
    seed = HiddenField(validators=[DataRequired(), Length(max=64), Regexp(r"^[A-Za-z0-9_-]+$")])
    confirm = BooleanField(
        _l("I have checked the preview and want to publish these results to every company. "
           "A published allocation cannot be run again."),
        validators=[DataRequired(message=_l("Tick the box to confirm the publication."))])


class OverrideForm(FlaskForm):
    to_status = SelectField(_l("New result"), choices=[SelectChoice("allocated", _l("Allocated")),
                                                       SelectChoice("waitlisted", _l("Waitlisted"))],
                            validators=[DataRequired()])
    reason = TextAreaField(_l("Reason (recorded in the audit log)"),
                           validators=[DataRequired(message=_l("Give a reason for the override.")),
                                       Length(max=2000)])

