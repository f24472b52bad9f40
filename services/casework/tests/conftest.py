"""Casework test fixtures: the app against the session broker and a fresh database."""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from casework.config import Settings
from casework.deadlines import deadline_monitor
from casework.main import create_app
from nwd_shared import db
from nwd_shared.calendar import ENGLAND
from nwd_shared.runtime import run_job_once
from nwd_shared.testing import (
    FakeClock,
    bearer,
    eventually,
    ownership_agreed,
    publish,
    service_client,
)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
async def casework(request, broker, tmp_path_factory):
    """One running casework app per test module and database (its consumer group joins once)."""
    async with service_client(create_app, Settings, request.param, broker.bootstrap_servers,
                              tmp_path_factory.mktemp("casework")) as client:
        yield client


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
async def clocked(request, broker, tmp_path_factory):
    """Casework with an injected clock, shared by the session's tests; each sets the clock first."""
    # The monitor's interval is a day, so it runs only when a test runs it.
    async with service_client(create_app, Settings, request.param, broker.bootstrap_servers,
                              tmp_path_factory.mktemp("casework-clock"),
                              clock=FakeClock(datetime(2026, 7, 1, 9, tzinfo=UTC)),
                              deadline_monitor_interval_seconds=86400) as client:
        yield client


def key_of(organisation_id: str) -> dict[str, str]:
    return bearer(f"demo-{organisation_id}-key")


class CaseDriver:
    """Opens cases through the broker and acts on them over HTTP, as an owner would."""

    def __init__(self, client, broker) -> None:
        self.client, self.broker = client, broker
        self.clock: FakeClock = client.clock
        self.runtime = client.runtime

    async def open(self, received_on: date, *, owner: str = "wsx-council", contributors: tuple = (),
                   route: str = "complaint") -> dict:
        """Publish agreed ownership and wait for the case; the owner received it at 10:00 that day."""
        reference = f"NWD-{uuid.uuid4().hex[:8].upper()}"
        received_at = datetime.combine(received_on, time(10), tzinfo=ENGLAND).astimezone(UTC)
        await publish(self.broker.bootstrap_servers, ownership_agreed(
            reference, owner=owner, contributors=contributors, received_at=received_at, route=route))

        async def found():
            items = (await self.client.get("/v1/cases", params={"reference": reference},
                                           headers=key_of(owner))).json()["items"]
            return items[0] if items else None

        return await eventually(found)

    async def act(self, case: dict, action: str, body: dict | None = None, *, by: str | None = None):
        return await self.client.post(f"/v1/cases/{case['id']}/{action}", json=body or {},
                                      headers=key_of(by or case["owner"]))

    async def get(self, case: dict, path: str = "", *, by: str | None = None, **headers):
        return await self.client.get(f"/v1/cases/{case['id']}{path}",
                                     headers={**key_of(by or case["owner"]), **headers})

    async def events(self, reference: str) -> list[tuple[str, dict]]:
        """The events casework staged for a contact, in order, read from its outbox."""
        outbox = self.runtime.tables.outbox
        async with self.runtime.engine.connect() as connection:
            rows = await connection.execute(select(outbox.c.event_type, outbox.c.payload)
                                            .where(outbox.c.key == reference).order_by(outbox.c.id))
            return [(kind, json.loads(payload)) for kind, payload in rows]

    async def monitor(self, runtime=None) -> int:
        """One run of the deadline monitor, as the periodic task would run it."""
        return await run_job_once(deadline_monitor(60), runtime or self.runtime)

    def replica(self):
        """A second replica's view of the same database: its own engine and connections."""
        # On SQLite a service is one process with one connection by design, so the replica shares it.
        if self.client.database == "sqlite":
            return self.runtime, None
        engine = db.create_engine(self.runtime.settings.database_url)
        return dataclasses.replace(self.runtime, engine=engine, sessions=db.session_factory(engine)), engine


@pytest.fixture
def driver(clocked, broker) -> CaseDriver:
    return CaseDriver(clocked, broker)
