"""Retention at learning: a person's comment on how their case was handled goes in time; the rating stays."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from learning import repository
from nwd_shared import retention
from nwd_shared.calendar import local_date
from nwd_shared.runtime import PeriodicSpec, Runtime


async def anonymise_comments(session: AsyncSession, runtime: Runtime, cutoff: datetime, now: datetime) -> int:
    """Anonymise a batch of answered links whose case closed before `cutoff`."""
    due = await repository.answered_links_closed_before(session, local_date(cutoff), retention.BATCH_SIZE)
    for link in due:
        link.comment = retention.blank(link.comment)
        link.anonymised_at = now
    return len(due)


def periodic(settings) -> PeriodicSpec:
    return retention.retention_job("learning-retention", settings.retention_check_seconds, anonymise_comments)
