"""Triage HTTP API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from nwd_shared import audit
from nwd_shared.app import RuntimeDep, Work
from nwd_shared.auth import CurrentOrganisation, require_scope
from nwd_shared.context import Context
from nwd_shared.events import Route
from nwd_shared.openapi_links import links
from triage import service
from triage.models import TriageDecision
from triage.models import audit as audit_table
from triage.schemas import OverrideIn, TriageList, TriageView

router = APIRouter(prefix="/v1/triage", tags=["triage"])
# What a decision's reference leads to (OpenAPI links: clients and stateful fuzzing follow them).
_DECISION = [("get", "/v1/triage/{reference}"), ("post", "/v1/triage/{reference}/decision"),
             ("get", "/v1/triage/{reference}/audit")]


def _view(row: TriageDecision) -> TriageView:
    return TriageView.model_validate(row, from_attributes=True)


@router.get("", response_model=TriageList, dependencies=[require_scope("contacts:read")],
            responses={200: {"links": links("$response.body#/items/0/reference", *_DECISION)}})
async def list_triage(
    caller: CurrentOrganisation, work: Work, runtime: RuntimeDep, request: Request,
    needs_review: bool | None = None, route: Route | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    after: Annotated[str | None, Query(max_length=32)] = None,
) -> TriageList:
    """The caller's decisions, oldest first: `needs_review=true` is its review queue."""
    rows, next_after = await service.decisions_for(work.session, Context.of(runtime, caller.id),
                                                   needs_review=needs_review, route=route, limit=limit, after=after)
    for row in rows:  # each decision listed is a read of its safeguarding evidence
        await audit.record(work.session, audit_table, request, action="read", resource="triage_decision",
                           reference=row.reference)
    return TriageList(items=[_view(r) for r in rows], next=next_after)


@router.get("/{reference}", response_model=TriageView, dependencies=[require_scope("contacts:read")],
            responses={200: {"links": links("$response.body#/reference", *_DECISION[1:])}})
async def get_triage(reference: str, caller: CurrentOrganisation, work: Work, runtime: RuntimeDep,
                     request: Request) -> TriageView:
    """The triage decision, its reasons and the safeguarding evidence."""
    row = await service.visible_decision(work.session, Context.of(runtime, caller.id), reference)
    await audit.record(work.session, audit_table, request, action="read", resource="triage_decision",
                       reference=reference)
    return _view(row)


@router.post("/{reference}/decision", response_model=TriageView, dependencies=[require_scope("triage:write")])
async def override_triage(
    reference: str, body: OverrideIn, caller: CurrentOrganisation, work: Work, runtime: RuntimeDep,
    request: Request,
) -> TriageView:
    """Override the route and responsible organisations, with a reason."""
    row, caused = await service.override(work.session, Context.of(runtime, caller.id), reference=reference,
                                         change=body)
    await work.emit(caused)
    await audit.record(work.session, audit_table, request, action="update", resource="triage_decision",
                       reference=reference)
    return _view(row)
