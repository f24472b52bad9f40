"""Casework HTTP API: the case, the owner's actions, and contributors' parts."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession

from casework import domain, joint, repository, safeguarding, service
from casework.letters import KINDS, unavailable
from casework.life import service as life_service
from casework.models import Case
from casework.models import audit as audit_table
from casework.schemas import (
    AcknowledgeIn,
    ActionPlanIn,
    AlertList,
    AlertView,
    CaseList,
    CaseView,
    CloseIn,
    CommentsIn,
    ContributionPartIn,
    ContributionRequestIn,
    ContributionView,
    DeadlinesView,
    EscalateIn,
    ExtendIn,
    ExtensionView,
    PersistentFlagIn,
    ReasonIn,
    RecordView,
    ResponseIn,
    ResumeIn,
)
from nwd_shared import audit
from nwd_shared.app import ReadSession, Work
from nwd_shared.auth import require_role, require_scope
from nwd_shared.context import Context, ContextDep

router = APIRouter(prefix="/v1/cases", tags=["cases"])
WRITE = [require_scope("cases:write")]


def _live_alerts(case: Case, alerts, later: dict | None = None) -> list[AlertView]:
    return [AlertView(case_id=case.id, reference=case.reference, deadline=a.deadline, due_on=a.due_on,
                      kind=a.kind, raised_at=a.raised_at)
            for a in domain.live_alerts(service.progress_of(case), alerts, later)]


async def _view(session: AsyncSession, case: Case, ctx: Context) -> CaseView:
    owner = ctx.caller == case.owner
    extensions = await repository.extensions_of(session, case.id)
    life = await life_service.view_of(session, case, ctx.today) if owner else None
    return CaseView(
        id=case.id, reference=case.reference, owner=case.owner, contributors=case.contributors,
        status=case.status, suspended=case.suspended, received_on=case.received_on,
        opened_at=case.opened_at,
        deadlines=DeadlinesView(acknowledge_by=case.acknowledge_by, action_plan_by=case.action_plan_by,
                                respond_by=case.respond_by, six_months_by=case.six_months_by),
        subject=case.subject, acknowledged_on=case.acknowledged_on, discussion_accepted=case.discussion_accepted,
        action_plan_issued_on=case.action_plan_issued_on, action_plan=case.action_plan,
        suspended_on=case.suspended_on, paused_working_days=case.paused_working_days or 0,
        extensions=[ExtensionView(extended_on=e.extended_on, previous_respond_by=e.previous_respond_by,
                                  new_respond_by=e.new_respond_by, reason=e.reason) for e in extensions],
        responded_on=case.responded_on, outcome=case.outcome, on_time=case.on_time, closed_on=case.closed_on,
        escalated_on=case.escalated_on,
        contributions=await joint.parts_for(session, case, ctx.caller, ctx.today),
        alerts=_live_alerts(case, await repository.alerts_of(session, [case.id]),
                            await life_service.later_deadlines(session, case)),
        letters=[k for k in KINDS if unavailable(k, case, extensions, ctx.today) is None] if owner else [],
        unreasonably_persistent=bool(life.persistent and life.persistent.flagged) if owner else None,
        closed_as=case.closed_as, resolve_by=case.resolve_by, final_response_by=case.final_response_by,
        oral_record_due=life.oral_record_due if owner else None, life=life,
    )


async def _read(work: Work, request: Request, case: Case, resource: str = "case") -> None:
    await audit.record(work.session, audit_table, request, action="read", resource=resource,
                       reference=case.reference)


async def _done(work: Work, request: Request, resource: str, ctx: Context, done: service.Done) -> CaseView:
    case, events = done
    await work.emit(events)
    await audit.record(work.session, audit_table, request, action="update", resource=resource,
                       reference=case.reference)
    return await _view(work.session, case, ctx)


# GET /v1/cases is casework.queues.api.list_cases, which answers `?reference=` by this, as before.
async def find_cases(ctx: ContextDep, work: Work, request: Request,
                     reference: str = Query(max_length=32)) -> CaseList:
    """The case for a contact reference, if the caller owns or contributes to it."""
    case = await repository.case_for_reference(work.session, reference)
    if case is None or not domain.can_see(case, ctx.caller):
        return CaseList(items=[])
    await _read(work, request, case)
    return CaseList(items=[await _view(work.session, case, ctx)])


@router.get("/alerts", response_model=AlertList)
async def alerts(ctx: ContextDep, session: ReadSession) -> AlertList:
    """Warnings and breaches of the caller's cases that still await their response."""
    cases = {c.id: c for c in await repository.open_cases_of(session, ctx.caller)}
    raised = await repository.alerts_of(session, list(cases))
    items = [view for case in cases.values()
             for view in _live_alerts(case, [a for a in raised if a.case_id == case.id])]
    return AlertList(items=sorted(items, key=lambda a: (a.due_on, a.reference)))


@router.get("/{case_id}", response_model=CaseView, dependencies=[require_scope("contacts:read")])
async def get_case(case_id: str, ctx: ContextDep, work: Work, request: Request) -> CaseView:
    """One case with its deadlines."""
    case = await service.visible_case(work.session, case_id, ctx.caller)
    await _read(work, request, case)
    return await _view(work.session, case, ctx)


@router.get("/{case_id}/record", response_model=RecordView, dependencies=[require_scope("contacts:read")])
async def get_record(case_id: str, ctx: ContextDep, work: Work, request: Request) -> RecordView:
    """The reg 17 record of a complaint."""
    case = await service.visible_case(work.session, case_id, ctx.caller)
    domain.check_owner(case, ctx.caller, "the record is the owner's")
    await _read(work, request, case, "case.record")
    extensions = await repository.extensions_of(work.session, case.id)
    return RecordView(
        reference=case.reference, owner=case.owner, subject=case.subject, received_on=case.received_on,
        acknowledged_on=case.acknowledged_on, notified_respond_by=case.notified_respond_by,
        respond_by=case.respond_by, extensions=len(extensions), responded_on=case.responded_on,
        outcome=case.outcome, met_notified_or_extended_period=case.on_time, closed_on=case.closed_on,
        escalated_on=case.escalated_on, summary=case.record_summary,
    )


@router.post("/{case_id}/acknowledge", response_model=CaseView, dependencies=WRITE)
async def acknowledge(case_id: str, request: Request, ctx: ContextDep, work: Work,
                      body: AcknowledgeIn | None = None) -> CaseView:
    """Acknowledge (reg 13): the offer to discuss, and the likely response period."""
    done = await service.acknowledge(work.session, ctx, case_id=case_id, body=body or AcknowledgeIn())
    return await _done(work, request, "case.acknowledge", ctx, done)


@router.post("/{case_id}/action-plan", response_model=CaseView, dependencies=WRITE)
async def action_plan(case_id: str, request: Request, body: ActionPlanIn, ctx: ContextDep,
                      work: Work) -> CaseView:
    """Issue the Individual Complaints Action Plan; over the usual timescale it needs a reason."""
    done = await service.issue_action_plan(work.session, ctx, case_id=case_id, body=body)
    return await _done(work, request, "case.action-plan", ctx, done)


@router.post("/{case_id}/action-plan/comments", response_model=CaseView, dependencies=WRITE)
async def action_plan_comments(case_id: str, request: Request, body: CommentsIn, ctx: ContextDep,
                               work: Work) -> CaseView:
    """Record the complainant's comments on the action plan."""
    done = await service.record_plan_comments(work.session, ctx, case_id=case_id, body=body)
    return await _done(work, request, "case.action-plan.comments", ctx, done)


@router.post("/{case_id}/extend", response_model=CaseView, dependencies=WRITE)
async def extend(case_id: str, request: Request, body: ExtendIn, ctx: ContextDep, work: Work) -> CaseView:
    """A new response date with its reason; the extension letter tells the complainant."""
    done = await service.extend(work.session, ctx, case_id=case_id, body=body)
    return await _done(work, request, "case.extend", ctx, done)


@router.post("/{case_id}/response", response_model=CaseView, dependencies=WRITE)
async def response(case_id: str, request: Request, body: ResponseIn, ctx: ContextDep,
                   work: Work) -> CaseView:
    """The final response (reg 14)."""
    done = await service.respond(work.session, ctx, case_id=case_id, body=body)
    return await _done(work, request, "case.response", ctx, done)


@router.post("/{case_id}/close", response_model=CaseView, dependencies=WRITE)
async def close(case_id: str, request: Request, ctx: ContextDep, work: Work,
                body: CloseIn | None = None) -> CaseView:
    """Close the case; the closed event carries the case-record summary."""
    done = await service.close(work.session, ctx, case_id=case_id, body=body or CloseIn())
    return await _done(work, request, "case.close", ctx, done)


@router.post("/{case_id}/escalate", response_model=CaseView, dependencies=WRITE)
async def escalate(case_id: str, request: Request, body: EscalateIn, ctx: ContextDep,
                   work: Work) -> CaseView:
    """The complainant remains dissatisfied: refer to the ombudsman."""
    done = await service.escalate(work.session, ctx, case_id=case_id, body=body)
    return await _done(work, request, "case.escalate", ctx, done)


@router.post("/{case_id}/unreasonably-persistent", response_model=CaseView,
             dependencies=[require_scope("customer-relations"), require_role("customer_relations")])
async def persistent_flag(case_id: str, request: Request, body: PersistentFlagIn, ctx: ContextDep,
                          work: Work) -> CaseView:
    """Customer relations flags the complainant (restrictions, review date) or clears the flag, with a reason."""
    done = await life_service.set_person_flag(work.session, ctx, case_id=case_id, body=body)
    return await _done(work, request, "case.unreasonably-persistent", ctx, done)


@router.post("/{case_id}/suspend", response_model=CaseView, dependencies=WRITE)
async def suspend(case_id: str, request: Request, body: ReasonIn, ctx: ContextDep, work: Work) -> CaseView:
    """Safeguarding found entwined with the complaint: pause its response clock."""
    done = await safeguarding.suspend_case(work.session, ctx, case_id=case_id, reason=body.reason)
    return await _done(work, request, "case.suspend", ctx, done)


@router.post("/{case_id}/resume", response_model=CaseView, dependencies=WRITE)
async def resume(case_id: str, request: Request, ctx: ContextDep, work: Work,
                 body: ResumeIn | None = None) -> CaseView:
    """Safeguarding concluded: the clock runs again and its dates move by the paused working days."""
    reason = (body or ResumeIn()).reason
    done = await safeguarding.resume_case(work.session, ctx, case_id=case_id, reason=reason)
    return await _done(work, request, "case.resume", ctx, done)


@router.get("/{case_id}/contributions", response_model=list[ContributionView], dependencies=[require_scope("contacts:read")])
async def contributions(case_id: str, ctx: ContextDep, work: Work,
                        request: Request) -> list[ContributionView]:
    """The parts of a joint complaint: outstanding, overdue or submitted."""
    case = await service.visible_case(work.session, case_id, ctx.caller)
    await _read(work, request, case, "case.contributions")
    return await joint.parts_for(work.session, case, ctx.caller, ctx.today)


@router.post("/{case_id}/contributions", response_model=ContributionView, dependencies=WRITE)
async def request_contribution(case_id: str, request: Request, body: ContributionRequestIn, ctx: ContextDep,
                               work: Work) -> ContributionView:
    """The lead asks a contributor for its part by a date."""
    case, part = await joint.request_part(work.session, ctx, case_id=case_id, body=body)
    await audit.record(work.session, audit_table, request, action="update", resource="case.contributions",
                       reference=case.reference)
    return joint.view_of(part, ctx.today)


@router.post("/{case_id}/contributions/{contributor}/part", response_model=ContributionView, dependencies=WRITE)
async def submit_contribution(case_id: str, request: Request, contributor: str, body: ContributionPartIn,
                              ctx: ContextDep, work: Work) -> ContributionView:
    """A contributor submits its part for the lead's single co-ordinated response."""
    case, part = await joint.submit_part(work.session, ctx, case_id=case_id, contributor=contributor, body=body)
    await audit.record(work.session, audit_table, request, action="update",
                       resource="case.contributions.part", reference=case.reference)
    return joint.view_of(part, ctx.today)
