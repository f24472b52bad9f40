"""The outbox relay: publishes committed outbox rows in order and marks them after the broker acks."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import zlib
from datetime import UTC, datetime

from aiokafka.errors import KafkaError
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from nwd_shared.db import is_sqlite
from nwd_shared.kafka import ProducerHandle
from nwd_shared.messaging.failures import DatabaseUnavailable, database_unavailable
from nwd_shared.messaging.tables import MessagingTables
from nwd_shared.metrics import EVENTS_PUBLISHED, OUTBOX_BACKLOG, OUTBOX_OLDEST_AGE, RELAY_FAILURES

log = logging.getLogger(__name__)

# Seconds between measurements of the outbox backlog gauges.
BACKLOG_INTERVAL = 1.0


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
    ) -> None:
        self._service = service
        self._engine = engine
        self._outbox = tables.outbox
        self._producer = producer
        self._batch_size = batch_size
        self._poll_interval = poll_interval
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
        """On shutdown: publish what the outbox still holds, for at most `seconds`."""
        published = 0
        try:
            async with asyncio.timeout(seconds):
                while (count := await self.publish_batch()) > 0:
                    published += count
        except (DatabaseUnavailable, TimeoutError, KafkaError, OSError) as exc:
            # Whatever is left is published by the next start; nothing is lost.
            log.warning("outbox drain stopped: %s", type(exc).__name__)
        return published

    async def run(self) -> None:
        """Publish until stopped; broker or database failures back off and retry, losing nothing."""
        backoff = self._poll_interval
        async with self._leadership() as leader:
            while not self._stopping.is_set():
                try:
                    await leader()
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

    async def publish_batch(self) -> int:
        """Publish the oldest unpublished rows once; returns how many the broker acknowledged."""
        async with self._database():
            async with self._engine.connect() as connection:
                rows = (
                    await connection.execute(
                        select(self._outbox)
                        .where(self._outbox.c.published_at.is_(None))
                        .order_by(self._outbox.c.id)
                        .limit(self._batch_size)
                    )
                ).all()
        if not rows:
            await self._record_backlog()
            return 0
        producer = await self._producer.get()
        # Pipelined: enqueue the whole batch, then wait for the acks. aiokafka keeps one request
        # in flight per broker, so rows of one key (one partition) arrive in outbox order.
        futures = []
        for row in rows:
            headers = [(name, value.encode()) for name, value in row.headers]
            futures.append(
                await producer.send(
                    row.topic, value=row.payload, key=row.key.encode(), headers=headers
                )
            )
        results = await asyncio.gather(*futures, return_exceptions=True)
        self.broker = "ok"
        acked: list = []
        failed: list[tuple[int, BaseException]] = []
        for row, result in zip(rows, results, strict=True):
            if isinstance(result, BaseException):
                failed.append((row.id, result))
            else:
                acked.append(row)
        async with self._database():
            await self._mark([row.id for row in acked], failed)
        for row in acked:
            EVENTS_PUBLISHED.labels(self._service, row.event_type).inc()
        await self._record_backlog()
        if failed:
            raise failed[0][1]
        return len(acked)

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

    @contextlib.asynccontextmanager
    async def _leadership(self):
        """On PostgreSQL only one replica's relay publishes (an advisory lock), keeping key order."""
        if is_sqlite(str(self._engine.url)):
            async def always() -> None:
                return None

            yield always
            return
        lock_id = zlib.crc32(f"nwd-outbox-{self._service}".encode())
        connection: AsyncConnection | None = None

        async def acquire() -> None:
            nonlocal connection
            while connection is None and not self._stopping.is_set():
                async with self._database():
                    candidate = await self._engine.connect()
                    got = (await candidate.execute(text("SELECT pg_try_advisory_lock(:id)"),
                                                   {"id": lock_id})).scalar()
                    await candidate.commit()
                if got:
                    connection = candidate
                    return
                await candidate.close()
                await self._sleep(1.0)

        try:
            yield acquire
        finally:
            if connection is not None:
                with contextlib.suppress(Exception):
                    await connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": lock_id})
                    await connection.close()

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)
        self._wake.clear()
