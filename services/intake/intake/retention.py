"""Retention at intake: a contact's submission is anonymised once its handling ended long enough ago."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from intake import repository
from nwd_shared import retention
from nwd_shared.runtime import PeriodicSpec, Runtime

# What the submission keeps: the categories statistics are made of, never names or words.
KEPT = {"kind", "channel", "received_at", "relationship", "organisation_id", "service_type", "area",
        "event_date",
        # consent's dates, method and the staff who recorded it, and the vocabulary of a preferred channel
        "confirmed_on", "confirmed_by", "method", "recorded_at", "recorded_by", "preferred_channel"}


async def anonymise_ended(session: AsyncSession, runtime: Runtime, cutoff: datetime, now: datetime) -> int:
    """Anonymise a batch of contacts whose handling ended before `cutoff`."""
    due = await repository.contacts_ended_before(session, cutoff, retention.BATCH_SIZE)
    for contact in due:
        contact.submission = retention.blank(contact.submission, keep=KEPT)
        contact.anonymised_at = now
    await retention.forget_published(session, runtime.tables, [c.reference for c in due])
    return len(due)


def periodic(settings) -> PeriodicSpec:
    return retention.retention_job("intake-retention", settings.retention_check_seconds, anonymise_ended)
