"""Safeguarding: a complaint entwined with a safeguarding enquiry waits, and its clock pauses."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from casework import domain, repository
from casework.models import Case
from casework.service import Done, case_ids, close_for_route, deadlines_of, owned_case
from nwd_shared import events as ev
from nwd_shared.context import Context


async def on_triage_overridden(session: AsyncSession, event: ev.TriageOverridden,
                               ctx: Context) -> list[ev.CloudEvent]:
    """A person changed the route: suspend or resume the open case, or close it when no case follows."""
    decision = event.data
    case = await repository.case_for_reference(session, decision.reference, for_update=True)
    if case is None or case.status not in domain.AWAITING_RESPONSE:
        return []
    reason = f"triage route changed by {decision.overridden_by}: {decision.reason}"
    if decision.route not in ev.CASE_ROUTES:
        return close_for_route(case, route=decision.route, reason=f"{reason} (route {decision.route})", ctx=ctx)
    if decision.route == "suspended" and not case.suspended:
        return suspend(case, reason=reason, ctx=ctx)
    if decision.route != "suspended" and case.suspended:
        return resume(case, reason=reason, ctx=ctx)
    return []


async def on_safeguarding_outcome(session: AsyncSession, event: ev.SafeguardingOutcomeRecorded,
                                  ctx: Context) -> list[ev.CloudEvent]:
    """Safeguarding completed (no enquiry, or the enquiry concluded): a suspended complaint resumes."""
    outcome = event.data
    if not outcome.ended:
        return []  # an enquiry opened: the complaint waits for its conclusion
    case = await repository.case_for_reference(session, outcome.reference, for_update=True)
    # Not suspended (a redelivery, a split route, or resumed by hand already): nothing to resume.
    if case is None or not case.suspended or case.status not in domain.AWAITING_RESPONSE:
        return []
    reason = (f"the safeguarding enquiry by {outcome.organisation_id} concluded on {outcome.concluded_on.isoformat()}"
              if outcome.concluded_on else f"{outcome.organisation_id} opened no safeguarding enquiry")
    return resume(case, reason=reason, ctx=ctx)


async def suspend_case(session: AsyncSession, ctx: Context, *, case_id: str, reason: str) -> Done:
    """The owner finds safeguarding entwined with the complaint after it opened."""
    case = await owned_case(session, ctx, case_id)
    return case, suspend(case, reason=reason, ctx=ctx)


async def resume_case(session: AsyncSession, ctx: Context, *, case_id: str, reason: str) -> Done:
    """Safeguarding concluded (POST /resume)."""
    case = await owned_case(session, ctx, case_id)
    return case, resume(case, reason=reason, ctx=ctx)


def suspend(case: Case, *, reason: str, ctx: Context) -> list[ev.CloudEvent]:
    """Safeguarding and complaint are entwined: the response clock pauses (seed 003 Appendix 2)."""
    domain.suspend(case, ctx.today, reason)
    return [ev.CaseSuspended(source=ctx.source, subject=case.reference, time=ctx.now,
                             data=ev.CaseSuspensionData(**case_ids(case), reason=reason))]


def resume(case: Case, *, reason: str, ctx: Context) -> list[ev.CloudEvent]:
    """Safeguarding concluded: running deadlines move later by the working days paused."""
    paused = domain.resume(case, ctx.today, ctx.calendar)
    return [ev.CaseResumed(
        source=ctx.source, subject=case.reference, time=ctx.now,
        data=ev.CaseSuspensionData(**case_ids(case), reason=reason, paused_working_days=paused,
                                   deadlines=deadlines_of(case)))]
