"""Learning actions: raised by upheld or partly upheld responses, owned, tracked to completion.
Never commits."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from learning import domain, repository
from learning.domain import ActionStatus
from learning.models import LearningAction
from nwd_shared import events as ev
from nwd_shared.context import Context
from nwd_shared.errors import NotFound


def _data(action: LearningAction) -> ev.LearningActionData:
    return ev.LearningActionData(
        action_id=action.id, reference=action.reference, organisation=action.organisation,
        description=action.description, owner=action.owner, due_on=action.due_on,
        case_id=action.case_id, raised_on=action.raised_on, completed_on=action.completed_on)


async def raise_for_response(session: AsyncSession, ctx: Context, event: ev.CaseResponded, *,
                             due_working_days: int) -> list[ev.CloudEvent]:
    """Raise the actions an upheld response commits to, once: a repeat or a replay raises none."""
    response = event.data
    descriptions = domain.actions_to_raise(response)
    if not descriptions:
        return []
    existing = await repository.action_ids_of_case(session, response.reference, response.case_id)
    due_on = domain.action_due_on(response.responded_on, due_working_days, ctx.calendar)
    raised = []
    for index, description in enumerate(descriptions):
        action_id = domain.action_id(response.reference, response.case_id, index)
        if action_id in existing:
            continue
        action = LearningAction(
            id=action_id, reference=response.reference, case_id=response.case_id,
            organisation=response.owner, description=description[:2000],
            owner=domain.DEFAULT_ACTION_OWNER, raised_on=response.responded_on, due_on=due_on)
        session.add(action)
        raised.append(ev.LearningActionRaised(source=ctx.source, subject=response.reference,
                                              time=event.time, data=_data(action)))
    return raised


async def actions_for(session: AsyncSession, ctx: Context, *, status: ActionStatus | None = None,
                      reference: str | None = None) -> list[tuple[LearningAction, ActionStatus]]:
    """The caller's actions with their status today, the oldest due first; `status` None is any
    status, "open" any not completed."""
    found = [(a, domain.action_status(a, ctx.today)) for a in await repository.actions_of(session, ctx.caller)
             if reference is None or a.reference == reference]
    if status == "open":
        return [(a, s) for a, s in found if s != "completed"]
    return [(a, s) for a, s in found if status is None or s == status]


async def action_of(session: AsyncSession, ctx: Context, action_id: str) -> LearningAction:
    """One of the caller's actions; NotFound for anyone else's."""
    action_id = action_id[:64]
    action = await repository.action(session, action_id)
    if action is None or action.organisation != ctx.caller:
        raise NotFound(f"no learning action {action_id}")
    return action


async def update(session: AsyncSession, ctx: Context, action_id: str, *, owner: str | None,
                 due_on: date | None) -> LearningAction:
    """Name who owns an open action, or move its due date."""
    action = await action_of(session, ctx, action_id)
    domain.check_open(action)
    if owner is not None:
        action.owner = owner
    if due_on is not None:
        action.due_on = due_on
    return action


async def complete(session: AsyncSession, ctx: Context, action_id: str, *,
                   on: date | None = None) -> tuple[LearningAction, list[ev.CloudEvent]]:
    """Mark an action done, today unless `on` says otherwise; completing it again changes nothing
    and announces nothing."""
    action = await action_of(session, ctx, action_id)
    on = on or ctx.today
    domain.check_completion(action, on, ctx.today)
    if action.completed_on is not None:
        return action, []
    action.completed_on = on
    action.completed_by = ctx.caller
    return action, [ev.LearningActionCompleted(source=ctx.source, subject=action.reference, data=_data(action))]
