"""Retention at casework: a closed case's personal data and free text go once the period is over."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from casework.models import Case, CaseContribution, CaseExtension
from nwd_shared import retention
from nwd_shared.app import PeriodicSpec, Runtime
from nwd_shared.calendar import local_date

# Keys of the case's records that hold dates, ids and outcomes, not words: statistics keep them.
KEPT = {"outcome", "respond_by", "ombudsman_id", "on", "at", "by"}
# A case that ended here: closed, or transferred to a new owner whose case goes on.
ENDED = ("closed", "transferred")


async def anonymise_closed(session: AsyncSession, runtime: Runtime, cutoff: datetime, now: datetime) -> int:
    """Anonymise a batch of cases of contacts whose every case ended before `cutoff`."""
    before = local_date(cutoff)
    other = aliased(Case)
    # A transferred case waits for the contact's live case: its new owner may still be handling it.
    going_on = select(other.reference).where(or_(other.status.not_in(ENDED), other.closed_on >= before))
    # SKIP LOCKED: a second replica takes the next batch instead of waiting for this one.
    due = (await session.execute(
        select(Case).where(Case.status.in_(ENDED), Case.closed_on < before, Case.anonymised_at.is_(None),
                           Case.reference.not_in(going_on))
        .order_by(Case.closed_on).limit(retention.BATCH_SIZE).with_for_update(skip_locked=True)
    )).scalars().all()
    for case in due:
        for name in ("complainant", "action_plan", "suspension_reason", "response", "close_reason",
                     "record_summary", "escalation", "persistent_history"):
            setattr(case, name, retention.blank(getattr(case, name), keep=KEPT))
        case.anonymised_at = now
    ids = [case.id for case in due]
    if ids:
        await session.execute(update(CaseExtension).where(CaseExtension.case_id.in_(ids))
                              .values(reason=retention.ANONYMISED))
        for column in ("request", "part", "submitted_by"):
            await session.execute(update(CaseContribution).where(
                CaseContribution.case_id.in_(ids), getattr(CaseContribution, column).is_not(None))
                .values({column: retention.ANONYMISED}))
    await retention.forget_published(session, runtime.tables, {case.reference for case in due})
    return len(due)


def periodic(settings) -> PeriodicSpec:
    return retention.retention_job("casework-retention", settings.retention_check_seconds, anonymise_closed)
