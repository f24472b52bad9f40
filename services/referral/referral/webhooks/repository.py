"""Webhook queries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from referral.models import WebhookAttempt, WebhookDelivery, WebhookSubscription


async def active_subscriptions(session: AsyncSession) -> list[WebhookSubscription]:
    query = select(WebhookSubscription).where(WebhookSubscription.active.is_(True))
    return list((await session.execute(query.order_by(WebhookSubscription.created_at))).scalars())


async def subscriptions_of(session: AsyncSession, organisation_id: str) -> list[WebhookSubscription]:
    query = select(WebhookSubscription).where(WebhookSubscription.organisation_id == organisation_id)
    return list((await session.execute(query.order_by(WebhookSubscription.created_at))).scalars())


async def get_subscription(session: AsyncSession, subscription_id: str) -> WebhookSubscription | None:
    return await session.get(WebhookSubscription, subscription_id)


async def deliveries_of(session: AsyncSession, subscription_id: str, *, status: str | None,
                        limit: int) -> list[WebhookDelivery]:
    query = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
    if status is not None:
        query = query.where(WebhookDelivery.status == status)
    query = query.order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id).limit(limit)
    return list((await session.execute(query)).scalars())


async def attempts_of(session: AsyncSession, delivery_ids: list[str]) -> list[WebhookAttempt]:
    if not delivery_ids:
        return []
    query = select(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(delivery_ids))
    return list((await session.execute(query.order_by(WebhookAttempt.id))).scalars())


async def due_deliveries(session: AsyncSession, now: datetime, limit: int) -> list[tuple[WebhookDelivery, WebhookSubscription]]:
    """Deliveries whose next attempt is due, locked so another replica skips them (PostgreSQL)."""
    query = (
        select(WebhookDelivery, WebhookSubscription)
        .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
        .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now,
               WebhookSubscription.active.is_(True))
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True, of=WebhookDelivery)
    )
    return [(row[0], row[1]) for row in (await session.execute(query)).all()]


async def get_delivery(session: AsyncSession, delivery_id: str) -> WebhookDelivery | None:
    return await session.get(WebhookDelivery, delivery_id)


async def replace_sent_bodies(session: AsyncSession, references: Sequence[str], value: str) -> None:
    """Replace the bodies of the contacts' deliveries that were sent, failed or cancelled."""
    # Bodies of deliveries still to be tried are left to be sent as they were signed.
    await session.execute(update(WebhookDelivery).where(
        WebhookDelivery.reference.in_(references), WebhookDelivery.status != "pending").values(payload=value))


async def cancel_pending(session: AsyncSession, subscription_id: str) -> None:
    """Cancel what still waits for a subscription, locking rows in id order as `record` does."""
    # Locks taken in one order by every writer cannot deadlock (PostgreSQL found one when an
    # unsubscribe's UPDATE met the delivery job recording several attempts of the same endpoint).
    pending = (select(WebhookDelivery.id)
               .where(WebhookDelivery.subscription_id == subscription_id, WebhookDelivery.status == "pending")
               .order_by(WebhookDelivery.id).with_for_update())
    ids = list((await session.execute(pending)).scalars())
    if ids:
        await session.execute(update(WebhookDelivery).where(WebhookDelivery.id.in_(ids))
                              .values(status="cancelled", next_attempt_at=None))
