"""Building blocks of every referral: a proposal and its event, agreement, advocacy. Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from nwd_shared import events as ev
from nwd_shared.calendar import local_date
from nwd_shared.errors import NotFound
from referral import domain, repository
from referral.context import Context
from referral.domain import NegotiationState
from referral.models import Contact, Negotiation, Ownership, Referral

# States in which the contact is in the complaints procedure, so advocacy can support it.
_IN_PROCEDURE = frozenset({NegotiationState.NEGOTIATING, NegotiationState.AGREED, NegotiationState.ESCALATED})
# Purposes that are answered within the local protocol's time-out; an ombudsman keeps its own pace.
TIMED_PURPOSES = frozenset({"ownership", "joint", "pals", "advocacy", "back"})


def contact_data(contact: Contact | None) -> ev.ContactReceivedData | None:
    return ev.ContactReceivedData.model_validate(contact.data) if contact is not None else None


def concerns_of(contact: Contact | None) -> list[ev.Concern]:
    data = contact_data(contact)
    return list(data.concerns) if data else []


def shared_personal_data(contact: Contact | None) -> dict | None:
    """Personal data for the partner feed: only with the complainant's consent to share."""
    if contact is None or not contact.consent_to_share:
        return None
    return domain.personal_data(contact_data(contact))


def decision_of(negotiation: Negotiation) -> ev.TriageDecisionData:
    """The triage decision being acted on, with the route as it stands now."""
    decision = ev.TriageDecisionData.model_validate(negotiation.decision)
    return decision.model_copy(update={"route": negotiation.route})


def referral_data(row: Referral) -> dict:
    """What every referral event says: who, to whom, why, and when an answer is due."""
    return dict(referral_id=row.id, reference=row.reference, from_organisation=row.from_organisation,
                to_organisation=row.to_organisation, purpose=row.purpose, kind=row.kind, route=row.route,
                role=row.role, reason=row.request_reason, answer_by=row.due_at,
                joint_working_team=row.joint_working_team)


def event_for(event_type: type[ev.CloudEvent], row: Referral, ctx: Context, **data) -> ev.CloudEvent:
    """A referral event of a row; `data` adds to or overrides what referral_data says."""
    data_type = event_type.model_fields["data"].annotation
    return event_type(source=ctx.source, subject=row.reference, time=ctx.now,
                      data=data_type(**referral_data(row) | data))


async def party_referral(session: AsyncSession, referral_id: str, caller_id: str, *, lock: bool = True) -> Referral:
    """A referral the caller sent or received; to anyone else it does not exist.

    With `lock`, its contact's lock is taken first and the referral read after it, so an answer
    sees every answer committed before it (two at once on two replicas would each see the other
    pending and nobody would agree).
    """
    if lock and (reference := await repository.reference_of(session, referral_id)) is not None:
        await repository.lock_reference(session, reference)
    row = await repository.get_referral(session, referral_id, fresh=lock)
    if row is None or caller_id not in {row.from_organisation, row.to_organisation}:
        raise NotFound(f"no referral {referral_id}")
    return row


def new_referral(session: AsyncSession, ctx: Context, *, reference: str, from_organisation: str,
                 to_organisation: str, purpose: str, kind: str, route: str, role: str | None = None,
                 request_reason: str | None = None, status: str = "pending",
                 joint_working_team: bool = False, case_id: str | None = None,
                 contributors: Sequence[str] = ()) -> Referral:
    """A referral row; a pending one gets its reminder and time-out from the sender's policy."""
    due_at = remind_at = None
    if status == "pending" and purpose in TIMED_PURPOSES:
        policy = ctx.policy(from_organisation)
        due_at = domain.answer_due(ctx.now, timeout_working_days=policy.referral_timeout_working_days,
                                   calendar=ctx.calendar)
        remind_at = domain.reminder_due(ctx.now, timeout_working_days=policy.referral_timeout_working_days,
                                        reminder_working_days=policy.referral_reminder_working_days,
                                        calendar=ctx.calendar)
    row = Referral(id=str(uuid4()), reference=reference, from_organisation=from_organisation,
                   to_organisation=to_organisation, purpose=purpose, status=status, kind=kind, route=route,
                   contributors=list(contributors), created_at=ctx.now,
                   answered_at=ctx.now if status != "pending" else None, role=role,
                   request_reason=request_reason, due_at=due_at, remind_at=remind_at,
                   joint_working_team=joint_working_team, case_id=case_id)
    session.add(row)
    return row


def propose(session: AsyncSession, ctx: Context, *, contact: Contact | None, **referral) -> ev.CloudEvent:
    """Propose a referral: a pending row and `referral.proposed`, with personal data only by consent."""
    row = new_referral(session, ctx, **referral)
    return event_for(ev.ReferralProposed, row, ctx, personal=shared_personal_data(contact))


def withdraw(rows: Sequence[Referral], ctx: Context, reason: str) -> None:
    """Open referrals overtaken by a new triage decision: no longer answerable, and not counted."""
    for row in rows:
        if row.status in ("pending", "accepted"):
            row.status, row.answered_at, row.reason = "withdrawn", ctx.now, reason


def agree(session: AsyncSession, ctx: Context, negotiation: Negotiation, *, owner: str,
          contributors: Sequence[str], owner_received_at: datetime, received_by_owner_at: datetime | None = None,
          ownership: Ownership | None = None) -> ev.OwnershipAgreed:
    """Ownership agreed: the owner's statutory clock starts on the day the complaint reached it."""
    decision = decision_of(negotiation)
    domain.agree(negotiation, owner=owner, now=ctx.now)
    previous_owner = ownership.owner if ownership is not None else None
    if ownership is None:
        session.add(Ownership(reference=negotiation.reference, received_by=negotiation.received_by, owner=owner,
                              contributors=list(contributors), agreed_at=ctx.now))
    else:
        # An override re-routed an owned contact: this agreement replaces the earlier one.
        ownership.owner, ownership.contributors, ownership.agreed_at = owner, list(contributors), ctx.now
    return ev.OwnershipAgreed(
        source=ctx.source, subject=negotiation.reference, time=ctx.now,
        data=ev.OwnershipAgreedData(reference=negotiation.reference, owner=owner,
                                    contributors=list(contributors), received_by=negotiation.received_by,
                                    owner_received_at=owner_received_at, kind=decision.kind,
                                    route=decision.route, previous_owner=previous_owner,
                                    received_by_owner_on=local_date(received_by_owner_at)
                                    if received_by_owner_at is not None else None),
    )


async def maybe_agree(session: AsyncSession, ctx: Context, negotiation: Negotiation) -> list[ev.CloudEvent]:
    """Agree once the lead has accepted and every contributor has answered (reg 9)."""
    if negotiation.state != NegotiationState.NEGOTIATING or negotiation.lead_accepted_at is None:
        return []
    rows = await repository.referrals_of(session, negotiation.reference, purposes=("joint",))
    asked = [r for r in rows if r.role == "contributor" and r.status != "withdrawn"]
    if any(r.status == "pending" for r in asked):
        return []
    contributors: list[str] = []
    for row in asked:
        if row.status == "accepted" and row.to_organisation not in {negotiation.lead, *contributors}:
            contributors.append(row.to_organisation)
    return [agree(session, ctx, negotiation, owner=negotiation.lead, contributors=contributors,
                  owner_received_at=negotiation.lead_accepted_at,
                  received_by_owner_at=negotiation.lead_received_at,
                  ownership=await repository.get_ownership(session, negotiation.reference))]


async def in_procedure_since(session: AsyncSession, negotiation: Negotiation) -> datetime:
    """When the receiving body had the complaint in the procedure: receipt, or PALS's latest return."""
    returned = [r.answered_at for r in await repository.referrals_of(
        session, negotiation.reference, purposes=("pals",), statuses=("returned",)) if r.answered_at is not None]
    return max(returned) if returned else decision_of(negotiation).received_at


async def maybe_refer_advocacy(session: AsyncSession, ctx: Context, negotiation: Negotiation,
                               contact: Contact | None) -> list[ev.CloudEvent]:
    """Advocacy, when wanted, once the contact is in the complaints procedure: support, never owner."""
    if contact is None or not contact.wants_advocacy or negotiation.route not in ev.CASE_ROUTES:
        return []
    if negotiation.state not in _IN_PROCEDURE:
        return []
    if await repository.referrals_of(session, negotiation.reference, purposes=("advocacy",)):
        return []
    decision = decision_of(negotiation)
    advocate = domain.advocacy_for(decision, ctx.directory)
    if advocate is None:
        return []
    return [propose(session, ctx, contact=contact, reference=negotiation.reference,
                    from_organisation=negotiation.received_by, to_organisation=advocate, purpose="advocacy",
                    kind=decision.kind, route=decision.route)]
