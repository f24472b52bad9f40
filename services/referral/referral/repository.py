"""Referral queries."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from referral.models import Ownership, Referral


async def get_referral(session: AsyncSession, referral_id: str) -> Referral | None:
    return await session.get(Referral, referral_id)


async def get_ownership(session: AsyncSession, reference: str) -> Ownership | None:
    return await session.get(Ownership, reference)


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
    return list((await session.execute(query.order_by(Referral.created_at))).scalars())
