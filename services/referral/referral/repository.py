"""Referral queries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from nwd_shared.db import get_row
from referral.models import Contact, DetailAccess, Negotiation, Ownership, Referral

OPEN = ("pending", "accepted")


async def get_referral(session: AsyncSession, referral_id: str) -> Referral | None:
    return await session.get(Referral, referral_id)


async def get_ownership(session: AsyncSession, reference: str) -> Ownership | None:
    return await get_row(session, Ownership, reference)


async def get_contact(session: AsyncSession, reference: str) -> Contact | None:
    return await get_row(session, Contact, reference)


async def get_negotiation(session: AsyncSession, reference: str) -> Negotiation | None:
    return await get_row(session, Negotiation, reference)


async def referrals_of(session: AsyncSession, reference: str, *, purposes: tuple[str, ...] = (),
                       statuses: tuple[str, ...] = ()) -> list[Referral]:
    """A contact's referrals, oldest first, optionally of some purposes and statuses."""
    query = select(Referral).where(Referral.reference == reference)
    if purposes:
        query = query.where(Referral.purpose.in_(purposes))
    if statuses:
        query = query.where(Referral.status.in_(statuses))
    return list((await session.execute(query.order_by(Referral.created_at, Referral.id))).scalars())


async def referrals_for(
    session: AsyncSession, organisation_id: str, *, reference: str | None, status: str | None
) -> list[Referral]:
    """Referrals the organisation sent or received, filtered by contact and status."""
    query = select(Referral).where(
        or_(Referral.from_organisation == organisation_id, Referral.to_organisation == organisation_id)
    )
    if reference is not None:
        query = query.where(Referral.reference == reference)
    if status is not None:
        query = query.where(Referral.status == status, Referral.to_organisation == organisation_id)
    return list((await session.execute(query.order_by(Referral.created_at, Referral.id))).scalars())


async def due_reminders(session: AsyncSession, now: datetime) -> list[Referral]:
    query = select(Referral).where(Referral.status == "pending", Referral.reminded_at.is_(None),
                                   Referral.escalated_at.is_(None), Referral.remind_at <= now)
    return list((await session.execute(query.order_by(Referral.remind_at))).scalars())


async def due_escalations(session: AsyncSession, now: datetime) -> list[Referral]:
    query = select(Referral).where(Referral.status == "pending", Referral.escalated_at.is_(None),
                                   Referral.due_at <= now)
    return list((await session.execute(query.order_by(Referral.due_at))).scalars())


async def waiting_for_contact(session: AsyncSession, decided_before: datetime) -> list[Negotiation]:
    query = select(Negotiation).where(Negotiation.state == "awaiting_contact",
                                      Negotiation.decided_at <= decided_before)
    return list((await session.execute(query)).scalars())


async def accesses_of(session: AsyncSession, referral_id: str) -> list[DetailAccess]:
    query = select(DetailAccess).where(DetailAccess.referral_id == referral_id).order_by(DetailAccess.id)
    return list((await session.execute(query)).scalars())
