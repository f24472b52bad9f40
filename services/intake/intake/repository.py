"""Intake queries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intake.models import Contact, IdempotencyRecord, JourneyEntry
from nwd_shared.db import get_row


async def get_contact(session: AsyncSession, reference: str) -> Contact | None:
    return await get_row(session, Contact, reference)


async def get_idempotency_record(
    session: AsyncSession, organisation_id: str, key: str
) -> IdempotencyRecord | None:
    return (
        await session.execute(
            select(IdempotencyRecord).where(
                IdempotencyRecord.organisation_id == organisation_id, IdempotencyRecord.key == key
            )
        )
    ).scalar_one_or_none()


async def journey_of(session: AsyncSession, reference: str) -> list[JourneyEntry]:
    return list(
        (
            await session.execute(
                select(JourneyEntry)
                .where(JourneyEntry.reference == reference)
                .order_by(JourneyEntry.at, JourneyEntry.id)
            )
        ).scalars()
    )


async def contacts_ended_before(session: AsyncSession, cutoff: datetime, limit: int) -> list[Contact]:
    """Contacts not yet anonymised whose handling ended before `cutoff`, locked for this transaction."""
    # SKIP LOCKED: a second replica takes the next batch instead of waiting for this one.
    return list((await session.execute(
        select(Contact).where(Contact.ended_at < cutoff, Contact.anonymised_at.is_(None))
        .order_by(Contact.ended_at).limit(limit).with_for_update(skip_locked=True)
    )).scalars().all())
