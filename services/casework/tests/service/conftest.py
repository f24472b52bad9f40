"""Casework in process: the app on a fresh database, no broker; events come by `deliver`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from casework.config import Settings
from casework.main import create_app
from nwd_shared.testing import DATABASES, NO_BROKER, FakeClock, service_client


@pytest.fixture(scope="module", params=DATABASES)
async def casework(request, tmp_path_factory):
    """One casework app per test module and database; its clock reads Thursday 2 July 2026, 12:00."""
    # The monitor's interval is a day, so it runs only when a test runs it.
    async with service_client(create_app, Settings, request.param, NO_BROKER,
                              tmp_path_factory.mktemp("casework-in-process"),
                              clock=FakeClock(datetime(2026, 7, 2, 11, tzinfo=UTC)),
                              deadline_monitor_interval_seconds=86400) as client:
        yield client
