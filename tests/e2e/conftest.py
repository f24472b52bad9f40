"""One embedded stack for every end-to-end test: all five services as processes, as `make run` does."""

from __future__ import annotations

import pytest

from nwd_shared.devstack.processes import free_port
from nwd_shared.devstack.stack import SERVICES, Stack
from nwd_shared.testing import private_broker


@pytest.fixture(scope="session")
async def broker(tmp_path_factory):
    """The end-to-end tests' own broker: the stack's consumer groups read only their traffic."""
    async with private_broker(tmp_path_factory) as running:
        yield running


@pytest.fixture(scope="session")
def stack(broker, tmp_path_factory):
    """The services on free ports over the session's broker; their logs stay in `data_dir`."""
    running = Stack(data_dir=tmp_path_factory.mktemp("stack"), bootstrap_servers=broker.bootstrap_servers,
                    ports={service: free_port() for service in SERVICES})
    running.start()
    try:
        running.wait_ready(timeout=90)
        yield running
    finally:
        crashed = running.crashed()
        running.stop()
    assert crashed == [], f"services exited on their own: {crashed}"
