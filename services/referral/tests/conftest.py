"""Referral test fixtures: the app against the session broker and a fresh database, and a driver."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from nwd_shared.runtime import run_job_once
from nwd_shared.testing import (  # noqa: F401 - the event factories are imported from here by tests
    FakeClock,
    bearer,
    contact_received,
    eventually,
    new_reference,
    publish,
    service_client,
    triage_completed,
)
from referral import chasing
from referral.config import Settings
from referral.main import create_app

# Waits on the broker: generous, since a loaded machine can take many seconds per hop.
BROKER_WAIT = 60.0
# Quick webhook retries so a test sees the second attempt within a second; the test endpoints
# listen over http on 127.0.0.1, admitted as a partner's private network would be.
FAST_WEBHOOKS = dict(webhook_poll_seconds=0.1, webhook_retry_base_seconds=0.3, webhook_allow_http=True,
                     webhook_allowed_networks=["127.0.0.0/8"])


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
async def referral(request, broker, tmp_path_factory):
    """One running referral app per test module and database (its consumer group joins once)."""
    async with service_client(create_app, Settings, request.param, broker.bootstrap_servers,
                              tmp_path_factory.mktemp("referral"), **FAST_WEBHOOKS) as client:
        yield client


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
async def clocked(request, broker, tmp_path_factory):
    """Referral with an injected clock; the time-out job runs only when a test runs it."""
    async with service_client(create_app, Settings, request.param, broker.bootstrap_servers,
                              tmp_path_factory.mktemp("referral-clock"),
                              clock=FakeClock(datetime(2026, 12, 14, 10, tzinfo=UTC)),
                              timeout_check_seconds=86400) as client:
        yield client


def key_of(organisation_id: str) -> dict[str, str]:
    return bearer(f"demo-{organisation_id}-key")


class Driver:
    """Sends contacts and decisions through the broker and answers referrals over HTTP, as partners do."""

    def __init__(self, client, broker) -> None:
        self.client, self.broker = client, broker
        self.runtime = client.runtime

    async def contact(self, *, received_by: str, concerns: list[dict], responsible: list[str],
                      route: str = "complaint", reference: str | None = None,
                      concern_count: dict[str, int] | None = None, **contact) -> str:
        """Publish a contact and its triage decision, in the usual order; returns the reference.

        The decision carries the concerns' stated areas, as triage finds them, and `concern_count`
        when a test needs triage's count of each body's concerns.
        """
        reference = reference or new_reference()
        received_at = contact.pop("received_at", None) or datetime.now(UTC)
        areas = list(dict.fromkeys(c["area"] for c in concerns if c.get("area")))
        await publish(self.broker.bootstrap_servers,
                      contact_received(reference, received_by=received_by, concerns=concerns,
                                       received_at=received_at, **contact),
                      triage_completed(reference, received_by=received_by, responsible=responsible,
                                       route=route, received_at=received_at, areas=areas,
                                       concern_count=concern_count or {}))
        return reference

    async def events(self, reference: str) -> list[tuple[str, dict]]:
        """The events referral staged for a contact, in order, read from its outbox."""
        outbox = self.runtime.tables.outbox
        async with self.runtime.engine.connect() as connection:
            rows = await connection.execute(select(outbox.c.event_type, outbox.c.payload)
                                            .where(outbox.c.key == reference).order_by(outbox.c.id))
            return [(kind, json.loads(payload)) for kind, payload in rows]

    async def types(self, reference: str) -> list[str]:
        return [kind for kind, _ in await self.events(reference)]

    async def wait_for(self, reference: str, event_type: str, count: int = 1) -> list[dict]:
        """Wait until referral has staged `count` events of a type for a contact; their data."""
        async def staged():
            found = [data for kind, data in await self.events(reference) if kind == event_type]
            return found if len(found) >= count else None

        return await eventually(staged, timeout=BROKER_WAIT)

    async def pending(self, reference: str, organisation: str) -> dict:
        """The one pending referral of a contact addressed to an organisation."""
        async def found():
            items = (await self.client.get("/v1/referrals", params={"status": "pending"},
                                           headers=key_of(organisation))).json()["items"]
            mine = [r for r in items if r["reference"] == reference]
            return mine[0] if mine else None

        return await eventually(found, timeout=BROKER_WAIT)

    async def answer(self, referral: dict, action: str, body: dict | None = None, *, by: str | None = None):
        return await self.client.post(f"/v1/referrals/{referral['id']}/{action}", json=body,
                                      headers=key_of(by or referral["to_organisation"]))

    async def chase(self) -> int:
        """One run of the reminder and time-out job, as the periodic task would run it."""
        return await run_job_once(chasing.periodic(self.runtime.settings), self.runtime)


@pytest.fixture
def driver(referral, broker) -> Driver:
    return Driver(referral, broker)


@pytest.fixture
def clocked_driver(clocked, broker) -> Driver:
    return Driver(clocked, broker)
