"""Chasing unacknowledged safeguarding concerns: chased past their due date, escalated later; once each."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from nwd_shared import events as ev
from nwd_shared.calendar import local_date
from nwd_shared.context import Context
from nwd_shared.runtime import PeriodicSpec, Runtime
from triage import handoff, repository
from triage.config import Settings
from triage.safeguarding_concerns import concern_data


async def chase(session: AsyncSession, ctx: Context) -> list[ev.CloudEvent]:
    """Chase the council past the acknowledgement date; escalate to the receiver past the escalation date."""
    # The rows are locked (SKIP LOCKED) and re-checked: replicas running this together chase each once.
    events: list[ev.CloudEvent] = []
    for row in await repository.due_chases(session, ctx.now):
        if handoff.chase(row, ctx.now):
            events.append(ev.SafeguardingChased(source=ctx.source, subject=row.reference, time=ctx.now,
                                                data=ev.SafeguardingConcernData(**concern_data(row))))
    for row in await repository.due_escalations(session, ctx.now):
        if handoff.escalate(row, ctx.now):
            reason = (f"{row.organisation_id} has not acknowledged the safeguarding concern due by "
                      f"{local_date(row.acknowledge_by).isoformat()}: {row.received_by} follows it up")
            events.append(ev.SafeguardingEscalated(source=ctx.source, subject=row.reference, time=ctx.now,
                                                   data=ev.SafeguardingEscalatedData(**concern_data(row),
                                                                                     reason=reason)))
    return events


async def chase_unacknowledged(session: AsyncSession, runtime: Runtime[Settings]) -> list[ev.CloudEvent]:
    """The periodic job: what it causes is staged in the job's transaction by the runtime."""
    return await chase(session, Context.of(runtime))


def periodic(settings: Settings) -> PeriodicSpec:
    return PeriodicSpec(name="safeguarding-acknowledgements", interval=settings.safeguarding_check_seconds,
                        job=chase_unacknowledged)
