"""Learning HTTP API: reports, each for the caller's own organisation."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query

from learning import repository
from learning.schemas import Summary
from nwd_shared.app import ReadSession
from nwd_shared.auth import CurrentOrganisation
from nwd_shared.http import Problem

router = APIRouter(prefix="/v1/reports", tags=["reports"])


@router.get("/summary", response_model=Summary, response_model_by_alias=True)
async def summary(
    caller: CurrentOrganisation,
    session: ReadSession,
    organisation: str = Query(max_length=64),
    from_: date = Query(alias="from"),
    to: date = Query(),
) -> Summary:
    """Counts for an organisation and period; an organisation sees only its own."""
    if organisation != caller.id:
        raise Problem(404, f"no reports for {organisation}")
    if to < from_:
        raise Problem(422, "`to` is before `from`", errors=[{"field": "query.to",
                      "message": "must not be before from", "type": "date_order"}])
    return Summary(organisation=organisation, from_=from_, to=to,
                   counts=await repository.counts(session, organisation, from_, to))
