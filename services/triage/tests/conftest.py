"""Triage test fixtures: the app against the session broker and a fresh database."""

from __future__ import annotations

import pytest

from nwd_shared.testing import service_client
from triage.config import Settings
from triage.main import create_app


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
async def triage(request, broker, tmp_path_factory):
    """One running triage app per test module and database (its consumer group joins once).

    The rules alone: these tests pin routing, overrides and the queue; the model's part is tested in
    tests/service with the runtime's own model and with a stand-in whose answers are fixed.
    """
    async with service_client(create_app, Settings, request.param, broker.bootstrap_servers,
                              tmp_path_factory.mktemp("triage"), triage_model_enabled=False) as client:
        yield client
