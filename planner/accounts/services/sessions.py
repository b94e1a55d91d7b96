"""Login sessions kept on the server: starting one at login, checking it on every request,
listing a user's sessions and ending one or all of them (logout, "log out everywhere")."""
from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import delete

from planner.accounts.models import LoginSession, User
from planner.db import utcnow
from planner.extensions import db

# Writing last_seen_at on every request would turn each page view into a write; a few minutes
# of precision is plenty for "which of my devices is this".
LAST_SEEN_PRECISION = dt.timedelta(minutes=5)


def start_session(user: User, *, user_agent: str = "", ip: str = "", now: dt.datetime | None = None) -> LoginSession:
    """A new session row; the user's id (session and remember-me cookies) now names it."""
    now = now or utcnow()
    login_session = LoginSession(id=secrets.token_urlsafe(32), user_id=user.id, created_at=now, last_seen_at=now,
                                 user_agent=user_agent[:255], ip=ip[:45])
    db.session.add(login_session)
    db.session.flush()
    user.login_session_id = login_session.id
    return login_session


def open_session(user: User, login_session_id: str) -> LoginSession | None:
    login_session = db.session.get(LoginSession, login_session_id) if login_session_id else None
    return login_session if login_session is not None and login_session.user_id == user.id else None


def touch_session(login_session_id: str, *, ip: str, now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    login_session = db.session.get(LoginSession, login_session_id)
    if login_session is not None and now - login_session.last_seen_at >= LAST_SEEN_PRECISION:
        login_session.last_seen_at, login_session.ip = now, ip[:45]
        db.session.flush()


def list_sessions(user: User) -> list[LoginSession]:
    return list(db.session.scalars(db.select(LoginSession).where(LoginSession.user_id == user.id)
                                   .order_by(LoginSession.last_seen_at.desc(), LoginSession.id)))


def end_session(user: User, login_session_id: str) -> bool:
    """End one of the user's sessions (never another user's); False if there was none."""
    result = db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id,
                                                           LoginSession.id == login_session_id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def end_all_sessions(user: User) -> int:
    result = db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    return int(result.rowcount)  # type: ignore[attr-defined]
