"""Absolute links for mails and feeds."""
from __future__ import annotations

from flask import current_app


def absolute_url(endpoint: str, **values: object) -> str:
    """A link for a mail or feed, always on SITE_URL: never built from the request's Host
    header, which a client controls, and also available in commands and timers."""
    adapter = current_app.url_map.bind("localhost", url_scheme="https")
    return str(current_app.config["SITE_URL"]).rstrip("/") + adapter.build(endpoint, values)
