"""Casework HTTP API."""

from __future__ import annotations

from fastapi import APIRouter, Query

from casework import repository, service
from casework.models import Case
from casework.schemas import CaseList, CaseView, DeadlinesView
from nwd_shared.app import ReadSession
from nwd_shared.auth import CurrentOrganisation
from nwd_shared.http import Problem

router = APIRouter(prefix="/v1/cases", tags=["cases"])


def _view(case: Case) -> CaseView:
    return CaseView(
        id=case.id, reference=case.reference, owner=case.owner, contributors=case.contributors,
        status=case.status, suspended=case.suspended, received_on=case.received_on,
        opened_at=case.opened_at,
        deadlines=DeadlinesView(acknowledge_by=case.acknowledge_by, action_plan_by=case.action_plan_by,
                                respond_by=case.respond_by, six_months_by=case.six_months_by),
    )


@router.get("", response_model=CaseList)
async def find_cases(caller: CurrentOrganisation, session: ReadSession,
                     reference: str = Query(max_length=32)) -> CaseList:
    """The case for a contact reference, if the caller owns or contributes to it."""
    case = await repository.case_for_reference(session, reference)
    return CaseList(items=[_view(case)] if case and service.can_see(case, caller.id) else [])


@router.get("/{case_id}", response_model=CaseView)
async def get_case(case_id: str, caller: CurrentOrganisation, session: ReadSession) -> CaseView:
    """One case with its deadlines."""
    case = await repository.get_case(session, case_id)
    if case is None or not service.can_see(case, caller.id):
        raise Problem(404, f"no case {case_id}")
    return _view(case)
