"""The outbox relay against the real broker and real databases."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from sqlalchemy import select

from nwd_shared import db
from nwd_shared.events import ContactReceived, ContactReceivedData
from nwd_shared.kafka import ProducerHandle
from nwd_shared.messaging.outbox import add_to_outbox
from nwd_shared.messaging.relay import OutboxRelay
from nwd_shared.settings import KafkaSettings

from .conftest import metadata, tables


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
    topic = f"test.relay.{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=broker.bootstrap_servers)
    await admin.start()
    await admin.create_topics([NewTopic(topic, 3, 1)])
    await admin.close()
    engine = db.create_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
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
