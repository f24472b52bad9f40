"""Retention at intake: a contact's submission is anonymised once its handling ended long enough ago."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intake.models import Contact
from nwd_shared import retention
from nwd_shared.runtime import PeriodicSpec, Runtime

# What the submission keeps: the categories statistics are made of, never names or words.
KEPT = {"kind", "channel", "received_at", "relationship", "organisation_id", "service_type", "area",
        "event_date"}


async def anonymise_ended(session: AsyncSession, runtime: Runtime, cutoff: datetime, now: datetime) -> int:
    """Anonymise a batch of contacts whose handling ended before `cutoff`."""
    # SKIP LOCKED: a second replica takes the next batch instead of waiting for this one.
    due = (await session.execute(
        select(Contact).where(Contact.ended_at < cutoff, Contact.anonymised_at.is_(None))
        .order_by(Contact.ended_at).limit(retention.BATCH_SIZE).with_for_update(skip_locked=True)
    )).scalars().all()
    for contact in due:
        contact.submission = retention.blank(contact.submission, keep=KEPT)
        contact.anonymised_at = now
    await retention.forget_published(session, runtime.tables, [c.reference for c in due])
    return len(due)


def periodic(settings) -> PeriodicSpec:
    return retention.retention_job("intake-retention", settings.retention_check_seconds, anonymise_ended)
