"""Rebuild: drop the projections and replay the topics from the beginning.

The replay goes through the same handlers and inbox as the live consumer, under the live
consumer's name, so an event the service handles again later is still skipped. The records the
learning service owns (learning actions, subject corrections, feedback links and answers) are
kept: no topic holds all of them, and the handlers that create them guard by state, so a replay
raises no action and issues no link twice.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from types import SimpleNamespace

from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import delete

from learning.config import Settings
from learning.consumers import CONSUMER_NAME, TOPICS, handlers
from learning.main import MIGRATIONS
from learning.models import PROJECTIONS, messaging
from nwd_shared import db, migrations
from nwd_shared.calendar import WorkingCalendar, system_clock
from nwd_shared.directory import load_directory
from nwd_shared.kafka import ProducerHandle, client_security
from nwd_shared.messaging.consumer import EventConsumer

log = logging.getLogger(__name__)
BATCH = 500


@dataclass(frozen=True)
class Rebuilt:
    """What a rebuild read, per topic."""

    records: int
    by_topic: dict[str, int]


async def drop_projections(sessions, consumer: str) -> None:
    """Empty the projection tables and forget which events the consumer has applied."""
    async with sessions() as session, session.begin():
        for model in PROJECTIONS:
            await session.execute(delete(model))
        inbox = messaging.inbox
        await session.execute(delete(inbox).where(inbox.c.consumer == consumer))


async def replay(settings: Settings, applier: EventConsumer) -> Rebuilt:
    """Every record of the topics, from the first to the last there is (run it with the service stopped)."""
    reader = AIOKafkaConsumer(**client_security(settings), bootstrap_servers=settings.kafka_bootstrap_servers,
                              enable_auto_commit=False,
                              client_id="nwd-learning-rebuild", max_poll_records=BATCH)
    await reader.start()
    by_topic = {topic: 0 for topic in TOPICS}
    try:
        await reader.topics()  # loads the partitions of every topic
        partitions = [TopicPartition(t, p) for t in TOPICS for p in sorted(reader.partitions_for_topic(t) or ())]
        if not partitions:
            return Rebuilt(0, by_topic)
        reader.assign(partitions)
        await reader.seek_to_beginning(*partitions)
        ends = await reader.end_offsets(partitions)
        while True:
            batch = await reader.getmany(timeout_ms=500, max_records=BATCH)
            records = [r for rs in batch.values() for r in rs]
            if records:
                # Under the live consumer's name: what it has not read yet it will skip as applied.
                await applier.handle(records)
                for record in records:
                    by_topic[record.topic] += 1
            # Tansu's ListOffsets can lag the high watermark its fetches report: take the larger,
            # or the replay stops short of records that are there.
            for tp in partitions:
                ends[tp] = max(ends[tp], reader.highwater(tp) or 0)
            if not records and all([await reader.position(tp) >= ends[tp] for tp in partitions]):
                break
        return Rebuilt(sum(by_topic.values()), by_topic)
    finally:
        await reader.stop()


async def rebuild(settings: Settings) -> Rebuilt:
    """Drop the projections and rebuild them from the topics; run it while the service is stopped."""
    await asyncio.to_thread(migrations.upgrade, MIGRATIONS, settings.database_url)
    engine = db.create_engine(settings.database_url)
    producer = ProducerHandle(settings, client_id="nwd-learning-rebuild")
    try:
        sessions = db.session_factory(engine)
        consumer = settings.kafka_group_prefix + CONSUMER_NAME
        deps = SimpleNamespace(settings=settings, directory=load_directory(settings.organisations_file),
                               calendar=WorkingCalendar(), clock=system_clock)
        applier = EventConsumer(service=settings.service_name, name=consumer, topics=TOPICS,
                                handlers=handlers(deps), sessions=sessions, tables=messaging,
                                producer=producer, settings=settings)
        await drop_projections(sessions, consumer)
        done = await replay(settings, applier)
        log.info("learning rebuilt from %s records: %s", done.records, done.by_topic)
        return done
    finally:
        await producer.stop()
        await engine.dispose()
