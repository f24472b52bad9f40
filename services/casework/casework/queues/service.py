"""Queue use cases: assigning a case, keeping a contact's words, forgetting them. Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from casework.domain import CaseStatus
from casework.models import Case
from casework.queues import repository, search
from casework.queues.models import CaseAssignment, CaseAssignmentChange, CaseSearchText
from casework.queues.schemas import AssignmentIn
from nwd_shared import events as ev
from nwd_shared import retention
from nwd_shared.context import Context
from nwd_shared.errors import Conflict, Invalid, NotFound

Assigned = tuple[Case, CaseAssignment, list[ev.CloudEvent]]


async def owned_case(session: AsyncSession, ctx: Context, case_id: str, *, for_update: bool = False) -> Case:
    """The caller's own case; 404 for anyone else, contributors included: assignment is the owner's."""
    case = await (repository.case_to_assign if for_update else repository.case_of)(session, case_id)
    if case is None or case.owner != ctx.caller:
        raise NotFound(f"no case {case_id}")
    return case


async def assign(session: AsyncSession, ctx: Context, *, case_id: str, body: AssignmentIn) -> Assigned:
    """Give the case to a handler of its owner and a team; the same handler and team again changes nothing."""
    case = await owned_case(session, ctx, case_id, for_update=True)
    if case.status == CaseStatus.TRANSFERRED:
        raise Conflict("the case was transferred: the new owner assigns its own case")
    organisation = ctx.directory.get(case.owner)
    person = organisation.person(body.handler) if organisation else None
    if person is None or "handler" not in person.roles:
        raise Invalid.field("body.handler", f"{body.handler} is not a handler of {case.owner}")
    team = body.team or person.team
    if team is not None and team not in organisation.teams:
        raise Invalid.field("body.team", f"{team} is not a team of {case.owner}")
    current = await repository.assignment_of(session, case.id)
    if current is not None and (current.handler, current.team) == (person.id, team):
        return case, current, []
    previous_handler, previous_team = (current.handler, current.team) if current else (None, None)
    if current is None:
        current = CaseAssignment(case_id=case.id)
        session.add(current)
    current.handler, current.team, current.assigned_by = person.id, team, ctx.by
    current.assigned_at, current.assigned_on = ctx.now, ctx.today
    session.add(CaseAssignmentChange(case_id=case.id, handler=person.id, team=team,
                                     previous_handler=previous_handler, previous_team=previous_team,
                                     reason=body.reason, assigned_at=ctx.now, assigned_by=ctx.by))
    assigned = ev.CaseAssigned(source=ctx.source, subject=case.reference, data=ev.CaseAssignedData(
        case_id=case.id, reference=case.reference, owner=case.owner, handler=person.id, team=team,
        previous_handler=previous_handler, by=ctx.by))
    return case, current, [assigned]


async def keep_words(session: AsyncSession, event: ev.ContactReceived) -> list[ev.CloudEvent]:
    """Keep a contact's names and description for its owner's search (never published again)."""
    data = event.data
    words = await repository.words_of(session, data.reference)
    if words is None:
        words = CaseSearchText(reference=data.reference)
        session.add(words)
    elif words.anonymised_at is not None:
        return []  # forgotten for good: a replayed contact does not bring the words back
    words.received_by, words.received_at = data.received_by, data.received_at
    words.complainant_name = data.complainant.name
    words.person_affected_name = data.person_affected.name if data.person_affected else None
    words.description = data.description
    words.document = search.document(session.bind.dialect.name, data.reference, words.complainant_name,
                                     words.person_affected_name, words.description)
    return []


async def forget_words(session: AsyncSession, anonymised: Sequence[Case], *, cutoff: datetime,
                       now: datetime) -> None:
    """Retention: blank the words of the cases just anonymised, and of contacts long past that never had one."""
    references = {case.reference for case in anonymised}
    references.update(await repository.words_without_case_before(session, cutoff, retention.BATCH_SIZE))
    await repository.blank_words(session, references, retention.ANONYMISED, now)
    await repository.blank_assignment_reasons(session, [case.id for case in anonymised], retention.ANONYMISED)
