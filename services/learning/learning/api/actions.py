"""Learning actions: the caller's own, with what is overdue; owner, due date and completion."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query

from learning import actions as service
from learning.models import LearningAction
from learning.schemas import ActionUpdateIn, CompleteIn, LearningActionOut, LearningActions
from nwd_shared.app import ReadSession, RuntimeDep, Work
from nwd_shared.auth import CurrentOrganisation, require_scope
from nwd_shared.calendar import local_date
from nwd_shared.http import Problem

router = APIRouter(prefix="/v1/learning-actions", tags=["learning actions"])


def _out(action: LearningAction, today) -> LearningActionOut:
    status = ("completed" if action.completed_on is not None
              else "overdue" if service.is_overdue(action, today) else "open")
    return LearningActionOut(
        id=action.id, reference=action.reference, case_id=action.case_id,
        organisation=action.organisation, description=action.description, owner=action.owner,
        raised_on=action.raised_on, due_on=action.due_on, completed_on=action.completed_on, status=status)


@router.get("", response_model=LearningActions)
async def list_actions(caller: CurrentOrganisation, session: ReadSession, runtime: RuntimeDep,
                       status: Literal["all", "open", "overdue", "completed"] = Query("all"),
                       reference: str | None = Query(None, max_length=64)) -> LearningActions:
    """The caller's learning actions, the oldest due first; `status=overdue` for those past due."""
    today = local_date(runtime.clock())
    found = [_out(a, today) for a in await service.actions_of(session, caller.id)
             if reference is None or a.reference == reference]
    if status == "open":
        found = [a for a in found if a.status != "completed"]
    elif status != "all":
        found = [a for a in found if a.status == status]
    return LearningActions(actions=found)


async def _action(work, action_id: str, caller) -> LearningAction:
    action = await service.action_of(work.session, action_id[:64], caller.id)
    if action is None:
        raise Problem(404, f"no learning action {action_id[:64]}")
    return action


@router.patch("/{action_id}", response_model=LearningActionOut, dependencies=[require_scope("cases:write")])
async def update_action(action_id: str, body: ActionUpdateIn, caller: CurrentOrganisation, work: Work,
                        runtime: RuntimeDep) -> LearningActionOut:
    """Name who owns an action, or agree a new due date."""
    action = await _action(work, action_id, caller)
    if action.completed_on is not None:
        raise Problem(409, "the action is completed")
    service.update(action, owner=body.owner, due_on=body.due_on)
    return _out(action, local_date(runtime.clock()))


@router.post("/{action_id}/complete", response_model=LearningActionOut,
             dependencies=[require_scope("cases:write")])
async def complete_action(action_id: str, caller: CurrentOrganisation, work: Work, runtime: RuntimeDep,
                          body: CompleteIn | None = None) -> LearningActionOut:
    """Mark an action done (publishes action_completed once; a repeat changes nothing)."""
    action = await _action(work, action_id, caller)
    today = local_date(runtime.clock())
    on = body.completed_on if body and body.completed_on else today
    if on > today:
        raise Problem(422, "an action cannot be completed in the future", errors=[
            {"field": "body.completed_on", "message": "must not be after today", "type": "future_date"}])
    if on < action.raised_on:
        raise Problem(422, "an action cannot be completed before it was raised", errors=[
            {"field": "body.completed_on", "message": "must not be before raised_on", "type": "date_order"}])
    await work.emit(service.complete(action, on=on, by=caller.id, source=runtime.settings.source))
    return _out(action, today)
