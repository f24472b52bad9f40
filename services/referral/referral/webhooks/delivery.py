"""Sending due webhook deliveries: the HTTP calls happen outside any database transaction."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

from nwd_shared.runtime import PeriodicSpec, Runtime
from referral.models import WebhookAttempt
from referral.webhooks import domain, repository


@dataclass(frozen=True)
class Claimed:
    delivery_id: str
    url: str
    secret: str
    payload: str


@dataclass(frozen=True)
class Outcome:
    delivery_id: str
    attempted_at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


async def deliver_due(_session, runtime: Runtime) -> list:
    """Claim due deliveries, send them, record the answers; returns no events."""
    # The job's own session stays unused (it never connects): an endpoint that is slow to answer
    # must not hold a transaction, and on SQLite the service's only connection, while it waits.
    settings = runtime.settings
    now = runtime.clock()
    async with runtime.sessions() as session, session.begin():
        due = await repository.due_deliveries(session, now, settings.webhook_batch_size)
        lease = timedelta(seconds=settings.webhook_timeout_seconds * 2 + 30)
        claimed = []
        for delivery, subscription in due:
            # Leased, not locked: a crash mid-send means the delivery is retried after the lease.
            delivery.next_attempt_at = now + lease
            claimed.append(Claimed(delivery.id, subscription.url, subscription.secret, delivery.payload))
    if not claimed:
        return []
    async with httpx.AsyncClient(timeout=settings.webhook_timeout_seconds, follow_redirects=False) as client:
        outcomes = await asyncio.gather(*(send(client, item, runtime.clock()) for item in claimed))
    async with runtime.sessions() as session, session.begin():
        # In delivery id order, the order every writer of these rows locks them in.
        for outcome in sorted(outcomes, key=lambda o: o.delivery_id):
            await record(session, outcome, runtime)
    return []


async def send(client: httpx.AsyncClient, item: Claimed, now: datetime) -> Outcome:
    """One signed attempt; any failure is an answer to record, never an exception."""
    started = time.perf_counter()
    status_code, error = None, None
    try:
        response = await client.post(item.url, content=item.payload.encode(),
                                     headers=domain.headers(item.secret, item.delivery_id, now, item.payload))
        status_code = response.status_code
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:1000]
    return Outcome(item.delivery_id, now, status_code, error, int((time.perf_counter() - started) * 1000))


async def record(session, outcome: Outcome, runtime: Runtime) -> None:
    """Record an attempt; schedule the next with backoff, or give up once the window is over."""
    settings = runtime.settings
    session.add(WebhookAttempt(delivery_id=outcome.delivery_id, attempted_at=outcome.attempted_at,
                               status_code=outcome.status_code, error=outcome.error,
                               duration_ms=outcome.duration_ms))
    delivery = await repository.get_delivery(session, outcome.delivery_id)
    if delivery is None or delivery.status != "pending":
        return
    delivery.attempts += 1
    delivery.last_status_code, delivery.last_error = outcome.status_code, outcome.error
    if outcome.delivered:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = "delivered", outcome.attempted_at, None
        return
    retry_at = domain.next_attempt(
        failed_attempts=delivery.attempts, now=runtime.clock(), first_at=delivery.created_at,
        base_seconds=settings.webhook_retry_base_seconds, max_seconds=settings.webhook_retry_max_delay_seconds,
        window=timedelta(hours=settings.webhook_retry_window_hours))
    if retry_at is None:
        delivery.status, delivery.next_attempt_at = "failed", None
    else:
        delivery.next_attempt_at = retry_at


def periodic(settings) -> PeriodicSpec:
    return PeriodicSpec(name="referral-webhooks", interval=settings.webhook_poll_seconds, job=deliver_due)
