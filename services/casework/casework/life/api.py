"""Casework HTTP API of a complaint's later life: each action returns the case as its owner sees it."""

from __future__ import annotations

from fastapi import APIRouter, Request

from casework.api import WRITE, _done
from casework.life import ombudsman, service
from casework.life.schemas import (
    CompliedIn,
    DecisionIn,
    EnquiryIn,
    EqualityIn,
    FinalResponseIn,
    InformationRequestIn,
    OralRecordIn,
    RemedyIn,
    ReopenIn,
    ReplyIn,
    ResolvedIn,
    ReviewIn,
    SentIn,
    TimeLimitIn,
    WithdrawIn,
)
from casework.schemas import CaseView
from nwd_shared.app import Work
from nwd_shared.auth import require_role
from nwd_shared.context import ContextDep

router = APIRouter(prefix="/v1/cases", tags=["cases"])
SENIOR = [*WRITE, require_role("senior_manager")]
CUSTOMER_RELATIONS = [*WRITE, require_role("customer_relations")]


@router.post("/{case_id}/resolved", response_model=CaseView, dependencies=WRITE)
async def resolved(case_id: str, request: Request, ctx: ContextDep, work: Work,
                   body: ResolvedIn | None = None) -> CaseView:
    """Day-to-day business put right by the end of the next working day: not a complaint (reg 8)."""
    done = await service.resolve(work.session, ctx, case_id=case_id, body=body or ResolvedIn())
    return await _done(work, request, "case.resolved", ctx, done)


@router.post("/{case_id}/oral-record", response_model=CaseView, dependencies=WRITE)
async def oral_record(case_id: str, request: Request, body: OralRecordIn, ctx: ContextDep, work: Work) -> CaseView:
    """The written record of an oral complaint, given to the complainant (reg 13)."""
    done = await service.record_oral(work.session, ctx, case_id=case_id, body=body)
    return await _done(work, request, "case.oral-record", ctx, done)


@router.post("/{case_id}/time-limit", response_model=CaseView, dependencies=WRITE)
async def time_limit(case_id: str, request: Request, body: TimeLimitIn, ctx: ContextDep, work: Work) -> CaseView:
    """The 12-month limit decided (reg 12): waived with a reason, or not, and the case closes out of time."""
    done = await service.decide_time_limit(work.session, ctx, case_id=case_id, body=body)
    return await _done(work, request, "case.time-limit", ctx, done)


@router.post("/{case_id}/withdraw", response_model=CaseView, dependencies=WRITE)
async def withdraw(case_id: str, request: Request, ctx: ContextDep, work: Work,
                   body: WithdrawIn | None = None) -> CaseView:
    """The complainant withdrew the complaint: withdrawn, never resolved."""
    done = await service.withdraw(work.session, ctx, case_id=case_id, body=body or WithdrawIn())
    return await _done(work, request, "case.withdraw", ctx, done)


@router.post("/{case_id}/reply", response_model=CaseView, dependencies=WRITE)
async def reply(case_id: str, request: Request, body: ReplyIn, ctx: ContextDep, work: Work) -> CaseView:
    """The complainant's reply to the response: satisfied, or not (a senior review follows)."""
    done = await service.reply(work.session, ctx, case_id=case_id, body=body)
    return await _done(work, request, "case.reply", ctx, done)


@router.post("/{case_id}/review", response_model=CaseView, dependencies=SENIOR)
async def review(case_id: str, request: Request, body: ReviewIn, ctx: ContextDep, work: Work) -> CaseView:
    """A senior manager's review of the complaint and its response (seed 003 §2.9)."""
    done = await service.review(work.session, ctx, case_id=case_id, body=body)
    return await _done(work, request, "case.review", ctx, done)


@router.post("/{case_id}/final-response", response_model=CaseView, dependencies=SENIOR)
async def final_response(case_id: str, request: Request, body: FinalResponseIn, ctx: ContextDep,
                         work: Work) -> CaseView:
    """The review's findings in the final response letter (seed 003 §2.9)."""
    done = await service.final_response(work.session, ctx, case_id=case_id, body=body)
    return await _done(work, request, "case.final-response", ctx, done)


@router.post("/{case_id}/reopen", response_model=CaseView, dependencies=CUSTOMER_RELATIONS)
async def reopen(case_id: str, request: Request, body: ReopenIn, ctx: ContextDep, work: Work) -> CaseView:
    """Customer relations reopens a closed or withdrawn case, with the reason."""
    done = await service.reopen(work.session, ctx, case_id=case_id, body=body)
    return await _done(work, request, "case.reopen", ctx, done)


@router.post("/{case_id}/ombudsman/enquiry", response_model=CaseView, dependencies=WRITE)
async def enquiry(case_id: str, request: Request, body: EnquiryIn, ctx: ContextDep, work: Work) -> CaseView:
    """The ombudsman's enquiry received: their reference and the date."""
    done = await ombudsman.record_enquiry(work.session, ctx, case_id=case_id, body=body)
    return await _done(work, request, "case.ombudsman.enquiry", ctx, done)


@router.post("/{case_id}/ombudsman/information-requests", response_model=CaseView, dependencies=WRITE)
async def information_request(case_id: str, request: Request, body: InformationRequestIn, ctx: ContextDep,
                              work: Work) -> CaseView:
    """Information the ombudsman asked for, due by a date (numbered from 1)."""
    done = await ombudsman.request_information(work.session, ctx, case_id=case_id, body=body)
    return await _done(work, request, "case.ombudsman.information-request", ctx, done)


@router.post("/{case_id}/ombudsman/information-requests/{number}/sent", response_model=CaseView,
             dependencies=WRITE)
async def information_sent(case_id: str, number: int, request: Request, body: SentIn, ctx: ContextDep,
                           work: Work) -> CaseView:
    """The information requested was sent."""
    done = await ombudsman.information_sent(work.session, ctx, case_id=case_id, number=number, body=body)
    return await _done(work, request, "case.ombudsman.information-sent", ctx, done)


@router.post("/{case_id}/ombudsman/decision", response_model=CaseView, dependencies=WRITE)
async def decision(case_id: str, request: Request, body: DecisionIn, ctx: ContextDep, work: Work) -> CaseView:
    """The ombudsman's decision: findings, upheld or not."""
    done = await ombudsman.record_decision(work.session, ctx, case_id=case_id, body=body)
    return await _done(work, request, "case.ombudsman.decision", ctx, done)


@router.post("/{case_id}/ombudsman/remedies", response_model=CaseView, dependencies=WRITE)
async def remedy(case_id: str, request: Request, body: RemedyIn, ctx: ContextDep, work: Work) -> CaseView:
    """A remedy the ombudsman recommended, due by a date (numbered from 1)."""
    done = await ombudsman.recommend_remedy(work.session, ctx, case_id=case_id, body=body)
    return await _done(work, request, "case.ombudsman.remedy", ctx, done)


@router.post("/{case_id}/ombudsman/remedies/{number}/complied", response_model=CaseView, dependencies=WRITE)
async def remedy_complied(case_id: str, number: int, request: Request, body: CompliedIn, ctx: ContextDep,
                          work: Work) -> CaseView:
    """A remedy complied with, and the evidence of it."""
    done = await ombudsman.remedy_complied(work.session, ctx, case_id=case_id, number=number, body=body)
    return await _done(work, request, "case.ombudsman.remedy-complied", ctx, done)


@router.put("/{case_id}/equality", response_model=CaseView, dependencies=WRITE)
async def equality(case_id: str, request: Request, body: EqualityIn, ctx: ContextDep, work: Work) -> CaseView:
    """Optional equality and age data (KO41a's age groups), kept only with consent."""
    done = await service.record_equality(work.session, ctx, case_id=case_id, body=body)
    return await _done(work, request, "case.equality", ctx, done)
