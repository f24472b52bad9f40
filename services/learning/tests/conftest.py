"""Learning test fixtures: the app against the session broker and a fresh database, with a
directory of its own (the demo organisations plus a trust, a council and a Healthwatch whose ids
no other app has seen: every app reads the topics from the start, other tests' events included)."""

from __future__ import annotations

import uuid

import pytest
import yaml

from learning.config import Settings
from learning.main import create_app
from nwd_shared.settings import DEMO_ORGANISATIONS_FILE
from nwd_shared.testing import private_broker, service_client


def write_directory(path, suffix: str) -> dict[str, dict]:
    """The demo directory plus test organisations in an area of their own; returns them by role."""
    demo = yaml.safe_load(DEMO_ORGANISATIONS_FILE.read_text())
    area = f"area-{suffix}"
    own = {
        "trust": {"id": f"trust-{suffix}", "name": "=HYPERLINK(\"http://x\") Test Trust", "kind": "nhs_trust",
                  "responsible_for": ["health"], "areas": [area], "api_key": f"trust-{suffix}-key"},
        "council": {"id": f"council-{suffix}", "name": "Test Council", "kind": "council",
                    "responsible_for": ["social_care"], "areas": [area], "api_key": f"council-{suffix}-key"},
        "healthwatch": {"id": f"healthwatch-{suffix}", "name": "Test Healthwatch", "kind": "healthwatch",
                        "areas": [area], "api_key": f"healthwatch-{suffix}-key"},
    }
    path.write_text(yaml.safe_dump({"organisations": demo["organisations"] + list(own.values())}))
    return {"area": area, **own}


@pytest.fixture(scope="module")
async def broker(tmp_path_factory):
    """Each learning module's own broker: its figures count only the events it published."""
    async with private_broker(tmp_path_factory) as running:
        yield running


@pytest.fixture
def test_directory():
    """Writes a directory of the demo organisations and test ones: `test_directory(path)`."""
    return lambda path: write_directory(path, uuid.uuid4().hex[:8])


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
async def learning(request, broker, tmp_path_factory):
    """One running learning app per test module and database (its consumer group joins once)."""
    folder = tmp_path_factory.mktemp("learning")
    orgs = write_directory(folder / "organisations.yaml", uuid.uuid4().hex[:8])
    async with service_client(create_app, Settings, request.param, broker.bootstrap_servers, folder,
                              organisations_file=folder / "organisations.yaml") as client:
        client.orgs = orgs
        yield client
