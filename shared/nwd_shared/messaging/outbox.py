"""Writing events to the outbox in the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import insert
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


async def add_to_outbox(
    session: AsyncSession, tables: MessagingTables, events: Iterable[CloudEvent]
) -> int:
    """Stage events in the session's transaction; the relay publishes them after commit."""
    rows = [outbox_row(event) for event in events]
    if rows:
        await session.execute(insert(tables.outbox), rows)
    return len(rows)
