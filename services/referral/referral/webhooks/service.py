"""Webhook use cases: register, fan events out to deliveries, show them. Never commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from uuid import uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from nwd_shared import events as ev
from nwd_shared.directory import Organisation
from nwd_shared.errors import NotFound
from referral.models import WebhookDelivery, WebhookSubscription
from referral.webhooks import domain, repository
from referral.webhooks.schemas import AttemptView, DeliveryView, SubscriptionIn


async def subscribe(session: AsyncSession, *, caller: Organisation, body: SubscriptionIn,
                    now: datetime) -> WebhookSubscription:
    """Register an endpoint for the caller's organisation; the secret is shown only now."""
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
        history.setdefault(attempt.delivery_id, []).append(AttemptView.model_validate(attempt, from_attributes=True))
    return [DeliveryView.model_validate(row, from_attributes=True).model_copy(update={"history": history.get(row.id, [])})
            for row in rows]
