"""The deadline monitor: a periodic job that raises each warning and breach once, on any replica."""

from __future__ import annotations

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from casework import domain, repository
from casework.service import case_ids, progress_of
from nwd_shared import events as ev
from nwd_shared.context import Context
from nwd_shared.metrics import CASE_DEADLINE_BREACHES
from nwd_shared.runtime import PeriodicSpec, Runtime

log = structlog.get_logger(__name__)

# Reg 14: a missed six months calls for the letter explaining why.
LETTER_FOR_BREACH = {"six_months_by": "six-months"}


async def monitor_deadlines(session: AsyncSession, runtime: Runtime) -> list[ev.CloudEvent]:
    """Warn before, and report once after, every deadline a case awaiting its response misses."""
    ctx = Context.of(runtime)
    today, calendar = ctx.today, ctx.calendar
    widest = max([o.policy.deadline_warning_working_days for o in ctx.directory.organisations] + [0])
    cases = await repository.cases_due_by(session, calendar.add_working_days(today, widest))
    raised = await repository.alert_keys(session, [c.id for c in cases])
    caused: list[ev.CloudEvent] = []
    for case in cases:
        warning_days = ctx.policy(case.owner).deadline_warning_working_days
        for deadline, due_on, kind in domain.due_alerts(progress_of(case), today, warning_days, calendar):
            if (case.id, deadline, due_on, kind) in raised:
                continue
            # The unique key decides: only the transaction whose row went in reports it.
            if not await repository.raise_alert_once(session, case_id=case.id, deadline=deadline,
                                                     due_on=due_on, kind=kind, now=ctx.now):
                continue
            log.info(f"deadline {kind}", reference=case.reference, owner=case.owner, deadline=deadline,
                     due_on=due_on.isoformat())
            if kind == "warning":
                continue
            CASE_DEADLINE_BREACHES.labels(runtime.settings.service_name, deadline).inc()
            caused.append(ev.CaseDeadlineBreached(
                source=ctx.source, subject=case.reference, time=ctx.now,
                data=ev.CaseDeadlineBreachedData(**case_ids(case), deadline=deadline, due_on=due_on,
                                                 letter=LETTER_FOR_BREACH.get(deadline))))
    return caused


def deadline_monitor(interval_seconds: float) -> PeriodicSpec:
    """The monitor as a periodic job of the casework service."""
    return PeriodicSpec(name="casework-deadline-monitor", interval=interval_seconds, job=monitor_deadlines)
