"""Async SQLAlchemy 2 engines and sessions for SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import DateTime, MetaData, TypeDecorator, event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.pool import AsyncAdaptedQueuePool
from sqlalchemy.sql.base import ExecutableOption

# Constraint names that are stable across databases, so migrations can name what they drop.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every database (SQLite would hand back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; give a time zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def new_metadata() -> MetaData:
    """A MetaData with the project's naming convention, one per service."""
    return MetaData(naming_convention=NAMING_CONVENTION)


def is_sqlite(url: str) -> bool:
    """Whether a database URL names SQLite."""
    return make_url(url).get_backend_name() == "sqlite"


def ensure_sqlite_directory(url: str) -> None:
    """Create the folder of a SQLite file so a fresh clone starts without setup."""
    database = make_url(url).database
    if is_sqlite(url) and database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An engine: one connection for SQLite (a single writer), a pool for PostgreSQL.

    Statement parameters are hidden from errors and logs: they may hold personal data.
    """
    if is_sqlite(url):
        ensure_sqlite_directory(url)
        # One connection per process, and callers queue for it: SQLite has one writer, and a
        # larger pool only adds lock retries (p99 near a second when measured).
        engine = create_async_engine(
            url, echo=echo, poolclass=AsyncAdaptedQueuePool, pool_size=1, max_overflow=0,
            pool_timeout=60, hide_parameters=True,
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(
        url, echo=echo, poolclass=AsyncAdaptedQueuePool, pool_size=10, pool_pre_ping=True,
        hide_parameters=True,
    )


# How long a SQLite writer waits for another's lock before "database is locked" (a 503).
SQLITE_BUSY_TIMEOUT_MS = 5000


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that never expire on commit, since handlers read results after the edge commits."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True)


async def ping(engine: AsyncEngine) -> None:
    """Raise unless the database answers (and, on SQLite, would take a write)."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
        if connection.dialect.name == "sqlite":
            # SELECT 1 reads no page, so it answers while another process holds the write lock
            # and every write would fail: take the lock for a moment, giving up quickly.
            await connection.exec_driver_sql("PRAGMA busy_timeout=500")
            try:
                await connection.exec_driver_sql("BEGIN IMMEDIATE")
                await connection.exec_driver_sql("ROLLBACK")
            finally:
                await connection.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")


async def load_rows(session: AsyncSession, key: InstrumentedAttribute, values: Iterable[object],
                    *options: ExecutableOption) -> list:
    """Rows of `key`'s model whose key is among `values`, in one query (identity-map warm-up)."""
    wanted = set(values)
    if not wanted:
        return []
    return list((await session.scalars(select(key.class_).where(key.in_(wanted)).options(*options))).all())
