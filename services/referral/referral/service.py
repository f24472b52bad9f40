"""Referral use cases. Never commits: the consumer wrapper or the request does."""

from __future__ import annotations

from datetime import datetime
from uuid import uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from nwd_shared import events as ev
from nwd_shared.directory import Organisation
from nwd_shared.http import Problem
from referral import domain, repository
from referral.models import Ownership, Referral
from referral.schemas import DeclineIn


def _referral_data(row: Referral) -> dict:
    return dict(referral_id=row.id, reference=row.reference, from_organisation=row.from_organisation,
                to_organisation=row.to_organisation, purpose=row.purpose)


def _agree(session: AsyncSession, *, reference: str, received_by: str, owner: str, contributors: list[str],
           owner_received_at: datetime, kind: str, route: str, source: str, now: datetime) -> ev.OwnershipAgreed:
    session.add(Ownership(reference=reference, received_by=received_by, owner=owner,
                          contributors=contributors, agreed_at=now))
    return ev.OwnershipAgreed(
        source=source, subject=reference, time=now,
        data=ev.OwnershipAgreedData(reference=reference, owner=owner, contributors=contributors,
                                    received_by=received_by, owner_received_at=owner_received_at,
                                    kind=kind, route=route),
    )


async def on_triage(session: AsyncSession, event: ev.TriageCompleted | ev.TriageOverridden, *,
                    source: str, now: datetime) -> list[ev.CloudEvent]:
    """Agree ownership at once, or propose it to the responsible body."""
    decision = event.data
    if await repository.get_ownership(session, decision.reference) is not None:
        return []
    step = domain.next_step(decision)
    match step:
        case domain.Agree(owner=owner, contributors=contributors):
            return [_agree(session, reference=decision.reference, received_by=decision.received_by,
                           owner=owner, contributors=contributors,
                           owner_received_at=decision.received_at, kind=decision.kind,
                           route=decision.route, source=source, now=now)]
        case domain.Propose(to_organisation=to, contributors=contributors):
            row = Referral(id=str(uuid4()), reference=decision.reference,
                           from_organisation=decision.received_by, to_organisation=to,
                           purpose="ownership", status="pending", kind=decision.kind,
                           route=decision.route, contributors=contributors, created_at=now)
            session.add(row)
            return [ev.ReferralProposed(source=source, subject=row.reference, time=now,
                                        data=ev.ReferralData(**_referral_data(row)))]
    return []


async def _pending_for(session: AsyncSession, referral_id: str, caller: Organisation) -> Referral:
    row = await repository.get_referral(session, referral_id)
    if row is None or caller.id not in {row.to_organisation, row.from_organisation}:
        raise Problem(404, f"no referral {referral_id}")
    if row.to_organisation != caller.id:
        raise Problem(404, f"no referral {referral_id} addressed to {caller.id}")
    if row.status != "pending":
        raise Problem(409, f"referral {referral_id} is already {row.status}")
    return row


async def accept(session: AsyncSession, *, referral_id: str, caller: Organisation, source: str,
                 now: datetime) -> tuple[Referral, list[ev.CloudEvent]]:
    """The addressed organisation accepts: it owns the contact from today (its receipt date)."""
    row = await _pending_for(session, referral_id, caller)
    row.status, row.answered_at = "accepted", now
    accepted = ev.ReferralAccepted(source=source, subject=row.reference, time=now,
                                   data=ev.ReferralData(**_referral_data(row)))
    agreed = _agree(session, reference=row.reference, received_by=row.from_organisation,
                    owner=row.to_organisation, contributors=row.contributors, owner_received_at=now,
                    kind=row.kind, route=row.route, source=source, now=now)
    return row, [accepted, agreed]


async def decline(session: AsyncSession, *, referral_id: str, caller: Organisation, answer: DeclineIn,
                  source: str, now: datetime) -> tuple[Referral, list[ev.CloudEvent]]:
    """The addressed organisation declines; the receiver stays interim owner and is told to review."""
    row = await _pending_for(session, referral_id, caller)
    row.status, row.answered_at = "declined", now
    row.reason, row.suggested_organisation_id = answer.reason, answer.suggested_organisation_id
    declined = ev.ReferralDeclined(
        source=source, subject=row.reference, time=now,
        data=ev.ReferralDeclinedData(**_referral_data(row), reason=answer.reason,
                                     suggested_organisation_id=answer.suggested_organisation_id))
    escalated = ev.ReferralEscalated(
        source=source, subject=row.reference, time=now,
        data=ev.ReferralEscalatedData(**_referral_data(row),
                                      reason=f"declined by {row.to_organisation}: {answer.reason}"))
    return row, [declined, escalated]
