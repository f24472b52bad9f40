"""Casework use cases. Never commits: the consumer wrapper or the request does."""

from __future__ import annotations

from datetime import datetime
from uuid import uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from casework import domain, repository
from casework.models import Case
from nwd_shared import events as ev
from nwd_shared.calendar import WorkingCalendar, local_date


async def open_case(session: AsyncSession, event: ev.OwnershipAgreed, *, calendar: WorkingCalendar,
                    source: str, now: datetime) -> list[ev.CloudEvent]:
    """Open the owner's case; its clock starts on the day the owner received the contact."""
    agreed = event.data
    if await repository.case_for_reference(session, agreed.reference) is not None:
        return []
    received_on = local_date(agreed.owner_received_at)
    deadlines = domain.deadlines_on_opening(received_on, calendar)
    case = Case(id=str(uuid4()), reference=agreed.reference, owner=agreed.owner,
                contributors=list(agreed.contributors), kind=agreed.kind, route=agreed.route,
                status="open", suspended=agreed.route == "suspended", received_on=received_on,
                opened_at=now, **deadlines)
    session.add(case)
    return [ev.CaseOpened(
        source=source, subject=case.reference, time=now,
        data=ev.CaseOpenedData(case_id=case.id, reference=case.reference, owner=case.owner,
                               contributors=case.contributors, received_on=received_on,
                               deadlines=ev.Deadlines(**deadlines), suspended=case.suspended),
    )]


def can_see(case: Case, organisation_id: str) -> bool:
    return organisation_id == case.owner or organisation_id in case.contributors
