"""Letter tasks' queries."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from casework.letters.models import LetterTask


async def tasks_of(session: AsyncSession, case_id: str) -> list[LetterTask]:
    return list((await session.scalars(select(LetterTask).where(LetterTask.case_id == case_id)
                                       .order_by(LetterTask.id))).all())


async def task(session: AsyncSession, case_id: str, task_id: int) -> LetterTask | None:
    found = await session.get(LetterTask, task_id)
    return found if found is not None and found.case_id == case_id else None
