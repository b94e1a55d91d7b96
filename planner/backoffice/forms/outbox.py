"""Filters of the outbox page."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from planner.i18n import _
from planner.notifications.models import OutboxState


class OutboxFilterForm(FlaskForm):
    """GET filters; bad values are ignored rather than refused, like the applications list."""

    class Meta:
        csrf = False

    state = SelectField(choices=[], validators=[Optional()], default="")
    to = StringField(validators=[Optional(), Length(max=254)])
    kind = SelectField(choices=[], validators=[Optional()], default="", validate_choice=False)

    def __init__(self, *args: object, kinds: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.state.label.text = _("State")
        self.to.label.text = _("Recipient")
        self.kind.label.text = _("Kind of mail")
        self.state.choices = [("", _("Any")), (OutboxState.waiting.value, _("Waiting")),
                              (OutboxState.failed.value, _("Failed")), (OutboxState.sent.value, _("Delivered"))]
        self.kind.choices = [("", _("Any"))] + [(k, k) for k in kinds]

    def chosen_state(self) -> OutboxState | None:
        return OutboxState(self.state.data) if self.state.data in OutboxState._value2member_map_ else None
