"""The idempotent consumer against the real broker and real databases."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime

import pytest
from aiokafka import AIOKafkaProducer
from cloudevents.core.bindings.kafka import to_binary_event
from cloudevents.core.v1.event import CloudEvent as SdkEvent
from prometheus_client import REGISTRY
from sqlalchemy import func, insert, select
from sqlalchemy.exc import OperationalError

from nwd_shared import db
from nwd_shared import events as ev
from nwd_shared.kafka import ProducerHandle
from nwd_shared.messaging.consumer import EventConsumer
from nwd_shared.settings import KafkaSettings
from nwd_shared.testing import eventually, fresh_database, wait_for_record, wait_until_committed

from .conftest import create_topic, effect, metadata, tables

# Short, so a hanging handler is given up quickly; long enough for a slow insert on a busy machine.
HANDLER_TIMEOUT = 1.5


def closed(reference: str, owner: str = "wsx-council") -> ev.CaseClosed:
    return ev.CaseClosed(source="/test", subject=reference, time=datetime.now(UTC),
                         data=ev.CaseClosedData(case_id="c", reference=reference, owner=owner,
                                                closed_on=date(2026, 11, 20)))


class Harness:
    """One consumer group on its own topic, running for the whole module (a join takes 5 s)."""

    def __init__(self, bootstrap: str, url: str) -> None:
        self.bootstrap = bootstrap
        self.topic = f"test.harness.{uuid.uuid4().hex[:8]}"
        self.group = f"test-harness-{uuid.uuid4().hex[:8]}"
        self.engine = db.create_engine(url)
        self.sessions = db.session_factory(engine=self.engine)
        self.calls: dict[str, int] = {}
        # Reference -> how many more tries find the database down (as the driver reports it).
        self.outage: dict[str, int] = {}
        # Reference -> how many times a batch's prefetch was given it.
        self.prefetched: dict[str, int] = {}

    async def prefetch(self, session, events):
        for event in events:
            self.prefetched[event.subject] = self.prefetched.get(event.subject, 0) + 1

    async def handle(self, session, event):
        self.calls[event.subject] = self.calls.get(event.subject, 0) + 1
        if event.data.owner == "explode":
            raise RuntimeError("handler cannot apply this event")
        if event.data.owner == "hang" or (event.data.owner == "hang-once" and self.calls[event.subject] == 1):
            await asyncio.Event().wait()  # never set: the handler hangs until the consumer gives up
        if self.outage.get(event.subject, 0) > 0:
            self.outage[event.subject] -= 1
            raise OperationalError("INSERT INTO effect", {}, ConnectionRefusedError("the database is down"))
        await session.execute(insert(effect).values(reference=event.subject, event_id=event.id))
        return []

    async def send(self, key: bytes, value: bytes, headers) -> object:
        producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap, acks="all")
        await producer.start()
        try:
            return await producer.send_and_wait(self.topic, value, key=key, headers=headers)
        finally:
            await producer.stop()

    async def send_event(self, event: ev.CloudEvent) -> object:
        return await self.send(event.key.encode(), event.value(), event.headers())

    async def effects(self, reference: str) -> int:
        async with self.sessions() as session:
            return (await session.execute(
                select(func.count()).select_from(effect).where(effect.c.reference == reference))).scalar()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
async def harness(request, broker, tmp_path_factory):
    async with fresh_database(request.param, tmp_path_factory.mktemp("db")) as url:
        h = Harness(broker.bootstrap_servers, url)
        async with h.engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
        await create_topic(h.bootstrap, h.topic)
        settings = KafkaSettings(kafka_bootstrap_servers=h.bootstrap, kafka_handler_retries=3,
                                 kafka_retry_backoff_ms=10, kafka_handler_timeout_seconds=HANDLER_TIMEOUT)
        producer = ProducerHandle(settings, "test-harness")
        consumer = EventConsumer(service="test", name=h.group, topics=[h.topic],
                                 handlers={"nwd.case.closed.v1": h.handle}, sessions=h.sessions,
                                 tables=tables, producer=producer, settings=settings, prefetch=h.prefetch)
        task = asyncio.create_task(consumer.run())
        await asyncio.wait_for(consumer.assigned.wait(), 30)
        yield h
        consumer.stop()
        await task
        await producer.stop()
        await h.engine.dispose()


async def test_duplicate_event_changes_state_once(harness):
    event = closed(f"NWD-{uuid.uuid4().hex[:8]}")
    await harness.send_event(event)
    second = await harness.send_event(event)
    await wait_until_committed(harness.bootstrap, harness.group, second)
    assert await harness.effects(event.subject) == 1
    assert harness.calls[event.subject] == 1
    async with harness.sessions() as session:
        inbox = (await session.execute(select(tables.inbox.c.event_id).where(
            tables.inbox.c.consumer == harness.group, tables.inbox.c.event_id == f"/test#{event.id}"))).all()
    assert len(inbox) == 1


async def test_the_prefetch_is_given_each_new_event_once_and_never_a_duplicate(harness):
    event = closed(f"NWD-{uuid.uuid4().hex[:8]}")
    await harness.send_event(event)
    second = await harness.send_event(event)
    await wait_until_committed(harness.bootstrap, harness.group, second)
    assert harness.prefetched[event.subject] == 1


async def test_same_id_from_another_source_is_not_a_duplicate(harness):
    first = closed(f"NWD-{uuid.uuid4().hex[:8]}")
    other = first.model_copy(update={"source": "/elsewhere"})
    await harness.send_event(first)
    last = await harness.send_event(other)
    await wait_until_committed(harness.bootstrap, harness.group, last)
    assert await harness.effects(first.subject) == 2


def counted(metric, **labels) -> float:
    """A counter's value now, from the process's Prometheus registry."""
    return REGISTRY.get_sample_value(f"{metric}_total", labels) or 0.0


async def test_unparseable_message_goes_to_dead_letters_and_the_next_is_processed(harness):
    dead_before = counted("nwd_dead_lettered", service="test", topic=harness.topic)
    poison = await harness.send(b"NWD-POISON", b"\x00not an event", [])
    good = closed(f"NWD-{uuid.uuid4().hex[:8]}")
    await harness.send_event(good)
    await eventually(lambda: harness.effects(good.subject))
    dead = await wait_for_record(harness.bootstrap, ev.dead_letter_topic(harness.topic),
                                 lambda r: dict(r.headers).get("nwd_dlt_original_offset") == str(poison.offset).encode())
    headers = dict(dead.headers)
    assert headers["nwd_dlt_original_topic"] == harness.topic.encode()
    assert headers["nwd_dlt_original_partition"] == str(poison.partition).encode()
    assert b"missing CloudEvents headers" in headers["nwd_dlt_error"]
    assert dead.value == b"\x00not an event" and dead.key == b"NWD-POISON"
    assert counted("nwd_dead_lettered", service="test", topic=harness.topic) == dead_before + 1


async def test_event_that_keeps_failing_is_dead_lettered_after_bounded_retries(harness):
    errors_before = counted("nwd_handler_errors", service="test", consumer=harness.group)
    bad = closed(f"NWD-{uuid.uuid4().hex[:8]}", owner="explode")
    good = closed(f"NWD-{uuid.uuid4().hex[:8]}")
    await harness.send_event(bad)
    await harness.send_event(good)
    await eventually(lambda: harness.effects(good.subject))
    dead = await wait_for_record(harness.bootstrap, ev.dead_letter_topic(harness.topic),
                                 lambda r: dict(r.headers).get("ce_id") == bad.id.encode())
    # The type, never the text: an error's text may quote the event's personal data (issue 18).
    assert dict(dead.headers)["nwd_dlt_error"].startswith(b"RuntimeError (text withheld")
    assert dead.value == bad.value()
    # One try in the batch, then three on its own; the good event is applied exactly once.
    assert harness.calls[bad.subject] <= 4
    assert counted("nwd_handler_errors", service="test", consumer=harness.group) - errors_before \
        == harness.calls[bad.subject]
    assert await harness.effects(good.subject) == 1
    assert await harness.effects(bad.subject) == 0


async def test_a_valid_event_waits_out_a_database_outage_and_is_never_dead_lettered(harness):
    waiting = closed(f"NWD-{uuid.uuid4().hex[:8]}")
    harness.outage[waiting.subject] = 10  # far more tries than the three a failing event gets
    dead_before = counted("nwd_dead_lettered", service="test", topic=harness.topic)
    sent = await harness.send_event(waiting)
    await wait_until_committed(harness.bootstrap, harness.group, sent)
    assert await harness.effects(waiting.subject) == 1
    assert harness.calls[waiting.subject] == 11 and harness.outage[waiting.subject] == 0
    assert counted("nwd_dead_lettered", service="test", topic=harness.topic) == dead_before


def sdk_record(event_type: str, reference: str, **extensions: str):
    """A record as the official cloudevents SDK's Kafka binding makes it: extensions become ce_* headers."""
    data = closed(reference).data.model_dump(mode="json")
    event = SdkEvent(attributes={"type": event_type, "source": "/partner-system", "subject": reference,
                                 "datacontenttype": "application/json", **extensions}, data=data)
    message = to_binary_event(event)
    key = message.key.encode() if isinstance(message.key, str) else message.key
    return key, message.value, list(message.headers.items())


async def test_records_from_the_cloudevents_sdk_with_extensions_are_consumed_not_dead_lettered(harness):
    reference = f"NWD-{uuid.uuid4().hex[:8]}"
    dead_before = counted("nwd_dead_lettered", service="test", topic=harness.topic)
    key, value, headers = sdk_record(
        "nwd.case.closed.v1", reference, partitionkey=reference, dataschema="https://example.org/case-closed.json",
        traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", nwdlatertoo="an extension of tomorrow")
    assert {"ce_partitionkey", "ce_dataschema", "ce_traceparent", "ce_nwdlatertoo"} <= {k for k, _ in headers}
    sent = await harness.send(key, value, headers)
    await wait_until_committed(harness.bootstrap, harness.group, sent)
    assert await harness.effects(reference) == 1
    assert counted("nwd_dead_lettered", service="test", topic=harness.topic) == dead_before


async def test_an_unknown_event_type_is_skipped_counted_and_committed_never_dead_lettered(harness):
    newer = "nwd.case.invented_by_a_newer_release.v1"
    dead_before = counted("nwd_dead_lettered", service="test", topic=harness.topic)
    reference = f"NWD-{uuid.uuid4().hex[:8]}"
    unknown = await harness.send(*sdk_record(newer, reference))
    good = closed(f"NWD-{uuid.uuid4().hex[:8]}")
    after = await harness.send_event(good)
    await wait_until_committed(harness.bootstrap, harness.group, after)
    assert after.offset > unknown.offset
    assert counted("nwd_events_unknown_type", service="test", consumer=harness.group, type=newer) == 1
    assert await harness.effects(good.subject) == 1 and await harness.effects(reference) == 0
    assert reference not in harness.calls
    assert counted("nwd_dead_lettered", service="test", topic=harness.topic) == dead_before


async def test_a_handler_that_hangs_is_timed_out_and_retried(harness):
    once = closed(f"NWD-{uuid.uuid4().hex[:8]}", owner="hang-once")
    dead_before = counted("nwd_dead_lettered", service="test", topic=harness.topic)
    sent = await harness.send_event(once)
    await wait_until_committed(harness.bootstrap, harness.group, sent)
    assert await harness.effects(once.subject) == 1
    assert harness.calls[once.subject] == 2
    assert counted("nwd_dead_lettered", service="test", topic=harness.topic) == dead_before


async def test_a_handler_that_always_hangs_is_dead_lettered_after_bounded_retries_and_the_partition_moves_on(
        harness):
    stuck = closed(f"NWD-{uuid.uuid4().hex[:8]}", owner="hang")
    good = closed(f"NWD-{uuid.uuid4().hex[:8]}")
    await harness.send_event(stuck)
    await harness.send_event(good)
    await eventually(lambda: harness.effects(good.subject), timeout=60)
    dead = await wait_for_record(harness.bootstrap, ev.dead_letter_topic(harness.topic),
                                 lambda r: dict(r.headers).get("ce_id") == stuck.id.encode())
    assert b"HandlerTimedOut" in dict(dead.headers)["nwd_dlt_error"]
    assert harness.calls[stuck.subject] <= 4
    assert await harness.effects(stuck.subject) == 0 and await harness.effects(good.subject) == 1
