"""One stack for every end-to-end test: the five services as processes, as `make run` does, or a
running deployment (the compose stack) named by NWD_E2E_BASE_URLS and NWD_E2E_BOOTSTRAP_SERVERS."""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from nwd_shared.devstack.processes import free_port
from nwd_shared.devstack.stack import SERVICES, Stack
from nwd_shared.testing import private_broker

# For example "intake=http://127.0.0.1:8001,triage=http://127.0.0.1:8002,..." (deploy/compose-e2e.sh).
BASE_URLS = os.environ.get("NWD_E2E_BASE_URLS", "")


@dataclass
class Deployed:
    """Services someone else runs: their URLs, and no processes or log files of ours."""

    urls: dict[str, str]
    data_dir = None

    @property
    def ports(self) -> dict[str, int]:
        return {service: urlsplit(url).port for service, url in self.urls.items()}

    def url(self, service: str) -> str:
        return self.urls[service]

    def crashed(self) -> list[str]:
        return []


@dataclass
class DeployedBroker:
    bootstrap_servers: str


def deployed() -> Deployed | None:
    """The deployment under test, if NWD_E2E_BASE_URLS names one for every service."""
    if not BASE_URLS:
        return None
    urls = dict(pair.split("=", 1) for pair in BASE_URLS.split(","))
    missing = set(SERVICES) - set(urls)
    if missing:
        raise pytest.UsageError(f"NWD_E2E_BASE_URLS lacks {sorted(missing)}")
    return Deployed(urls)


def needs_own_processes(stack) -> None:
    """Skip a test that reads our own processes' log files when the stack is someone else's."""
    if isinstance(stack, Deployed):
        pytest.skip("the deployment's logs are in its containers, not files this test can read")


@pytest.fixture(scope="package")
async def broker(tmp_path_factory):
    """The end-to-end tests' own broker (the stack's consumer groups read only their traffic),
    or the deployment's, reached at NWD_E2E_BOOTSTRAP_SERVERS."""
    if deployed():
        yield DeployedBroker(os.environ.get("NWD_E2E_BOOTSTRAP_SERVERS", "127.0.0.1:9094"))
        return
    async with private_broker(tmp_path_factory) as running:
        yield running


@pytest.fixture(scope="package")
def stack(broker, tmp_path_factory):
    """The services on free ports over the session's broker; their logs stay in `data_dir`."""
    remote = deployed()
    if remote:
        yield remote
        return
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
