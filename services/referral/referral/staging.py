"""Staging what a use case caused: the outbox and the partner feed's webhooks, in one transaction."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from nwd_shared import events as ev
from nwd_shared.messaging.outbox import add_to_outbox
from referral.context import Context
from referral.models import messaging
from referral.webhooks import service as webhooks


async def stage(session: AsyncSession, ctx: Context, events: Iterable[ev.CloudEvent]) -> None:
    """Every event to the outbox, and a webhook delivery for each subscription it concerns."""
    # The one place events leave a use case: an edge that staged only the outbox would starve the feed.
    events = list(events)
    await add_to_outbox(session, messaging, events)
    await webhooks.enqueue(session, events, ctx.now)


async def forward(session: AsyncSession, ctx: Context, events: Iterable[ev.CloudEvent]) -> None:
    """Another service's events onto the partner feed's webhooks only: they are on their own topic already."""
    await webhooks.enqueue(session, events, ctx.now)
