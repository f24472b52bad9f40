"""The ownership protocol: from triage's decision to agreed ownership, via proposals and answers.

Never commits: the consumer wrapper, the request or the periodic job does.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from nwd_shared import events as ev
from nwd_shared.directory import Organisation
from nwd_shared.errors import Conflict, FieldError, Forbidden, Invalid, NotFound
from referral import domain, repository
from referral.context import Context
from referral.domain import NegotiationState
from referral.models import Contact, Negotiation, Referral
from referral.proposals import (
    concerns_of,
    decision_of,
    event_for,
    in_procedure_since,
    maybe_agree,
    maybe_refer_advocacy,
    new_referral,
    party_referral,
    propose,
    withdraw,
)
from referral.schemas import DeclineIn

# Referrals a new triage decision overtakes while they wait for an answer.
PROTOCOL_PURPOSES = ("ownership", "joint", "pals")


async def on_contact(session: AsyncSession, event: ev.ContactReceived, ctx: Context) -> list[ev.CloudEvent]:
    """Keep what referral needs of a contact; start the protocol if its decision came first."""
    data = event.data
    if await repository.get_contact(session, data.reference) is not None:
        return []
    contact = Contact(reference=data.reference, received_by=data.received_by,
                      consent_to_share=data.consent_to_share, wants_advocacy=data.wants_advocacy,
                      data=data.model_dump(mode="json"), stored_at=ctx.now)
    session.add(contact)
    negotiation = await repository.get_negotiation(session, data.reference)
    if negotiation is None:
        return []
    if negotiation.state == NegotiationState.AWAITING_CONTACT:
        return await start(session, ctx, negotiation, contact)
    # The protocol went ahead without the contact; advocacy is what it could not know about.
    return await maybe_refer_advocacy(session, ctx, negotiation, contact)


async def on_triage(session: AsyncSession, event: ev.TriageCompleted | ev.TriageOverridden,
                    ctx: Context) -> list[ev.CloudEvent]:
    """Act on a triage decision once the contact is known; an override restarts an open negotiation."""
    decision = event.data
    negotiation = await repository.get_negotiation(session, decision.reference)
    holder: tuple[str, datetime, datetime | None] | None = None
    if negotiation is None:
        if await repository.get_ownership(session, decision.reference) is not None:
            return []  # agreed before negotiations were recorded
        negotiation = Negotiation(reference=decision.reference, received_by=decision.received_by,
                                  decision=decision.model_dump(mode="json"), route=decision.route,
                                  state=NegotiationState.AWAITING_CONTACT.value, tried=[], decided_at=ctx.now,
                                  updated_at=ctx.now)
        session.add(negotiation)
    else:
        if not _changes(negotiation, event, ctx):
            return []
        if negotiation.state == NegotiationState.AGREED:
            # The owner keeps the contact, as interim owner, until a body the override names accepts it.
            holder = (negotiation.lead, negotiation.lead_accepted_at, negotiation.lead_received_at)
        open_rows = await repository.referrals_of(session, decision.reference, purposes=PROTOCOL_PURPOSES,
                                                  statuses=("pending", "accepted"))
        withdraw(open_rows, ctx, f"withdrawn: triage decision changed to route {decision.route}")
        negotiation.decision, negotiation.route = decision.model_dump(mode="json"), decision.route
        negotiation.lead, negotiation.lead_accepted_at, negotiation.tried = None, None, []
        negotiation.lead_received_at = None
        negotiation.updated_at = ctx.now
    contact = await repository.get_contact(session, decision.reference)
    if contact is None and negotiation.state == NegotiationState.AWAITING_CONTACT:
        return []  # the contact is on another topic and may come later; the periodic job won't wait forever
    return await start(session, ctx, negotiation, contact, holder=holder)


def _changes(negotiation: Negotiation, event: ev.CloudEvent, ctx: Context) -> bool:
    """Whether a decision changes anything: only an override can; once agreed, only a new owner or no case."""
    if not isinstance(event, ev.TriageOverridden):
        return False
    before = ev.TriageDecisionData.model_validate(negotiation.decision)
    if negotiation.state == NegotiationState.AGREED:
        # Moving between case routes (into or out of suspension) leaves the owner: casework handles it.
        if event.data.route not in ev.CASE_ROUTES:
            return True
        bodies = [domain.responsible_bodies(d.responsible_organisations, ctx.directory) for d in (before, event.data)]
        return set(bodies[0]) != set(bodies[1])
    return (before.route, before.responsible_organisations) != (
        event.data.route, event.data.responsible_organisations) or negotiation.route != event.data.route


async def start(session: AsyncSession, ctx: Context, negotiation: Negotiation, contact: Contact | None,
                holder: tuple[str, datetime, datetime | None] | None = None) -> list[ev.CloudEvent]:
    """Start what the route calls for: ownership, PALS, or nothing; `holder`: the owner an override moves from."""
    if negotiation.route == "pals":
        return await _start_pals(session, ctx, negotiation, contact)
    decision = decision_of(negotiation)
    step = domain.next_step(decision, directory=ctx.directory, rule=ctx.lead_rule)
    events: list[ev.CloudEvent] = []
    match step:
        case None:
            domain.find_no_case(negotiation, now=ctx.now)
            return []
        case domain.Agree(owner=owner):
            domain.negotiate(negotiation, lead=owner, lead_accepted_at=decision.received_at, now=ctx.now,
                             lead_received_at=await in_procedure_since(session, negotiation))
            events += await maybe_agree(session, ctx, negotiation)
        case domain.Propose(lead=lead, contributors=contributors, lead_is_receiver=lead_is_receiver):
            purpose = "joint" if step.joint else "ownership"
            common = dict(contact=contact, reference=negotiation.reference,
                          from_organisation=negotiation.received_by, kind=decision.kind, route=decision.route)
            accepted_at = received_at = None
            if lead_is_receiver:
                accepted_at, received_at = decision.received_at, await in_procedure_since(session, negotiation)
            elif holder is not None and lead == holder[0]:
                # It owns the contact already: it is not asked again, and its clock keeps its start.
                accepted_at, received_at = holder[1], holder[2]
            domain.negotiate(negotiation, lead=lead, lead_accepted_at=accepted_at, now=ctx.now,
                             lead_received_at=received_at)
            if accepted_at is None:
                events.append(propose(session, ctx, to_organisation=lead, purpose=purpose, role="lead", **common))
            for contributor in contributors:
                events.append(propose(session, ctx, to_organisation=contributor, purpose="joint",
                                      role="contributor", **common))
            events += await maybe_agree(session, ctx, negotiation)
    return events + await maybe_refer_advocacy(session, ctx, negotiation, contact)


async def _start_pals(session: AsyncSession, ctx: Context, negotiation: Negotiation,
                      contact: Contact | None) -> list[ev.CloudEvent]:
    """Route `pals`: the responsible trust's PALS sorts it out informally, outside the procedure."""
    decision = decision_of(negotiation)
    responsible = domain.responsible_bodies(decision.responsible_organisations, ctx.directory)
    pals = next((p.id for p in map(ctx.directory.pals_of, responsible) if p is not None), None)
    if pals is None:
        # No PALS to go to: the contact goes into the complaints procedure instead.
        negotiation.route = "complaint"
        return await start(session, ctx, negotiation, contact)
    domain.refer_to_pals(negotiation, now=ctx.now)
    common = dict(reference=negotiation.reference, from_organisation=negotiation.received_by,
                  to_organisation=pals, purpose="pals", kind=decision.kind, route=decision.route)
    if pals == negotiation.received_by:
        # The PALS received it itself: it has it already, and answers it like any PALS referral.
        row = new_referral(session, ctx, status="accepted", **common)
        return [event_for(ev.ReferralAccepted, row, ctx)]
    return [propose(session, ctx, contact=contact, **common)]


async def addressed_referral(session: AsyncSession, referral_id: str, caller: Organisation,
                             statuses: tuple[str, ...] = ("pending",)) -> Referral:
    """A referral addressed to the caller in one of the given states; not found if it may not see it."""
    row = await party_referral(session, referral_id, caller.id)
    if row.to_organisation != caller.id:
        raise NotFound(f"no referral {referral_id} addressed to {caller.id}")
    if row.status not in statuses:
        raise Conflict(f"referral {referral_id} is {row.status}")
    return row


async def accept(session: AsyncSession, ctx: Context, *, referral_id: str,
                 caller: Organisation) -> tuple[Referral, list[ev.CloudEvent]]:
    """The addressed organisation accepts; a lead owns the contact from today (its receipt date).

    Accepting again (a retry) answers the same and causes nothing.
    """
    row = await addressed_referral(session, referral_id, caller, statuses=("pending", "accepted"))
    if row.status == "accepted":
        return row, []
    row.status, row.answered_at = "accepted", ctx.now
    events: list[ev.CloudEvent] = [event_for(ev.ReferralAccepted, row, ctx)]
    negotiation = await repository.get_negotiation(session, row.reference)
    if row.purpose in {"ownership", "joint"} and negotiation is not None \
            and negotiation.state == NegotiationState.NEGOTIATING:
        if row.role == "lead":
            domain.accept_lead(negotiation, lead=row.to_organisation, proposed_at=row.created_at, now=ctx.now)
        events += await maybe_agree(session, ctx, negotiation)
    return row, events


def _check_suggestion(row: Referral, suggested: str | None, ctx: Context) -> None:
    if suggested is None:
        return
    organisation = ctx.directory.get(suggested)
    field = "body.suggested_organisation_id"
    if organisation is None:
        raise Invalid(FieldError(field, "unknown organisation", "unknown_organisation"),
                      detail=f"unknown organisation {suggested!r}")
    fits = {"ownership": organisation.is_responsible_body, "joint": organisation.is_responsible_body,
            "advocacy": organisation.kind == "advocacy"}.get(row.purpose, True)
    if not fits or suggested == row.to_organisation:
        raise Invalid(FieldError(field, f"cannot take a {row.purpose} referral", "unsuitable_organisation"),
                      detail=f"{suggested} cannot take a {row.purpose} referral")


async def decline(session: AsyncSession, ctx: Context, *, referral_id: str, caller: Organisation,
                  answer: DeclineIn) -> tuple[Referral, list[ev.CloudEvent]]:
    """The addressed organisation declines; the next candidate is asked, or the receiver reviews.

    Declining again (a retry) answers the same and causes nothing.
    """
    row = await addressed_referral(session, referral_id, caller, statuses=("pending", "accepted", "declined",
                                                                          "returned"))
    if row.status == ("returned" if row.purpose == "pals" else "declined"):
        return row, []
    if row.purpose == "pals":
        # For PALS, declining is saying it cannot sort it out: the contact becomes a complaint.
        return await return_to_complaints(session, ctx, referral_id=referral_id, caller=caller, reason=answer.reason)
    if row.status != "pending":
        raise Conflict(f"referral {referral_id} is {row.status}")
    _check_suggestion(row, answer.suggested_organisation_id, ctx)
    row.status, row.answered_at = "declined", ctx.now
    row.reason, row.suggested_organisation_id = answer.reason, answer.suggested_organisation_id
    events: list[ev.CloudEvent] = [event_for(ev.ReferralDeclined, row, ctx, reason=answer.reason,
                                             suggested_organisation_id=answer.suggested_organisation_id)]
    negotiation = await repository.get_negotiation(session, row.reference)
    contact = await repository.get_contact(session, row.reference)
    if row.purpose in {"ownership", "joint"} and negotiation is not None \
            and negotiation.state == NegotiationState.NEGOTIATING:
        if row.role == "lead":
            events += await _next_lead(session, ctx, negotiation, row, contact)
        else:
            events += await _other_contributor(session, ctx, negotiation, row, contact)
            events += await maybe_agree(session, ctx, negotiation)
    elif row.purpose == "advocacy" and answer.suggested_organisation_id:
        asked = {r.to_organisation for r in await repository.referrals_of(session, row.reference,
                                                                          purposes=("advocacy",))}
        if answer.suggested_organisation_id not in asked:
            events.append(propose(session, ctx, contact=contact, reference=row.reference,
                                  from_organisation=row.from_organisation,
                                  to_organisation=answer.suggested_organisation_id, purpose="advocacy",
                                  kind=row.kind, route=row.route))
    return row, events


async def _next_lead(session: AsyncSession, ctx: Context, negotiation: Negotiation, declined: Referral,
                     contact: Contact | None) -> list[ev.CloudEvent]:
    """Ask the suggested body, else the directory's next match; when none is left, escalate."""
    negotiation.tried = [*negotiation.tried, declined.to_organisation]
    negotiation.updated_at = ctx.now
    receivers = domain.receivers(negotiation.received_by, ctx.directory)
    rows = await repository.referrals_of(session, negotiation.reference, purposes=("joint",))
    contributors = {r.to_organisation for r in rows if r.role == "contributor" and r.status in ("pending", "accepted")}
    excluded = set(negotiation.tried) | receivers
    suggested = declined.suggested_organisation_id
    # A contributor may be suggested as lead; the directory's next match never promotes one.
    candidate = suggested if suggested and suggested not in excluded else None
    candidate = candidate or domain.next_candidate(declined.to_organisation, excluded=excluded | contributors,
                                                   concerns=concerns_of(contact), directory=ctx.directory)
    if candidate is not None:
        negotiation.lead = candidate
        return [propose(session, ctx, contact=contact, reference=negotiation.reference,
                        from_organisation=negotiation.received_by, to_organisation=candidate,
                        purpose=declined.purpose, role="lead", kind=declined.kind, route=declined.route)]
    domain.escalate(negotiation, now=ctx.now)
    why = f"declined by {declined.to_organisation}: {declined.reason}"
    if suggested in receivers:
        why += "; it suggested the receiving organisation"
    return [event_for(ev.ReferralEscalated, declined, ctx,
                      reason=f"{why}; no other organisation to ask: the receiving organisation decides")]


async def _other_contributor(session: AsyncSession, ctx: Context, negotiation: Negotiation,
                             declined: Referral, contact: Contact | None) -> list[ev.CloudEvent]:
    """A contributor that declined but named another body: that body is asked to contribute."""
    suggested = declined.suggested_organisation_id
    if suggested is None:
        return []
    rows = await repository.referrals_of(session, negotiation.reference, purposes=("ownership", "joint"))
    involved = {r.to_organisation for r in rows} | {negotiation.lead, negotiation.received_by}
    if suggested in involved:
        return []
    return [propose(session, ctx, contact=contact, reference=negotiation.reference,
                    from_organisation=negotiation.received_by, to_organisation=suggested, purpose="joint",
                    role="contributor", kind=declined.kind, route=declined.route)]


async def _answer_pals(session: AsyncSession, ctx: Context, *, referral_id: str, caller: Organisation,
                       status: str, reason: str) -> tuple[Referral, Negotiation | None]:
    """The PALS answers its referral; the negotiation too when it is with the PALS."""
    row = await addressed_referral(session, referral_id, caller, statuses=("pending", "accepted"))
    if row.purpose != "pals":
        raise Conflict(f"referral {referral_id} is not a PALS referral")
    row.status, row.answered_at, row.reason = status, ctx.now, reason
    negotiation = await repository.get_negotiation(session, row.reference)
    # A PALS referral made by hand leaves a negotiation elsewhere alone.
    return row, negotiation if negotiation is not None and negotiation.state == NegotiationState.PALS else None


async def resolve(session: AsyncSession, ctx: Context, *, referral_id: str, caller: Organisation,
                  summary: str) -> tuple[Referral, list[ev.CloudEvent]]:
    """PALS sorted it out: the referral and the contact close as resolved."""
    row, negotiation = await _answer_pals(session, ctx, referral_id=referral_id, caller=caller,
                                          status="resolved", reason=summary)
    if negotiation is not None:
        domain.close(negotiation, now=ctx.now)
    # The summary stays here: it may describe the person, and partners fetch it over HTTP.
    return row, [event_for(ev.ReferralAccepted, row, ctx, outcome="resolved")]


async def return_to_complaints(session: AsyncSession, ctx: Context, *, referral_id: str, caller: Organisation,
                               reason: str) -> tuple[Referral, list[ev.CloudEvent]]:
    """PALS cannot sort it out: back into the complaints procedure, and ownership is proposed."""
    row, negotiation = await _answer_pals(session, ctx, referral_id=referral_id, caller=caller,
                                          status="returned", reason=reason)
    events: list[ev.CloudEvent] = [event_for(ev.ReferralDeclined, row, ctx, reason=reason, outcome="returned")]
    if negotiation is not None:
        negotiation.route = "complaint"
        contact = await repository.get_contact(session, row.reference)
        events += await start(session, ctx, negotiation, contact)
    return row, events


async def withdraw_by_sender(session: AsyncSession, ctx: Context, *, referral_id: str, caller: Organisation,
                             reason: str) -> tuple[Referral, list[ev.CloudEvent]]:
    """The sender withdraws an unanswered referral; agreement no longer waits for that answer."""
    row = await party_referral(session, referral_id, caller.id)
    if row.from_organisation != caller.id:
        raise Forbidden("only the organisation that made a referral withdraws it")
    if row.status != "pending":
        raise Conflict(f"referral {referral_id} is {row.status}")
    withdraw([row], ctx, f"withdrawn by {caller.id}: {reason}")
    negotiation = await repository.get_negotiation(session, row.reference)
    if negotiation is None or negotiation.state != NegotiationState.NEGOTIATING \
            or row.purpose not in {"ownership", "joint"}:
        return row, []
    if row.role == "lead":
        # Nobody is being asked to lead now: the receiving organisation decides who is.
        domain.escalate(negotiation, now=ctx.now)
        return row, []
    return row, await maybe_agree(session, ctx, negotiation)
