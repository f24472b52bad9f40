"""Triage use cases. Never commits: the consumer wrapper or the request does."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from nwd_shared import events as ev
from nwd_shared.directory import Directory, Organisation
from nwd_shared.http import Problem
from triage import domain, repository
from triage.models import TriageDecision
from triage.schemas import OverrideIn


def _decision_data(row: TriageDecision) -> dict:
    return dict(
        reference=row.reference, received_by=row.received_by, received_at=row.received_at,
        kind=row.kind, route=row.route, safeguarding_categories=row.safeguarding_categories,
        responsible_organisations=row.responsible_organisations, reasons=row.reasons,
        out_of_time=row.out_of_time, needs_consent=row.needs_consent, needs_review=row.needs_review,
    )


async def triage_contact(
    session: AsyncSession, event: ev.ContactReceived, *, source: str, now: datetime
) -> list[ev.CloudEvent]:
    """Record the decision for a received contact and announce it."""
    if await repository.get_decision(session, event.subject) is not None:
        return []  # already decided, e.g. the same contact re-sent under a new event id
    decision = domain.triage(event.data)
    row = TriageDecision(
        reference=event.subject, received_by=event.data.received_by, received_at=event.data.received_at,
        kind=event.data.kind, route=decision.route,
        safeguarding_categories=decision.safeguarding_categories,
        responsible_organisations=decision.responsible_organisations, reasons=decision.reasons,
        out_of_time=decision.out_of_time, needs_consent=decision.needs_consent,
        needs_review=decision.needs_review, decided_at=now,
    )
    session.add(row)
    return [ev.TriageCompleted(source=source, subject=row.reference, time=now,
                               data=ev.TriageDecisionData(**_decision_data(row)))]


def can_see(row: TriageDecision, organisation_id: str) -> bool:
    return organisation_id == row.received_by or organisation_id in row.responsible_organisations


async def visible_decision(session: AsyncSession, reference: str, caller: Organisation) -> TriageDecision:
    row = await repository.get_decision(session, reference)
    if row is None or not can_see(row, caller.id):
        raise Problem(404, f"no triage decision for {reference}")
    return row


async def override(
    session: AsyncSession, *, reference: str, caller: Organisation, change: OverrideIn,
    directory: Directory, source: str, now: datetime,
) -> tuple[TriageDecision, ev.TriageOverridden]:
    """A person overrides the route, with a reason; the reasons keep the history."""
    row = await visible_decision(session, reference, caller)
    unknown = [o for o in change.responsible_organisations or [] if directory.get(o) is None]
    if unknown:
        raise Problem(422, f"unknown organisation(s): {', '.join(unknown)}")
    previous = row.route
    row.route = change.route
    if change.responsible_organisations:
        row.responsible_organisations = list(change.responsible_organisations)
    row.reasons = [*row.reasons, f"overridden by {caller.id}: {change.reason}"]
    row.needs_review = False
    row.overridden_by = caller.id
    row.decided_at = now
    event = ev.TriageOverridden(
        source=source, subject=reference, time=now,
        data=ev.TriageOverriddenData(**_decision_data(row), previous_route=previous,
                                     overridden_by=caller.id, reason=change.reason),
    )
    return row, event
