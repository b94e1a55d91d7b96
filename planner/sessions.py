"""The session cookie, and the views whose responses do not depend on it.

Flask adds `Vary: Cookie` to any response whose request looked at the session, and Flask-Login
looks at it on every request. Shared caches then keep a public calendar feed apart for every
visitor's cookie, or not at all. Views whose bytes are the same for everyone say so with
`@same_for_everyone`, and their responses vary by what really changes them only.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import Flask, Response, g
from flask.sessions import SecureCookieSessionInterface, SessionMixin

F = TypeVar("F", bound=Callable[..., object])


def same_for_everyone(view: F) -> F:
    """Mark a view whose response never depends on the session or the logged-in user."""
    @wraps(view)
    def wrapper(*args: object, **kwargs: object) -> object:
        g.same_for_everyone = True
        return view(*args, **kwargs)
    return wrapper  # type: ignore[return-value]


class SessionInterface(SecureCookieSessionInterface):
    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if g.get("same_for_everyone") and not session.modified:
            # Never set or clear a cookie here, and do not vary on one.
            return
        super().save_session(app, session, response)
