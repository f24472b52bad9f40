"""Learning use cases: project events into facts."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from learning import domain
from learning.models import Fact
from nwd_shared import events as ev


async def project(session: AsyncSession, event: ev.CloudEvent) -> None:
    """Record the facts an event contributes."""
    for organisation, metric, day in domain.facts_of(event):
        session.add(Fact(organisation_id=organisation, reference=event.subject, metric=metric,
                         occurred_on=day))
