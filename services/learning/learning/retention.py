"""Retention at learning: a person's comment on how their case was handled goes in time; the rating stays."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from learning.models import CaseRecord, ExperienceLink
from nwd_shared import retention
from nwd_shared.calendar import local_date
from nwd_shared.runtime import PeriodicSpec, Runtime


async def anonymise_comments(session: AsyncSession, runtime: Runtime, cutoff: datetime, now: datetime) -> int:
    """Anonymise a batch of answered links whose case closed before `cutoff`."""
    # SKIP LOCKED: a second replica takes the next batch instead of waiting for this one.
    due = (await session.execute(
        select(ExperienceLink)
        .join(CaseRecord, and_(CaseRecord.reference == ExperienceLink.reference,
                               CaseRecord.case_id == ExperienceLink.case_id))
        .where(CaseRecord.closed_on < local_date(cutoff), ExperienceLink.responded_on.is_not(None),
               ExperienceLink.anonymised_at.is_(None))
        .order_by(ExperienceLink.token).limit(retention.BATCH_SIZE)
        .with_for_update(skip_locked=True, of=ExperienceLink)
    )).scalars().all()
    for link in due:
        link.comment = retention.blank(link.comment)
        link.anonymised_at = now
    return len(due)


def periodic(settings) -> PeriodicSpec:
    return retention.retention_job("learning-retention", settings.retention_check_seconds, anonymise_comments)
