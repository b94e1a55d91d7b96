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

from flask import Flask, Request, Response, g
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin

F = TypeVar("F", bound=Callable[..., object])


# Every view marked `same_for_everyone` is a calendar feed, and every feed ends in ".ics"
# (tests/feeds/test_fast_paths.py checks the two agree). The session opens before the URL is
# routed, so this is how it knows, without routing twice, that the request will never use it.
SESSIONLESS_SUFFIX = ".ics"


def same_for_everyone(view: F) -> F:
    """Mark a view whose response never depends on the session or the logged-in user."""
    @wraps(view)
    def wrapper(*args: object, **kwargs: object) -> object:
        g.same_for_everyone = True
        return view(*args, **kwargs)
    wrapper.same_for_everyone = True  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


class DetachedSession(SecureCookieSession):
    """The session of a request that never reads the cookie: empty, and never saved (whatever
    a library writes into it, the browser's real session cookie stays as it is)."""


class SessionInterface(SecureCookieSessionInterface):
    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        # Calendar clients poll feeds all day: their requests need no cookie verified and decoded.
        if request.path.endswith(SESSIONLESS_SUFFIX):
            return DetachedSession()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if isinstance(session, DetachedSession) or (g.get("same_for_everyone") and not session.modified):
            # Never set or clear a cookie here, and do not vary on one.
            return
        super().save_session(app, session, response)
