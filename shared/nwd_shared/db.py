"""Async SQLAlchemy 2 engines and sessions for SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import DateTime, MetaData, TypeDecorator, event, select, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import InstrumentedAttribute, Session
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



# Per session and model: the leading primary-key values a prefetch asked for, and every row it
# found or a handler added since, by primary key; a lookup inside those needs no query (nor autoflush).
PREFETCHED = "nwd.prefetched"


@dataclass
class _Known:
    leading: set = field(default_factory=set)
    rows: dict = field(default_factory=dict)


async def load_rows(session: AsyncSession, key: InstrumentedAttribute, values: Iterable[object],
                    *options: ExecutableOption) -> list:
    """Rows of `key`'s model whose `key` is among `values`, in one query; later get_row calls for
    those values (when `key` leads the primary key) then need none."""
    wanted = set(values)
    if not wanted:
        return []
    model = key.class_
    rows = list((await session.scalars(select(model).where(key.in_(wanted)).options(*options))).all())
    if _primary_key(model)[0] == key.key:
        known = session.info.setdefault(PREFETCHED, {}).setdefault(model, _Known())
        known.leading |= wanted
        known.rows.update((_identity(row), row) for row in rows)
    return rows


async def get_row(session: AsyncSession, model: type, key: object):
    """session.get, except that a key a prefetch already covered costs no query."""
    identity = key if isinstance(key, tuple) else (key,)
    known = session.info.get(PREFETCHED, {}).get(model)
    if known is not None and identity[0] in known.leading:
        return known.rows.get(identity)
    return await session.get(model, key)


def _primary_key(model: type) -> list[str]:
    return [column.key for column in sa_inspect(model).primary_key]


def _identity(row: object) -> tuple:
    return tuple(getattr(row, name) for name in _primary_key(type(row)))


@event.listens_for(Session, "transient_to_pending")
def _added(session: Session, instance: object) -> None:
    """A row added after a prefetch is what later lookups of its key must find."""
    known = session.info.get(PREFETCHED, {}).get(type(instance))
    if known is not None:
        identity = _identity(instance)
        if None in identity:
            # Its key is set later (a default): stop answering for this model rather than guess.
            del session.info[PREFETCHED][type(instance)]
        else:
            known.rows[identity] = instance


@event.listens_for(Session, "persistent_to_deleted")
def _deleted(session: Session, instance: object) -> None:
    known = session.info.get(PREFETCHED, {}).get(type(instance))
    if known is not None:
        known.rows.pop(_identity(instance), None)
