"""Outbox order per key where writers overlap (PostgreSQL), rows fail, and relays lose their lock."""

from __future__ import annotations

import asyncio
import json
import uuid
import zlib
from collections import defaultdict
from datetime import UTC, datetime

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaTimeoutError
from prometheus_client import REGISTRY
from sqlalchemy import select, text

from nwd_shared import db
from nwd_shared.events import ContactReceived, ContactReceivedData, dead_letter_topic
from nwd_shared.kafka import ProducerHandle
from nwd_shared.messaging.outbox import add_to_outbox
from nwd_shared.messaging.relay import OutboxRelay
from nwd_shared.settings import KafkaSettings
from nwd_shared.testing import eventually, fresh_database

from .conftest import create_topic, schema_engine, tables


def event(reference: str, label: str, topic: str = "test.order.fake") -> ContactReceived:
    event_type = type("Routed", (ContactReceived,), {"topic": topic})
    return event_type(
        source="/test", subject=reference, time=datetime.now(UTC),
        data=ContactReceivedData(reference=reference, received_by="wsx-council",
                                 received_at=datetime.now(UTC), kind="complaint", channel="email",
                                 complainant={"name": "A"}, concerns=[{"organisation_id": "x"}],
                                 description=label),
    )


def label(payload: bytes) -> str:
    """Which of the test's events a payload is."""
    return json.loads(payload)["description"]


@pytest.fixture
async def postgres_url(tmp_path):
    async with fresh_database("postgres", tmp_path) as url:
        yield url


async def stage(sessions, *events) -> None:
    async with sessions() as session, session.begin():
        await add_to_outbox(session, tables, events)


async def read_topic(bootstrap: str, topic: str, count: int) -> list:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                enable_auto_commit=False)
    await consumer.start()
    records: list = []
    try:
        async with asyncio.timeout(30):
            while len(records) < count:
                for batch in (await consumer.getmany(timeout_ms=1000)).values():
                    records += batch
    finally:
        await consumer.stop()
    return records


# --- 1. Overlapping writers of one reference, on PostgreSQL and the real broker -------------------

async def test_a_reference_written_by_overlapping_transactions_is_published_in_commit_order(broker, postgres_url):
    """Fails on the code before issue 17: the second transaction's row (the later id) committed
    first and was published while the first's row was still uncommitted; the first followed it."""
    topic = await create_topic(broker.bootstrap_servers, f"test.order.{uuid.uuid4().hex[:8]}")
    engine = await schema_engine(postgres_url)
    sessions = db.session_factory(engine)
    reference = "NWD-ORDR-0001"
    producer = ProducerHandle(KafkaSettings(kafka_bootstrap_servers=broker.bootstrap_servers), "t")
    relay = OutboxRelay(service="order", engine=engine, tables=tables, producer=producer)

    first = sessions()
    await first.begin()
    # The deadline monitor, say: it stages its event for the reference and has not committed yet.
    await add_to_outbox(first, tables, [event(reference, "first", topic)])

    async def second() -> None:
        # A request on the same reference, begun after the first staged: it must come after it.
        async with sessions() as session, session.begin():
            await add_to_outbox(session, tables, [event(reference, "second", topic)])

    later = asyncio.create_task(second())
    await asyncio.sleep(0.5)
    # The relay runs while the first is still open: it must not publish the second's row before it.
    published_early = await relay.publish_batch()
    await first.commit()
    await first.close()
    await asyncio.wait_for(later, 10)
    while await relay.publish_batch():
        pass
    await producer.stop()

    records = await read_topic(broker.bootstrap_servers, topic, 2)
    assert [label(r.value) for r in records] == ["first", "second"]
    assert published_early == 0, "the second writer waited for the first, so nothing was publishable yet"
    async with sessions() as session:
        rows = (await session.execute(select(tables.outbox.c.id, tables.outbox.c.payload)
                                      .order_by(tables.outbox.c.id))).all()
    assert [label(row.payload) for row in rows] == ["first", "second"], "ids follow commit order"
    await engine.dispose()


async def test_writers_of_different_references_do_not_wait_for_each_other(postgres_url):
    engine = await schema_engine(postgres_url)
    sessions = db.session_factory(engine)
    first = sessions()
    await first.begin()
    await add_to_outbox(first, tables, [event("NWD-ORDR-0002", "one")])
    # Another reference commits while the first transaction is open (a wait would time out here).
    await asyncio.wait_for(stage(sessions, event("NWD-ORDR-0003", "two")), 5)
    async with sessions() as session:
        committed = (await session.execute(select(tables.outbox.c.key))).scalars().all()
    assert committed == ["NWD-ORDR-0003"]
    await first.rollback()
    await first.close()
    await engine.dispose()


# --- A broker that fails what the test tells it to ------------------------------------------------

class FakeProducer:
    """Records what is sent and acknowledged; `fail(label)` returns the failure for a record, if any."""

    def __init__(self, fail=lambda topic, label: None, *, sync: bool = False) -> None:
        self.fail = fail
        self.sync = sync
        self.sent: list[tuple[str, str]] = []
        self.acked: list[tuple[str, str]] = []
        self.dead: list[tuple[str, dict]] = []

    async def send(self, topic, value=None, key=None, headers=None):
        future = asyncio.get_running_loop().create_future()
        if topic.endswith(".dlt"):
            self.dead.append((topic, {name: v.decode() for name, v in headers}))
            future.set_result(None)
            return future
        name = label(value)
        error = self.fail(topic, name)
        if error is not None and self.sync:
            raise error
        self.sent.append((key.decode(), name))
        if error is not None:
            future.set_exception(error)
        else:
            self.acked.append((key.decode(), name))
            future.set_result(None)
        return future


class FakeHandle:
    def __init__(self, producer: FakeProducer) -> None:
        self.producer = producer

    async def get(self) -> FakeProducer:
        return self.producer

    async def stop(self) -> None:
        return None


def failing(label_: str, times: int, error):
    counts: dict[str, int] = defaultdict(int)

    def fail(topic, name):
        if name == label_ and counts[name] < times:
            counts[name] += 1
            return error()
        return None

    return fail


def order_of(producer: FakeProducer, key: str) -> list[str]:
    return [name for k, name in producer.acked if k == key]


# --- 2. A failed row holds its key ---------------------------------------------------------------

async def test_no_later_row_of_a_key_overtakes_one_that_failed(database_url):
    """Fails on the code before issue 17: k2 and k3 went out while k1 failed, and k1 after them."""
    engine = await schema_engine(database_url)
    sessions = db.session_factory(engine)
    await stage(sessions, event("K", "k1"), event("L", "l1"), event("K", "k2"), event("L", "l2"),
                event("K", "k3"))
    # k1's partition times out twice (a leader election, say), then recovers.
    producer = FakeProducer(failing("k1", 2, lambda: KafkaTimeoutError("leader moving")))
    relay = OutboxRelay(service="hold", engine=engine, tables=tables, producer=FakeHandle(producer))
    for _ in range(6):
        try:
            await relay.publish_batch()
        except KafkaTimeoutError:
            pass
        if _ == 0:
            await stage(sessions, event("K", "k4"))
    assert order_of(producer, "K") == ["k1", "k2", "k3", "k4"]
    assert order_of(producer, "L") == ["l1", "l2"], "another key is not held up by K"
    assert [name for key, name in producer.sent if key == "K"][:3] == ["k1", "k1", "k1"], \
        "while k1 failed, nothing later of K was sent"
    async with sessions() as session:
        unpublished = (await session.execute(
            select(tables.outbox.c.id).where(tables.outbox.c.published_at.is_(None)))).all()
    assert unpublished == []
    await engine.dispose()


async def test_a_key_held_by_a_failed_row_stays_held_across_a_restart_of_the_relay(database_url):
    engine = await schema_engine(database_url)
    sessions = db.session_factory(engine)
    await stage(sessions, event("K", "k1"), event("K", "k2"))
    producer = FakeProducer(failing("k1", 1, lambda: KafkaTimeoutError("leader moving")))
    first = OutboxRelay(service="hold-restart", engine=engine, tables=tables, producer=FakeHandle(producer))
    with pytest.raises(KafkaTimeoutError):
        await first.publish_batch()
    # A new relay (a restart, or another replica winning the lock) learns the hold from the table.
    producer.fail = failing("k1", 1, lambda: KafkaTimeoutError("again"))
    second = OutboxRelay(service="hold-restart", engine=engine, tables=tables, producer=FakeHandle(producer))
    await second.load_held()
    with pytest.raises(KafkaTimeoutError):
        await second.publish_batch()
    assert producer.sent == [("K", "k1"), ("K", "k1")], "k2 waited behind k1"
    assert await second.publish_batch() == 1 and await second.publish_batch() == 1
    assert order_of(producer, "K") == ["k1", "k2"]
    await engine.dispose()


# --- 3. A row no broker will take is dead-lettered, not retried for ever --------------------------

def dead_lettered(service: str, topic: str) -> float:
    return REGISTRY.get_sample_value("nwd_dead_lettered_total", {"service": service, "topic": topic}) or 0.0


async def test_a_row_too_large_to_publish_is_dead_lettered_after_its_attempts_and_its_key_moves_on(
        broker, database_url):
    """Fails on the code before issue 17: the relay raised on the row's send every round, for ever,
    and nothing behind it (of any key) was published."""
    bootstrap = broker.bootstrap_servers
    topic = await create_topic(bootstrap, f"test.poison.{uuid.uuid4().hex[:8]}")
    engine = await schema_engine(database_url)
    sessions = db.session_factory(engine)
    huge = event("NWD-POIS-0001", "huge " + "x" * 1_200_000, topic)  # over the producer's 1 MB
    await stage(sessions, huge, event("NWD-POIS-0002", "other", topic),
                event("NWD-POIS-0001", "after", topic))
    service = f"poison-{uuid.uuid4().hex[:6]}"
    producer = ProducerHandle(KafkaSettings(kafka_bootstrap_servers=bootstrap), "t")
    relay = OutboxRelay(service=service, engine=engine, tables=tables, producer=producer,
                        max_attempts=3, poll_interval=0.05)
    task = asyncio.create_task(relay.run())
    try:
        await eventually(lambda: dead_lettered(service, dead_letter_topic(topic)) >= 1, timeout=20)

        async def all_published() -> bool:
            async with sessions() as session:
                return not (await session.execute(select(tables.outbox.c.id).where(
                    tables.outbox.c.published_at.is_(None)))).all()

        for _ in range(100):
            if await all_published():
                break
            await asyncio.sleep(0.1)
    finally:
        relay.stop()
        await asyncio.wait_for(task, 10)
        await producer.stop()

    records = await read_topic(bootstrap, topic, 2)
    assert [(r.key.decode(), label(r.value)) for r in records] == [
        ("NWD-POIS-0002", "other"), ("NWD-POIS-0001", "after")]
    [dead] = await read_topic(bootstrap, dead_letter_topic(topic), 1)
    headers = {name: value.decode() for name, value in dead.headers}
    assert dead.key == b"NWD-POIS-0001" and dead.value is None
    assert headers["nwd_dlt_original_topic"] == topic
    assert headers["nwd_dlt_producer"] == service
    assert headers["nwd_dlt_attempts"] == "3"
    assert headers["nwd_dlt_error"].startswith("MessageSizeTooLargeError")
    assert "withheld" in headers["nwd_dlt_payload"]
    assert headers["ce_type"] == huge.type and headers["ce_id"] == huge.id, "the event's own headers kept"
    async with sessions() as session:
        row = (await session.execute(select(tables.outbox).where(tables.outbox.c.event_id == huge.id))).one()
    assert row.attempts == 3 and row.published_at is not None
    assert row.last_error.startswith(f"dead-lettered to {dead_letter_topic(topic)} after 3 attempts")
    assert len(row.payload) > 1_000_000, "the payload stays in the outbox row"
    await engine.dispose()


async def test_a_broker_outage_never_dead_letters_anything(database_url):
    engine = await schema_engine(database_url)
    sessions = db.session_factory(engine)
    await stage(sessions, event("K", "k1"))
    producer = FakeProducer(lambda topic, name: KafkaTimeoutError("broker down"))
    relay = OutboxRelay(service="outage", engine=engine, tables=tables, producer=FakeHandle(producer),
                        max_attempts=2)
    for _ in range(5):
        with pytest.raises(KafkaTimeoutError):
            await relay.publish_batch()
    assert producer.dead == []
    async with sessions() as session:
        row = (await session.execute(select(tables.outbox))).one()
    assert row.attempts == 5 and row.published_at is None
    await engine.dispose()


# --- 4. Leadership on PostgreSQL -----------------------------------------------------------------

def lock_id(service: str) -> int:
    return zlib.crc32(f"nwd-outbox-{service}".encode())


async def lock_holders(engine, service: str) -> list[int]:
    async with engine.connect() as connection:
        return list((await connection.execute(text(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = 0"
            " AND objid::bigint = :id"), {"id": lock_id(service)})).scalars())


async def test_a_relay_whose_lock_connection_dropped_stops_publishing(postgres_url):
    """Fails on the code before issue 17: the relay never re-checked its lock, so after its
    connection was killed and another replica took the lock, both published."""
    service = f"leader-{uuid.uuid4().hex[:6]}"
    engine, other = await schema_engine(postgres_url), db.create_engine(postgres_url)
    sessions = db.session_factory(engine)
    producer, follower = FakeProducer(), FakeProducer()
    relay = OutboxRelay(service=service, engine=engine, tables=tables, producer=FakeHandle(producer),
                        poll_interval=0.05)
    second = OutboxRelay(service=service, engine=other, tables=tables, producer=FakeHandle(follower),
                         poll_interval=0.05)
    task = asyncio.create_task(relay.run())
    second_task = None
    try:
        await stage(sessions, event("K", "before"))
        await eventually(lambda: producer.acked == [("K", "before")], timeout=10)
        second_task = asyncio.create_task(second.run())
        await asyncio.sleep(1.2)
        assert follower.sent == [], "a follower publishes nothing"
        [pid] = await lock_holders(engine, service)
        async with other.connect() as replica:
            # The leader's connection dies, and another replica queues for the lock in the same
            # statement, so it has the lock before the old leader could try for it again.
            await replica.execute(text("SELECT pg_terminate_backend(:pid), pg_advisory_lock(:id)"),
                                  {"pid": pid, "id": lock_id(service)})
            await replica.commit()
            for n in range(5):
                await stage(sessions, event("K", f"while another leads {n}"))
                relay.wake()
                await asyncio.sleep(0.2)
            await asyncio.sleep(1.0)
            assert producer.acked == [("K", "before")], "the replica that lost its lock published"
            assert follower.sent == []
            await replica.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": lock_id(service)})
            await replica.commit()
        # Whichever relay wins the lock now publishes them, once and in order.
        expected = [("K", f"while another leads {n}") for n in range(5)]
        await eventually(lambda: producer.acked[1:] + follower.acked == expected, timeout=10)
        assert len(await lock_holders(engine, service)) == 1
    finally:
        relay.stop()
        second.stop()
        await asyncio.wait_for(asyncio.gather(task, *([second_task] if second_task else [])), 10)
        await engine.dispose()
        await other.dispose()


async def test_drain_publishes_only_where_the_relay_leads(postgres_url):
    """Fails on the code before issue 17: drain() published whatever replica held the lock."""
    service = f"drain-{uuid.uuid4().hex[:6]}"
    engine = await schema_engine(postgres_url)
    sessions = db.session_factory(engine)
    await stage(sessions, event("K", "k1"), event("L", "l1"))
    producer = FakeProducer()
    relay = OutboxRelay(service=service, engine=engine, tables=tables, producer=FakeHandle(producer))
    # Another replica's relay leads.
    other = db.create_engine(postgres_url)
    async with other.connect() as leader:
        assert (await leader.execute(text("SELECT pg_try_advisory_lock(:id)"),
                                     {"id": lock_id(service)})).scalar()
        assert await relay.drain(2) == 0
        assert producer.sent == []
        await leader.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": lock_id(service)})
        await leader.commit()
    assert await relay.drain(2) == 2
    assert sorted(producer.acked) == [("K", "k1"), ("L", "l1")]
    assert await lock_holders(engine, service) == [], "drain let the lock go"
    await other.dispose()
    await engine.dispose()
