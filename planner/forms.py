"""Forms shared by every domain."""
from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import Field
from wtforms.validators import ValidationError

from planner.i18n import _

# No name, address, reason or search holds these; PostgreSQL refuses NUL in text, spreadsheets
# refuse the rest, and a raw one in a log line forges records. Tab and line breaks stay allowed
# (text areas).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# In an address or a query string not even a line break belongs.
CONTROL_CHARACTERS_IN_URL = re.compile(r"[\x00-\x1f\x7f]")


def control_characters_message() -> str:
    return _("Remove the control characters (such as NUL) from what you entered, then try again.")


def no_control_characters(_form: object, field: Field) -> None:
    """A WTForms validator for a form that wants the message on the field itself (the request
    hook in planner.security refuses such posts before any view runs)."""
    if isinstance(field.data, str) and CONTROL_CHARACTERS.search(field.data):
        raise ValidationError(control_characters_message())


class CsrfForm(FlaskForm):
    """Only the CSRF token: for buttons that post no input (rotate, withdraw, confirm)."""
