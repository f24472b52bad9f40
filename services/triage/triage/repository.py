"""Triage queries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from nwd_shared.db import get_row
from triage.models import SafeguardingConcern, TriageDecision, TriageDecisionOrganisation


async def get_decision(session: AsyncSession, reference: str) -> TriageDecision | None:
    return await get_row(session, TriageDecision, reference)


async def organisations_of(session: AsyncSession, reference: str) -> list[TriageDecisionOrganisation]:
    return list((await session.execute(
        select(TriageDecisionOrganisation).where(TriageDecisionOrganisation.reference == reference)
    )).scalars())


async def decisions_for(
    session: AsyncSession, organisation_id: str, *, needs_review: bool | None, route: str | None,
    limit: int, after: str | None,
) -> list[TriageDecision]:
    """Decisions an organisation may see, oldest first (a queue), after a reference if given."""
    query = (
        select(TriageDecision)
        .join(TriageDecisionOrganisation, TriageDecisionOrganisation.reference == TriageDecision.reference)
        .where(TriageDecisionOrganisation.organisation_id == organisation_id)
    )
    if needs_review is not None:
        query = query.where(TriageDecision.needs_review.is_(needs_review))
    if route is not None:
        query = query.where(TriageDecision.route == route)
    if after is not None:
        anchor = await session.get(TriageDecision, after)
        if anchor is not None:
            query = query.where(
                (TriageDecision.received_at > anchor.received_at)
                | ((TriageDecision.received_at == anchor.received_at) & (TriageDecision.reference > after))
            )
    query = query.order_by(TriageDecision.received_at, TriageDecision.reference).limit(limit)
    return list((await session.execute(query)).scalars())


# --- the safeguarding hand-off (triage.safeguarding_concerns, triage.chasing) ------------------

async def get_concern(session: AsyncSession, reference: str, *, for_update: bool = False) -> SafeguardingConcern | None:
    """A concern; `for_update` locks it so an answer and the chasing job cannot cross (PostgreSQL)."""
    query = select(SafeguardingConcern).where(SafeguardingConcern.reference == reference)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def concerns_for(session: AsyncSession, organisation_id: str, *, state: str | None, limit: int,
                       after: str | None) -> list[SafeguardingConcern]:
    """The concerns referred to a council, oldest first, after a reference if given."""
    query = select(SafeguardingConcern).where(SafeguardingConcern.organisation_id == organisation_id)
    if state is not None:
        query = query.where(SafeguardingConcern.state == state)
    if after is not None:
        anchor = await session.get(SafeguardingConcern, after)
        if anchor is not None:
            query = query.where(
                (SafeguardingConcern.referred_at > anchor.referred_at)
                | ((SafeguardingConcern.referred_at == anchor.referred_at) & (SafeguardingConcern.reference > after)))
    query = query.order_by(SafeguardingConcern.referred_at, SafeguardingConcern.reference).limit(limit)
    return list((await session.execute(query)).scalars())


async def unacknowledged_due(session: AsyncSession, due: ColumnElement, done: ColumnElement,
                             now: datetime) -> list[SafeguardingConcern]:
    """Referred concerns past a due date and not yet handled, locked: another replica skips them."""
    query = (select(SafeguardingConcern)
             .where(SafeguardingConcern.state == "referred", done.is_(None), due <= now)
             .order_by(due, SafeguardingConcern.reference).limit(500)
             .with_for_update(skip_locked=True))
    return list((await session.execute(query)).scalars())


async def due_chases(session: AsyncSession, now: datetime) -> list[SafeguardingConcern]:
    return await unacknowledged_due(session, SafeguardingConcern.acknowledge_by, SafeguardingConcern.chased_at, now)


async def due_escalations(session: AsyncSession, now: datetime) -> list[SafeguardingConcern]:
    return await unacknowledged_due(session, SafeguardingConcern.escalate_by, SafeguardingConcern.escalated_at, now)
