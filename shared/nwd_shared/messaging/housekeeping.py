"""Housekeeping: inbox rows, published outbox rows and idempotency keys deleted once they have expired."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Column, delete, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nwd_shared.messaging.failures import database_unavailable
from nwd_shared.messaging.tables import MessagingTables
from nwd_shared.metrics import ROWS_PRUNED
from nwd_shared.settings import HousekeepingSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Expiry:
    """Rows of a table expire when the time in `column` is older than the setting `days` names (NULL: never)."""

    column: Column
    days: str

    def cutoff(self, settings: HousekeepingSettings, now: datetime) -> datetime:
        """Rows stamped before this moment have expired."""
        return now - timedelta(days=getattr(settings, self.days))


def messaging_expiries(tables: MessagingTables) -> list[Expiry]:
    """Every service's: inbox rows, and outbox rows once published (an unpublished row never expires)."""
    return [Expiry(tables.inbox.c.processed_at, "inbox_retention_days"),
            Expiry(tables.outbox.c.published_at, "outbox_retention_days")]


async def prune(sessions: async_sessionmaker[AsyncSession], column: Column, before: datetime,
                batch_size: int) -> int:
    """Delete the rows whose `column` is before `before`, one batch per transaction; returns how many.

    A plain DELETE of a batch's keys: replicas pruning at once only find some rows already gone.
    """
    table = column.table
    keys = list(table.primary_key.columns)
    key = keys[0] if len(keys) == 1 else tuple_(*keys)
    total = 0
    while True:
        expired = select(*keys).where(column < before).limit(batch_size)
        async with sessions() as session, session.begin():
            deleted = (await session.execute(delete(table).where(key.in_(expired)))).rowcount
        total += deleted
        if deleted < batch_size:
            return total


async def prune_expired(sessions: async_sessionmaker[AsyncSession], expiries: Sequence[Expiry],
                        settings: HousekeepingSettings, now: datetime, *, service: str) -> dict[str, int]:
    """One round of housekeeping: each table's expired rows deleted; returns the count per table."""
    pruned: dict[str, int] = {}
    for expiry in expiries:
        name = expiry.column.table.name
        count = await prune(sessions, expiry.column, expiry.cutoff(settings, now), settings.housekeeping_batch_size)
        ROWS_PRUNED.labels(service, name).inc(count)
        pruned[name] = pruned.get(name, 0) + count
    if any(pruned.values()):
        log.info("housekeeping pruned %s", pruned)
    return pruned


async def keep_house(runtime: Any, expiries: Sequence[Expiry], stopping: asyncio.Event) -> None:
    """Prune every `housekeeping_interval_seconds` until stopped; a failure waits for the next round."""
    settings = runtime.settings
    while not stopping.is_set():
        try:
            await prune_expired(runtime.sessions, expiries, settings, runtime.clock(),
                                service=settings.service_name)
        except Exception as exc:
            if database_unavailable(exc):
                log.warning("housekeeping waiting for the database: %s", type(exc).__name__)
            else:
                log.exception("housekeeping failed; retrying next time")
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stopping.wait(), settings.housekeeping_interval_seconds)
