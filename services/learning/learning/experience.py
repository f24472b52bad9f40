"""Feedback from people on how their concern was handled (seed 001): a single-use link issued
when a case closes, answered without an API key. Never commits."""

from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from learning.models import ExperienceLink
from nwd_shared import events as ev


async def issue_link(session: AsyncSession, closed: ev.CaseClosedData) -> ExperienceLink:
    """The case's link, issued the first time it closes; a repeat or a replay issues no other."""
    existing = (await session.execute(
        select(ExperienceLink).where(ExperienceLink.reference == closed.reference,
                                     ExperienceLink.case_id == closed.case_id))).scalar_one_or_none()
    if existing is not None:
        return existing
    link = ExperienceLink(token=secrets.token_urlsafe(24), case_id=closed.case_id,
                          reference=closed.reference, organisation=closed.owner,
                          issued_on=closed.closed_on)
    session.add(link)
    return link


async def links_for(session: AsyncSession, organisation: str, reference: str) -> list[ExperienceLink]:
    """The links of an organisation's cases for a contact."""
    rows = await session.execute(select(ExperienceLink).where(
        ExperienceLink.organisation == organisation, ExperienceLink.reference == reference))
    return list(rows.scalars())


async def link_for_token(session: AsyncSession, token: str, *, for_update: bool = False) -> ExperienceLink | None:
    """The link of a token; locked when it is about to be answered, so it is answered once."""
    return await session.get(ExperienceLink, token, with_for_update=for_update)


def answer(link: ExperienceLink, *, rating: int, comment: str | None, on: date) -> bool:
    """Record the person's answer; False if the link was already used (it is single-use)."""
    if link.responded_on is not None:
        return False
    link.rating = rating
    link.comment = comment
    link.responded_on = on
    return True
