"""Telling an outage of the database from a failure of the work: the first is waited out, never blamed on it."""

from __future__ import annotations

from collections.abc import Iterator

from asyncpg.exceptions import (
    ConnectionDoesNotExistError,
    OperatorInterventionError,
    PostgresConnectionError,
    TooManyConnectionsError,
)
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError


class DatabaseUnavailable(Exception):
    """The database could not be reached; raised where the cause must not be taken for the broker's."""


# What a database that is down, restarting, full or unreachable raises, wrapped by SQLAlchemy or not:
# asyncpg's connect raises its own errors and the socket's (ConnectionRefusedError, or a bare
# OSError "Multiple exceptions" when every address of a host name refuses) without wrapping them.
DATABASE_OUTAGES: tuple[type[BaseException], ...] = (
    DatabaseUnavailable, OperationalError, InterfaceError, PoolTimeoutError, OSError,
    PostgresConnectionError, ConnectionDoesNotExistError, OperatorInterventionError, TooManyConnectionsError,
)
# OSErrors of files, not of connections: a bug or a missing file, never an outage to wait out.
_FILE_ERRORS = (FileNotFoundError, FileExistsError, IsADirectoryError, NotADirectoryError)


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception, the driver's error SQLAlchemy wrapped, and what each was raised from."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        orig = getattr(exc, "orig", None)
        exc = orig if isinstance(orig, BaseException) else exc.__cause__


def database_unavailable(exc: BaseException) -> bool:
    """Whether a failure is the database's (down, locked, unreachable) rather than the event's or request's."""
    for cause in _causes(exc):
        if isinstance(cause, DBAPIError) and cause.connection_invalidated:
            return True
        if isinstance(cause, DATABASE_OUTAGES) and not isinstance(cause, _FILE_ERRORS):
            return True
    return False
