"""Safeguarding hand-off HTTP API: the council's concerns, its acknowledgement, and the outcome."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from nwd_shared import audit
from nwd_shared.app import ReadSession, RuntimeDep, Work
from nwd_shared.auth import CurrentOrganisation, require_scope
from nwd_shared.context import Context
from triage import safeguarding_concerns as concerns
from triage.handoff import ConcernState
from triage.models import SafeguardingConcern
from triage.models import audit as audit_table
from triage.schemas_safeguarding import ConcernList, ConcernView, OutcomeIn

router = APIRouter(prefix="/v1/safeguarding-concerns", tags=["safeguarding"])
# Answering a concern is answering a referral to the council.
ANSWER = require_scope("referrals:respond")


def _view(row: SafeguardingConcern) -> ConcernView:
    return ConcernView.model_validate(row, from_attributes=True)


@router.get("", response_model=ConcernList)
async def list_concerns(
    caller: CurrentOrganisation, session: ReadSession, runtime: RuntimeDep,
    state: ConcernState | None = None, limit: Annotated[int, Query(ge=1, le=200)] = 50,
    after: Annotated[str | None, Query(max_length=32)] = None,
) -> ConcernList:
    """The concerns referred to the caller's council, oldest first, with their state and due dates."""
    rows, next_after = await concerns.concerns_for(session, Context.of(runtime, caller.id),
                                                   state=state, limit=limit, after=after)
    return ConcernList(items=[_view(r) for r in rows], next=next_after)


@router.get("/{reference}", response_model=ConcernView)
async def get_concern(reference: str, caller: CurrentOrganisation, session: ReadSession,
                      runtime: RuntimeDep) -> ConcernView:
    """A concern, to the council it was referred to and to the organisation that received the contact."""
    return _view(await concerns.visible_concern(session, Context.of(runtime, caller.id), reference))


@router.post("/{reference}/acknowledge", response_model=ConcernView, dependencies=[ANSWER])
async def acknowledge_concern(reference: str, caller: CurrentOrganisation, work: Work, runtime: RuntimeDep,
                              request: Request) -> ConcernView:
    """The council's safeguarding team has the concern: chasing stops."""
    row, caused = await concerns.acknowledge(work.session, Context.of(runtime, caller.id), reference)
    await work.emit(caused)
    await audit.record(work.session, audit_table, request, action="update", resource="safeguarding_concern",
                       reference=reference)
    return _view(row)


@router.post("/{reference}/outcome", response_model=ConcernView, dependencies=[ANSWER])
async def record_outcome(reference: str, body: OutcomeIn, caller: CurrentOrganisation, work: Work,
                         runtime: RuntimeDep, request: Request) -> ConcernView:
    """An enquiry opened or not; later, with `concluded_on`, its conclusion."""
    row, caused = await concerns.record_outcome(work.session, Context.of(runtime, caller.id), reference,
                                                enquiry=body.enquiry, concluded_on=body.concluded_on)
    await work.emit(caused)
    await audit.record(work.session, audit_table, request, action="update", resource="safeguarding_concern",
                       reference=reference)
    return _view(row)
