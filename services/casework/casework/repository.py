"""Casework queries."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from casework.models import Case


async def get_case(session: AsyncSession, case_id: str) -> Case | None:
    return await session.get(Case, case_id)


async def case_for_reference(session: AsyncSession, reference: str) -> Case | None:
    return (await session.execute(select(Case).where(Case.reference == reference))).scalar_one_or_none()
