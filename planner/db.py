"""Model base class, UTC-aware timestamps and the SQLite foreign-key pragma."""
from __future__ import annotations

import datetime as dt
from typing import Any

from enum import StrEnum

from sqlalchemy import DateTime, Enum, MetaData, event
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# Named constraints keep Alembic's batch mode (SQLite) and downgrades deterministic.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Stores aware datetimes as naive UTC and returns them aware; refuses naive input."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime) or value.tzinfo is None:
            raise ValueError(f"UTCDateTime needs an aware datetime, got {value!r}")
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # raw SQL on SQLite may hand back text
            value = dt.datetime.fromisoformat(value)
        return value.replace(tzinfo=dt.timezone.utc)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    # SQLite ignores foreign keys unless each connection asks for them.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


def str_enum(cls: type[StrEnum], length: int = 20) -> Enum:
    """A StrEnum stored as its lowercase value in a VARCHAR, the same on SQLite and PostgreSQL."""
    return Enum(cls, native_enum=False, length=length, validate_strings=True,
                values_callable=lambda members: [m.value for m in members])
