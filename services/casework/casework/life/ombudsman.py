"""The ombudsman stage (seed 003 §2.10): enquiry, information requested and sent, decision, remedies."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from casework import repository
from casework.life import domain as life
from casework.life.schemas import (
    CompliedIn,
    DecisionIn,
    EnquiryIn,
    InformationRequestIn,
    RemedyIn,
    SentIn,
)
from casework.life.service import invalid, not_future
from casework.models import Case, OmbudsmanRemedy, OmbudsmanRequest
from casework.service import Done, case_ids, owned_case
from nwd_shared import events as ev
from nwd_shared.context import Context
from nwd_shared.errors import Conflict, NotFound


def _step(case: Case, ctx: Context, step: str, on: date, **data) -> ev.CaseOmbudsmanStep:
    return ev.CaseOmbudsmanStep(source=ctx.source, subject=case.reference, time=ctx.now,
                                data=ev.CaseOmbudsmanData(**case_ids(case), step=step, on=on, **data))


async def record_enquiry(session: AsyncSession, ctx: Context, *, case_id: str, body: EnquiryIn) -> Done:
    case = await owned_case(session, ctx, case_id)
    life.check_enquiry(case)
    not_future(ctx, "received_on", body.received_on)
    case.ombudsman_stage = {**(case.ombudsman_stage or {}), "enquiry": {
        "their_reference": body.their_reference, "received_on": body.received_on.isoformat(), "by": ctx.by}}
    return case, [_step(case, ctx, "enquiry_received", body.received_on, their_reference=body.their_reference)]


async def request_information(session: AsyncSession, ctx: Context, *, case_id: str,
                              body: InformationRequestIn) -> Done:
    case = await owned_case(session, ctx, case_id)
    life.check_ombudsman_stage(case)
    if not (case.ombudsman_stage or {}).get("enquiry"):
        raise Conflict("record the ombudsman's enquiry before its requests for information")
    not_future(ctx, "requested_on", body.requested_on)
    number = len(await repository.information_requests_of(session, case.id)) + 1
    session.add(OmbudsmanRequest(case_id=case.id, number=number, requested_on=body.requested_on,
                                 due_on=body.due_on))
    return case, [_step(case, ctx, "information_requested", body.requested_on, item=number, due_on=body.due_on)]


async def information_sent(session: AsyncSession, ctx: Context, *, case_id: str, number: int, body: SentIn) -> Done:
    case = await owned_case(session, ctx, case_id)
    request = next((r for r in await repository.information_requests_of(session, case.id) if r.number == number),
                   None)
    if request is None:
        raise NotFound(f"no information request {number} on case {case_id}")
    if request.sent_on is not None:
        raise Conflict(f"information request {number} was answered on {request.sent_on.isoformat()}")
    not_future(ctx, "sent_on", body.sent_on)
    if body.sent_on < request.requested_on:
        raise invalid("sent_on", "sent before it was requested")
    request.sent_on = body.sent_on
    return case, [_step(case, ctx, "information_sent", body.sent_on, item=number, due_on=request.due_on,
                        on_time=life.on_time(body.sent_on, request.due_on))]


async def record_decision(session: AsyncSession, ctx: Context, *, case_id: str, body: DecisionIn) -> Done:
    case = await owned_case(session, ctx, case_id)
    life.check_decision(case)
    not_future(ctx, "decided_on", body.decided_on)
    case.ombudsman_stage = {**case.ombudsman_stage, "decision": {
        "decided_on": body.decided_on.isoformat(), "findings": body.findings, "upheld": body.upheld, "by": ctx.by}}
    return case, [_step(case, ctx, "decided", body.decided_on, upheld=body.upheld)]


async def recommend_remedy(session: AsyncSession, ctx: Context, *, case_id: str, body: RemedyIn) -> Done:
    case = await owned_case(session, ctx, case_id)
    life.check_remedy(case)
    number = len(await repository.remedies_of(session, case.id)) + 1
    session.add(OmbudsmanRemedy(case_id=case.id, number=number, description=body.description, due_on=body.due_on))
    return case, [_step(case, ctx, "remedy_recommended", ctx.today, item=number, due_on=body.due_on)]


async def remedy_complied(session: AsyncSession, ctx: Context, *, case_id: str, number: int,
                          body: CompliedIn) -> Done:
    case = await owned_case(session, ctx, case_id)
    remedy = next((r for r in await repository.remedies_of(session, case.id) if r.number == number), None)
    if remedy is None:
        raise NotFound(f"no remedy {number} on case {case_id}")
    if remedy.complied_on is not None:
        raise Conflict(f"remedy {number} was complied with on {remedy.complied_on.isoformat()}")
    not_future(ctx, "on", body.on)
    remedy.complied_on, remedy.evidence = body.on, body.evidence
    return case, [_step(case, ctx, "remedy_complied", body.on, item=number, due_on=remedy.due_on,
                        on_time=life.on_time(body.on, remedy.due_on))]
