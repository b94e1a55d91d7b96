"""The announcement form: statuses to write to, English and Korean text."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from planner.backoffice.forms.applications import STATUS_LABELS
from planner.backoffice.forms.fields import MultiCheckboxField


class AnnouncementForm(FlaskForm):
    statuses = MultiCheckboxField(_l("Write to applications that are"), validators=[DataRequired()],
                                  choices=[SelectChoice(code.value, label) for code, label in STATUS_LABELS.items()])
    subject_en = StringField(_l("Subject (English)"), validators=[DataRequired(), Length(max=200)])
    body_en = TextAreaField(_l("Text (English)"), validators=[DataRequired(), Length(max=20_000)])
    subject_ko = StringField(_l("Subject (Korean)"), validators=[Optional(), Length(max=200)])
    body_ko = TextAreaField(_l("Text (Korean)"), validators=[Optional(), Length(max=20_000)])
