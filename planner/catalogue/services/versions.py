"""The catalogue's version: a token that changes whenever a public catalogue page could, so
rendered pages can be reused while it stays the same."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam
from sqlalchemy import text as sql_text

from planner.db import UTCDateTime, utcnow
from planner.extensions import db

__all__ = ["catalogue_version"]


# Plain SQL, prepared once: this runs on every public page view, before any cache lookup.
_VERSION_SQL = sql_text(
    "SELECT (SELECT count(*) FROM exhibitions), (SELECT max(updated_at) FROM exhibitions),"
    " (SELECT count(*) FROM exhibition_sectors),"
    " (SELECT count(*) FROM offers), (SELECT max(updated_at) FROM offers),"
    " (SELECT max(updated_at) FROM programmes),"
    " (SELECT min(opens_at) FROM offers WHERE opens_at > :now),"
    " (SELECT min(closes_at) FROM offers WHERE closes_at > :now)"
).bindparams(bindparam("now", type_=UTCDateTime()))


def catalogue_version(*, now: dt.datetime | None = None) -> str:
    """A token that changes whenever a public catalogue page could change: an exhibition,
    offer or programme added, removed or edited, the day turning, or an application window
    opening or closing (the next such moment is part of the token, so passing it changes it).

    One indexed query; pages rendered for a token can be reused while it stays the same.
    """
    now = now or utcnow()
    row = db.session.execute(_VERSION_SQL, {"now": now}).one()
    return "|".join(str(value) for value in (now.date(), *row))
