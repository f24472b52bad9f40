"""Work queues, search and assignment over HTTP: `GET /v1/cases`, its queue counts, and assignment."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from pydantic import Field

from casework import api as cases_api
from casework.models import Case
from casework.models import audit as audit_table
from casework.queues import repository, rules, service
from casework.queues.repository import CaseFilter, Listed
from casework.queues.schemas import (
    AssignmentChangeView,
    AssignmentHistory,
    AssignmentIn,
    AssignmentView,
    CasePage,
    CaseSummary,
    Order,
    QueueCounts,
    Relation,
    Sort,
    Stage,
)
from casework.schemas import CaseList, DeadlinesView
from nwd_shared import audit
from nwd_shared import events as ev
from nwd_shared.app import ReadSession, Work
from nwd_shared.auth import check_personal_data, require_role, require_scope
from nwd_shared.context import Context, ContextDep
from nwd_shared.errors import Forbidden, Invalid

router = APIRouter(prefix="/v1/cases", tags=["cases"])
ASSIGN = [require_scope("cases:write"), require_role("customer_relations")]
Status = Annotated[str, Field(max_length=24, pattern=r"^[a-z_]+$")]
Handler = Annotated[str | None, Query(max_length=64, pattern=r"^[a-z0-9._-]+$",
                                      description="`me`, `unassigned`, or a person id of the owner")]


def _summary(listed: Listed, ctx: Context) -> CaseSummary:
    case, owner = listed.case, listed.case.owner == ctx.caller
    return CaseSummary(
        id=case.id, reference=case.reference, owner=case.owner, contributors=case.contributors,
        relation="owner" if owner else "contributor", status=case.status, stage=rules.stage_of(case.status),
        suspended=case.suspended, kind=case.kind, subject=case.subject, received_on=case.received_on,
        opened_at=case.opened_at,
        deadlines=DeadlinesView(acknowledge_by=case.acknowledge_by, action_plan_by=case.action_plan_by,
                                respond_by=case.respond_by, six_months_by=case.six_months_by),
        due_on=listed.due_on, overdue=listed.due_on is not None and listed.due_on < ctx.today,
        updated_on=listed.updated_on,
        handler=listed.handler if owner else None, team=listed.team if owner else None,
    )


def _handler_filter(handler: str | None, ctx: Context) -> dict:
    if handler is None:
        return {}
    if handler == "unassigned":
        return {"unassigned": True}
    if handler == "me":
        if ctx.by is None:
            raise Invalid.field("query.handler", "`me` needs a person: this key is the organisation's own")
        return {"handler": ctx.by}
    return {"handler": handler}


def _check_may_search(ctx: Context) -> None:
    """Searching names and descriptions reads personal data: not for reports-only staff."""
    if ctx.actor is not None and set(ctx.actor.roles) <= {"reports_only"}:
        raise Forbidden("searching names and descriptions needs a role that handles complaints")


@router.get("", response_model=CasePage | CaseList)
async def list_cases(
    request: Request, ctx: ContextDep, work: Work,
    reference: Annotated[str | None, Query(max_length=32, description="the old lookup: the contact's case, "
                                                                       "whole (the other parameters are ignored)")] = None,
    status: Annotated[list[Status] | None, Query()] = None,
    stage: Annotated[list[Stage] | None, Query(max_length=8)] = None,
    relation: Relation | None = None,
    handler: Handler = None,
    team: Annotated[str | None, Query(max_length=64, pattern=r"^[a-z0-9-]+$")] = None,
    suspended: bool | None = None,
    overdue: bool | None = None,
    due_before: date | None = None,
    received_from: date | None = None,
    received_to: date | None = None,
    kind: ev.ContactKind | None = None,
    subject: Annotated[str | None, Query(max_length=200)] = None,
    waiting: Annotated[bool | None, Query(description="a contributor's requested part is outstanding")] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=200, description="full-text search")] = None,
    sort: Sort = "received",
    order: Order = "desc",
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> CasePage | CaseList:
    """The caller's cases (owned, and those it contributes to) by queue, filter and search, a page at a time."""
    if reference is not None:
        check_personal_data(request)  # the whole cases, as GET /v1/cases/{id} gives them
        return await cases_api.find_cases(ctx, work, request, reference)
    if q is not None:
        _check_may_search(ctx)
        check_personal_data(request)  # a search of names and descriptions
    query = rules.query_key(request.query_params.multi_items())
    after = rules.decode_cursor(cursor, query) if cursor else None
    want = CaseFilter(
        statuses=status or [], stage_statuses=rules.statuses_of(stage or []), relation=relation,
        **_handler_filter(handler, ctx), team=team, suspended=suspended, overdue=overdue,
        due_before=due_before, received_from=received_from, received_to=received_to, kind=kind,
        subject=subject, waiting=waiting, q=q)
    descending = order == "desc"
    # One more than asked: whether it comes back says if there is a next page.
    listed = await repository.list_cases(work.session, ctx.caller, want, today=ctx.today, sort=sort,
                                         descending=descending, after=after, limit=limit + 1)
    if q is not None:
        await audit.record(work.session, audit_table, request, action="read", resource="cases.search",
                           reference=None)
    page = listed[:limit]
    following = None
    if len(listed) > limit:
        last = page[-1]
        position = rules.encode_cursor(repository.key_of(last, sort, descending), last.case.id, query)
        kept = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
        following = f"{request.url.path}?{urlencode([*kept, ('cursor', position)])}"
    return CasePage(items=[_summary(item, ctx) for item in page], next=following)


@router.get("/queues", response_model=QueueCounts)
async def queues(ctx: ContextDep, session: ReadSession) -> QueueCounts:
    """How many of the caller's live cases are in each queue: mine, unassigned, due this week, overdue, ..."""
    counts = await repository.queue_counts(session, ctx.caller, ctx.by, today=ctx.today,
                                           week_ends=rules.end_of_week(ctx.today))
    return QueueCounts(**counts)


def _assignment_view(case: Case, assignment, ctx: Context) -> AssignmentView:
    organisation = ctx.directory.get(case.owner)
    person = organisation.person(assignment.handler) if organisation else None
    return AssignmentView(case_id=case.id, reference=case.reference, handler=assignment.handler,
                          handler_name=person.name if person else None, team=assignment.team,
                          assigned_at=assignment.assigned_at, assigned_by=assignment.assigned_by)


@router.put("/{case_id}/assignment", response_model=AssignmentView, dependencies=ASSIGN)
async def assign(case_id: str, body: AssignmentIn, request: Request, ctx: ContextDep, work: Work) -> AssignmentView:
    """Customer relations assigns or reassigns the case to a handler and team of the owner; the handler is told."""
    case, assignment, events = await service.assign(work.session, ctx, case_id=case_id, body=body)
    await work.emit(events)
    await audit.record(work.session, audit_table, request, action="update", resource="case.assignment",
                       reference=case.reference)
    return _assignment_view(case, assignment, ctx)


@router.get("/{case_id}/assignment/history", response_model=AssignmentHistory, dependencies=[require_scope("contacts:read")])
async def assignment_history(case_id: str, request: Request, ctx: ContextDep, work: Work) -> AssignmentHistory:
    """Every assignment of the case, oldest first, with who made it and why."""
    case = await service.owned_case(work.session, ctx, case_id)
    await audit.record(work.session, audit_table, request, action="read", resource="case.assignment",
                       reference=case.reference)
    changes = await repository.assignment_history(work.session, case.id)
    return AssignmentHistory(items=[AssignmentChangeView(
        handler=c.handler, team=c.team, previous_handler=c.previous_handler, previous_team=c.previous_team,
        reason=c.reason, assigned_at=c.assigned_at, assigned_by=c.assigned_by) for c in changes])
