"""The idempotent consumer loop: a poll's batch in one transaction, offsets committed after it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError
from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nwd_shared.events import CloudEvent, EnvelopeError, UnknownEventType, dead_letter_topic, decode
from nwd_shared.kafka import ProducerHandle, new_consumer
from nwd_shared.messaging.failures import database_unavailable
from nwd_shared.messaging.outbox import lock_references, outbox_row
from nwd_shared.messaging.tables import MessagingTables
from nwd_shared.metrics import (
    CONSUMER_ASSIGNED_PARTITIONS,
    CONSUMER_LAG,
    DEAD_LETTERED,
    EVENTS_CONSUMED,
    EVENTS_DUPLICATE,
    EVENTS_UNKNOWN_TYPE,
    HANDLER_ERRORS,
)
from nwd_shared.observability import TRACEPARENT, consume_span, describe_error
from nwd_shared.settings import KafkaSettings

log = logging.getLogger(__name__)

# A handler applies one event inside the consumer's transaction and returns the events it causes.
Handler = Callable[[AsyncSession, CloudEvent], Awaitable[Iterable[CloudEvent] | None]]
# A prefetch loads, in a few queries, the rows a batch's handlers will look up by key (see
# nwd_shared.db.load_rows and get_row); the consumer keeps what it returns for the transaction.
Prefetch = Callable[[AsyncSession, Sequence[CloudEvent]], Awaitable[object]]


class HandlerTimedOut(Exception):
    """A handler ran past NWD_KAFKA_HANDLER_TIMEOUT_SECONDS; retried, then dead-lettered like any failure."""

    safe_message = True  # the event type and the timeout: no values


def inbox_key(event: CloudEvent) -> str:
    """Equal ce_source and ce_id make a duplicate (contract.md)."""
    return f"{event.source}#{event.id}"


@dataclass(frozen=True)
class Delivery:
    """A record and, when it parsed, its event; or the type it has that this version does not know."""

    record: ConsumerRecord
    event: CloudEvent | None = None
    error: str | None = None
    unknown_type: str | None = None


class EventConsumer:
    """Consumes topics as one consumer group and applies handlers exactly once per event.

    `name` is the consumer group (NWD_KAFKA_GROUP_PREFIX + the consumer's name); the inbox is keyed on
    `inbox_name`, the consumer's own name, so renaming the group never replays work as new.
    """

    def __init__(
        self,
        *,
        service: str,
        name: str,
        inbox_name: str | None = None,
        topics: Sequence[str],
        handlers: dict[str, Handler],
        sessions: async_sessionmaker[AsyncSession],
        tables: MessagingTables,
        producer: ProducerHandle,
        settings: KafkaSettings,
        after_commit: Callable[[], None] = lambda: None,
        prefetch: Prefetch | None = None,
    ) -> None:
        self.name = name
        self.inbox_name = inbox_name or name
        # Inbox rows written before the inbox was keyed on the stable name carry the group's name.
        self._legacy_names = tuple({name} - {self.inbox_name})
        self._legacy_adopted = not self._legacy_names
        self._service = service
        self._topics = list(topics)
        self._handlers = handlers
        self._sessions = sessions
        self._tables = tables
        self._producer = producer
        self._settings = settings
        self._after_commit = after_commit
        self._prefetch = prefetch
        self._stopping = asyncio.Event()
        # Set once the group first gave this replica a partition; `partitions` is how many it has now.
        self.assigned = asyncio.Event()
        self.partitions = 0

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        """Poll and handle until stopped; an unreachable broker is retried, never fatal."""
        while not self._stopping.is_set():
            consumer = new_consumer(self._settings, self.name, self._topics)
            try:
                if not self._legacy_adopted:
                    await self.adopt_legacy_inbox()
                await consumer.start()
                await self._poll(consumer)
            except (KafkaError, OSError) as exc:
                log.warning("consumer %s waiting for the broker: %s", self.name, exc)
                await self._pause(1.0)
            except Exception:
                log.exception("consumer %s failed; restarting", self.name)
                await self._pause(1.0)
            finally:
                self.partitions = 0
                CONSUMER_ASSIGNED_PARTITIONS.labels(self._service, self.name).set(0)
                with contextlib.suppress(Exception):
                    await consumer.stop()

    async def adopt_legacy_inbox(self) -> None:
        """Re-key inbox rows written under the group's name to the stable name, once per start.

        Safe beside other replicas: a row is moved only where the stable name has none for the event,
        and a legacy row is deleted only where its copy under the stable name exists.
        """
        inbox = self._tables.inbox
        stable = inbox.alias("stable")
        has_stable = select(stable.c.event_id).where(
            stable.c.consumer == self.inbox_name, stable.c.event_id == inbox.c.event_id).exists()
        try:
            async with self._sessions() as session, session.begin():
                for legacy in self._legacy_names:
                    await session.execute(update(inbox).where(inbox.c.consumer == legacy, ~has_stable)
                                          .values(consumer=self.inbox_name))
                    await session.execute(delete(inbox).where(inbox.c.consumer == legacy, has_stable))
        except Exception as exc:  # noqa: BLE001 - the lookup still reads legacy rows; retried next start
            log.warning("consumer %s: legacy inbox rows not re-keyed yet: %s", self.name, type(exc).__name__)
            return
        self._legacy_adopted = True

    async def _poll(self, consumer: AIOKafkaConsumer) -> None:
        lag_measured = 0.0
        while not self._stopping.is_set():
            batch = await consumer.getmany(timeout_ms=200)
            assignment = consumer.assignment()
            # A replica with no partition (more replicas than partitions) is idle, not unready.
            self.partitions = len(assignment)
            CONSUMER_ASSIGNED_PARTITIONS.labels(self._service, self.name).set(self.partitions)
            if assignment:
                self.assigned.set()
            if time.monotonic() - lag_measured > 1.0:
                lag_measured = time.monotonic()
                await self._record_lag(consumer)
            if not batch:
                continue
            records = [record for partition in batch.values() for record in partition]
            try:
                await self.handle(records)
            except Exception as exc:
                # Nothing committed: go back to the batch's first offsets and try again later.
                if database_unavailable(exc):
                    log.warning("consumer %s: database unavailable (%s); will retry the batch", self.name,
                                type(exc).__name__)
                else:
                    log.exception("consumer %s could not handle a batch; will retry it", self.name)
                for tp, partition in batch.items():
                    consumer.seek(tp, partition[0].offset)
                await self._pause(self._settings.kafka_retry_backoff_ms / 1000)
                continue
            offsets = {tp: partition[-1].offset + 1 for tp, partition in batch.items()}
            try:
                await consumer.commit(offsets)
            except CommitFailedError:
                # Partitions moved in a rebalance; their new owner re-reads and the inbox skips
                # what this member already applied.
                log.warning("consumer %s lost partitions before committing", self.name)

    async def _record_lag(self, consumer: AIOKafkaConsumer) -> None:
        for tp in consumer.assignment():
            highwater = consumer.highwater(tp)
            if highwater is None:
                continue
            position = await consumer.position(tp)
            CONSUMER_LAG.labels(self._service, self.name, tp.topic, str(tp.partition)).set(
                max(highwater - position, 0))

    async def handle(self, records: Sequence[ConsumerRecord]) -> None:
        """Apply a poll's records: bad ones to the dead-letter topic, unknown types skipped, the rest once each."""
        deliveries = [self._parse(record) for record in records]
        wanted = [d for d in deliveries if d.event is not None and d.event.type in self._handlers]
        if wanted:
            try:
                await self._apply(wanted)
            except Exception as exc:
                HANDLER_ERRORS.labels(self._service, self.name).inc()
                if database_unavailable(exc):
                    raise  # the poll loop retries the whole batch once the database is back
                log.warning("consumer %s: batch failed, handling one by one", self.name, exc_info=True)
                for delivery in wanted:
                    await self._apply_with_retries(delivery)
        # After the good ones, so a batch retried for the database's sake dead-letters these once.
        for delivery in deliveries:
            if delivery.unknown_type is not None:
                self._skip_unknown(delivery)
            elif delivery.event is None:
                await self._dead_letter(delivery.record, delivery.error or "unparseable")

    def _parse(self, record: ConsumerRecord) -> Delivery:
        try:
            return Delivery(record, decode(record.headers, record.value))
        except UnknownEventType as exc:
            return Delivery(record, unknown_type=exc.type)
        except EnvelopeError as exc:
            return Delivery(record, error=f"EnvelopeError: {exc}")

    def _skip_unknown(self, delivery: Delivery) -> None:
        """A type from a newer producer (a rolling deploy adding one): counted, and its offset committed."""
        event_type = delivery.unknown_type[:128]
        EVENTS_UNKNOWN_TYPE.labels(self._service, self.name, event_type).inc()
        log.info("consumer %s skipped %s[%s]@%s of unknown type %r", self.name, delivery.record.topic,
                 delivery.record.partition, delivery.record.offset, event_type)

    async def _apply(self, deliveries: Sequence[Delivery]) -> None:
        """One transaction: inbox check, handlers, inbox rows and outbox rows together."""
        inbox = self._tables.inbox
        keys = [inbox_key(d.event) for d in deliveries]
        async with self._sessions() as session, session.begin():
            seen = set(
                (
                    await session.execute(
                        select(inbox.c.event_id).where(
                            inbox.c.consumer.in_((self.inbox_name, *self._legacy_names)),
                            inbox.c.event_id.in_(set(keys)),
                        )
                    )
                ).scalars()
            )
            fresh: list[Delivery] = []
            for delivery, key in zip(deliveries, keys, strict=True):
                if key in seen:
                    EVENTS_DUPLICATE.labels(self._service, self.name).inc()
                else:
                    seen.add(key)
                    fresh.append(delivery)
            if not fresh:
                return
            # Held until commit: the session's identity map keeps only weak references.
            _kept = await self._prefetch(session, [d.event for d in fresh]) if self._prefetch else None
            now = datetime.now(UTC)
            outbox_rows: list[dict] = []
            for delivery in fresh:
                event = delivery.event
                traceparent = dict(delivery.record.headers or ()).get(TRACEPARENT)
                with consume_span(event.type, event.subject, traceparent and traceparent.decode()):
                    caused = await self._handle_in_time(session, event)
                    # Built inside the span, so each caused event carries its trace.
                    outbox_rows += [outbox_row(c) for c in caused or ()]
            # One statement each for the whole batch; outbox rows in handling order keep key order.
            await session.execute(insert(inbox), [
                {"consumer": self.inbox_name, "event_id": inbox_key(d.event), "event_type": d.event.type,
                 "processed_at": now} for d in fresh])
            if outbox_rows:
                # As add_to_outbox does: a key's rows take ids in commit order (PostgreSQL).
                await lock_references(session, [row["key"] for row in outbox_rows])
                await session.execute(insert(self._tables.outbox), outbox_rows)
        for delivery in fresh:
            EVENTS_CONSUMED.labels(self._service, self.name, delivery.event.type).inc()
        self._after_commit()

    async def _handle_in_time(self, session: AsyncSession, event: CloudEvent) -> Iterable[CloudEvent] | None:
        """Run the event's handler, giving up after the timeout so a hang never holds its partition."""
        seconds = self._settings.kafka_handler_timeout_seconds
        try:
            async with asyncio.timeout(seconds) as deadline:
                return await self._handlers[event.type](session, event)
        except TimeoutError:
            if not deadline.expired():
                raise  # the handler's own (a driver's): judged as any other failure is
            # Not TimeoutError (an OSError): a hang is the event's failure, not a database outage.
            raise HandlerTimedOut(f"{event.type} handler ran over {seconds} s") from None

    async def _apply_with_retries(self, delivery: Delivery) -> None:
        attempts = self._settings.kafka_handler_retries
        for attempt in range(1, attempts + 1):
            try:
                await self._apply([delivery])
                return
            except Exception as exc:
                HANDLER_ERRORS.labels(self._service, self.name).inc()
                # A valid event is never dead-lettered for an outage: nothing accepted is lost.
                if database_unavailable(exc):
                    raise
                if attempt == attempts:
                    # Described, never quoted: a handler's error text may hold the event's personal data.
                    await self._dead_letter(delivery.record, describe_error(exc))
                    return
                await self._pause(self._settings.kafka_retry_backoff_ms / 1000 * attempt)

    async def _dead_letter(self, record: ConsumerRecord, error: str) -> None:
        """Send a record as it came to `<topic>.dlt`, with where it came from and why."""
        producer = await self._producer.get()
        headers = list(record.headers or ()) + [
            ("nwd_dlt_original_topic", record.topic.encode()),
            ("nwd_dlt_original_partition", str(record.partition).encode()),
            ("nwd_dlt_original_offset", str(record.offset).encode()),
            ("nwd_dlt_consumer", self.name.encode()),
            ("nwd_dlt_error", error[:2000].encode("utf-8", "replace")),
        ]
        await producer.send_and_wait(
            dead_letter_topic(record.topic), value=record.value, key=record.key, headers=headers
        )
        DEAD_LETTERED.labels(self._service, record.topic).inc()
        log.warning(
            "dead-lettered %s[%s]@%s: %s", record.topic, record.partition, record.offset, error[:200]
        )

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)


__all__ = ["Delivery", "EventConsumer", "Handler", "HandlerTimedOut", "Prefetch", "TopicPartition",
           "database_unavailable", "inbox_key"]
