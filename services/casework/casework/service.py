"""Casework use cases. Never commits: the consumer wrapper or the request does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from casework import domain, repository
from casework.models import Case, CaseExtension
from casework.schemas import (
    AcknowledgeIn,
    ActionPlanIn,
    CloseIn,
    CommentsIn,
    EscalateIn,
    ExtendIn,
    PersistentFlagIn,
    ResponseIn,
)
from nwd_shared import events as ev
from nwd_shared.calendar import WorkingCalendar, local_date
from nwd_shared.directory import Directory, Organisation, Policy
from nwd_shared.http import Problem


@dataclass(frozen=True)
class Acting:
    """Who acts, and when: the caller, the injected clock's moment, the calendar, the directory."""

    caller: str
    now: datetime
    calendar: WorkingCalendar
    directory: Directory
    source: str

    @property
    def today(self) -> date:
        return local_date(self.now)

    def policy(self, organisation_id: str) -> Policy:
        return policy_of(self.directory, organisation_id)


def policy_of(directory: Directory, organisation_id: str) -> Policy:
    """An organisation's local policy; the defaults if it has left the directory."""
    organisation = directory.get(organisation_id)
    return organisation.policy if organisation else Policy()


def can_see(case: Case, organisation_id: str) -> bool:
    return organisation_id == case.owner or organisation_id in case.contributors


def ombudsman_for(directory: Directory, owner: str) -> Organisation | None:
    """The ombudsman for the owner's services: PHSO for health, LGSCO for social care."""
    organisation = directory.get(owner)
    services = set(organisation.responsible_for) if organisation else set()
    ombudsmen = [o for o in directory.organisations if o.kind == "ombudsman"]
    return next((o for o in ombudsmen if services & set(o.responsible_for)), None)


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


def _invalid(field: str, message: str) -> Problem:
    return Problem(422, message, errors=[{"field": f"body.{field}", "message": message}])


async def visible_case(session: AsyncSession, case_id: str, caller: str, *, for_update: bool = False) -> Case:
    """The case if the caller owns or contributes to it; 404 otherwise, never 403."""
    case = await repository.get_case(session, case_id, for_update=for_update)
    if case is None or not can_see(case, caller):
        raise Problem(404, f"no case {case_id}")
    return case


async def owned_case(session: AsyncSession, case_id: str, acting: Acting) -> Case:
    """The case locked for an action by its owner; contributors may look but not act."""
    case = await visible_case(session, case_id, acting.caller, for_update=True)
    if case.owner != acting.caller:
        raise Problem(403, f"only the owner, {case.owner}, acts on this case; contributors submit their part")
    if case.status == "transferred":
        raise Problem(409, f"the case was transferred on {case.closed_on.isoformat()}: the new owner acts on it")
    return case


def require_awaiting_response(case: Case, action: str) -> None:
    if case.status not in domain.AWAITING_RESPONSE:
        raise Problem(409, f"cannot {action}: the case is {case.status}")


def require_not_suspended(case: Case, action: str) -> None:
    if case.suspended:
        raise Problem(409, f"cannot {action} while the complaint waits for safeguarding; resume it first")


# --- opening ---------------------------------------------------------------------------

async def open_case(session: AsyncSession, event: ev.OwnershipAgreed, *, calendar: WorkingCalendar,
                    source: str, now: datetime) -> list[ev.CloudEvent]:
    """Open the owner's case, its clock started when it received the contact; a new owner takes a live one over."""
    agreed = event.data
    current = await repository.case_for_reference(session, agreed.reference, for_update=True)
    if current is not None and current.owner == agreed.owner and current.route in domain.CASE_ROUTES:
        return []  # the same owner again: a duplicate agreement changes nothing
    caused: list[ev.CloudEvent] = []
    if current is not None and current.owner != agreed.owner and current.status != "closed":
        caused += transfer(current, to=agreed.owner, today=local_date(now), now=now, source=source)
        # The old case leaves the live-reference index before the new one joins it.
        await session.flush()
    received_on = local_date(agreed.owner_received_at)
    deadlines = domain.deadlines_on_opening(received_on, calendar)
    suspended = agreed.route == "suspended"
    case = Case(id=str(uuid4()), reference=agreed.reference, owner=agreed.owner,
                contributors=list(agreed.contributors), kind=agreed.kind, route=agreed.route,
                status="open", suspended=suspended, received_on=received_on,
                suspended_on=received_on if suspended else None,
                suspension_reason="safeguarding and complaint are entwined" if suspended else None,
                paused_working_days=0, unreasonably_persistent=False, opened_at=now, **deadlines)
    session.add(case)
    caused.append(ev.CaseOpened(
        source=source, subject=case.reference, time=now,
        data=ev.CaseOpenedData(**case_ids(case), contributors=case.contributors, received_on=received_on,
                               deadlines=ev.Deadlines(**deadlines), suspended=case.suspended),
    ))
    if suspended:
        caused.append(ev.CaseSuspended(
            source=source, subject=case.reference, time=now,
            data=ev.CaseSuspensionData(**case_ids(case), reason=case.suspension_reason)))
    return caused


def transfer(case: Case, *, to: str, today: date, now: datetime, source: str) -> list[ev.CloudEvent]:
    """Ownership moved to another body: this case ends as transferred, not resolved."""
    reason = f"transferred to {to}: ownership was agreed again after the triage decision changed"
    return _end(case, status="transferred", reason=reason, today=today, now=now, source=source,
                transferred_to=to)


def close_for_route(case: Case, *, route: str, reason: str, today: date, now: datetime,
                    source: str) -> list[ev.CloudEvent]:
    """A person re-routed the contact out of the complaints procedure: its case closes with why."""
    # The route it ended on tells a later agreement that this case did not end in a response.
    case.route = route
    return _end(case, status="closed", reason=reason, today=today, now=now, source=source)


def _end(case: Case, *, status: str, reason: str, today: date, now: datetime, source: str,
         transferred_to: str | None = None) -> list[ev.CloudEvent]:
    case.status, case.closed_on, case.close_reason = status, today, reason
    case.record_summary = domain.record_summary(
        reference=case.reference, subject=case.subject, received_on=case.received_on, outcome=None,
        responded_on=None, on_time_=None, desired_outcome_met=None, closed_on=today, reason=reason,
        escalated=case.escalated_on is not None)
    return [ev.CaseClosed(
        source=source, subject=case.reference, time=now,
        data=ev.CaseClosedData(**case_ids(case), closed_on=today, subject=case.subject, reason=reason,
                               summary=case.record_summary, transferred_to=transferred_to))]


# --- the owner's actions ---------------------------------------------------------------

Done = tuple[Case, list[ev.CloudEvent]]


async def acknowledge(session: AsyncSession, *, case_id: str, body: AcknowledgeIn, acting: Acting) -> Done:
    """Reg 13: acknowledge, offer to discuss handling, and notify the likely response period."""
    case = await owned_case(session, case_id, acting)
    if case.acknowledged_on is not None:
        raise Problem(409, f"the case was acknowledged on {case.acknowledged_on.isoformat()}")
    require_awaiting_response(case, "acknowledge")
    if not body.discussion_offered:
        raise _invalid("discussion_offered", "regulation 13(7) requires an offer to discuss the complaint")
    policy = acting.policy(case.owner)
    likely = body.likely_response_working_days or policy.response_working_days
    problem = domain.timescale_problem(likely, body.longer_timescale_reason, policy.response_working_days)
    if problem:
        raise _invalid("likely_response_working_days", problem)
    dates = domain.deadlines_on_acknowledgement(
        acting.today, action_plan_working_days=policy.action_plan_working_days,
        likely_response_working_days=likely, calendar=acting.calendar)
    case.acknowledged_on, case.status = acting.today, "acknowledged"
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
        source=acting.source, subject=case.reference, time=acting.now,
        data=ev.CaseAcknowledgedData(**case_ids(case), acknowledged_on=acting.today, discussion_offered=True,
                                     deadlines=deadlines_of(case), discussion_accepted=body.discussion_accepted,
                                     likely_response_working_days=likely))]


async def issue_action_plan(session: AsyncSession, *, case_id: str, body: ActionPlanIn, acting: Acting) -> Done:
    """The ICAP: understanding, desired outcome, steps and the response timescale."""
    case = await owned_case(session, case_id, acting)
    if case.action_plan_issued_on is not None:
        raise Problem(409, f"the action plan was issued on {case.action_plan_issued_on.isoformat()}")
    require_awaiting_response(case, "issue an action plan")
    if case.acknowledged_on is None:
        raise Problem(409, "acknowledge the complaint before issuing its action plan")
    require_not_suspended(case, "issue an action plan")
    policy = acting.policy(case.owner)
    timescale = body.timescale_working_days or policy.response_working_days
    problem = domain.timescale_problem(timescale, body.longer_timescale_reason, policy.response_working_days)
    if problem:
        raise _invalid("timescale_working_days", problem)
    case.respond_by = domain.respond_by_for_plan(acting.today, timescale, acting.calendar)
    case.action_plan = {
        "understanding": body.understanding, "desired_outcome": body.desired_outcome, "steps": body.steps,
        "timescale_working_days": timescale, "longer_timescale_reason": body.longer_timescale_reason,
        "respond_by": case.respond_by.isoformat(), "comments": [],
    }
    case.subject = body.subject
    case.action_plan_issued_on, case.status = acting.today, "action_plan_issued"
    case.notified_respond_by = case.respond_by
    return case, [ev.CaseActionPlanIssued(
        source=acting.source, subject=case.reference, time=acting.now,
        data=ev.CaseActionPlanIssuedData(**case_ids(case), issued_on=acting.today, deadlines=deadlines_of(case),
                                         timescale_working_days=timescale,
                                         longer_timescale_reason=body.longer_timescale_reason))]


async def record_plan_comments(session: AsyncSession, *, case_id: str, body: CommentsIn, acting: Acting) -> Done:
    """The complainant's comments on the action plan (seed 003 §1.3)."""
    case = await owned_case(session, case_id, acting)
    if case.action_plan is None:
        raise Problem(409, "there is no action plan to comment on yet")
    comments = list(case.action_plan.get("comments", []))
    comments.append({"on": acting.today.isoformat(), "comments": body.comments})
    case.action_plan = {**case.action_plan, "comments": comments}
    return case, []


async def extend(session: AsyncSession, *, case_id: str, body: ExtendIn, acting: Acting) -> Done:
    """A new response date with its reason; the complainant and customer relations get a letter."""
    case = await owned_case(session, case_id, acting)
    require_awaiting_response(case, "extend")
    require_not_suspended(case, "extend")
    problem = domain.extension_problem(case.respond_by, body.respond_by, acting.today, acting.calendar)
    if problem:
        raise _invalid("respond_by", problem)
    if body.agreed_six_months_by is not None:
        if body.agreed_six_months_by <= case.six_months_by:
            raise _invalid("agreed_six_months_by", "an agreed period must end after the six months")
        case.six_months_by = body.agreed_six_months_by
    previous = case.respond_by
    session.add(CaseExtension(case_id=case.id, extended_on=acting.today, previous_respond_by=previous,
                              new_respond_by=body.respond_by, reason=body.reason))
    case.respond_by = body.respond_by
    return case, [ev.CaseExtended(
        source=acting.source, subject=case.reference, time=acting.now,
        data=ev.CaseExtendedData(**case_ids(case), reason=body.reason, deadlines=deadlines_of(case),
                                 previous_respond_by=previous))]


async def respond(session: AsyncSession, *, case_id: str, body: ResponseIn, acting: Acting) -> Done:
    """The final response, refused unless it says what reg 14 and the PHSO standards require."""
    case = await owned_case(session, case_id, acting)
    if case.responded_on is not None:
        raise Problem(409, f"the final response was sent on {case.responded_on.isoformat()}")
    require_awaiting_response(case, "respond")
    if case.acknowledged_on is None:
        raise Problem(409, "acknowledge the complaint before responding")
    require_not_suspended(case, "respond")
    problems = domain.response_problems(body.model_dump())
    if problems:
        errors = [{"field": f"body.{p['field']}", "message": p["message"]} for p in problems]
        raise Problem(422, "the final response lacks what regulation 14 requires", errors=errors)
    outstanding = [c.contributor for c in await repository.contributions_of(session, case.id)
                   if c.requested_on is not None and c.submitted_on is None]
    if outstanding and not body.without_contributions_reason:
        raise Problem(409, "a joint response waits for every requested part: outstanding from "
                      + ", ".join(outstanding), outstanding=outstanding)
    ombudsman = ombudsman_for(acting.directory, case.owner)
    case.response = {**body.model_dump(), "ombudsman_id": ombudsman.id if ombudsman else None,
                     "contributions_outstanding": outstanding,
                     "respond_by": case.respond_by.isoformat() if case.respond_by else None}
    case.subject = body.subject or case.subject
    case.responded_on, case.outcome, case.status = acting.today, body.outcome, "responded"
    case.on_time = domain.on_time(acting.today, case.respond_by)
    return case, [ev.CaseResponded(
        source=acting.source, subject=case.reference, time=acting.now,
        data=ev.CaseRespondedData(**case_ids(case), responded_on=acting.today, outcome=body.outcome,
                                  desired_outcome_met=body.desired_outcome_met, on_time=case.on_time,
                                  actions=body.actions, subject=case.subject, learning=body.learning,
                                  signed_by=body.signed_by, respond_by=case.respond_by))]


async def close(session: AsyncSession, *, case_id: str, body: CloseIn, acting: Acting) -> Done:
    """Close the case; without a response it needs a reason (withdrawn, resolved another way)."""
    case = await owned_case(session, case_id, acting)
    if case.status == "closed":
        raise Problem(409, f"the case was closed on {case.closed_on.isoformat()}")
    if case.responded_on is None and not body.reason:
        raise _invalid("reason", "say why the case closes without a final response")
    case.closed_on, case.close_reason, case.status = acting.today, body.reason, "closed"
    desired_met = (case.response or {}).get("desired_outcome_met")
    case.record_summary = domain.record_summary(
        reference=case.reference, subject=case.subject, received_on=case.received_on, outcome=case.outcome,
        responded_on=case.responded_on, on_time_=case.on_time, desired_outcome_met=desired_met,
        closed_on=acting.today, reason=body.reason, escalated=case.escalated_on is not None)
    return case, [ev.CaseClosed(
        source=acting.source, subject=case.reference, time=acting.now,
        data=ev.CaseClosedData(**case_ids(case), closed_on=acting.today, outcome=case.outcome, subject=case.subject,
                               responded_on=case.responded_on, on_time=case.on_time, reason=body.reason,
                               summary=case.record_summary))]


async def escalate(session: AsyncSession, *, case_id: str, body: EscalateIn, acting: Acting) -> Done:
    """The complainant remains dissatisfied: the referral service refers it to the ombudsman."""
    case = await owned_case(session, case_id, acting)
    if case.escalated_on is not None:
        raise Problem(409, f"the case was escalated on {case.escalated_on.isoformat()}")
    if case.responded_on is None and acting.today <= case.six_months_by:
        raise Problem(409, "before a final response, escalate only once six months have passed (reg 14)")
    if body.ombudsman_id is not None:
        chosen = acting.directory.get(body.ombudsman_id)
        if chosen is None or chosen.kind != "ombudsman":
            raise _invalid("ombudsman_id", f"{body.ombudsman_id} is not an ombudsman in the directory")
    else:
        chosen = ombudsman_for(acting.directory, case.owner)
    case.escalated_on = acting.today
    case.escalation = {"reason": body.reason, "ombudsman_id": chosen.id if chosen else None}
    if case.status == "responded":
        # Without a response the local clock keeps running (the owner must still respond),
        # and a closed case stays closed.
        case.status = "escalated"
    return case, [ev.CaseEscalated(
        source=acting.source, subject=case.reference, time=acting.now,
        data=ev.CaseEscalatedData(**case_ids(case), reason=body.reason, ombudsman_id=chosen.id if chosen else None))]


async def set_persistent_flag(session: AsyncSession, *, case_id: str, body: PersistentFlagIn,
                              acting: Acting) -> Done:
    """Customer relations sets or clears the unreasonably persistent flag, always with a reason."""
    # The API asks for the customer-relations scope; here, only the owner may act.
    case = await owned_case(session, case_id, acting)
    if case.unreasonably_persistent == body.flagged:
        raise Problem(409, "the flag is already " + ("set" if body.flagged else "clear"))
    history = list(case.persistent_history or [])
    history.append({"at": acting.now.isoformat(), "by": acting.caller, "flagged": body.flagged,
                    "reason": body.reason})
    case.unreasonably_persistent, case.persistent_history = body.flagged, history
    return case, []
