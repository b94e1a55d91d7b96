"""Forms shared by every domain."""
from __future__ import annotations

from flask_wtf import FlaskForm


class CsrfForm(FlaskForm):
    """Only the CSRF token: for buttons that post no input (rotate, withdraw, confirm)."""
