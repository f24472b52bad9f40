"""Retention at referral: the copy of a contact, and the reasons and webhook bodies about it, go in time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nwd_shared import events as ev
from nwd_shared import retention
from nwd_shared.runtime import PeriodicSpec, Runtime
from referral.models import Contact, Negotiation, Referral, WebhookDelivery
from referral.proposals import Context

# What the contact keeps: the categories statistics are made of, never names or words.
KEPT = {"reference", "received_by", "received_at", "kind", "channel", "relationship", "organisation_id",
        "service_type", "area", "event_date"}


async def on_case(session: AsyncSession, event: ev.CaseOpened | ev.CaseClosed, ctx: Context) -> list:
    """Note when a contact's case closed; a later opening starts its handling again."""
    contact = await session.get(Contact, event.data.reference)
    if contact is not None:
        contact.ended_at = retention.ended_at(contact.ended_at, event)
    return []


async def anonymise_ended(session: AsyncSession, runtime: Runtime, cutoff: datetime, now: datetime) -> int:
    """Anonymise a batch of contacts whose case closed, or whose negotiation ended, before `cutoff`."""
    # Handling that ends here: resolved by PALS, or a route on which no case follows.
    ended_here = select(Negotiation.reference).where(
        or_(Negotiation.state == "closed",
            and_(Negotiation.state == "no_case", Negotiation.route.in_(ev.NO_CASE_ROUTES))),
        Negotiation.updated_at < cutoff)
    # SKIP LOCKED: a second replica takes the next batch instead of waiting for this one.
    due = (await session.execute(
        select(Contact).where(or_(Contact.ended_at < cutoff, Contact.reference.in_(ended_here)),
                              Contact.anonymised_at.is_(None))
        .order_by(Contact.reference).limit(retention.BATCH_SIZE).with_for_update(skip_locked=True, of=Contact)
    )).scalars().all()
    references = [contact.reference for contact in due]
    for contact in due:
        contact.data = retention.blank(contact.data, keep=KEPT)
        contact.anonymised_at = now
    if references:
        for column in ("reason", "request_reason"):
            await session.execute(update(Referral).where(
                Referral.reference.in_(references), getattr(Referral, column).is_not(None))
                .values({column: retention.ANONYMISED}))
        # Bodies of deliveries still to be tried are left to be sent as they were signed.
        await session.execute(update(WebhookDelivery).where(
            WebhookDelivery.reference.in_(references), WebhookDelivery.status != "pending")
            .values(payload=retention.ANONYMISED))
    await retention.forget_published(session, runtime.tables, references)
    return len(due)


def periodic(settings) -> PeriodicSpec:
    return retention.retention_job("referral-retention", settings.retention_check_seconds, anonymise_ended)
