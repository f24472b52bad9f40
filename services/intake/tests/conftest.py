"""Intake test fixtures: the app against the session broker and a fresh database."""

from __future__ import annotations

import pytest

from intake.config import Settings
from intake.main import create_app
from nwd_shared.testing import service_client


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
async def intake(request, broker, tmp_path_factory):
    """One running intake app per test module and database (its consumer group joins once)."""
    async with service_client(create_app, Settings, request.param, broker.bootstrap_servers,
                              tmp_path_factory.mktemp("intake")) as client:
        yield client
