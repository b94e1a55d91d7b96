"""Response headers every page gets (no framing, no MIME sniffing, a referrer policy) and the
rule that keeps pages of logged-in visitors, or pages that set the session cookie, out of shared
caches."""
from __future__ import annotations

from flask import Flask, Response, abort, current_app, g, request, session
from werkzeug.datastructures import ImmutableMultiDict

from planner.forms import CONTROL_CHARACTERS, CONTROL_CHARACTERS_IN_URL, control_characters_message

# Everything a page loads comes from this site; scripts only from files in static/ (no inline
# script or event handler), so an injected <script> or onclick would not run. Style attributes
# stay allowed: the timeline places its bars with them, and CSS cannot run code. Nothing here is
# ever framed (clickjacking the publish, withdraw or confirm buttons), and forms only ever post
# to this site.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
                           "img-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
                           "object-src 'none'")
# Two years, as the HSTS preload list asks; sent only when SITE_URL says https.
STRICT_TRANSPORT_SECURITY = "max-age=63072000"


def register_security_headers(app: Flask) -> None:
    app.after_request(security_headers)


def register_input_hygiene(app: Flask) -> None:
    app.before_request(refuse_control_characters)


def refuse_control_characters() -> None:
    """One check for every view: control characters in an address or a posted form never reach the
    database. An address holding one names nothing (404); a posted form holding one is refused
    (400) with a message saying what to fix; a query parameter holding one is ignored, as if it
    had not been given."""
    if CONTROL_CHARACTERS_IN_URL.search(request.path):
        abort(404)
    if any(CONTROL_CHARACTERS_IN_URL.search(key + value) for key, value in request.args.items(multi=True)):
        # request.args is computed once per request; replacing it is how every reader (search
        # filters, `next=` targets, back-office lists) sees the parameters without them.
        request.args = ImmutableMultiDict(
            [(key, value) for key, value in request.args.items(multi=True)
             if not CONTROL_CHARACTERS_IN_URL.search(key + value)])
    if request.method in ("POST", "PUT", "PATCH") and any(
            CONTROL_CHARACTERS.search(k) or CONTROL_CHARACTERS.search(v) for k, v in request.form.items(multi=True)):
        abort(400, description=control_characters_message())


def _is_personal() -> bool:
    # Flask-Login keeps the user it loaded in g._login_user: when a request never looked at the
    # user, its response cannot show it, and asking now would load the user just for this check.
    user = g.get("_login_user")
    return bool(user is not None and user.is_authenticated) or session.modified


def security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if current_app.config["SITE_URL"].startswith("https://"):
        headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    if response.mimetype == "text/html":
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    # A page with a user's name, menu or CSRF token, or one that sets the session cookie, must
    # never be stored by a proxy and handed to someone else. Views that chose their own caching
    # (feeds, token pages) keep it.
    if "Cache-Control" not in headers and request.endpoint != "static" \
            and not g.get("same_for_everyone") and _is_personal():
        headers["Cache-Control"] = "private, no-store"
    return response
