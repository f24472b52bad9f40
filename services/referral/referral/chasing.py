"""Chasing unanswered proposals: a reminder, then escalation at the time-out; decisions whose contact is late."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from nwd_shared import events as ev
from nwd_shared.calendar import local_date
from nwd_shared.runtime import PeriodicSpec, Runtime
from referral import repository, service
from referral.config import Settings
from referral.context import Context
from referral.proposals import event_for, shared_personal_data
from referral.staging import stage


async def chase(session: AsyncSession, ctx: Context, *, contact_wait: timedelta) -> list[ev.CloudEvent]:
    """Remind before the time-out; at it, escalate to the sender's customer relations."""
    events: list[ev.CloudEvent] = []
    for row in await repository.due_reminders(session, ctx.now):
        row.reminded_at = ctx.now
        contact = await repository.get_contact(session, row.reference)
        events.append(event_for(ev.ReferralProposed, row, ctx, reminder=True,
                                personal=shared_personal_data(contact)))
    for row in await repository.due_escalations(session, ctx.now):
        # The proposal stays open: a late answer still counts, and customer relations can chase it.
        row.escalated_at = ctx.now
        events.append(event_for(ev.ReferralEscalated, row, ctx, reason=(
            f"no answer from {row.to_organisation} by {local_date(row.due_at).isoformat()}: "
            f"{row.from_organisation} stays interim owner and reviews it")))
    for negotiation in await repository.waiting_for_contact(session, ctx.now - contact_wait):
        events += await service.start(session, ctx, negotiation, None)
    return events


async def chase_unanswered(session: AsyncSession, runtime: Runtime[Settings]) -> list[ev.CloudEvent]:
    """The periodic job: chase in the job's transaction, and stage what it caused."""
    ctx = Context.of(runtime)
    await stage(session, ctx, await chase(session, ctx,
                                          contact_wait=timedelta(seconds=runtime.settings.contact_wait_seconds)))
    return []  # staged already, outbox and webhooks together


def periodic(settings: Settings) -> PeriodicSpec:
    return PeriodicSpec(name="referral-timeouts", interval=settings.timeout_check_seconds, job=chase_unanswered)
