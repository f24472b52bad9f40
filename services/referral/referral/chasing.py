"""Chasing unanswered proposals: a reminder, then escalation at the time-out; decisions whose contact is late;
and a sweeper for negotiations whose answers are all in but that never agreed.

Safe on many replicas: each job claims its rows (SKIP LOCKED) and marks them in the same transaction,
and acts on a contact only while it holds the contact's lock, skipping one that a request or handler
holds (the next run comes back to it).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from nwd_shared import events as ev
from nwd_shared.calendar import local_date
from nwd_shared.runtime import PeriodicSpec, Runtime
from referral import repository, service
from referral.config import Settings
from referral.context import Context
from referral.proposals import event_for, maybe_agree, shared_personal_data
from referral.staging import stage


async def chase(session: AsyncSession, ctx: Context, *, contact_wait: timedelta,
                limit: int = 500) -> list[ev.CloudEvent]:
    """Remind before the time-out; at it, escalate to the sender's customer relations."""
    events: list[ev.CloudEvent] = []
    for row in await repository.due_reminders(session, ctx.now, limit=limit):
        if not await repository.try_lock_reference(session, row.reference):
            continue
        row.reminded_at = ctx.now
        contact = await repository.get_contact(session, row.reference)
        events.append(event_for(ev.ReferralProposed, row, ctx, reminder=True,
                                personal=shared_personal_data(contact)))
    for row in await repository.due_escalations(session, ctx.now, limit=limit):
        if not await repository.try_lock_reference(session, row.reference):
            continue
        # The proposal stays open: a late answer still counts, and customer relations can chase it.
        row.escalated_at = ctx.now
        events.append(event_for(ev.ReferralEscalated, row, ctx, reason=(
            f"no answer from {row.to_organisation} by {local_date(row.due_at).isoformat()}: "
            f"{row.from_organisation} stays interim owner and reviews it")))
    for negotiation in await repository.waiting_for_contact(session, ctx.now - contact_wait, limit=limit):
        if await repository.try_lock_reference(session, negotiation.reference):
            events += await service.start(session, ctx, negotiation, None)
    return events


async def sweep(session: AsyncSession, ctx: Context, *, limit: int = 500) -> list[ev.CloudEvent]:
    """Agree the negotiations whose lead accepted and whose contributors all answered, but that never agreed.

    Answers committed together once each saw the other pending; the lock now prevents that, and this
    finds any negotiation left so (from before the lock, or by a path that missed it).
    """
    events: list[ev.CloudEvent] = []
    for negotiation in await repository.answered_but_not_agreed(session, limit=limit):
        if await repository.try_lock_reference(session, negotiation.reference):
            events += await maybe_agree(session, ctx, negotiation)
    return events


async def chase_unanswered(session: AsyncSession, runtime: Runtime[Settings]) -> list[ev.CloudEvent]:
    """The periodic job: chase in the job's transaction, and stage what it caused."""
    ctx = Context.of(runtime)
    settings = runtime.settings
    await stage(session, ctx, await chase(session, ctx, contact_wait=timedelta(seconds=settings.contact_wait_seconds),
                                          limit=settings.job_batch_size))
    return []  # staged already, outbox and webhooks together


async def sweep_unagreed(session: AsyncSession, runtime: Runtime[Settings]) -> list[ev.CloudEvent]:
    """The periodic sweeper: agree what should have agreed, in the job's transaction."""
    ctx = Context.of(runtime)
    await stage(session, ctx, await sweep(session, ctx, limit=runtime.settings.job_batch_size))
    return []


def periodic(settings: Settings) -> PeriodicSpec:
    return PeriodicSpec(name="referral-timeouts", interval=settings.timeout_check_seconds, job=chase_unanswered)


def sweeper(settings: Settings) -> PeriodicSpec:
    return PeriodicSpec(name="referral-sweeper", interval=settings.sweep_seconds, job=sweep_unagreed)
