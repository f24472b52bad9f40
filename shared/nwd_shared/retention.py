"""Retention: when a contact's personal data falls due for anonymisation, and what it leaves behind."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Iterable
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from nwd_shared import events as ev
from nwd_shared.messaging.tables import MessagingTables
from nwd_shared.runtime import PeriodicSpec, Runtime

log = structlog.get_logger(__name__)

# What replaces a name, a contact detail or free text once the retention period is over.
ANONYMISED = "[anonymised]"
# Rows anonymised per run: a backlog is worked off over several runs, never in one long transaction.
BATCH_SIZE = 500


def cutoff(now: datetime, years: int) -> datetime:
    """The moment `years` before `now`: whatever ended before it is due (29 February gives 28)."""
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


def ends(event: ev.CloudEvent) -> bool | None:
    """True if the event ends a contact's handling, False if it (re)opens it, None if neither."""
    match event:
        case ev.CaseClosed():
            # A transfer ends one owner's case, not the contact's handling: the new owner's goes on.
            return None if event.data.transferred_to else True
        case ev.ReferralAccepted() if event.data.outcome == "resolved":
            return True
        case ev.ReferralAccepted() if event.data.outcome == "returned":
            return False
        case ev.TriageCompleted() | ev.TriageOverridden():
            # On these routes no case follows: the contact's handling ends at its triage decision.
            return event.data.route in ev.NO_CASE_ROUTES
        case ev.CaseOpened():
            return False
    return None


def ended_at(current: datetime | None, event: ev.CloudEvent) -> datetime | None:
    """When the contact's handling ended, after `event`; None while it goes on."""
    # Topics are not ordered with each other, so only a later event reopens what an end closed.
    match ends(event):
        case True:
            return max(current, event.time) if current else event.time
        case False if current is not None and event.time >= current:
            return None
    return current


def blank(value: Any, keep: Collection[str] = ()) -> Any:
    """`value` with every string replaced by the marker, except under the keys in `keep`."""
    if isinstance(value, str):
        return ANONYMISED
    if isinstance(value, dict):
        return {k: v if k in keep else blank(v, keep) for k, v in value.items()}
    if isinstance(value, list):
        return [blank(v, keep) for v in value]
    return value


async def forget_published(session: AsyncSession, tables: MessagingTables, references: Iterable[str]) -> None:
    """Delete the published outbox rows of these contacts: their payloads repeat the personal data."""
    references = list(references)
    if references:
        outbox = tables.outbox
        await session.execute(delete(outbox).where(outbox.c.key.in_(references),
                                                   outbox.c.published_at.is_not(None)))


# Given the session, the runtime, the cutoff and now: anonymise a batch, return how many rows.
Anonymise = Callable[[AsyncSession, Runtime, datetime, datetime], Awaitable[int]]


def retention_job(name: str, interval: float, anonymise: Anonymise) -> PeriodicSpec:
    """A periodic job that anonymises what ended more than NWD_RETENTION_YEARS ago."""

    async def job(session: AsyncSession, runtime: Runtime) -> None:
        now = runtime.clock()
        count = await anonymise(session, runtime, cutoff(now, runtime.settings.retention_years), now)
        if count:
            log.info("personal data anonymised", job=name, count=count)

    return PeriodicSpec(name=name, interval=interval, job=job)
