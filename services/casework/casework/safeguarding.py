"""Safeguarding: a complaint entwined with a safeguarding enquiry waits, and its clock pauses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from casework import domain, repository
from casework.models import Case
from casework.service import (
    Acting,
    Done,
    case_ids,
    close_for_route,
    deadlines_of,
    owned_case,
    require_awaiting_response,
)
from nwd_shared import events as ev
from nwd_shared.calendar import WorkingCalendar
from nwd_shared.directory import Directory
from nwd_shared.http import Problem


async def on_triage_overridden(session: AsyncSession, event: ev.TriageOverridden, *,
                               calendar: WorkingCalendar, directory: Directory, source: str,
                               now: datetime) -> list[ev.CloudEvent]:
    """A person changed the route: suspend or resume the open case, or close it when no case follows."""
    decision = event.data
    case = await repository.case_for_reference(session, decision.reference, for_update=True)
    if case is None or case.status not in domain.AWAITING_RESPONSE:
        return []
    acting = Acting(caller=case.owner, now=now, calendar=calendar, directory=directory, source=source)
    reason = f"triage route changed by {decision.overridden_by}: {decision.reason}"
    if decision.route not in domain.CASE_ROUTES:
        return close_for_route(case, route=decision.route, reason=f"{reason} (route {decision.route})",
                               today=acting.today, now=now, source=source)
    if decision.route == "suspended" and not case.suspended:
        return suspend(case, reason=reason, acting=acting)
    if decision.route != "suspended" and case.suspended:
        return resume(case, reason=reason, acting=acting)
    return []


async def suspend_case(session: AsyncSession, *, case_id: str, reason: str, acting: Acting) -> Done:
    """The owner finds safeguarding entwined with the complaint after it opened."""
    case = await owned_case(session, case_id, acting)
    return case, suspend(case, reason=reason, acting=acting)


async def resume_case(session: AsyncSession, *, case_id: str, reason: str, acting: Acting) -> Done:
    """Safeguarding concluded (POST /resume)."""
    case = await owned_case(session, case_id, acting)
    return case, resume(case, reason=reason, acting=acting)


def suspend(case: Case, *, reason: str, acting: Acting) -> list[ev.CloudEvent]:
    """Safeguarding and complaint are entwined: the response clock pauses (seed 003 Appendix 2)."""
    if case.suspended:
        raise Problem(409, f"the complaint is already suspended since {case.suspended_on.isoformat()}")
    require_awaiting_response(case, "suspend")
    case.suspended, case.suspended_on, case.suspension_reason = True, acting.today, reason
    return [ev.CaseSuspended(source=acting.source, subject=case.reference, time=acting.now,
                             data=ev.CaseSuspensionData(**case_ids(case), reason=reason))]


def resume(case: Case, *, reason: str, acting: Acting) -> list[ev.CloudEvent]:
    """Safeguarding concluded: running deadlines move later by the working days paused."""
    if not case.suspended:
        raise Problem(409, "the complaint is not suspended")
    paused = domain.paused_working_days(suspended_on=case.suspended_on, resumed_on=acting.today,
                                        clock_started_on=case.acknowledged_on, calendar=acting.calendar)
    if case.action_plan_issued_on is None:
        case.action_plan_by = domain.shift(case.action_plan_by, paused, acting.calendar)
    case.respond_by = domain.shift(case.respond_by, paused, acting.calendar)
    case.paused_working_days = (case.paused_working_days or 0) + paused
    case.suspended, case.suspended_on = False, None
    return [ev.CaseResumed(
        source=acting.source, subject=case.reference, time=acting.now,
        data=ev.CaseSuspensionData(**case_ids(case), reason=reason, paused_working_days=paused,
                                   deadlines=deadlines_of(case)))]
