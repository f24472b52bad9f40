"""Webhook use cases: register, fan events out to deliveries, show them. Never commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from uuid import uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from nwd_shared import events as ev
from nwd_shared.directory import Organisation
from nwd_shared.errors import Invalid, NotFound
from referral.models import WebhookDelivery, WebhookSubscription
from referral.webhooks import domain, egress, repository
from referral.webhooks.schemas import AttemptView, DeliveryView, SubscriptionIn


async def subscribe(session: AsyncSession, *, caller: Organisation, body: SubscriptionIn,
                    now: datetime, policy: egress.Policy) -> WebhookSubscription:
    """Register an endpoint for the caller's organisation; the secret is shown only now.

    A URL that can never be called (http, a local name, an address inside the network in any
    numeric form) is refused now; a name is resolved and checked again at every send.
    """
    try:
        egress.check_url(str(body.url), policy)
    except egress.RefusedAddress as refused:
        raise Invalid.field("body.url", str(refused), "url_refused") from None
    row = WebhookSubscription(id=str(uuid4()), organisation_id=caller.id, url=str(body.url),
                              event_types=list(body.event_types), secret=domain.new_secret(), active=True,
                              created_at=now)
    session.add(row)
    return row


async def own_subscription(session: AsyncSession, subscription_id: str, caller: Organisation) -> WebhookSubscription:
    row = await repository.get_subscription(session, subscription_id)
    if row is None or row.organisation_id != caller.id:
        raise NotFound(f"no subscription {subscription_id}")
    return row


async def unsubscribe(session: AsyncSession, *, subscription_id: str, caller: Organisation) -> None:
    """Stop an endpoint: nothing more is sent to it, and what waited is cancelled."""
    row = await own_subscription(session, subscription_id, caller)
    row.active = False
    await repository.cancel_pending(session, row.id)


ACTIVE_SUBSCRIPTIONS = "nwd.referral.active_subscriptions"


async def enqueue(session: AsyncSession, events: Iterable[ev.CloudEvent], now: datetime) -> int:
    """Stage a delivery per event and interested subscription, in the transaction that caused them."""
    feed = [event for event in events if event.type in domain.EVENT_TYPES]
    if not feed:
        return 0
    # Read once per transaction: a consumer batch stages deliveries for many events.
    if (subscriptions := session.info.get(ACTIVE_SUBSCRIPTIONS)) is None:
        subscriptions = session.info[ACTIVE_SUBSCRIPTIONS] = await repository.active_subscriptions(session)
    staged = 0
    for event in feed:
        for subscription in subscriptions:
            if event.type in subscription.event_types and domain.names(event, subscription.organisation_id):
                session.add(WebhookDelivery(
                    id=str(uuid4()), subscription_id=subscription.id, event_id=event.id, event_type=event.type,
                    reference=event.subject, payload=domain.body_for(event, subscription.organisation_id),
                    status="pending", attempts=0, next_attempt_at=now, created_at=now))
                staged += 1
    return staged


async def deliveries(session: AsyncSession, *, subscription_id: str, caller: Organisation, status: str | None,
                     limit: int) -> list[DeliveryView]:
    """A subscription's deliveries, newest first, each with its attempts."""
    await own_subscription(session, subscription_id, caller)
    rows = await repository.deliveries_of(session, subscription_id, status=status, limit=limit)
    history: dict[str, list[AttemptView]] = {}
    for attempt in await repository.attempts_of(session, [r.id for r in rows]):
        history.setdefault(attempt.delivery_id, []).append(AttemptView(
            attempted_at=attempt.attempted_at, status_code=attempt.status_code,
            outcome=coarse(attempt.status_code, attempt.error), duration_ms=attempt.duration_ms))
    return [DeliveryView(
        id=row.id, event_id=row.event_id, event_type=row.event_type, reference=row.reference, status=row.status,
        attempts=row.attempts, next_attempt_at=row.next_attempt_at, last_status_code=row.last_status_code,
        last_outcome=coarse(row.last_status_code, row.last_error) if row.attempts else None,
        created_at=row.created_at, delivered_at=row.delivered_at, history=history.get(row.id, []))
        for row in rows]


def coarse(status_code: int | None, recorded: str | None) -> str:
    """The outcome shown for an attempt; rows written before outcomes were coarse held the remote
    error text, which is never shown: it is reduced to its outcome here."""
    if recorded in egress.OUTCOMES:
        return recorded
    if status_code is not None:
        return egress.DELIVERED if 200 <= status_code < 300 else egress.FAILED_HTTP_STATUS
    return egress.TIMEOUT if recorded and "Timeout" in recorded else egress.CONNECTION_FAILED
