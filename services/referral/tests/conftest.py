"""Referral test fixtures: the app against the session broker and a fresh database."""

from __future__ import annotations

import pytest

from nwd_shared.testing import service_client
from referral.config import Settings
from referral.main import create_app


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
async def referral(request, broker, tmp_path_factory):
    """One running referral app per test module and database (its consumer group joins once)."""
    async with service_client(create_app, Settings, request.param, broker.bootstrap_servers,
                              tmp_path_factory.mktemp("referral")) as client:
        yield client
