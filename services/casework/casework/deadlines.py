"""The deadline monitor: a periodic job that raises each warning and breach once, on any replica."""

from __future__ import annotations

from datetime import date

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from casework import domain, repository
from casework.life.service import alert_key, lapse_day_to_day
from casework.models import Case
from casework.service import case_ids, progress_of
from nwd_shared import events as ev
from nwd_shared.context import Context
from nwd_shared.metrics import CASE_DEADLINE_BREACHES
from nwd_shared.runtime import PeriodicSpec, Runtime

log = structlog.get_logger(__name__)

# Reg 14: a missed six months calls for the letter explaining why.
LETTER_FOR_BREACH = {"six_months_by": "six-months"}


async def monitor_deadlines(session: AsyncSession, runtime: Runtime) -> list[ev.CloudEvent]:
    """Warn before, and report once after, every deadline a case misses; lapsed day-to-day business opens a case."""
    ctx = Context.of(runtime)
    today, calendar = ctx.today, ctx.calendar
    widest = max([o.policy.deadline_warning_working_days for o in ctx.directory.organisations] + [0])
    horizon = calendar.add_working_days(today, widest)
    # Day-to-day business not put right by the end of the next working day is a complaint (reg 8).
    caused: list[ev.CloudEvent] = await lapse_day_to_day(session, ctx)
    cases = await repository.cases_due_by(session, horizon)
    raised = await repository.alert_keys(session, [c.id for c in cases])
    for case in cases:
        warning_days = ctx.policy(case.owner).deadline_warning_working_days
        for deadline, due_on, kind in domain.due_alerts(progress_of(case), today, warning_days, calendar):
            if (case.id, deadline, due_on, kind) in raised:
                continue
            caused += await _raise(session, runtime, ctx, case, deadline, None, due_on, kind)
    for case, deadline, item, due_on in await _later_watches(session, horizon):
        warning_days = ctx.policy(case.owner).deadline_warning_working_days
        kind = domain.alert_kind(due_on, today, warning_days, calendar)
        if kind is not None:
            caused += await _raise(session, runtime, ctx, case, deadline, item, due_on, kind)
    return caused


async def _later_watches(session: AsyncSession, horizon: date) -> list[tuple[Case, str, int | None, date]]:
    """The later stages' deadlines due by `horizon` (issue 15): (case, deadline, item, due on)."""
    watches: list[tuple[Case, str, int | None, date]] = [
        (case, "final_response_by", None, case.final_response_by)
        for case in await repository.reviews_due_by(session, horizon)]
    watches += [(case, "information_due_on", r.number, r.due_on)
                for case, r in await repository.information_due_by(session, horizon)]
    watches += [(case, "remedy_due_on", r.number, r.due_on)
                for case, r in await repository.remedies_due_by(session, horizon)]
    # The flag's review date is customer relations' to keep: flagged on the case it was set from.
    watches += [(case, "review_on", None, flag.review_on)
                for case, flag in await repository.flag_reviews_due_by(session, horizon)]
    return watches


async def _raise(session: AsyncSession, runtime: Runtime, ctx: Context, case: Case, deadline: str,
                 item: int | None, due_on: date, kind: str) -> list[ev.CloudEvent]:
    """Record the alert once; a breach is published, a warning only logged and shown."""
    # The unique key decides: only the transaction whose row went in reports it.
    if not await repository.raise_alert_once(session, case_id=case.id, deadline=alert_key(deadline, item),
                                             due_on=due_on, kind=kind, now=ctx.now):
        return []
    log.info(f"deadline {kind}", reference=case.reference, owner=case.owner, deadline=deadline, item=item,
             due_on=due_on.isoformat())
    if kind == "warning":
        return []
    CASE_DEADLINE_BREACHES.labels(runtime.settings.service_name, deadline).inc()
    return [ev.CaseDeadlineBreached(
        source=ctx.source, subject=case.reference, time=ctx.now,
        data=ev.CaseDeadlineBreachedData(**case_ids(case), deadline=deadline, due_on=due_on, item=item,
                                         letter=LETTER_FOR_BREACH.get(deadline)))]


def deadline_monitor(interval_seconds: float) -> PeriodicSpec:
    """The monitor as a periodic job of the casework service."""
    return PeriodicSpec(name="casework-deadline-monitor", interval=interval_seconds, job=monitor_deadlines)
