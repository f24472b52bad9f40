"""Triage queries."""

from sqlalchemy.ext.asyncio import AsyncSession

from triage.models import TriageDecision


async def get_decision(session: AsyncSession, reference: str) -> TriageDecision | None:
    return await session.get(TriageDecision, reference)
