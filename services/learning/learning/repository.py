"""Learning queries."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from learning.models import Fact


async def counts(session: AsyncSession, organisation_id: str, start: date, end: date) -> dict[str, int]:
    rows = await session.execute(
        select(Fact.metric, func.count())
        .where(Fact.organisation_id == organisation_id, Fact.occurred_on.between(start, end))
        .group_by(Fact.metric)
        .order_by(Fact.metric)
    )
    return {metric: count for metric, count in rows.all()}
