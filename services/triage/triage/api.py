"""Triage HTTP API."""

from __future__ import annotations

from fastapi import APIRouter

from nwd_shared.app import ReadSession, RuntimeDep, Work
from nwd_shared.auth import CurrentOrganisation
from triage import service
from triage.models import TriageDecision
from triage.schemas import OverrideIn, TriageView

router = APIRouter(prefix="/v1/triage", tags=["triage"])


def _view(row: TriageDecision) -> TriageView:
    return TriageView.model_validate(row, from_attributes=True)


@router.get("/{reference}", response_model=TriageView)
async def get_triage(reference: str, caller: CurrentOrganisation, session: ReadSession) -> TriageView:
    """The triage decision and its reasons."""
    return _view(await service.visible_decision(session, reference, caller))


@router.post("/{reference}/decision", response_model=TriageView)
async def override_triage(
    reference: str, body: OverrideIn, caller: CurrentOrganisation, work: Work, runtime: RuntimeDep
) -> TriageView:
    """Override the route with a reason."""
    row, event = await service.override(
        work.session, reference=reference, caller=caller, change=body, directory=runtime.directory,
        source=runtime.settings.source, now=runtime.clock(),
    )
    await work.emit([event])
    return _view(row)
