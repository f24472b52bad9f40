"""Writing events to the outbox in the caller's transaction."""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from nwd_shared.events import CloudEvent
from nwd_shared.messaging.tables import MessagingTables
from nwd_shared.observability import TRACEPARENT, current_traceparent


def outbox_row(event: CloudEvent) -> dict:
    """An event as an outbox row, stored exactly as it will be published."""
    headers = [[name, value.decode()] for name, value in event.headers()]
    traceparent = current_traceparent()
    if traceparent:
        # Stored with the row so the trace continues from the request that caused the event.
        headers.append([TRACEPARENT, traceparent])
    return {
        "event_id": event.id,
        "event_type": event.type,
        "topic": event.topic,
        "key": event.key,
        "headers": headers,
        "payload": event.value(),
        "created_at": datetime.now(UTC),
        "attempts": 0,
    }


# The first half of the two-int advisory lock key: the namespace of per-reference locks.
REFERENCE_LOCK_SPACE = zlib.crc32(b"nwd-reference") & 0x7FFFFFFF


def reference_lock_id(reference: str) -> int:
    """The second half: a reference's lock (a crc32 collision only serialises two references)."""
    return zlib.crc32(reference.encode()) - 2**31  # into PostgreSQL's signed int4


async def lock_references(session: AsyncSession, references: Iterable[str]) -> None:
    """Hold each reference's lock until the session's transaction ends (PostgreSQL; SQLite has one writer).

    Taken in sorted order, so two transactions locking the same references never deadlock; a
    transaction may take a lock it already holds (item 1's per-reference work takes the same one).
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for lock_id in sorted({reference_lock_id(reference) for reference in references}):
        await session.execute(text("SELECT pg_advisory_xact_lock(:space, :id)"),
                              {"space": REFERENCE_LOCK_SPACE, "id": lock_id})


async def add_to_outbox(
    session: AsyncSession, tables: MessagingTables, events: Iterable[CloudEvent]
) -> int:
    """Stage events in the session's transaction; the relay publishes them after commit.

    The ids of a key's rows must follow commit order, or the relay (which publishes in id order)
    could publish a later row while an earlier one is uncommitted and then the earlier one after
    it. So the transaction first takes each key's lock: a second writer of the key waits here,
    before its insert draws an id, until the first commits or rolls back.
    """
    rows = [outbox_row(event) for event in events]
    if rows:
        await lock_references(session, [row["key"] for row in rows])
        await session.execute(insert(tables.outbox), rows)
    return len(rows)
