"""Casework HTTP API: the case, the owner's actions, and contributors' parts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.ext.asyncio import AsyncSession

from casework import domain, joint, repository, safeguarding, service
from casework.letters import KINDS, unavailable
from casework.models import Case
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
from casework.service import Acting
from nwd_shared.app import ReadSession, RuntimeDep, Work
from nwd_shared.auth import CurrentOrganisation
from nwd_shared.http import Problem

router = APIRouter(prefix="/v1/cases", tags=["cases"])


def _acting(caller: CurrentOrganisation, runtime: RuntimeDep) -> Acting:
    return Acting(caller=caller.id, now=runtime.clock(), calendar=runtime.calendar,
                  directory=runtime.directory, source=runtime.settings.source)


ActingDep = Annotated[Acting, Depends(_acting)]


def _live_alerts(case: Case, alerts) -> list[AlertView]:
    """Alerts whose deadline still runs with the same date, a breach replacing its warning."""
    running = domain.running_deadlines(service.progress_of(case))
    live = {}
    for a in alerts:
        if running.get(a.deadline) == a.due_on and (a.kind == "breach" or a.deadline not in live):
            live[a.deadline] = AlertView(case_id=case.id, reference=case.reference, deadline=a.deadline,
                                         due_on=a.due_on, kind=a.kind, raised_at=a.raised_at)
    return list(live.values())


async def _view(session: AsyncSession, case: Case, acting: Acting) -> CaseView:
    owner = acting.caller == case.owner
    extensions = await repository.extensions_of(session, case.id)
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
        contributions=await joint.parts_for(session, case, acting.caller, acting.today),
        alerts=_live_alerts(case, await repository.alerts_of(session, [case.id])),
        letters=[k for k in KINDS if unavailable(k, case, extensions, acting.today) is None] if owner else [],
        unreasonably_persistent=case.unreasonably_persistent if owner else None,
    )


async def _done(work: Work, acting: Acting, done: service.Done) -> CaseView:
    case, events = done
    await work.emit(events)
    return await _view(work.session, case, acting)


@router.get("", response_model=CaseList)
async def find_cases(acting: ActingDep, session: ReadSession,
                     reference: str = Query(max_length=32)) -> CaseList:
    """The case for a contact reference, if the caller owns or contributes to it."""
    case = await repository.case_for_reference(session, reference)
    visible = case is not None and service.can_see(case, acting.caller)
    return CaseList(items=[await _view(session, case, acting)] if visible else [])


@router.get("/alerts", response_model=AlertList)
async def alerts(acting: ActingDep, session: ReadSession) -> AlertList:
    """Warnings and breaches of the caller's cases that still await their response."""
    cases = {c.id: c for c in await repository.open_cases_of(session, acting.caller)}
    raised = await repository.alerts_of(session, list(cases))
    items = [view for case in cases.values()
             for view in _live_alerts(case, [a for a in raised if a.case_id == case.id])]
    return AlertList(items=sorted(items, key=lambda a: (a.due_on, a.reference)))


@router.get("/{case_id}", response_model=CaseView)
async def get_case(case_id: str, acting: ActingDep, session: ReadSession) -> CaseView:
    """One case with its deadlines."""
    return await _view(session, await service.visible_case(session, case_id, acting.caller), acting)


@router.get("/{case_id}/record", response_model=RecordView)
async def get_record(case_id: str, acting: ActingDep, session: ReadSession) -> RecordView:
    """The reg 17 record of a complaint."""
    case = await service.visible_case(session, case_id, acting.caller)
    if case.owner != acting.caller:
        raise Problem(403, "the record is the owner's")
    extensions = await repository.extensions_of(session, case.id)
    return RecordView(
        reference=case.reference, owner=case.owner, subject=case.subject, received_on=case.received_on,
        acknowledged_on=case.acknowledged_on, notified_respond_by=case.notified_respond_by,
        respond_by=case.respond_by, extensions=len(extensions), responded_on=case.responded_on,
        outcome=case.outcome, met_notified_or_extended_period=case.on_time, closed_on=case.closed_on,
        escalated_on=case.escalated_on, summary=case.record_summary,
    )


@router.post("/{case_id}/acknowledge", response_model=CaseView)
async def acknowledge(case_id: str, acting: ActingDep, work: Work, body: AcknowledgeIn | None = None) -> CaseView:
    """Acknowledge (reg 13): the offer to discuss, and the likely response period."""
    return await _done(work, acting, await service.acknowledge(work.session, case_id=case_id,
                                                               body=body or AcknowledgeIn(), acting=acting))


@router.post("/{case_id}/action-plan", response_model=CaseView)
async def action_plan(case_id: str, body: ActionPlanIn, acting: ActingDep, work: Work) -> CaseView:
    """Issue the Individual Complaints Action Plan; over the usual timescale it needs a reason."""
    return await _done(work, acting, await service.issue_action_plan(work.session, case_id=case_id, body=body,
                                                                     acting=acting))


@router.post("/{case_id}/action-plan/comments", response_model=CaseView)
async def action_plan_comments(case_id: str, body: CommentsIn, acting: ActingDep, work: Work) -> CaseView:
    """Record the complainant's comments on the action plan."""
    return await _done(work, acting, await service.record_plan_comments(work.session, case_id=case_id,
                                                                        body=body, acting=acting))


@router.post("/{case_id}/extend", response_model=CaseView)
async def extend(case_id: str, body: ExtendIn, acting: ActingDep, work: Work) -> CaseView:
    """A new response date with its reason; the extension letter tells the complainant."""
    return await _done(work, acting, await service.extend(work.session, case_id=case_id, body=body,
                                                          acting=acting))


@router.post("/{case_id}/response", response_model=CaseView)
async def response(case_id: str, body: ResponseIn, acting: ActingDep, work: Work) -> CaseView:
    """The final response (reg 14)."""
    return await _done(work, acting, await service.respond(work.session, case_id=case_id, body=body,
                                                           acting=acting))


@router.post("/{case_id}/close", response_model=CaseView)
async def close(case_id: str, acting: ActingDep, work: Work, body: CloseIn | None = None) -> CaseView:
    """Close the case; the closed event carries the case-record summary."""
    return await _done(work, acting, await service.close(work.session, case_id=case_id, body=body or CloseIn(),
                                                         acting=acting))


@router.post("/{case_id}/escalate", response_model=CaseView)
async def escalate(case_id: str, body: EscalateIn, acting: ActingDep, work: Work) -> CaseView:
    """The complainant remains dissatisfied: refer to the ombudsman."""
    return await _done(work, acting, await service.escalate(work.session, case_id=case_id, body=body,
                                                            acting=acting))


@router.post("/{case_id}/unreasonably-persistent", response_model=CaseView)
async def persistent_flag(case_id: str, body: PersistentFlagIn, acting: ActingDep, work: Work) -> CaseView:
    """Customer relations sets or clears the unreasonably persistent flag, with a reason."""
    return await _done(work, acting, await service.set_persistent_flag(work.session, case_id=case_id,
                                                                       body=body, acting=acting))


@router.post("/{case_id}/suspend", response_model=CaseView)
async def suspend(case_id: str, body: ReasonIn, acting: ActingDep, work: Work) -> CaseView:
    """Safeguarding found entwined with the complaint: pause its response clock."""
    return await _done(work, acting, await safeguarding.suspend_case(work.session, case_id=case_id,
                                                                     reason=body.reason, acting=acting))


@router.post("/{case_id}/resume", response_model=CaseView)
async def resume(case_id: str, acting: ActingDep, work: Work, body: ResumeIn | None = None) -> CaseView:
    """Safeguarding concluded: the clock runs again and its dates move by the paused working days."""
    reason = (body or ResumeIn()).reason
    return await _done(work, acting, await safeguarding.resume_case(work.session, case_id=case_id,
                                                                    reason=reason, acting=acting))


@router.get("/{case_id}/contributions", response_model=list[ContributionView])
async def contributions(case_id: str, acting: ActingDep, session: ReadSession) -> list[ContributionView]:
    """The parts of a joint complaint: outstanding, overdue or submitted."""
    case = await service.visible_case(session, case_id, acting.caller)
    return await joint.parts_for(session, case, acting.caller, acting.today)


@router.post("/{case_id}/contributions", response_model=ContributionView)
async def request_contribution(case_id: str, body: ContributionRequestIn, acting: ActingDep,
                               work: Work) -> ContributionView:
    """The lead asks a contributor for its part by a date."""
    _, part = await joint.request_part(work.session, case_id=case_id, body=body, acting=acting)
    return joint.view_of(part, acting.today)


@router.post("/{case_id}/contributions/{contributor}/part", response_model=ContributionView)
async def submit_contribution(case_id: str, contributor: str, body: ContributionPartIn, acting: ActingDep,
                              work: Work) -> ContributionView:
    """A contributor submits its part for the lead's single co-ordinated response."""
    _, part = await joint.submit_part(work.session, case_id=case_id, contributor=contributor, body=body,
                                      acting=acting)
    return joint.view_of(part, acting.today)
