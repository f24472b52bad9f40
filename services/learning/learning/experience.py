"""Feedback from people on how their concern was handled (seed 001): a single-use link issued
when a case closes, answered without an API key. Never commits."""

from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from learning import repository
from learning.models import ExperienceLink
from nwd_shared import events as ev
from nwd_shared.context import Context
from nwd_shared.errors import DomainError, NotFound


class LinkUsed(DomainError):
    """The link has had its one answer."""

    status = 410


async def issue_link(session: AsyncSession, closed: ev.CaseClosedData) -> ExperienceLink:
    """The case's link, issued the first time it closes; a repeat or a replay issues no other."""
    existing = await repository.link_of_case(session, closed.reference, closed.case_id)
    if existing is not None:
        return existing
    link = ExperienceLink(token=secrets.token_urlsafe(24), case_id=closed.case_id,
                          reference=closed.reference, organisation=closed.owner,
                          issued_on=closed.closed_on)
    session.add(link)
    return link


def answer(link: ExperienceLink, *, rating: int, comment: str | None, on: date) -> bool:
    """Record the person's answer; False if the link was already used (it is single-use)."""
    if link.responded_on is not None:
        return False
    link.rating = rating
    link.comment = comment
    link.responded_on = on
    return True


async def give_answer(session: AsyncSession, ctx: Context, token: str, *, rating: int,
                      comment: str | None) -> ExperienceLink:
    """The person answers through their link, once: NotFound for an unknown link, LinkUsed after."""
    link = await repository.link_for_token(session, token, for_update=True)
    if link is None:
        raise NotFound("this feedback link is not known")
    if not answer(link, rating=rating, comment=comment, on=ctx.today):
        raise LinkUsed("this feedback link has already been used")
    return link
