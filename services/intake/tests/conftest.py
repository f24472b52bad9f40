"""Intake test fixtures: the app against the session broker and a fresh database."""

from __future__ import annotations

import pytest

from intake.config import Settings
from intake.main import create_app
from nwd_shared.testing import fresh_database, running_app


def intake_settings(database_url: str, bootstrap: str) -> Settings:
    return Settings(database_url=database_url, kafka_bootstrap_servers=bootstrap)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
async def intake(request, broker, tmp_path_factory):
    """One running intake app per module and database (its consumer group joins once)."""
    async with fresh_database(request.param, tmp_path_factory.mktemp("intake")) as url:
        app = create_app(intake_settings(url, broker.bootstrap_servers))
        async with running_app(app) as client:
            client.runtime = app.state.runtime
            yield client
