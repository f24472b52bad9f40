"""The inbox is keyed on the consumer's own name, so the deployment's group prefix never replays work as new."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path

from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import func, insert, select

from nwd_shared import db
from nwd_shared import events as ev
from nwd_shared.app import build_service_app
from nwd_shared.kafka import ProducerHandle
from nwd_shared.messaging.consumer import EventConsumer, inbox_key
from nwd_shared.runtime import ConsumerSpec
from nwd_shared.settings import KafkaSettings, ServiceSettings
from nwd_shared.testing import NO_BROKER, as_record, eventually, running_app

from .conftest import create_topic, effect, schema_engine, tables

CONSUMER = "nwd-test"


def closed(reference: str) -> ev.CaseClosed:
    return ev.CaseClosed(source="/test", subject=reference, time=datetime.now(UTC),
                         data=ev.CaseClosedData(case_id="c", reference=reference, owner="o",
                                                closed_on=date(2026, 11, 20)))


async def apply_effect(session, event) -> None:
    await session.execute(insert(effect).values(reference=event.subject, event_id=event.id))


async def effects(sessions, references) -> int:
    async with sessions() as session:
        return (await session.execute(select(func.count()).select_from(effect)
                                      .where(effect.c.reference.in_(references)))).scalar()


async def inbox_names(sessions) -> set[str]:
    async with sessions() as session:
        return set((await session.execute(select(tables.inbox.c.consumer).distinct())).scalars())


async def test_same_events_under_two_group_prefixes_change_state_once(broker, database_url):
    """A deployment renamed (NWD_KAFKA_GROUP_PREFIX changed) reads every topic again from the start."""
    topic = await create_topic(broker.bootstrap_servers, f"test.inbox.{uuid.uuid4().hex[:8]}")
    engine = await schema_engine(database_url)
    sessions = db.session_factory(engine)
    events = [closed(f"NWD-{uuid.uuid4().hex[:8]}") for _ in range(3)]
    producer = ProducerHandle(KafkaSettings(kafka_bootstrap_servers=broker.bootstrap_servers), "t")
    sender = await producer.get()
    for event in events:
        await sender.send_and_wait(topic, event.value(), key=event.key.encode(), headers=event.headers())
    await producer.stop()
    spec = ConsumerSpec(name=CONSUMER, topics=[topic], handlers=lambda _: {"nwd.case.closed.v1": apply_effect})
    references = [e.subject for e in events]
    for prefix in ("blue-", "green-"):
        settings = ServiceSettings(service_name="inbox-test", database_url=database_url, migrate_on_start=False,
                                   kafka_bootstrap_servers=broker.bootstrap_servers,
                                   kafka_group_prefix=f"{prefix}{uuid.uuid4().hex[:6]}-")
        app = build_service_app(settings=settings, title="t", tables=tables, migrations_dir=Path("."),
                                consumers=[spec])
        async with running_app(app):
            [consumer] = app.state.runtime.consumers
            assert consumer.name == settings.kafka_group_prefix + CONSUMER and consumer.inbox_name == CONSUMER
            # Each group reads all three from the start; the second's are duplicates the inbox knows.
            await eventually(lambda consumer=consumer: committed_past(consumer, topic, 3), timeout=60)
    assert await effects(sessions, references) == 3
    assert await inbox_names(sessions) == {CONSUMER}
    await engine.dispose()


async def committed_past(consumer: EventConsumer, topic: str, offset: int) -> bool:
    """Whether the consumer's group has committed `offset` on the topic's one partition."""
    reader = AIOKafkaConsumer(bootstrap_servers=consumer._settings.kafka_bootstrap_servers, group_id=consumer.name,
                              enable_auto_commit=False)
    await reader.start()
    try:
        return (await reader.committed(TopicPartition(topic, 0)) or 0) >= offset
    finally:
        await reader.stop()


def offline_consumer(sessions, group: str) -> EventConsumer:
    """A consumer fed by `handle` alone, as `nwd_shared.testing.deliver` feeds a service's."""
    return EventConsumer(service="test", name=group, inbox_name=CONSUMER, topics=["t"],
                         handlers={"nwd.case.closed.v1": apply_effect}, sessions=sessions, tables=tables,
                         producer=ProducerHandle(KafkaSettings(kafka_bootstrap_servers=NO_BROKER), "t"),
                         settings=KafkaSettings(kafka_bootstrap_servers=NO_BROKER))


async def write_legacy_row(sessions, group: str, event: ev.CloudEvent) -> None:
    """An inbox row as the version before stable names wrote it: keyed on the group (prefix + name)."""
    async with sessions() as session, session.begin():
        await session.execute(insert(tables.inbox).values(consumer=group, event_id=inbox_key(event),
                                                          event_type=event.type, processed_at=datetime.now(UTC)))


async def test_rows_written_under_the_prefixed_name_still_dedupe_before_and_after_they_are_rekeyed(database_url):
    engine = await schema_engine(database_url)
    sessions = db.session_factory(engine)
    old_group = f"prod-{CONSUMER}"
    applied, also_applied = closed("NWD-LEGACY1"), closed("NWD-LEGACY2")
    await write_legacy_row(sessions, old_group, applied)
    # The same row under both names (written during a rolling upgrade) is re-keyed without a conflict.
    await write_legacy_row(sessions, old_group, also_applied)
    await write_legacy_row(sessions, CONSUMER, also_applied)

    upgraded = offline_consumer(sessions, old_group)
    await upgraded.handle([as_record(applied), as_record(also_applied, 1)])
    assert await effects(sessions, ["NWD-LEGACY1", "NWD-LEGACY2"]) == 0

    await upgraded.adopt_legacy_inbox()
    assert await inbox_names(sessions) == {CONSUMER}
    # Now even a new prefix finds them: renaming the deployment replays nothing.
    renamed = offline_consumer(sessions, f"renamed-{CONSUMER}")
    fresh = closed("NWD-FRESH1")
    await renamed.handle([as_record(applied), as_record(also_applied, 1), as_record(fresh, 2)])
    assert await effects(sessions, ["NWD-LEGACY1", "NWD-LEGACY2"]) == 0
    assert await effects(sessions, ["NWD-FRESH1"]) == 1
    await engine.dispose()
