"""The outbox relay: publishes committed outbox rows in order and marks them after the broker acks."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import zlib
from datetime import UTC, datetime

from aiokafka.errors import (
    CorruptRecordException,
    InvalidTopicError,
    KafkaError,
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    RecordTooLargeError,
)
from sqlalchemy import and_, func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from nwd_shared.db import is_sqlite
from nwd_shared.events import dead_letter_topic
from nwd_shared.kafka import ProducerHandle
from nwd_shared.messaging.failures import DatabaseUnavailable, database_unavailable
from nwd_shared.messaging.tables import MessagingTables
from nwd_shared.metrics import (
    DEAD_LETTERED,
    EVENTS_PUBLISHED,
    OUTBOX_BACKLOG,
    OUTBOX_OLDEST_AGE,
    RELAY_FAILURES,
)

log = logging.getLogger(__name__)

# Seconds between measurements of the outbox backlog gauges.
BACKLOG_INTERVAL = 1.0
# Seconds a replica that is not the relay's leader waits before trying for the lock again.
FOLLOWER_INTERVAL = 1.0
# Failures of the record itself, which no retry can cure: after `max_attempts` of them the row is
# dead-lettered. Anything else (the broker down, slow or electing a leader) is waited out for ever.
UNPUBLISHABLE: tuple[type[BaseException], ...] = (
    MessageSizeTooLargeError, RecordTooLargeError, RecordListTooLargeError, InvalidTopicError,
    CorruptRecordException, ValueError, TypeError,
)


def unpublishable(exc: BaseException) -> bool:
    """Whether a send failed for the record's own sake (too large, a bad topic), not the broker's."""
    return isinstance(exc, UNPUBLISHABLE)


class OutboxRelay:
    """Drains a service's outbox to Kafka; wake() after a commit cuts the wait to nothing."""

    def __init__(
        self,
        *,
        service: str,
        engine: AsyncEngine,
        tables: MessagingTables,
        producer: ProducerHandle,
        batch_size: int = 500,
        poll_interval: float = 0.2,
        max_attempts: int = 10,
    ) -> None:
        self._service = service
        self._engine = engine
        self._outbox = tables.outbox
        self._producer = producer
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._max_attempts = max_attempts
        # Keys held back: a row of theirs failed, so nothing later of the key is sent until it
        # succeeds (key -> the failed row's id). Rebuilt from the table on becoming leader.
        self._held: dict[str, int] = {}
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._backlog_measured = float("-inf")
        # What the last attempt to publish found, for /readyz to report (never to decide readiness).
        self.broker = "not contacted yet"

    def wake(self) -> None:
        """Tell the relay that new rows were committed."""
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    async def drain(self, seconds: float) -> int:
        """On shutdown: publish what the outbox still holds, for at most `seconds`, if this replica leads."""
        published = 0
        leadership = Leadership(self._service, self._engine)
        try:
            async with asyncio.timeout(seconds):
                if not await leadership.check():
                    # Another replica holds the lock and publishes these rows; two relays would race.
                    log.info("outbox drain skipped: another replica's relay leads")
                    return 0
                await self.load_held()
                while (count := await self.publish_batch()) > 0:
                    published += count
        except (DatabaseUnavailable, TimeoutError, KafkaError, OSError) as exc:
            # Whatever is left is published by the next start; nothing is lost.
            log.warning("outbox drain stopped: %s", type(exc).__name__)
        finally:
            await leadership.release()
        return published

    async def run(self) -> None:
        """Publish until stopped; broker or database failures back off and retry, losing nothing."""
        backoff = self._poll_interval
        leadership = Leadership(self._service, self._engine)
        term = 0
        try:
            while not self._stopping.is_set():
                try:
                    # Every round: a lock whose connection dropped is gone, and another replica
                    # may hold it now; publishing on would put two relays on the same rows.
                    if not await leadership.check():
                        with contextlib.suppress(asyncio.TimeoutError):
                            await asyncio.wait_for(self._stopping.wait(), FOLLOWER_INTERVAL)
                        continue
                    if leadership.term != term:
                        # Newly leading: another leader's (or a past run's) failed rows hold keys.
                        await self.load_held()
                        term = leadership.term
                    published = await self.publish_batch()
                    backoff = self._poll_interval
                    if published == self._batch_size:
                        continue
                    await self._sleep(self._poll_interval)
                except DatabaseUnavailable as exc:
                    # The producer is fine: keep it, and its connections, for when the database is back.
                    RELAY_FAILURES.labels(self._service, "database").inc()
                    log.warning("outbox relay waiting for the database: %s", exc)
                    backoff = min(backoff * 2, 5.0)
                    await self._sleep(backoff)
                except (TimeoutError, KafkaError, OSError) as exc:
                    RELAY_FAILURES.labels(self._service, "broker").inc()
                    self.broker = f"unreachable ({type(exc).__name__})"
                    log.warning("outbox relay waiting for the broker: %s", exc)
                    await self._producer.stop()
                    backoff = min(backoff * 2, 5.0)
                    await self._sleep(backoff)
                except Exception:
                    RELAY_FAILURES.labels(self._service, "other").inc()
                    log.exception("outbox relay failed; retrying")
                    backoff = min(backoff * 2, 5.0)
                    await self._sleep(backoff)
        finally:
            await leadership.release()

    async def load_held(self) -> None:
        """The keys held back by a failed row, as the table has them (another leader's, or before a restart)."""
        outbox = self._outbox
        async with self._database(), self._engine.connect() as connection:
            rows = (await connection.execute(
                select(outbox.c.key, func.min(outbox.c.id))
                .where(outbox.c.published_at.is_(None), outbox.c.attempts > 0)
                .group_by(outbox.c.key)
            )).all()
        self._held = {key: head for key, head in rows}

    async def publish_batch(self) -> int:
        """Publish the oldest unpublished rows once; returns how many the broker acknowledged.

        A key whose row failed is held: until that row succeeds (or is dead-lettered) it is the
        only row of its key sent, so no later row of the key overtakes it. A row that fails for
        its own sake `max_attempts` times goes to its topic's dead-letter topic instead of
        stalling its key for ever; one that fails for the broker's sake is retried without limit.
        """
        outbox = self._outbox
        query = select(outbox).where(outbox.c.published_at.is_(None))
        if self._held:
            query = query.where(or_(
                outbox.c.key.not_in(list(self._held)),
                *(and_(outbox.c.key == key, outbox.c.id <= head) for key, head in self._held.items()),
            ))
        async with self._database():
            async with self._engine.connect() as connection:
                rows = (
                    await connection.execute(query.order_by(outbox.c.id).limit(self._batch_size))
                ).all()
        if not rows:
            await self._record_backlog()
            return 0
        producer = await self._producer.get()
        acked, failed = await self._send(producer, rows)
        async with self._database():
            await self._mark([row.id for row in acked], [(row.id, error) for row, error in failed])
        for row in acked:
            EVENTS_PUBLISHED.labels(self._service, row.event_type).inc()
            if self._held.get(row.key) == row.id:
                del self._held[row.key]
        broker_error: BaseException | None = None
        for row, error in sorted(failed, key=lambda pair: pair[0].id):
            self._held.setdefault(row.key, row.id)
            if not unpublishable(error):
                broker_error = broker_error or error
                continue
            RELAY_FAILURES.labels(self._service, "unpublishable").inc()
            log.warning("outbox row %s (%s) could not be published, attempt %s of %s: %r",
                        row.id, row.event_type, row.attempts + 1, self._max_attempts, error)
            if row.attempts + 1 >= self._max_attempts:
                await self._dead_letter(producer, row, error)
        await self._record_backlog()
        if broker_error is not None:
            raise broker_error
        return len(acked)

    async def _send(self, producer, rows: list) -> tuple[list, list[tuple[object, BaseException]]]:
        """Send rows in waves: each key's next row only after its previous one was acknowledged.

        Within a wave every key's row is pipelined (one request in flight per broker), so a batch of
        many keys costs one round trip, and a key with n rows n. So a row that fails has no later
        row of its key in flight: the key stops for the rest of the batch, and is held after it.
        """
        queues: dict[str, list] = {}
        for row in rows:  # in id order, so each queue is in the key's order
            queues.setdefault(row.key, []).append(row)
        acked: list = []
        failed: list[tuple[object, BaseException]] = []
        while queues:
            wave: list[tuple[object, asyncio.Future]] = []
            broker_trouble = False
            for key in list(queues):
                row = queues[key].pop(0)
                if not queues[key]:
                    del queues[key]
                headers = [(name, value.encode()) for name, value in row.headers]
                try:
                    future = await producer.send(
                        row.topic, value=row.payload, key=row.key.encode(), headers=headers
                    )
                except Exception as exc:  # refused before it left: too large, no metadata in time
                    failed.append((row, exc))
                    queues.pop(key, None)
                    if not unpublishable(exc):
                        broker_trouble = True
                        break  # the broker's trouble: the rest would only queue behind it
                    continue
                wave.append((row, future))
            results = await asyncio.gather(*(future for _, future in wave), return_exceptions=True)
            if wave:
                self.broker = "ok"
            for (row, _), result in zip(wave, results, strict=True):
                if isinstance(result, BaseException):
                    failed.append((row, result))
                    queues.pop(row.key, None)
                    broker_trouble = broker_trouble or not unpublishable(result)
                else:
                    acked.append(row)
            if broker_trouble:
                break  # what is left waits for the next round, after the backoff
        return acked, failed

    async def _dead_letter(self, producer, row, error: BaseException) -> None:
        """Send a row no broker will take to `<topic>.dlt`, saying why, and mark it done; alert on it."""
        topic = dead_letter_topic(row.topic)
        reason = f"{type(error).__name__}: {error}"[:2000]
        headers = [(name, value.encode()) for name, value in row.headers] + [
            ("nwd_dlt_original_topic", row.topic.encode()),
            ("nwd_dlt_producer", self._service.encode()),
            ("nwd_dlt_outbox_id", str(row.id).encode()),
            ("nwd_dlt_attempts", str(row.attempts + 1).encode()),
            ("nwd_dlt_error", reason.encode("utf-8", "replace")),
        ]
        value = row.payload
        if isinstance(error, (MessageSizeTooLargeError, RecordTooLargeError, RecordListTooLargeError)):
            # The payload is what no broker takes; it stays in the outbox row, named here.
            headers.append(("nwd_dlt_payload", f"withheld ({len(row.payload)} bytes): outbox row "
                                               f"{row.id} keeps it".encode()))
            value = None
        try:
            await (await producer.send(topic, value=value, key=row.key.encode(), headers=headers))
        except Exception as exc:
            # Left as it was: the next round fails it again and tries the dead-letter topic again.
            log.warning("could not dead-letter outbox row %s to %s: %r", row.id, topic, exc)
            return
        async with self._database(), self._engine.begin() as connection:
            await connection.execute(
                update(self._outbox).where(self._outbox.c.id == row.id).values(
                    published_at=datetime.now(UTC),
                    last_error=f"dead-lettered to {topic} after {row.attempts + 1} attempts: {reason}"[:1000],
                )
            )
        if self._held.get(row.key) == row.id:
            del self._held[row.key]
        DEAD_LETTERED.labels(self._service, topic).inc()
        log.error("outbox row %s (%s, key %s) dead-lettered to %s after %s attempts: %s",
                  row.id, row.event_type, row.key, topic, row.attempts + 1, reason)

    async def _mark(self, acked: list[int], failed: list[tuple[int, BaseException]]) -> None:
        now = datetime.now(UTC)
        async with self._engine.begin() as connection:
            if acked:
                await connection.execute(
                    update(self._outbox).where(self._outbox.c.id.in_(acked)).values(published_at=now)
                )
            for row_id, error in failed:
                await connection.execute(
                    update(self._outbox)
                    .where(self._outbox.c.id == row_id)
                    .values(attempts=self._outbox.c.attempts + 1, last_error=repr(error)[:1000])
                )

    @staticmethod
    @contextlib.asynccontextmanager
    async def _database():
        """Around the relay's own queries: an outage there is the database's, never the broker's."""
        try:
            yield
        except Exception as exc:
            if database_unavailable(exc):
                raise DatabaseUnavailable(f"{type(exc).__name__}: {exc}") from exc
            raise

    async def _record_backlog(self) -> None:
        # At most once a second: under load it was a third of the relay's queries.
        if time.monotonic() - self._backlog_measured < BACKLOG_INTERVAL:
            return
        self._backlog_measured = time.monotonic()
        async with self._database(), self._engine.connect() as connection:
            count, oldest = (
                await connection.execute(
                    select(func.count(), func.min(self._outbox.c.created_at)).where(
                        self._outbox.c.published_at.is_(None)
                    )
                )
            ).one()
        OUTBOX_BACKLOG.labels(self._service).set(count)
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=UTC)
        age = (datetime.now(UTC) - oldest).total_seconds() if oldest else 0.0
        OUTBOX_OLDEST_AGE.labels(self._service).set(age)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)
        self._wake.clear()


class Leadership:
    """On PostgreSQL only one replica's relay publishes: the one holding a session advisory lock.

    The lock lives as long as its connection. `check()` confirms it is still held before every
    round, so a relay whose connection dropped (and whose lock another replica may now hold)
    stops publishing until it wins the lock again. On SQLite (one process) it always leads.
    """

    def __init__(self, service: str, engine: AsyncEngine) -> None:
        self._engine = engine
        self._sqlite = is_sqlite(str(engine.url))
        self.lock_id = zlib.crc32(f"nwd-outbox-{service}".encode())
        self._connection: AsyncConnection | None = None
        # Counts the times the lock was won (SQLite: once, for good).
        self.term = 1 if self._sqlite else 0

    async def check(self) -> bool:
        """Whether this replica leads now: the lock still held, or just taken."""
        if self._sqlite:
            return True
        if self._connection is not None and not await self._still_held():
            log.warning("outbox relay lost its leadership (its lock's connection dropped)")
            await self._drop()
        if self._connection is None:
            await self._acquire()
        return self._connection is not None

    async def _still_held(self) -> bool:
        try:
            async with OutboxRelay._database():
                held = (await self._connection.execute(
                    text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                         " AND pid = pg_backend_pid() AND classid = 0 AND objid::bigint = :id"
                         " AND objsubid = 1"),
                    {"id": self.lock_id},
                )).scalar()
                await self._connection.commit()
        except DatabaseUnavailable:
            return False
        return bool(held)

    async def _acquire(self) -> None:
        async with OutboxRelay._database():
            candidate = await self._engine.connect()
            try:
                got = (await candidate.execute(text("SELECT pg_try_advisory_lock(:id)"),
                                               {"id": self.lock_id})).scalar()
                await candidate.commit()
            except BaseException:
                await candidate.invalidate()
                raise
        if got:
            self._connection = candidate
            self.term += 1
            log.info("outbox relay leads (advisory lock %s)", self.lock_id)
        else:
            await candidate.close()

    async def _drop(self) -> None:
        """Forget a connection whose lock is gone; never back into the pool, where it could hold it."""
        connection, self._connection = self._connection, None
        with contextlib.suppress(Exception):
            await connection.invalidate()
        with contextlib.suppress(Exception):
            await connection.close()

    async def release(self) -> None:
        if self._connection is None:
            return
        with contextlib.suppress(Exception):
            await self._connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": self.lock_id})
            await self._connection.commit()
        await self._drop()
