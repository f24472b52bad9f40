"""Casework use cases. Never commits: the consumer wrapper or the request does."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from casework import domain, repository
from casework.domain import CaseStatus
from casework.life import domain as domain_life
from casework.models import Case, CaseExtension, ContactFact
from casework.schemas import (
    AcknowledgeIn,
    ActionPlanIn,
    CloseIn,
    CommentsIn,
    EscalateIn,
    ExtendIn,
    ResponseIn,
)
from nwd_shared import events as ev
from nwd_shared.calendar import local_date
from nwd_shared.context import Context
from nwd_shared.directory import Organisation
from nwd_shared.errors import Conflict, FieldError, Invalid, NotFound


def deadlines_of(case: Case) -> ev.Deadlines:
    return ev.Deadlines(acknowledge_by=case.acknowledge_by, action_plan_by=case.action_plan_by,
                        respond_by=case.respond_by, six_months_by=case.six_months_by)


def progress_of(case: Case) -> domain.Progress:
    return domain.Progress(
        status=case.status, suspended=case.suspended, acknowledged=case.acknowledged_on is not None,
        action_plan_issued=case.action_plan_issued_on is not None, acknowledge_by=case.acknowledge_by,
        action_plan_by=case.action_plan_by, respond_by=case.respond_by, six_months_by=case.six_months_by,
    )


def case_ids(case: Case) -> dict:
    return dict(case_id=case.id, reference=case.reference, owner=case.owner)


def _invalid(field: str, message: str) -> Invalid:
    return Invalid.field(f"body.{field}", message)


def _ombudsman(ctx: Context, owner: str) -> Organisation | None:
    """The one ombudsman casework names for the owner's services (the first if it answers for both)."""
    return next(iter(ctx.directory.ombudsmen_for([owner])), None)


async def visible_case(session: AsyncSession, case_id: str, caller: str | None, *,
                       for_update: bool = False) -> Case:
    """The case if the caller owns or contributes to it; 404 otherwise, never 403."""
    case = await repository.get_case(session, case_id, for_update=for_update)
    if case is None or not domain.can_see(case, caller):
        raise NotFound(f"no case {case_id}")
    return case


async def owned_case(session: AsyncSession, ctx: Context, case_id: str) -> Case:
    """The case locked for an action by its owner; contributors may look but not act."""
    case = await visible_case(session, case_id, ctx.caller, for_update=True)
    domain.check_owner(case, ctx.caller, f"only the owner, {case.owner}, acts on this case; "
                                         "contributors submit their part")
    domain.check_live(case)
    return case


async def audited_case(session: AsyncSession, ctx: Context, case_id: str) -> str:
    """The contact reference of a case the caller owns, for its audit trail; 404 to anyone else."""
    case = await repository.get_case(session, case_id)
    if case is None or case.owner != ctx.caller:
        raise NotFound(f"no case {case_id}")
    return case.reference


# --- opening, and ending without a response ----------------------------------------------

def received_by_owner_on(agreed: ev.OwnershipAgreedData) -> date:
    """The day the complaint reached its owner: the proposal's day when referral says it, never the acceptance."""
    # referral's optional received_by_owner_on (issue 15); before it, the moment it sends.
    named = getattr(agreed, "received_by_owner_on", None)
    return named if isinstance(named, date) else local_date(agreed.owner_received_at)


def change_contributors(case: Case, contributors: list[str], ctx: Context) -> list[ev.CloudEvent]:
    """An agreement that keeps the owner but changes the contributors updates the case (an override)."""
    if sorted(case.contributors) == sorted(contributors) or case.status in domain.ENDED:
        return []
    previous, case.contributors = list(case.contributors), list(contributors)
    return [ev.CaseContributorsChanged(
        source=ctx.source, subject=case.reference, time=ctx.now,
        data=ev.CaseContributorsData(**case_ids(case), contributors=case.contributors,
                                     previous_contributors=previous))]


async def open_case(session: AsyncSession, event: ev.OwnershipAgreed, ctx: Context) -> list[ev.CloudEvent]:
    """Open the owner's case, its clock started when it received the contact; a new owner takes a live one over."""
    agreed = event.data
    current = await repository.case_for_reference(session, agreed.reference, for_update=True)
    if current is not None and current.owner == agreed.owner and current.route in ev.CASE_ROUTES:
        # The same owner again: a duplicate changes nothing; an override may change the contributors.
        return change_contributors(current, list(agreed.contributors), ctx)
    received_on = received_by_owner_on(agreed)
    if current is not None and current.status == CaseStatus.DAY_TO_DAY and current.owner == agreed.owner:
        return take_over_day_to_day(current, agreed, received_on, ctx)
    caused: list[ev.CloudEvent] = []
    if current is not None and current.owner != agreed.owner and current.status not in domain.ENDED:
        caused += transfer(current, to=agreed.owner, ctx=ctx)
        # The old case leaves the live-reference index before the new one joins it.
        await session.flush()
    deadlines = domain.deadlines_on_opening(received_on, ctx.calendar)
    suspended = agreed.route == "suspended"
    case = Case(id=str(uuid4()), reference=agreed.reference, owner=agreed.owner,
                contributors=list(agreed.contributors), kind=agreed.kind, route=agreed.route,
                status=CaseStatus.OPEN, suspended=suspended, received_on=received_on,
                suspended_on=received_on if suspended else None,
                suspension_reason="safeguarding and complaint are entwined" if suspended else None,
                paused_working_days=0, unreasonably_persistent=False, anonymous=False, opened_at=ctx.now,
                **deadlines)
    apply_contact_fact(case, await repository.contact_fact(session, case.reference))
    session.add(case)
    caused.append(opened_event(case, deadlines, ctx))
    if suspended:
        caused.append(ev.CaseSuspended(
            source=ctx.source, subject=case.reference, time=ctx.now,
            data=ev.CaseSuspensionData(**case_ids(case), reason=case.suspension_reason)))
    return caused


def take_over_day_to_day(case: Case, agreed: ev.OwnershipAgreedData, received_on: date,
                         ctx: Context) -> list[ev.CloudEvent]:
    """Ownership agreed for a contact still handled as day-to-day business: that record becomes the complaint."""
    deadlines = domain_life.become_complaint(case, ctx.calendar, received_on=received_on)
    case.contributors, case.kind, case.route = list(agreed.contributors), agreed.kind, agreed.route
    caused: list[ev.CloudEvent] = [opened_event(case, deadlines, ctx, from_day_to_day=True)]
    if agreed.route == "suspended":
        domain.suspend(case, ctx.today, "safeguarding and complaint are entwined")
        caused.append(ev.CaseSuspended(
            source=ctx.source, subject=case.reference, time=ctx.now,
            data=ev.CaseSuspensionData(**case_ids(case), reason=case.suspension_reason)))
    return caused


def opened_event(case: Case, deadlines: dict, ctx: Context, *, from_day_to_day: bool = False) -> ev.CaseOpened:
    return ev.CaseOpened(
        source=ctx.source, subject=case.reference, time=ctx.now,
        data=ev.CaseOpenedData(**case_ids(case), contributors=case.contributors, received_on=case.received_on,
                               deadlines=ev.Deadlines(**deadlines), suspended=case.suspended,
                               from_day_to_day=from_day_to_day))


def apply_contact_fact(case: Case, fact: ContactFact | None) -> None:
    """What the contact said of itself: how it was made, whether anonymous, whose it is."""
    if fact is not None:
        case.channel, case.anonymous, case.person_key = fact.channel, fact.anonymous, fact.person_key


def transfer(case: Case, *, to: str, ctx: Context) -> list[ev.CloudEvent]:
    """Ownership moved to another body: this case ends as transferred, not resolved."""
    reason = f"transferred to {to}: ownership was agreed again after the triage decision changed"
    return _end(case, CaseStatus.TRANSFERRED, reason=reason, ctx=ctx, transferred_to=to)


def close_for_route(case: Case, *, route: str, reason: str, ctx: Context) -> list[ev.CloudEvent]:
    """A person re-routed the contact out of the complaints procedure: its case closes with why."""
    # The route it ended on tells a later agreement that this case did not end in a response.
    case.route = route
    return _end(case, CaseStatus.CLOSED, reason=reason, ctx=ctx, closed_as="rerouted")


def record_summary_of(case: Case, closed_on: date) -> str:
    """The reg 17 note of an ending for the person's case record."""
    return domain.record_summary(
        reference=case.reference, subject=case.subject, received_on=case.received_on, outcome=case.outcome,
        responded_on=case.responded_on, on_time_=case.on_time,
        desired_outcome_met=(case.response or {}).get("desired_outcome_met"), closed_on=closed_on,
        reason=case.close_reason, escalated=case.escalated_on is not None)


def _end(case: Case, status: CaseStatus, *, reason: str, ctx: Context,
         transferred_to: str | None = None, closed_as: str | None = None) -> list[ev.CloudEvent]:
    domain.end(case, status, ctx.today, reason, closed_as=closed_as)
    case.record_summary = domain.record_summary(
        reference=case.reference, subject=case.subject, received_on=case.received_on, outcome=None,
        responded_on=None, on_time_=None, desired_outcome_met=None, closed_on=ctx.today, reason=reason,
        escalated=case.escalated_on is not None)
    return [ev.CaseClosed(
        source=ctx.source, subject=case.reference, time=ctx.now,
        data=ev.CaseClosedData(**case_ids(case), closed_on=ctx.today, subject=case.subject, reason=reason,
                               summary=case.record_summary, transferred_to=transferred_to,
                               closed_as=case.closed_as))]


# --- the owner's actions ---------------------------------------------------------------

Done = tuple[Case, list[ev.CloudEvent]]


async def acknowledge(session: AsyncSession, ctx: Context, *, case_id: str, body: AcknowledgeIn) -> Done:
    """Reg 13: acknowledge, offer to discuss handling, and notify the likely response period."""
    case = await owned_case(session, ctx, case_id)
    domain.check_acknowledge(case)
    if not body.discussion_offered:
        raise _invalid("discussion_offered", "regulation 13(7) requires an offer to discuss the complaint")
    policy = ctx.policy(case.owner)
    likely = body.likely_response_working_days or policy.response_working_days
    problem = domain.timescale_problem(likely, body.longer_timescale_reason, policy.response_working_days)
    if problem:
        raise _invalid("likely_response_working_days", problem)
    dates = domain.deadlines_on_acknowledgement(
        ctx.today, received_on=case.received_on, action_plan_working_days=policy.action_plan_working_days,
        likely_response_working_days=likely, calendar=ctx.calendar,
        paused_working_days=case.paused_working_days or 0)
    domain.acknowledge(case, ctx.today)
    case.discussion_accepted, case.likely_response_working_days = body.discussion_accepted, likely
    case.action_plan_by, case.respond_by = dates["action_plan_by"], dates["respond_by"]
    case.notified_respond_by = dates["respond_by"]
    case.acknowledgement = {"action_plan_by": dates["action_plan_by"].isoformat(),
                            "respond_by": dates["respond_by"].isoformat(), "suspended": case.suspended,
                            "discussion_accepted": body.discussion_accepted,
                            "likely_response_working_days": likely}
    case.subject = body.subject or case.subject
    if body.complainant is not None:
        case.complainant = body.complainant.model_dump()
    return case, [ev.CaseAcknowledged(
        source=ctx.source, subject=case.reference, time=ctx.now,
        data=ev.CaseAcknowledgedData(**case_ids(case), acknowledged_on=ctx.today, discussion_offered=True,
                                     deadlines=deadlines_of(case), discussion_accepted=body.discussion_accepted,
                                     likely_response_working_days=likely))]


async def issue_action_plan(session: AsyncSession, ctx: Context, *, case_id: str, body: ActionPlanIn) -> Done:
    """The ICAP: understanding, desired outcome, steps and the response timescale."""
    case = await owned_case(session, ctx, case_id)
    domain.check_issue_action_plan(case)
    policy = ctx.policy(case.owner)
    timescale = body.timescale_working_days or policy.response_working_days
    problem = domain.timescale_problem(timescale, body.longer_timescale_reason, policy.response_working_days)
    if problem:
        raise _invalid("timescale_working_days", problem)
    domain.issue_action_plan(case, ctx.today)
    case.respond_by = domain.respond_by_for_plan(case.received_on, timescale, ctx.calendar,
                                                 case.paused_working_days or 0)
    case.action_plan = {
        "understanding": body.understanding, "desired_outcome": body.desired_outcome, "steps": body.steps,
        "timescale_working_days": timescale, "longer_timescale_reason": body.longer_timescale_reason,
        "respond_by": case.respond_by.isoformat(), "comments": [],
    }
    case.subject = body.subject
    case.notified_respond_by = case.respond_by
    return case, [ev.CaseActionPlanIssued(
        source=ctx.source, subject=case.reference, time=ctx.now,
        data=ev.CaseActionPlanIssuedData(**case_ids(case), issued_on=ctx.today, deadlines=deadlines_of(case),
                                         timescale_working_days=timescale,
                                         longer_timescale_reason=body.longer_timescale_reason))]


async def record_plan_comments(session: AsyncSession, ctx: Context, *, case_id: str, body: CommentsIn) -> Done:
    """The complainant's comments on the action plan (seed 003 §1.3)."""
    case = await owned_case(session, ctx, case_id)
    domain.check_comment_on_plan(case)
    comments = list(case.action_plan.get("comments", []))
    comments.append({"on": ctx.today.isoformat(), "comments": body.comments})
    case.action_plan = {**case.action_plan, "comments": comments}
    return case, []


async def extend(session: AsyncSession, ctx: Context, *, case_id: str, body: ExtendIn) -> Done:
    """A new response date with its reason; the complainant and customer relations get a letter."""
    case = await owned_case(session, ctx, case_id)
    domain.check_extend(case)
    problem = domain.extension_problem(case.respond_by, body.respond_by, ctx.today, ctx.calendar)
    if problem:
        raise _invalid("respond_by", problem)
    if body.agreed_six_months_by is not None:
        if body.agreed_six_months_by <= case.six_months_by:
            raise _invalid("agreed_six_months_by", "an agreed period must end after the six months")
        case.six_months_by = body.agreed_six_months_by
    previous = case.respond_by
    session.add(CaseExtension(case_id=case.id, extended_on=ctx.today, previous_respond_by=previous,
                              new_respond_by=body.respond_by, reason=body.reason))
    case.respond_by = body.respond_by
    return case, [ev.CaseExtended(
        source=ctx.source, subject=case.reference, time=ctx.now,
        data=ev.CaseExtendedData(**case_ids(case), reason=body.reason, deadlines=deadlines_of(case),
                                 previous_respond_by=previous))]


async def respond(session: AsyncSession, ctx: Context, *, case_id: str, body: ResponseIn) -> Done:
    """The final response, refused unless it says what reg 14 and the PHSO standards require."""
    case = await owned_case(session, ctx, case_id)
    domain.check_respond(case)
    problems = domain.response_problems(body.model_dump())
    if problems:
        raise Invalid(*(FieldError(f"body.{p['field']}", p["message"], "value_error") for p in problems),
                      detail="the final response lacks what regulation 14 requires")
    outstanding = [c.contributor for c in await repository.contributions_of(session, case.id)
                   if c.requested_on is not None and c.submitted_on is None]
    domain.check_parts_in(outstanding, body.without_contributions_reason)
    ombudsman = _ombudsman(ctx, case.owner)
    case.response = {**body.model_dump(), "ombudsman_id": ombudsman.id if ombudsman else None,
                     "contributions_outstanding": outstanding,
                     "respond_by": case.respond_by.isoformat() if case.respond_by else None}
    case.subject = body.subject or case.subject
    domain.respond(case, ctx.today, body.outcome)
    return case, [ev.CaseResponded(
        source=ctx.source, subject=case.reference, time=ctx.now,
        data=ev.CaseRespondedData(**case_ids(case), responded_on=ctx.today, outcome=body.outcome,
                                  desired_outcome_met=body.desired_outcome_met, on_time=case.on_time,
                                  actions=body.actions, subject=case.subject, learning=body.learning,
                                  signed_by=body.signed_by, respond_by=case.respond_by))]


async def close(session: AsyncSession, ctx: Context, *, case_id: str, body: CloseIn) -> Done:
    """Close the case; without a response it needs a reason (withdrawn, resolved another way)."""
    case = await owned_case(session, ctx, case_id)
    domain.check_close(case)
    if case.status == CaseStatus.DAY_TO_DAY:
        raise Conflict("day-to-day business is put right (POST .../resolved), not closed")
    if case.status == CaseStatus.WITHDRAWN:
        raise Conflict(f"the case was withdrawn on {case.closed_on.isoformat()}")
    if case.responded_on is None and not body.reason:
        raise _invalid("reason", "say why the case closes without a final response")
    domain.end(case, CaseStatus.CLOSED, ctx.today, body.reason)
    desired_met = (case.response or {}).get("desired_outcome_met")
    case.record_summary = domain.record_summary(
        reference=case.reference, subject=case.subject, received_on=case.received_on, outcome=case.outcome,
        responded_on=case.responded_on, on_time_=case.on_time, desired_outcome_met=desired_met,
        closed_on=ctx.today, reason=body.reason, escalated=case.escalated_on is not None)
    return case, [ev.CaseClosed(
        source=ctx.source, subject=case.reference, time=ctx.now,
        data=ev.CaseClosedData(**case_ids(case), closed_on=ctx.today, outcome=case.outcome, subject=case.subject,
                               responded_on=case.responded_on, on_time=case.on_time, reason=body.reason,
                               summary=case.record_summary, closed_as=case.closed_as))]


async def escalate(session: AsyncSession, ctx: Context, *, case_id: str, body: EscalateIn) -> Done:
    """The complainant remains dissatisfied: the referral service refers it to the ombudsman casework names."""
    case = await owned_case(session, ctx, case_id)
    domain.check_escalate(case)
    if body.ombudsman_id is not None:
        chosen = ctx.directory.get(body.ombudsman_id)
        if chosen is None or chosen.kind != "ombudsman":
            raise _invalid("ombudsman_id", f"{body.ombudsman_id} is not an ombudsman in the directory")
    else:
        chosen = _ombudsman(ctx, case.owner)
    domain.escalate(case, ctx.today)
    case.escalation = {"reason": body.reason, "ombudsman_id": chosen.id if chosen else None}
    return case, [ev.CaseEscalated(
        source=ctx.source, subject=case.reference, time=ctx.now,
        data=ev.CaseEscalatedData(**case_ids(case), reason=body.reason, ombudsman_id=chosen.id if chosen else None))]
