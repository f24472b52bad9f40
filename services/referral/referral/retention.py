"""Retention at referral: the copy of a contact, and the reasons and webhook bodies about it, go in time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from nwd_shared import events as ev
from nwd_shared import retention
from nwd_shared.runtime import PeriodicSpec, Runtime
from referral import repository
from referral.context import Context
from referral.webhooks import repository as webhooks

# What the contact keeps: the categories statistics are made of, never names or words.
KEPT = {"reference", "received_by", "received_at", "kind", "channel", "relationship", "organisation_id",
        "service_type", "area", "event_date"}


async def on_case(session: AsyncSession, event: ev.CaseOpened | ev.CaseClosed, ctx: Context) -> list:
    """Note when a contact's case closed; a later opening starts its handling again."""
    contact = await repository.get_contact(session, event.data.reference)
    if contact is not None:
        contact.ended_at = retention.ended_at(contact.ended_at, event)
    return []


async def anonymise_ended(session: AsyncSession, runtime: Runtime, cutoff: datetime, now: datetime) -> int:
    """Anonymise a batch of contacts whose case closed, or whose negotiation ended, before `cutoff`."""
    due = await repository.contacts_ended_before(session, cutoff, limit=retention.BATCH_SIZE)
    references = [contact.reference for contact in due]
    for contact in due:
        contact.data = retention.blank(contact.data, keep=KEPT)
        contact.anonymised_at = now
    if references:
        await repository.replace_reasons(session, references, retention.ANONYMISED)
        await webhooks.replace_sent_bodies(session, references, retention.ANONYMISED)
    await retention.forget_published(session, runtime.tables, references)
    return len(due)


def periodic(settings) -> PeriodicSpec:
    return retention.retention_job("referral-retention", settings.retention_check_seconds, anonymise_ended)
