"""Learning actions: the caller's own, with what is overdue; owner, due date and completion."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query

from learning import actions as service
from learning import domain
from learning.domain import ActionStatus
from learning.models import LearningAction
from learning.schemas import ActionUpdateIn, CompleteIn, LearningActionOut, LearningActions
from nwd_shared.app import ReadSession, RuntimeDep, Work
from nwd_shared.auth import CurrentOrganisation, require_scope
from nwd_shared.context import Context

router = APIRouter(prefix="/v1/learning-actions", tags=["learning actions"])


def _out(action: LearningAction, status: ActionStatus) -> LearningActionOut:
    return LearningActionOut(
        id=action.id, reference=action.reference, case_id=action.case_id,
        organisation=action.organisation, description=action.description, owner=action.owner,
        raised_on=action.raised_on, due_on=action.due_on, completed_on=action.completed_on, status=status)


def _today_out(action: LearningAction, ctx: Context) -> LearningActionOut:
    return _out(action, domain.action_status(action, ctx.today))


@router.get("", response_model=LearningActions)
async def list_actions(caller: CurrentOrganisation, session: ReadSession, runtime: RuntimeDep,
                       status: Literal["all", "open", "overdue", "completed"] = Query("all"),
                       reference: str | None = Query(None, max_length=64)) -> LearningActions:
    """The caller's learning actions, the oldest due first; `status=overdue` for those past due."""
    found = await service.actions_for(session, Context.of(runtime, caller.id), reference=reference,
                                      status=None if status == "all" else status)
    return LearningActions(actions=[_out(action, state) for action, state in found])


@router.patch("/{action_id}", response_model=LearningActionOut, dependencies=[require_scope("cases:write")])
async def update_action(action_id: str, body: ActionUpdateIn, caller: CurrentOrganisation, work: Work,
                        runtime: RuntimeDep) -> LearningActionOut:
    """Name who owns an action, or agree a new due date."""
    ctx = Context.of(runtime, caller.id)
    action = await service.update(work.session, ctx, action_id, owner=body.owner, due_on=body.due_on)
    return _today_out(action, ctx)


@router.post("/{action_id}/complete", response_model=LearningActionOut,
             dependencies=[require_scope("cases:write")])
async def complete_action(action_id: str, caller: CurrentOrganisation, work: Work, runtime: RuntimeDep,
                          body: CompleteIn | None = None) -> LearningActionOut:
    """Mark an action done (publishes action_completed once; a repeat changes nothing)."""
    ctx = Context.of(runtime, caller.id)
    action, caused = await service.complete(work.session, ctx, action_id,
                                            on=body.completed_on if body else None)
    await work.emit(caused)
    return _today_out(action, ctx)
