"""A database outage, however the driver reports it, is told from a failure of the work itself."""

from __future__ import annotations

import httpx
import pytest
from asyncpg.exceptions import CannotConnectNowError, ConnectionDoesNotExistError
from fastapi import FastAPI
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from nwd_shared.http import PROBLEM_JSON, install_problem_handlers
from nwd_shared.messaging.consumer import HandlerTimedOut
from nwd_shared.messaging.failures import DatabaseUnavailable, database_unavailable

REFUSED = ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)")
# What asyncio raises when every address of a host name refuses.
EVERY_ADDRESS_REFUSED = OSError("Multiple exceptions: [Errno 111] Connect call failed, [Errno 99] Cannot assign")


def wrapped(cause: BaseException) -> DBAPIError:
    """A driver error as SQLAlchemy wraps it: the generic DBAPIError, raised from the driver's."""
    error = DBAPIError("SELECT 1", {}, Exception("driver"))
    error.__cause__ = cause
    error.orig.__cause__ = cause
    return error


OUTAGES = [
    REFUSED, EVERY_ADDRESS_REFUSED, TimeoutError("connect timed out"),
    CannotConnectNowError("the database system is starting up"), ConnectionDoesNotExistError("closed"),
    OperationalError("SELECT 1", {}, Exception("database is locked")), wrapped(CannotConnectNowError("restarting")),
    DatabaseUnavailable("relay"),
]
NOT_OUTAGES = [
    RuntimeError("handler bug"), ValueError("bad data"), FileNotFoundError("letter template"),
    IntegrityError("INSERT", {}, Exception("duplicate key")), HandlerTimedOut("hung"),
]


@pytest.mark.parametrize("error", OUTAGES, ids=lambda e: type(e).__name__)
def test_connect_errors_raw_or_wrapped_are_database_outages(error):
    assert database_unavailable(error)


@pytest.mark.parametrize("error", NOT_OUTAGES, ids=lambda e: type(e).__name__)
def test_failures_of_the_work_are_not_outages(error):
    assert not database_unavailable(error)


def failing_app(error: BaseException) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/fails")
    async def fails() -> None:
        raise error

    return app


async def answer(error: BaseException) -> httpx.Response:
    transport = httpx.ASGITransport(app=failing_app(error), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get("/fails")


@pytest.mark.parametrize("error", OUTAGES, ids=lambda e: type(e).__name__)
async def test_a_database_outage_answers_503_problem_json_with_retry_after(error):
    response = await answer(error)
    assert response.status_code == 503
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.headers["retry-after"] == "2"
    assert response.json()["detail"] == "The database is unavailable; nothing was stored. Retry shortly."


@pytest.mark.parametrize("error", NOT_OUTAGES, ids=lambda e: type(e).__name__)
async def test_anything_else_is_a_500_that_shows_no_internals(error):
    response = await answer(error)
    assert response.status_code == 500
    assert response.json()["detail"] == "The server could not complete the request."
    assert "retry-after" not in response.headers
