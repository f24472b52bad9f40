"""Learning actions: raised by upheld or partly upheld responses, owned, tracked to completion.
Never commits."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from learning import domain
from learning.models import LearningAction
from nwd_shared import events as ev
from nwd_shared.calendar import WorkingCalendar


def _data(action: LearningAction) -> ev.LearningActionData:
    return ev.LearningActionData(
        action_id=action.id, reference=action.reference, organisation=action.organisation,
        description=action.description, owner=action.owner, due_on=action.due_on,
        case_id=action.case_id, raised_on=action.raised_on, completed_on=action.completed_on)


async def raise_for_response(session: AsyncSession, event: ev.CaseResponded, *,
                             calendar: WorkingCalendar, source: str,
                             due_working_days: int) -> list[ev.CloudEvent]:
    """Raise the actions an upheld response commits to, once: a repeat or a replay raises none."""
    response = event.data
    descriptions = domain.actions_to_raise(response)
    if not descriptions:
        return []
    existing = set((await session.execute(
        select(LearningAction.id).where(LearningAction.reference == response.reference,
                                        LearningAction.case_id == response.case_id))).scalars())
    due_on = domain.action_due_on(response.responded_on, due_working_days, calendar)
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
        raised.append(ev.LearningActionRaised(source=source, subject=response.reference,
                                              time=event.time, data=_data(action)))
    return raised


async def actions_of(session: AsyncSession, organisation: str) -> list[LearningAction]:
    """An organisation's learning actions, the oldest due first."""
    rows = await session.execute(
        select(LearningAction).where(LearningAction.organisation == organisation)
        .order_by(LearningAction.due_on, LearningAction.raised_on, LearningAction.id))
    return list(rows.scalars())


async def action_of(session: AsyncSession, action_id: str, organisation: str) -> LearningAction | None:
    """One action, if it belongs to the organisation."""
    action = await session.get(LearningAction, action_id)
    return action if action is not None and action.organisation == organisation else None


def complete(action: LearningAction, *, on: date, by: str, source: str) -> list[ev.CloudEvent]:
    """Mark an action done; completing it again changes nothing and announces nothing."""
    if action.completed_on is not None:
        return []
    action.completed_on = on
    action.completed_by = by
    return [ev.LearningActionCompleted(source=source, subject=action.reference, data=_data(action))]


def update(action: LearningAction, *, owner: str | None, due_on: date | None) -> None:
    """Name who owns an action, or move its due date."""
    if owner is not None:
        action.owner = owner
    if due_on is not None:
        action.due_on = due_on


def is_overdue(action: LearningAction, today: date) -> bool:
    return action.completed_on is None and action.due_on < today
