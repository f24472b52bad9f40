"""Triage queries."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nwd_shared.db import get_row
from triage.models import TriageDecision, TriageDecisionOrganisation


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
