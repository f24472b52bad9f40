"""Joint complaints (reg 9): the lead requests each contributor's part; contributors submit it."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from casework import domain, repository
from casework.models import Case, CaseContribution
from casework.schemas import ContributionPartIn, ContributionRequestIn, ContributionView
from casework.service import owned_case, visible_case
from nwd_shared.context import Context
from nwd_shared.errors import Conflict, Forbidden, Invalid


def status_of(part: CaseContribution, today: date) -> str:
    """Submitted, or outstanding until its due date has passed, then overdue."""
    if part.submitted_on is not None:
        return "submitted"
    return "overdue" if part.due_on is not None and today > part.due_on else "outstanding"


def view_of(part: CaseContribution, today: date) -> ContributionView:
    return ContributionView(contributor=part.contributor, status=status_of(part, today),
                            requested_on=part.requested_on, due_on=part.due_on, request=part.request,
                            submitted_on=part.submitted_on, part=part.part, submitted_by=part.submitted_by)


async def parts_for(session: AsyncSession, case: Case, caller: str, today: date) -> list[ContributionView]:
    """The lead sees every part; a contributor sees only its own."""
    parts = await repository.contributions_of(session, case.id)
    return [view_of(p, today) for p in parts if caller == case.owner or p.contributor == caller]


async def request_part(session: AsyncSession, ctx: Context, *, case_id: str,
                       body: ContributionRequestIn) -> tuple[Case, CaseContribution]:
    """The lead asks a contributor for its part by a date."""
    case = await owned_case(session, ctx, case_id)
    domain.check_awaiting_response(case, "request a part")
    if body.contributor not in case.contributors:
        raise Invalid.field("body.contributor", f"{body.contributor} is not a contributor to this case")
    if body.due_on < ctx.today:
        raise Invalid.field("body.due_on", "the due date is in the past")
    part = await repository.contribution(session, case.id, body.contributor)
    if part is not None and part.submitted_on is not None:
        raise Conflict(f"{body.contributor} submitted its part on {part.submitted_on.isoformat()}")
    if part is None:
        part = CaseContribution(id=str(uuid4()), case_id=case.id, contributor=body.contributor)
        session.add(part)
    part.requested_on, part.due_on, part.request = ctx.today, body.due_on, body.request
    return case, part


async def submit_part(session: AsyncSession, ctx: Context, *, case_id: str, contributor: str,
                      body: ContributionPartIn) -> tuple[Case, CaseContribution]:
    """A contributor submits (or corrects) its part until the lead has responded."""
    case = await visible_case(session, case_id, ctx.caller, for_update=True)
    if contributor != ctx.caller or contributor not in case.contributors:
        raise Forbidden("only the contributor itself submits its part")
    domain.check_awaiting_response(case, "submit a part")
    part = await repository.contribution(session, case.id, contributor)
    if part is None:
        # Unrequested parts are welcome: the duty to co-operate runs both ways.
        part = CaseContribution(id=str(uuid4()), case_id=case.id, contributor=contributor)
        session.add(part)
    part.submitted_on, part.part, part.submitted_by = ctx.today, body.part, body.submitted_by
    return case, part
