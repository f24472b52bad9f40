"""The outbox relay against the real broker and real databases."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import defaultdict
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer
from prometheus_client import REGISTRY
from sqlalchemy import select

from nwd_shared import db
from nwd_shared.devstack.processes import free_port
from nwd_shared.events import ContactReceived, ContactReceivedData
from nwd_shared.kafka import ProducerHandle
from nwd_shared.messaging import relay as relay_module
from nwd_shared.messaging.outbox import add_to_outbox
from nwd_shared.messaging.relay import OutboxRelay
from nwd_shared.settings import KafkaSettings
from nwd_shared.testing import NO_BROKER, eventually

from .conftest import create_topic, schema_engine, tables


class OnTopic(ContactReceived):
    topic = "test.relay.placeholder"


def received(reference: str, n: int, topic: str) -> ContactReceived:
    event_type = type("Routed", (OnTopic,), {"topic": topic})
    return event_type(
        source="/test", subject=reference, time=datetime.now(UTC),
        data=ContactReceivedData(reference=reference, received_by="wsx-council",
                                 received_at=datetime.now(UTC), kind="complaint", channel="email",
                                 complainant={"name": "A"}, concerns=[{"organisation_id": "x"}],
                                 description=f"message {n}"),
    )


async def test_relay_publishes_rows_in_order_per_key_and_marks_them(broker, database_url):
    topic = await create_topic(broker.bootstrap_servers, f"test.relay.{uuid.uuid4().hex[:8]}", partitions=3)
    engine = await schema_engine(database_url)
    sessions = db.session_factory(engine)
    keys = ["NWD-AAAA-0001", "NWD-BBBB-0002", "NWD-CCCC-0003"]
    async with sessions() as session, session.begin():
        await add_to_outbox(session, tables, [received(keys[n % 3], n, topic) for n in range(60)])

    producer = ProducerHandle(KafkaSettings(kafka_bootstrap_servers=broker.bootstrap_servers), "t")
    relay = OutboxRelay(service="test", engine=engine, tables=tables, producer=producer, batch_size=25)
    assert [await relay.publish_batch() for _ in range(4)] == [25, 25, 10, 0]
    await producer.stop()

    async with sessions() as session:
        rows = (await session.execute(select(tables.outbox).order_by(tables.outbox.c.id))).all()
    assert all(row.published_at is not None for row in rows)

    consumer = AIOKafkaConsumer(topic, bootstrap_servers=broker.bootstrap_servers,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    seen: dict[str, list[bytes]] = defaultdict(list)
    while sum(map(len, seen.values())) < 60:
        for records in (await consumer.getmany(timeout_ms=2000)).values():
            for record in records:
                seen[record.key.decode()].append(record.value)
    await consumer.stop()
    for key in keys:
        assert seen[key] == [row.payload for row in rows if row.key == key]
    await engine.dispose()


def relay_failures(service: str, cause: str) -> float:
    return REGISTRY.get_sample_value("nwd_outbox_relay_failures_total", {"service": service, "cause": cause}) or 0.0


async def run_relay_until(relay: OutboxRelay, condition) -> None:
    task = asyncio.create_task(relay.run())
    try:
        await eventually(condition, timeout=20)
    finally:
        relay.stop()
        await asyncio.wait_for(task, 10)


async def test_the_relay_counts_and_logs_a_broker_outage_as_the_brokers(database_url, caplog):
    caplog.set_level(logging.WARNING, logger=relay_module.__name__)
    engine = await schema_engine(database_url)
    sessions = db.session_factory(engine)
    async with sessions() as session, session.begin():
        await add_to_outbox(session, tables, [received("NWD-BROKER-0001", 0, "test.relay.nowhere")])
    service = f"relay-broker-{uuid.uuid4().hex[:6]}"
    producer = ProducerHandle(KafkaSettings(kafka_bootstrap_servers=NO_BROKER), "t")
    relay = OutboxRelay(service=service, engine=engine, tables=tables, producer=producer, poll_interval=0.05)
    await run_relay_until(relay, lambda: relay_failures(service, "broker") >= 1)
    assert relay_failures(service, "database") == 0
    assert relay.broker.startswith("unreachable")
    assert any(r.getMessage().startswith("outbox relay waiting for the broker") for r in caplog.records)
    await producer.stop()
    await engine.dispose()


async def test_the_relay_counts_and_logs_a_database_outage_as_the_databases_and_keeps_its_producer(caplog):
    caplog.set_level(logging.WARNING, logger=relay_module.__name__)
    # Nothing listens there: asyncpg's connect raises ConnectionRefusedError, an OSError like the
    # broker's, which the relay once took for a broker outage.
    engine = db.create_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/nowhere")
    service = f"relay-database-{uuid.uuid4().hex[:6]}"
    producer = ProducerHandle(KafkaSettings(kafka_bootstrap_servers=NO_BROKER), "t")
    relay = OutboxRelay(service=service, engine=engine, tables=tables, producer=producer, poll_interval=0.05)
    await run_relay_until(relay, lambda: relay_failures(service, "database") >= 2)
    assert relay_failures(service, "broker") == 0
    assert any(r.getMessage().startswith("outbox relay waiting for the database") for r in caplog.records)
    assert not any("broker" in r.getMessage() for r in caplog.records)
    await engine.dispose()
