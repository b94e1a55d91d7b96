"""Blueprint "notifications": the unsubscribe link of optional mails, which works without
logging in. GET shows a button (link scanners in mail systems open every link); POST, from
that button or a mail program's one-click List-Unsubscribe-Post, turns the category off."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from planner.extensions import csrf
from planner.forms import CsrfForm
from planner.i18n import _
from planner.notifications import preferences

bp = Blueprint("notifications", __name__)


@bp.route("/mail/unsubscribe/<token>", methods=["GET"])
def unsubscribe(token: str) -> ResponseReturnValue:
    email, category = preferences.read_unsubscribe_token(token)
    done = category in preferences.categories_off(email)
    return render_template("notifications/unsubscribe.html", email=email, done=done, token=token,
                           what=_(preferences.OPTIONAL_CATEGORIES[category]), form=CsrfForm())


# Mail programs post here without our CSRF token (RFC 8058); the signed token is the authority,
# and all it can do is turn one kind of optional mail off for one address.
@bp.route("/mail/unsubscribe/<token>", methods=["POST"])
@csrf.exempt
def unsubscribe_post(token: str) -> ResponseReturnValue:
    email, category = preferences.unsubscribe(token)
    return render_template("notifications/unsubscribe.html", email=email, done=True, token=token,
                           what=_(preferences.OPTIONAL_CATEGORIES[category]), form=CsrfForm())
