"""Re-publishing the retained outbox when the broker has lost its log (issue 17, item 3).

The embedded broker (`make run`) keeps its log in memory, and a broker's topic can be recreated
empty: records published but not yet consumed are then gone, while every service's database still
holds them in its outbox (published rows are kept `NWD_OUTBOX_RETENTION_DAYS`). Before the relay
first publishes, and again after every broker error, the service compares what it has published to
each topic (its retained published outbox rows; each topic has one producing service) with the
topic's end offsets. A topic whose end is behind lost records: the service's rows for it are marked
unpublished again, and the relay publishes them from the oldest, in outbox order, before anything
newer. Consumers read them like any duplicate: the inbox drops what was applied, the rest is applied.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError
from prometheus_client import Counter
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from nwd_shared.kafka import ProducerHandle, client_security
from nwd_shared.messaging.failures import DatabaseUnavailable, database_unavailable
from nwd_shared.messaging.tables import MessagingTables

log = logging.getLogger(__name__)

REPUBLISHED = Counter("nwd_outbox_republished_total",
                      "Outbox rows marked for publishing again because the broker had lost them",
                      ["service", "topic"])


class BrokerLostItsLog(KafkaError):
    """Rows were marked unpublished again: the relay drops the batch it read and starts from the oldest."""


async def partition_ends(bootstrap_servers: str, topics: Iterable[str], timeout: float = 10.0,
                         security: dict | None = None) -> dict[TopicPartition, int]:
    """Each partition's high watermark, for every partition of the topics that exist.

    Read from a fetch, not from ListOffsets alone: Tansu's ListOffsets answers the last batch's first
    offset + 1, behind the high watermark by the rest of that batch.
    """
    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False,
                              client_id="nwd-log-check", fetch_max_wait_ms=100, request_timeout_ms=5000,
                              **(security or {}))
    await reader.start()
    try:
        await reader.topics()  # loads every topic's partitions
        partitions = [TopicPartition(t, p) for t in sorted(set(topics))
                      for p in sorted(reader.partitions_for_topic(t) or ())]
        if not partitions:
            return {}
        reader.assign(partitions)
        listed = await reader.end_offsets(partitions)
        for tp, offset in listed.items():
            reader.seek(tp, max(offset - 1, 0))
        async with asyncio.timeout(timeout):
            while any(reader.highwater(tp) is None for tp in partitions):
                await reader.getmany(timeout_ms=200, max_records=100)
        return {tp: max(listed[tp], reader.highwater(tp) or 0) for tp in partitions}
    finally:
        await reader.stop()


async def log_ends(bootstrap_servers: str, topics: Iterable[str], security: dict | None = None) -> dict[str, int]:
    """Each topic's end: the sum of its partitions' high watermarks (0 for a topic that does not exist)."""
    topics = set(topics)
    ends = dict.fromkeys(topics, 0)
    for tp, end in (await partition_ends(bootstrap_servers, topics, security=security)).items():
        ends[tp.topic] += end
    return ends


async def published_counts(engine: AsyncEngine, tables: MessagingTables) -> dict[str, int]:
    """How many retained outbox rows the broker acknowledged, per topic."""
    outbox = tables.outbox
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(outbox.c.topic, func.count()).where(outbox.c.published_at.is_not(None))
                .group_by(outbox.c.topic))
            return {topic: count for topic, count in rows}
    except Exception as exc:
        if database_unavailable(exc):
            raise DatabaseUnavailable(f"{type(exc).__name__}: {exc}") from exc
        raise


def topics_behind(published: dict[str, int], ends: dict[str, int]) -> list[str]:
    """Topics whose end is short of what this service alone published to them: the broker lost records."""
    return sorted(topic for topic, count in published.items() if ends.get(topic, 0) < count)


async def republish_if_lost(engine: AsyncEngine, tables: MessagingTables, bootstrap_servers: str,
                            service: str, security: dict | None = None) -> dict[str, int]:
    """Mark the retained rows of every topic the broker lost unpublished again; returns the rows per topic."""
    published = await published_counts(engine, tables)
    if not published:
        return {}
    lost = topics_behind(published, await log_ends(bootstrap_servers, published, security))
    if not lost:
        return {}
    outbox = tables.outbox
    reset: dict[str, int] = {}
    try:
        async with engine.begin() as connection:
            for topic in lost:
                reset[topic] = (await connection.execute(
                    update(outbox).where(outbox.c.topic == topic, outbox.c.published_at.is_not(None))
                    .values(published_at=None))).rowcount
    except Exception as exc:
        if database_unavailable(exc):
            raise DatabaseUnavailable(f"{type(exc).__name__}: {exc}") from exc
        raise
    for topic, count in reset.items():
        REPUBLISHED.labels(service, topic).inc(count)
    log.warning("the broker has lost records this service published; re-publishing %s", reset)
    return reset


class LogCheckedProducer:
    """The relay's producer handle: the broker's log is checked at start and after every broker error
    (the relay stops the producer then), before anything is published, so a lost log is refilled
    oldest first.

    The relay asks for the producer only when it has rows to publish; `watch` checks when it has none
    (a restart with everything published before). A batch read before a re-publish is refused once
    (`BrokerLostItsLog`), so the relay reads again from the oldest row.
    """

    def __init__(self, producer: ProducerHandle, *, engine: AsyncEngine, tables: MessagingTables,
                 bootstrap_servers: str, service: str, security: dict | None = None) -> None:
        self._producer = producer
        self._security = security
        self._engine = engine
        self._tables = tables
        self._bootstrap_servers = bootstrap_servers
        self._service = service
        self._checked = False
        self._reset_unseen = False
        self._lock = asyncio.Lock()

    @property
    def started(self) -> bool:
        return self._producer.started

    async def check(self) -> bool:
        """Check the log once unless checked since the last broker error; True if rows were reset."""
        async with self._lock:
            if self._checked:
                return False
            reset = await republish_if_lost(self._engine, self._tables, self._bootstrap_servers, self._service,
                                            self._security)
            self._checked = True
            self._reset_unseen = self._reset_unseen or bool(reset)
            return bool(reset)

    async def get(self):
        await self.check()
        if self._reset_unseen:
            self._reset_unseen = False
            raise BrokerLostItsLog("outbox rows marked for re-publishing: reading again from the oldest")
        return await self._producer.get()

    async def ping(self) -> None:
        await self._producer.ping()

    async def stop(self) -> None:
        self._checked = False
        await self._producer.stop()

    async def watch(self, stopping: asyncio.Event, wake=lambda: None, interval: float = 2.0) -> None:
        """Until stopped: check whenever unchecked, and wake the relay when rows were reset."""
        while not stopping.is_set():
            try:
                if await self.check():
                    wake()
            except Exception as exc:  # noqa: BLE001 - the broker or database is away: the next round
                log.debug("broker log not checked yet: %s", type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), interval)


def log_checked(producer: ProducerHandle, engine: AsyncEngine, tables: MessagingTables, settings) -> LogCheckedProducer:
    """The runtime's producer as the relay should use it."""
    return LogCheckedProducer(producer, engine=engine, tables=tables,
                              bootstrap_servers=settings.kafka_bootstrap_servers, service=settings.service_name,
                              security=client_security(settings))
