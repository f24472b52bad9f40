"""Retention at casework: a closed case's personal data and free text go once the period is over."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from casework import repository
from casework.casefile import service as casefile
from casework.queues import service as queues
from nwd_shared import retention
from nwd_shared.calendar import local_date
from nwd_shared.runtime import PeriodicSpec, Runtime

# Keys of the case's records that hold dates, ids and outcomes, not words: statistics keep them.
KEPT = {"outcome", "respond_by", "ombudsman_id", "on", "at", "by"}


async def anonymise_closed(session: AsyncSession, runtime: Runtime, cutoff: datetime, now: datetime) -> int:
    """Anonymise a batch of cases of contacts whose every case ended before `cutoff`."""
    due = await repository.ended_cases_to_anonymise(session, local_date(cutoff), retention.BATCH_SIZE)
    for case in due:
        for name in ("complainant", "action_plan", "suspension_reason", "response", "close_reason",
                     "record_summary", "escalation", "persistent_history",
                     # The later life's words (issue 15); its dates stay in the columns beside them.
                     "oral_record", "time_limit", "reply", "review", "final_response", "reopenings",
                     "ombudsman_stage", "equality"):
            setattr(case, name, retention.blank(getattr(case, name), keep=KEPT))
        case.anonymised_at = now
    await repository.blank_history_of(session, [case.id for case in due], retention.ANONYMISED)
    await casefile.forget(session, [case.id for case in due], retention.ANONYMISED)
    await queues.forget_words(session, due, cutoff=cutoff, now=now)
    await retention.forget_published(session, runtime.tables, {case.reference for case in due})
    return len(due)


def periodic(settings) -> PeriodicSpec:
    return retention.retention_job("casework-retention", settings.retention_check_seconds, anonymise_closed)
