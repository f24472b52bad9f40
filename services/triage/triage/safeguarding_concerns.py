"""Safeguarding hand-off use cases: open a concern from its referral, the council's answers, its list.

Never commits: the consumer wrapper or the request does. A concern opens from triage's own
`nwd.safeguarding.referred.v1`, whichever path referred it (the rules or a person's override).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from nwd_shared import events as ev
from nwd_shared.context import Context
from nwd_shared.errors import Forbidden, NotFound
from triage import handoff, repository
from triage.handoff import ConcernState, Enquiry
from triage.models import SafeguardingConcern


def concern_data(row: SafeguardingConcern) -> dict:
    """The concern as event data: who and when, never the person's words."""
    return dict(reference=row.reference, organisation_id=row.organisation_id, received_by=row.received_by,
                acknowledge_by=row.acknowledge_by, escalate_by=row.escalate_by, state=row.state)


async def open_concern(session: AsyncSession, ctx: Context, event: ev.SafeguardingReferred) -> list[ev.CloudEvent]:
    """A referral opens the council's concern, with its acknowledgement and escalation dates."""
    referral = event.data
    if await repository.get_concern(session, referral.reference) is not None:
        return []  # one concern per contact: a second referral of it changes nothing
    decision = await repository.get_decision(session, referral.reference)
    received_at = decision.received_at if decision is not None else event.time
    policy = ctx.policy(referral.organisation_id)
    acknowledge_by, escalate_by = handoff.due_dates(
        received_at, acknowledgement_working_days=policy.safeguarding_acknowledgement_working_days,
        escalation_working_days=policy.safeguarding_escalation_working_days, calendar=ctx.calendar)
    session.add(SafeguardingConcern(
        reference=referral.reference, organisation_id=referral.organisation_id,
        received_by=referral.received_by or (decision.received_by if decision else referral.organisation_id),
        categories=list(referral.categories), route=referral.route, received_at=received_at,
        referred_at=event.time, acknowledge_by=acknowledge_by, escalate_by=escalate_by,
        state=ConcernState.REFERRED))
    return []


async def visible_concern(session: AsyncSession, ctx: Context, reference: str, *,
                          for_update: bool = False) -> SafeguardingConcern:
    """A concern the caller may see: the council it was referred to, or the receiver; NotFound otherwise."""
    row = await repository.get_concern(session, reference, for_update=for_update)
    if row is None or ctx.caller not in (row.organisation_id, row.received_by):
        raise NotFound(f"no safeguarding concern for {reference}")
    return row


async def _councils_concern(session: AsyncSession, ctx: Context, reference: str) -> SafeguardingConcern:
    row = await visible_concern(session, ctx, reference, for_update=True)
    if ctx.caller != row.organisation_id:
        raise Forbidden("only the council the concern was referred to answers it")
    return row


async def acknowledge(session: AsyncSession, ctx: Context, reference: str,
                      ) -> tuple[SafeguardingConcern, list[ev.CloudEvent]]:
    """The council's safeguarding team acknowledges the concern; chasing stops."""
    row = await _councils_concern(session, ctx, reference)
    handoff.acknowledge(row, ctx.now)
    return row, [ev.SafeguardingAcknowledged(source=ctx.source, subject=reference, time=ctx.now,
                                             data=ev.SafeguardingConcernData(**concern_data(row)))]


async def record_outcome(session: AsyncSession, ctx: Context, reference: str, *, enquiry: Enquiry,
                         concluded_on: date | None) -> tuple[SafeguardingConcern, list[ev.CloudEvent]]:
    """The council records an enquiry opened or not, or its conclusion; the end resumes a suspended complaint."""
    row = await _councils_concern(session, ctx, reference)
    handoff.record_outcome(row, enquiry=enquiry, concluded_on=concluded_on, today=ctx.today, now=ctx.now)
    return row, [ev.SafeguardingOutcomeRecorded(
        source=ctx.source, subject=reference, time=ctx.now,
        data=ev.SafeguardingOutcomeData(**concern_data(row), enquiry=row.enquiry, concluded_on=row.concluded_on,
                                        ended=handoff.ended(row)))]


async def concerns_for(session: AsyncSession, ctx: Context, *, state: str | None, limit: int,
                       after: str | None) -> tuple[list[SafeguardingConcern], str | None]:
    """A page of the concerns referred to the caller, oldest first, and the reference to continue after."""
    rows = await repository.concerns_for(session, ctx.caller, state=state, limit=limit + 1, after=after)
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].reference if more and rows else None)
