"""Sending due webhook deliveries: the HTTP calls happen outside any database transaction.

Each URL is checked again when sent (egress.py): resolved, every address allowed, the checked
address called. An attempt is recorded as a coarse outcome and the status code, never the remote
error text or body, so the deliveries endpoint is no oracle of what lies inside the network.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

from nwd_shared.runtime import PeriodicSpec, Runtime
from referral.models import WebhookAttempt
from referral.webhooks import domain, egress, repository


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
    # One of egress.OUTCOMES: delivered, refused_address, failed_http_status, timeout, connection_failed.
    outcome: str
    duration_ms: int

    @property
    def delivered(self) -> bool:
        return self.outcome == egress.DELIVERED


async def deliver_due(_session, runtime: Runtime, *, resolver: egress.Resolver = egress.system_resolver) -> list:
    """Claim due deliveries, send them, record the answers; returns no events.

    `resolver` is the system's; a test gives its own (a public name that resolves to 127.0.0.1).
    """
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
    policy = egress.Policy.of(settings)
    outcomes = await asyncio.gather(*(
        send(item, runtime.clock(), policy=policy, resolver=resolver, timeout=settings.webhook_timeout_seconds)
        for item in claimed))
    async with runtime.sessions() as session, session.begin():
        # In delivery id order, the order every writer of these rows locks them in.
        for outcome in sorted(outcomes, key=lambda o: o.delivery_id):
            await record(session, outcome, runtime)
    return []


async def send(item: Claimed, now: datetime, *, policy: egress.Policy, resolver: egress.Resolver,
               timeout: float, transport: httpx.AsyncBaseTransport | None = None) -> Outcome:
    """One signed attempt to the checked address; any failure is an outcome to record, never an exception."""
    started = time.perf_counter()

    def outcome(kind: str, status_code: int | None = None) -> Outcome:
        return Outcome(item.delivery_id, now, status_code, kind, int((time.perf_counter() - started) * 1000))

    try:
        target = await asyncio.wait_for(egress.resolve(item.url, policy, resolver), timeout)
    except egress.RefusedAddress:
        return outcome(egress.REFUSED_ADDRESS)
    except TimeoutError:
        return outcome(egress.TIMEOUT)
    except (ConnectionError, ValueError):
        return outcome(egress.CONNECTION_FAILED)
    headers = {**domain.headers(item.secret, item.delivery_id, now, item.payload), "host": target.host_header()}
    # A client per attempt: a pooled connection made for one name is never reused for another
    # name on the same address. No redirects, no proxies or .netrc from the environment.
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False,
                                 transport=transport) as client:
        try:
            # Streamed and never read: the body of the answer is not needed, however large.
            async with client.stream("POST", target.request_url(), content=item.payload.encode(),
                                     headers=headers, extensions=target.extensions()) as response:
                status_code = response.status_code
        except httpx.TimeoutException:
            return outcome(egress.TIMEOUT)
        except (httpx.HTTPError, OSError):
            return outcome(egress.CONNECTION_FAILED)
    return outcome(egress.DELIVERED if 200 <= status_code < 300 else egress.FAILED_HTTP_STATUS, status_code)


async def record(session, outcome: Outcome, runtime: Runtime) -> None:
    """Record an attempt; schedule the next with backoff, or give up once the window is over."""
    settings = runtime.settings
    session.add(WebhookAttempt(delivery_id=outcome.delivery_id, attempted_at=outcome.attempted_at,
                               status_code=outcome.status_code, error=outcome.outcome,
                               duration_ms=outcome.duration_ms))
    delivery = await repository.get_delivery(session, outcome.delivery_id)
    if delivery is None or delivery.status != "pending":
        return
    delivery.attempts += 1
    delivery.last_status_code, delivery.last_error = outcome.status_code, outcome.outcome
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
