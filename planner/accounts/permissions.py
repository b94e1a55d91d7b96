"""Access checks for views: role_required (staff roles) and company_required (a company member is signed in)."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import abort, url_for
from flask_login import current_user

from planner.accounts.models import Role, User
from planner.extensions import login_manager

F = TypeVar("F", bound=Callable[..., object])


def home_url(user: User) -> str:
    """Where a user lands after signing in when no `next` says otherwise: coordinators work in
    the back office; the public home page is for companies."""
    return url_for("backoffice.index") if user.is_staff else url_for("site.index")


def role_required(*roles: Role) -> Callable[[F], F]:
    """Let through logged-in users holding one of `roles` (admins hold every staff role)."""
    allowed = set(roles)
    if Role.coordinator in allowed:
        allowed.add(Role.admin)

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: object, **kwargs: object) -> object:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)
        return wrapped  # type: ignore[return-value]
    return decorator


def company_required(view: F) -> F:
    """Let through logged-in users who belong to a company (applicants)."""
    @wraps(view)
    def wrapped(*args: object, **kwargs: object) -> object:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if current_user.company_id is None:
            abort(403)
        return view(*args, **kwargs)
    return wrapped  # type: ignore[return-value]
