"""Learning projections: each event updates the contact and case state reports are built from.
Never commits. Every handler may see an event twice: it guards by state, not only by the inbox."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from learning import actions, domain, experience, repository, subjects
from learning.models import CaseRecord, ContactRecord, EventFact
from nwd_shared import events as ev
from nwd_shared.calendar import WorkingCalendar, local_date
from nwd_shared.context import Context
from nwd_shared.directory import Directory

# Casework's equality data: the age group alone, given with consent (for the KO41a).
EQUALITY_RECORDED = "nwd.case.equality_recorded.v1"
REOPENED = "nwd.case.reopened.v1"
# Closings that are a resolution; any other way a case ends (withdrawn, out of time...) is not.
RESOLVED_AS = frozenset({None, "resolved", "early_resolution"})


async def project(session: AsyncSession, ctx: Context, event: ev.CloudEvent, *,
                  action_due_working_days: int) -> list[ev.CloudEvent]:
    """Apply one event to the projections; returns the events it causes (learning actions)."""
    await _add_facts(session, event)
    match event:
        case ev.ContactReceived():
            await _contact_received(session, event.data, ctx.calendar, ctx.directory)
        case ev.TriageCompleted() | ev.TriageOverridden():
            await _triaged(session, event.data, ctx.calendar)
        case ev.OwnershipAgreed():
            await _ownership_agreed(session, event, ctx.calendar)
    if event.topic == ev.CASES:
        return await _case_event(session, ctx, event, action_due_working_days=action_due_working_days)
    return []


async def prefetch(session: AsyncSession, events: Sequence[ev.CloudEvent]) -> list:
    """Load a batch's contacts, cases and facts in three queries, so the handlers' lookups need none."""
    return await repository.prefetch(session, events, counted={e.id for e in events if domain.facts_of(e)})


async def _add_facts(session: AsyncSession, event: ev.CloudEvent) -> None:
    for organisation, metric, day in domain.facts_of(event):
        if await repository.fact(session, event.id, organisation, metric) is None:
            session.add(EventFact(event_id=event.id, organisation_id=organisation, metric=metric,
                                  reference=event.subject, occurred_on=day))


async def _contact(session: AsyncSession, reference: str) -> ContactRecord:
    contact = await repository.contact(session, reference)
    if contact is None:
        contact = ContactRecord(reference=reference, service_types=[], safeguarding_categories=[],
                                text_subjects=[], out_of_time=False)
        session.add(contact)
    return contact


def _service_types(data: ev.ContactReceivedData, directory: Directory) -> list[str]:
    types: set[str] = set()
    for concern in data.concerns:
        if concern.service_type:
            types.add(concern.service_type)
        elif concern.organisation_id:
            organisation = directory.get(concern.organisation_id)
            if organisation is not None:
                types.update(organisation.responsible_for)
    return sorted(types)


async def _contact_received(session: AsyncSession, data: ev.ContactReceivedData,
                            calendar: WorkingCalendar, directory: Directory) -> None:
    contact = await _contact(session, data.reference)
    contact.received_by = data.received_by
    contact.received_at = data.received_at
    contact.received_on = local_date(data.received_at)
    contact.kind = data.kind
    contact.channel = data.channel
    contact.relationship = data.complainant.relationship
    contact.service_types = _service_types(data, directory)
    # The words are read here and forgotten: only codes and the rule that fired are kept.
    words = " ".join([data.description, *(c.summary or "" for c in data.concerns)])
    contact.text_subjects = [list(a) for a in subjects.subjects_from_text(words, "the description")]
    contact.service_area, contact.service_area_reason = subjects.service_area_from_text(
        words, contact.service_types)
    contact.professions = [list(a) for a in subjects.professions_from_text(words, contact.service_area)]
    contact.concern_kinds = sorted({organisation.kind for c in data.concerns if c.organisation_id
                                    and (organisation := directory.get(c.organisation_id)) is not None})
    _ownership_days(contact, calendar)


async def _triaged(session: AsyncSession, data: ev.TriageDecisionData, calendar: WorkingCalendar) -> None:
    contact = await _contact(session, data.reference)
    contact.received_by = contact.received_by or data.received_by
    if contact.received_at is None:
        contact.received_at = data.received_at
        contact.received_on = local_date(data.received_at)
    contact.kind = contact.kind or data.kind
    contact.route = data.route
    contact.safeguarding_categories = sorted(set(data.safeguarding_categories))
    contact.out_of_time = data.out_of_time
    _ownership_days(contact, calendar)


async def _ownership_agreed(session: AsyncSession, event: ev.OwnershipAgreed,
                            calendar: WorkingCalendar) -> None:
    data = event.data
    contact = await _contact(session, data.reference)
    contact.owner = data.owner
    contact.ownership_agreed_on = local_date(event.time)
    contact.received_by = contact.received_by or data.received_by
    contact.kind = contact.kind or data.kind
    contact.route = contact.route or data.route
    _ownership_days(contact, calendar)


def _ownership_days(contact: ContactRecord, calendar: WorkingCalendar) -> None:
    # Topics arrive in any order between them: compute once both dates are known.
    if contact.received_on and contact.ownership_agreed_on:
        contact.ownership_working_days = calendar.working_days_between(
            contact.received_on, max(contact.received_on, contact.ownership_agreed_on))


async def _case(session: AsyncSession, data: ev.CaseData) -> CaseRecord:
    case = await repository.case(session, data.reference, data.case_id)
    if case is None:
        case = CaseRecord(case_id=data.case_id, reference=data.reference, owner=data.owner,
                          extensions=0, suspended=False, case_subjects=[])
        session.add(case)
    case.owner = data.owner
    return case


def _deadlines(case: CaseRecord, deadlines: ev.Deadlines | None) -> None:
    if deadlines is None:
        return
    case.acknowledge_by = case.acknowledge_by or deadlines.acknowledge_by
    # The action plan is measured against the date set before it was issued, not after.
    if case.action_plan_on is None and deadlines.action_plan_by is not None:
        case.action_plan_by = deadlines.action_plan_by
    case.respond_by = deadlines.respond_by or case.respond_by
    case.six_months_by = deadlines.six_months_by or case.six_months_by


def _classify(case: CaseRecord, data: ev.CaseRespondedData | ev.CaseClosedData) -> None:
    """The case's own subject, as its response or its closure names it (the only case events that do)."""
    found = subjects.subject_from_case_label(data.subject)
    if found:
        case.case_subjects = [list(a) for a in subjects.merge(found)]


async def _case_event(session: AsyncSession, ctx: Context, event: ev.CloudEvent, *,
                      action_due_working_days: int) -> list[ev.CloudEvent]:
    data = event.data
    case = await _case(session, data)
    _deadlines(case, getattr(data, "deadlines", None))
    match event:
        case ev.CaseOpened():
            case.received_on = data.received_on
            case.suspended = data.suspended
        case ev.CaseAcknowledged():
            case.acknowledged_on = case.acknowledged_on or data.acknowledged_on
        case ev.CaseActionPlanIssued():
            case.action_plan_on = case.action_plan_on or data.issued_on
        case ev.CaseSuspended():
            case.suspended = True
        case ev.CaseResumed():
            case.suspended = False
        case ev.CaseResponded():
            case.responded_on = data.responded_on
            case.outcome = data.outcome
            case.desired_outcome_met = data.desired_outcome_met
            case.responded_on_time = data.on_time
            case.respond_by = data.respond_by or case.respond_by
            _classify(case, data)
            return await actions.raise_for_response(session, ctx, event, due_working_days=action_due_working_days)
        case ev.CaseClosed():
            _classify(case, data)
            case.closed_on = data.closed_on
            case.ended_as = _ended_as(data)
            case.outcome = case.outcome or data.outcome
            if data.responded_on and case.responded_on is None:
                case.responded_on = data.responded_on
                case.responded_on_time = data.on_time
            # A transfer is not the end of the complaint: the survey waits for the new owner's close.
            if data.transferred_to is None:
                await experience.issue_link(session, data)
        case ev.CaseDeadlineBreached() if data.deadline == "six_months_by":
            case.six_months_breached_on = case.six_months_breached_on or data.due_on
        case ev.CaseEscalated():
            case.escalated_on = case.escalated_on or local_date(event.time)
            case.ombudsman_id = data.ombudsman_id or case.ombudsman_id
    if event.type == REOPENED:
        # Back open: neither resolved nor ended otherwise until it closes again.
        case.closed_on, case.ended_as = None, None
    if event.type == EQUALITY_RECORDED:
        case.age_group = data.age_group
    elif getattr(data, "age_group", None):
        case.age_group = data.age_group
    return []


def _ended_as(data: ev.CaseClosedData) -> str | None:
    """How a case ended when not resolved: a transfer (ownership moved on), a withdrawal and the like."""
    if data.transferred_to is not None:
        return "transferred"
    how = getattr(data, "closed_as", None)
    return None if how in RESOLVED_AS else how

