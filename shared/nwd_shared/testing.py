"""Pytest fixtures and helpers for the project's tests: a real broker, real databases, and an
in-process harness (`deliver`) that hands events to a service's consumers without a broker."""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from datetime import time as clock_time
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from asgi_lifespan import LifespanManager
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from nwd_shared import events as ev
from nwd_shared.calendar import ENGLAND, Clock
from nwd_shared.devstack import containers
from nwd_shared.devstack.broker import TansuBroker
from nwd_shared.devstack.processes import free_port
from nwd_shared.events import CloudEvent
from nwd_shared.kafka import ensure_topics

POSTGRES_URL = os.environ.get("NWD_TEST_POSTGRES_URL")
DATABASES = ["sqlite", "postgres"]
# A bootstrap address nothing listens on (port 1 is privileged): a service given it runs without a
# broker, its relay and consumers waiting; tests hand it events with `deliver`.
NO_BROKER = "127.0.0.1:1"


@asynccontextmanager
async def private_broker(tmp_path_factory) -> AsyncIterator[TansuBroker]:
    """A Tansu broker with the catalogue's topics, on a free port, stopped afterwards."""
    log = tmp_path_factory.mktemp("broker") / "tansu.log"
    with TansuBroker(port=free_port(), log_file=log) as running:
        await ensure_topics(running.bootstrap_servers)
        yield running


@pytest.fixture(scope="session")
async def broker(request, tmp_path_factory) -> AsyncIterator[TansuBroker]:
    """One Tansu broker for the whole test session (consumer groups take 5 s to join on it);
    Apache Kafka in a container instead under `--kafka=testcontainers` (NWD_TEST_KAFKA)."""
    if containers.kafka_mode(request.config) == "testcontainers":
        async with container_broker() as running:
            yield running
        return
    async with private_broker(tmp_path_factory) as running:
        yield running


@asynccontextmanager
async def container_broker() -> AsyncIterator[containers.KafkaContainerBroker]:
    """Apache Kafka (KRaft) started by testcontainers; skips, saying why, where Docker does not answer."""
    reason = containers.docker_unavailable_reason()
    if reason:
        pytest.skip(f"Apache Kafka by testcontainers: {reason}")
    running = await asyncio.to_thread(containers.KafkaContainerBroker().start)
    try:
        await ensure_topics(running.bootstrap_servers)
        yield running
    finally:
        await asyncio.to_thread(running.stop)


def pytest_addoption(parser):
    parser.addoption("--kafka", choices=["tansu", "testcontainers"], default=None,
                     help="the broker integration and fault tests use (default: NWD_TEST_KAFKA, else tansu);"
                          " testcontainers also starts PostgreSQL for the postgres runs")


def pytest_configure(config):
    """Under testcontainers: PostgreSQL in a container for the postgres runs, idempotent producers."""
    global POSTGRES_URL
    if containers.kafka_mode(config) != "testcontainers":
        return
    os.environ.update(containers.KAFKA_SERVICE_ENV)  # settings (and stacks' processes) read it
    os.environ["NWD_TEST_KAFKA"] = "testcontainers"  # the fault harness's processes and fixtures too
    if containers.docker_unavailable_reason() is None and not POSTGRES_URL:
        database = containers.PostgresContainerDatabase().start()
        config.add_cleanup(database.stop)
        POSTGRES_URL = os.environ["NWD_TEST_POSTGRES_URL"] = database.url


@asynccontextmanager
async def fresh_database(kind: str, directory) -> AsyncIterator[str]:
    """A new, empty database: a SQLite file, or a PostgreSQL database dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{directory}/{uuid.uuid4().hex[:8]}.db"
        return
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL run needs NWD_TEST_POSTGRES_URL (CI sets it)")
    import asyncpg

    admin_url = make_url(POSTGRES_URL)
    name = f"nwd_test_{uuid.uuid4().hex[:12]}"
    dsn = admin_url.set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()


@pytest.fixture(params=DATABASES)
async def database_url(request, tmp_path) -> AsyncIterator[str]:
    """Each test once on SQLite and once on PostgreSQL (when NWD_TEST_POSTGRES_URL is set)."""
    async with fresh_database(request.param, tmp_path) as url:
        yield url


@asynccontextmanager
async def migrated_sessions(migrations_dir, database_url: str) -> AsyncIterator[Any]:
    """A session factory on a database the service's own migrations brought to the latest schema."""
    from nwd_shared import db, migrations

    await asyncio.to_thread(migrations.upgrade, migrations_dir, database_url)
    engine = db.create_engine(database_url)
    try:
        yield db.session_factory(engine)
    finally:
        await engine.dispose()


@asynccontextmanager
async def running_app(app) -> AsyncIterator[httpx.AsyncClient]:
    """A service app with its lifespan running (consumers, relay), and a client for it."""
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


@asynccontextmanager
async def service_client(create_app, settings_type, kind: str, bootstrap: str, directory, *,
                         clock: Clock | None = None, **settings):
    """A running service on a fresh database; the client carries `.runtime`, `.clock`, `.database`.

    Given a `clock` (a FakeClock), the service reads the time from it: a test moves it, and runs
    periodic jobs itself by giving their settings an interval of a day.
    """
    async with fresh_database(kind, directory) as url:
        # A group of its own, so an earlier app's committed offsets and rebalances do not interfere.
        prefix = f"test-{uuid.uuid4().hex[:8]}-"
        app = create_app(settings_type(database_url=url, kafka_bootstrap_servers=bootstrap,
                                       kafka_group_prefix=prefix, **settings),
                         **({"clock": clock} if clock is not None else {}))
        async with running_app(app) as client:
            client.runtime, client.clock, client.database = app.state.runtime, clock, kind
            yield client


def in_process(create_app, settings_type, **settings):
    """A module fixture: the service running without a broker, once per database; feed it with `deliver`.

    `settings` may hold `clock=` (a FakeClock, shared by the module's tests) besides settings fields.
    """

    @pytest.fixture(scope="module", params=DATABASES)
    async def running_service(request, tmp_path_factory):
        folder = tmp_path_factory.mktemp(f"{create_app.__module__.split('.')[0]}-in-process")
        async with service_client(create_app, settings_type, request.param, NO_BROKER, folder,
                                  **settings) as client:
            yield client

    return running_service


async def outbox_drained(client_or_runtime) -> bool:
    """Whether the relay has published everything the service staged (what is read after is all)."""
    runtime = getattr(client_or_runtime, "runtime", client_or_runtime)
    outbox = runtime.tables.outbox
    async with runtime.engine.connect() as connection:
        waiting = await connection.execute(select(func.count()).select_from(outbox)
                                           .where(outbox.c.published_at.is_(None)))
        return waiting.scalar() == 0


def as_record(event: CloudEvent, offset: int = 0) -> ConsumerRecord:
    """The record a relay would publish for an event, as a consumer would receive it."""
    value, key = event.value(), event.key.encode()
    return ConsumerRecord(topic=event.topic, partition=0, offset=offset, timestamp=0, timestamp_type=0,
                          key=key, value=value, checksum=None, serialized_key_size=len(key),
                          serialized_value_size=len(value), headers=event.headers())


async def deliver(client_or_runtime, *events: CloudEvent) -> None:
    """Hand events to a service's consumers in-process, as one poll's batch, without a broker.

    It is the consumers' own `handle`: the same inbox (a duplicate changes nothing), handlers,
    outbox rows and commit as events from the broker get.
    """
    runtime = getattr(client_or_runtime, "runtime", client_or_runtime)
    records = [as_record(event, offset) for offset, event in enumerate(events)]
    for consumer in runtime.consumers:
        await consumer.handle(records)


async def staged(client_or_runtime, reference: str) -> list[tuple[str, dict]]:
    """The events a service staged in its outbox for a contact, in order: (type, data)."""
    runtime = getattr(client_or_runtime, "runtime", client_or_runtime)
    outbox = runtime.tables.outbox
    async with runtime.engine.connect() as connection:
        rows = await connection.execute(select(outbox.c.event_type, outbox.c.payload)
                                        .where(outbox.c.key == reference).order_by(outbox.c.id))
        return [(kind, json.loads(payload)) for kind, payload in rows]


def group_of(client) -> str:
    """The consumer group of a service started by `service_client`."""
    [consumer] = client.runtime.consumers
    return consumer.name


def contact_payload(**overrides: Any) -> dict:
    """A valid POST /v1/contacts body."""
    body = {
        "kind": "complaint",
        "channel": "email",
        "complainant": {"name": "Ann Example", "email": "ann@example.org", "relationship": "self"},
        "concerns": [{"organisation_id": "wsx-council"}],
        "description": "Home care visits for my mother were missed for a week.",
        "desired_outcome": "Visits happen as planned and someone explains what went wrong.",
        "consent_to_share": False,
    }
    body.update(overrides)
    return body


def new_reference() -> str:
    return f"NWD-{uuid.uuid4().hex[:8].upper()}"


def contact_received(reference: str | None = None, *, received_by: str = "wsx-council",
                     concerns: Iterable[dict] = ({"organisation_id": "wsx-council"},), consent: bool = False,
                     wants_advocacy: bool = False, name: str = "Ann Example", email: str = "ann@example.org",
                     phone: str = "01234 567890",
                     description: str = "Home care visits for my mother were missed for a week.",
                     received_at: datetime | None = None, **data: Any) -> ev.ContactReceived:
    """An intake contact.received, as intake publishes it; `data` sets any other field."""
    reference = reference or new_reference()
    return ev.ContactReceived(
        source="/nwd/intake", subject=reference,
        data=ev.ContactReceivedData(
            reference=reference, received_by=received_by, received_at=received_at or datetime.now(UTC),
            kind="complaint", channel="email",
            complainant=ev.Complainant(name=name, email=email, phone=phone, relationship="self"),
            concerns=[ev.Concern(**c) for c in concerns], description=description,
            desired_outcome="Visits happen as planned.", consent_to_share=consent,
            wants_advocacy=wants_advocacy, **data))


def triage_completed(reference: str, *, received_by: str = "wsx-council",
                     responsible: Iterable[str] = ("wsx-council",), route: str = "complaint",
                     received_at: datetime | None = None, **data: Any) -> ev.TriageCompleted:
    """A triage.completed, as triage publishes it; `data` sets any other field."""
    return ev.TriageCompleted(
        source="/nwd/triage", subject=reference,
        data=ev.TriageDecisionData(reference=reference, received_by=received_by,
                                   received_at=received_at or datetime.now(UTC), kind="complaint", route=route,
                                   responsible_organisations=list(responsible), reasons=["test"], **data))


def ownership_agreed(reference: str, *, owner: str = "wsx-council", contributors: Iterable[str] = (),
                     received_by: str | None = None, received_at: datetime | None = None,
                     route: str = "complaint", **data: Any) -> ev.OwnershipAgreed:
    """A referral ownership.agreed, as referral publishes it; `data` sets any other field."""
    return ev.OwnershipAgreed(
        source="/nwd/referral", subject=reference,
        data=ev.OwnershipAgreedData(reference=reference, owner=owner, contributors=list(contributors),
                                    received_by=received_by or owner,
                                    owner_received_at=received_at or datetime.now(UTC),
                                    kind="complaint", route=route, **data))


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def publish(bootstrap: str, *events: CloudEvent) -> list:
    """Publish events exactly as a service's relay would; returns their record metadata."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        return [
            await producer.send_and_wait(e.topic, e.value(), key=e.key.encode(), headers=e.headers())
            for e in events
        ]
    finally:
        await producer.stop()


async def wait_for_record(
    bootstrap: str, topic: str, match: Callable[[ConsumerRecord], bool], timeout: float = 20.0
) -> ConsumerRecord:
    """The first record on a topic that matches, reading every partition from the start, no group."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                                auto_offset_reset="earliest", fetch_max_wait_ms=50)
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        if not partitions:
            await consumer._client.force_metadata_update()  # topic created by ensure_topics
            partitions = consumer.partitions_for_topic(topic) or {0}
        consumer.assign([TopicPartition(topic, p) for p in partitions])
        await consumer.seek_to_beginning()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for records in batch.values():
                for record in records:
                    if match(record):
                        return record
        raise AssertionError(f"no matching record on {topic} within {timeout}s")
    finally:
        await consumer.stop()


async def wait_until_committed(bootstrap: str, group: str, metadata, timeout: float = 30.0) -> None:
    """Block until a consumer group has committed past a published record."""
    # A member that never subscribes only reads the group's offsets; it does not join.
    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await reader.start()
    try:
        tp = TopicPartition(metadata.topic, metadata.partition)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            committed = await reader.committed(tp)
            if committed is not None and committed > metadata.offset:
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"{group} did not commit past {tp}@{metadata.offset} within {timeout}s")
    finally:
        await reader.stop()


async def eventually(check: Callable[[], Any], timeout: float = 20.0, interval: float = 0.05) -> Any:
    """Await `check()` until it returns something truthy, or fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)


class FakeClock:
    """A clock the test moves; a service given it reads `now` for every action and job run."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def on(self, day: date, hour: int = 10, minute: int = 0) -> None:
        """Move to that time in England on `day`."""
        self.now = datetime.combine(day, clock_time(hour, minute), tzinfo=ENGLAND).astimezone(UTC)
