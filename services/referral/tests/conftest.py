"""Referral test fixtures: the app against the session broker and a fresh database, and a driver."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from nwd_shared import events as ev
from nwd_shared.runtime import run_job_once
from nwd_shared.testing import (
    FakeClock,
    bearer,
    eventually,
    fresh_database,
    publish,
    running_app,
    service_client,
)
from referral import jobs
from referral.config import Settings
from referral.main import create_app

# Waits on the broker: generous, since a loaded machine can take many seconds per hop.
BROKER_WAIT = 60.0
# Quick webhook retries so a test sees the second attempt within a second.
FAST_WEBHOOKS = dict(webhook_poll_seconds=0.1, webhook_retry_base_seconds=0.3)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
async def referral(request, broker, tmp_path_factory):
    """One running referral app per test module and database (its consumer group joins once)."""
    async with service_client(create_app, Settings, request.param, broker.bootstrap_servers,
                              tmp_path_factory.mktemp("referral"), **FAST_WEBHOOKS) as client:
        yield client




@pytest.fixture(scope="module", params=["sqlite", "postgres"])
async def clocked(request, broker, tmp_path_factory):
    """Referral with an injected clock; the time-out job runs only when a test runs it."""
    clock = FakeClock(datetime(2026, 12, 14, 10, tzinfo=UTC))
    async with fresh_database(request.param, tmp_path_factory.mktemp("referral-clock")) as url:
        settings = Settings(database_url=url, kafka_bootstrap_servers=broker.bootstrap_servers,
                            kafka_group_prefix=f"test-{uuid.uuid4().hex[:8]}-", timeout_check_seconds=86400)
        app = create_app(settings, clock=clock)
        async with running_app(app) as client:
            client.runtime, client.clock = app.state.runtime, clock
            yield client


def key_of(organisation_id: str) -> dict[str, str]:
    return bearer(f"demo-{organisation_id}-key")


def new_reference() -> str:
    return f"NWD-{uuid.uuid4().hex[:8].upper()}"


def contact_received(reference: str, *, received_by: str, concerns: list[dict], consent: bool = False,
                     wants_advocacy: bool = False, name: str = "Ann Example", email: str = "ann@example.org",
                     phone: str = "01234 567890",
                     description: str = "Home care visits for my mother were missed for a week.",
                     received_at: datetime | None = None) -> ev.ContactReceived:
    return ev.ContactReceived(
        source="/nwd/intake", subject=reference,
        data=ev.ContactReceivedData(
            reference=reference, received_by=received_by, received_at=received_at or datetime.now(UTC),
            kind="complaint", channel="email",
            complainant=ev.Complainant(name=name, email=email, phone=phone, relationship="self"),
            concerns=[ev.Concern(**c) for c in concerns], description=description,
            desired_outcome="Visits happen as planned.", consent_to_share=consent,
            wants_advocacy=wants_advocacy))


def triage_completed(reference: str, *, received_by: str, responsible: list[str], route: str = "complaint",
                     received_at: datetime | None = None) -> ev.TriageCompleted:
    return ev.TriageCompleted(
        source="/nwd/triage", subject=reference,
        data=ev.TriageDecisionData(reference=reference, received_by=received_by,
                                   received_at=received_at or datetime.now(UTC), kind="complaint", route=route,
                                   responsible_organisations=responsible, reasons=["test"]))


class Driver:
    """Sends contacts and decisions through the broker and answers referrals over HTTP, as partners do."""

    def __init__(self, client, broker) -> None:
        self.client, self.broker = client, broker
        self.runtime = client.runtime

    async def contact(self, *, received_by: str, concerns: list[dict], responsible: list[str],
                      route: str = "complaint", reference: str | None = None, **contact) -> str:
        """Publish a contact and its triage decision, in the usual order; returns the reference."""
        reference = reference or new_reference()
        received_at = contact.pop("received_at", None) or datetime.now(UTC)
        await publish(self.broker.bootstrap_servers,
                      contact_received(reference, received_by=received_by, concerns=concerns,
                                       received_at=received_at, **contact),
                      triage_completed(reference, received_by=received_by, responsible=responsible,
                                       route=route, received_at=received_at))
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
        return await run_job_once(jobs.periodic(self.runtime.settings), self.runtime)


@pytest.fixture
def driver(referral, broker) -> Driver:
    return Driver(referral, broker)


@pytest.fixture
def clocked_driver(clocked, broker) -> Driver:
    return Driver(clocked, broker)
