"""Referrals beyond the first owner: ombudsman, by hand, back again; details and who saw them.

Never commits: the consumer wrapper or the request does.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from nwd_shared import events as ev
from nwd_shared.directory import Organisation
from nwd_shared.errors import Conflict, Forbidden, Invalid, NotFound
from referral import domain, repository
from referral.context import Context
from referral.domain import NegotiationState
from referral.models import DetailAccess, Negotiation, Referral
from referral.proposals import (
    contact_data,
    decision_of,
    in_procedure_since,
    maybe_agree,
    party_referral,
    propose,
)
from referral.schemas import (
    ContactDetails,
    DetailAccessView,
    OwnershipView,
    ReferralIn,
    ReferralView,
    ReferralWithDetails,
)

# Which kind of organisation each purpose is addressed to.
_KIND_FOR = {"pals": {"pals"}, "advocacy": {"advocacy"}, "ombudsman": {"ombudsman"}}


async def on_case_escalated(session: AsyncSession, event: ev.CaseEscalated, ctx: Context) -> list[ev.CloudEvent]:
    """Casework escalated to the ombudsman it chose; both, as the Joint Working Team, for older events."""
    data = event.data
    earlier = await repository.referrals_of(session, data.reference, purposes=("ombudsman",))
    if any(r.case_id == data.case_id for r in earlier):
        return []
    # Casework owns the choice; an event from before it named one (or naming none we know) falls back
    # to the ombudsmen for the owner's and contributors' services.
    named = ctx.directory.get(data.ombudsman_id) if data.ombudsman_id else None
    if named is not None and named.kind == "ombudsman":
        ombudsmen = [named.id]
    else:
        ownership = await repository.get_ownership(session, data.reference)
        involved = [data.owner, *(ownership.contributors if ownership else [])]
        ombudsmen = [o.id for o in ctx.directory.ombudsmen_for(involved)]
    # Health and social care both involved: PHSO and LGSCO investigate together.
    joint_team = len(ombudsmen) > 1
    negotiation = await repository.get_negotiation(session, data.reference)
    contact = await repository.get_contact(session, data.reference)
    kind, route = _kind_and_route(negotiation, contact)
    return [propose(session, ctx, contact=contact, reference=data.reference, from_organisation=data.owner,
                    to_organisation=ombudsman, purpose="ombudsman", kind=kind, route=route,
                    request_reason=data.reason, joint_working_team=joint_team, case_id=data.case_id)
            for ombudsman in ombudsmen]


def _kind_and_route(negotiation: Negotiation | None, contact) -> tuple[str, str]:
    if negotiation is not None:
        decision = decision_of(negotiation)
        return decision.kind, decision.route
    data = contact_data(contact)
    return (data.kind if data else "complaint"), "complaint"


async def involved_in(session: AsyncSession, reference: str) -> set[str]:
    """Organisations that may see a contact here: receiver, owner, contributors, any referral's parties."""
    involved: set[str] = set()
    for record in (await repository.get_negotiation(session, reference),
                   await repository.get_contact(session, reference)):
        if record is not None:
            involved.add(record.received_by)
    ownership = await repository.get_ownership(session, reference)
    if ownership is not None:
        involved |= {ownership.received_by, ownership.owner, *ownership.contributors}
    for row in await repository.referrals_of(session, reference):
        involved |= {row.from_organisation, row.to_organisation}
    return involved


async def audited_contact(session: AsyncSession, ctx: Context, reference: str) -> str:
    """A contact whose referral audit trail the caller, a party to its negotiation, may read."""
    if ctx.caller not in await involved_in(session, reference):
        raise NotFound(f"no contact {reference}")
    return reference


async def refer_by_hand(session: AsyncSession, ctx: Context, *, caller: Organisation,
                        body: ReferralIn) -> tuple[Referral | None, list[ev.CloudEvent]]:
    """A person refers a contact on; ownership and joint ones join the protocol, the rest inform."""
    reference = body.reference
    await repository.lock_reference(session, reference)
    if caller.id not in await involved_in(session, reference):
        raise NotFound(f"no contact {reference}")
    target = ctx.directory.get(body.to_organisation_id)
    if target is None:
        raise _invalid("to_organisation_id", f"unknown organisation {body.to_organisation_id!r}")
    allowed = _KIND_FOR.get(body.purpose)
    if allowed is not None and target.kind not in allowed:
        raise _invalid("to_organisation_id", f"a {body.purpose} referral goes to a {' or '.join(sorted(allowed))}")
    negotiation = await repository.get_negotiation(session, reference)
    contact = await repository.get_contact(session, reference)
    if body.purpose in {"ownership", "joint"}:
        return await _protocol_by_hand(session, ctx, caller=caller, body=body, negotiation=negotiation,
                                       contact=contact, target=target)
    if target.id == caller.id:
        raise _invalid("to_organisation_id", "an organisation does not refer a contact to itself")
    if body.purpose == "back":
        earlier = {r.from_organisation for r in await repository.referrals_of(session, reference)
                   if r.to_organisation == caller.id}
        if negotiation is not None:
            earlier.add(negotiation.received_by)
        if target.id not in earlier:
            raise _invalid("to_organisation_id", "a referral back goes to an organisation the contact came from")
        if not body.reason:
            raise _invalid("reason", "a referral back needs a reason")
    open_rows = await repository.referrals_of(session, reference, purposes=(body.purpose,),
                                              statuses=("pending", "accepted"))
    if any(r.to_organisation == target.id for r in open_rows):
        raise Conflict(f"a {body.purpose} referral to {target.id} is already open")
    kind, route = _kind_and_route(negotiation, contact)
    event = propose(session, ctx, contact=contact, reference=reference, from_organisation=caller.id,
                    to_organisation=target.id, purpose=body.purpose, kind=kind, route=route,
                    request_reason=body.reason)
    return await repository.get_referral(session, event.data.referral_id), [event]


async def _protocol_by_hand(session: AsyncSession, ctx: Context, *, caller: Organisation, body: ReferralIn,
                            negotiation: Negotiation | None, contact, target: Organisation):
    """The receiver (as interim owner) proposes an owner, takes it on itself, or adds a contributor."""
    if negotiation is None:
        raise Conflict(f"{body.reference} has not been triaged yet")
    # Once ownership is agreed, neither an owner nor a contributor is added by hand.
    domain.check(negotiation, "take_by_hand")
    if not target.is_responsible_body:
        raise _invalid("to_organisation_id", "only a responsible body can own or contribute to a complaint")
    receivers = domain.receivers(negotiation.received_by, ctx.directory)
    decision = decision_of(negotiation)
    if negotiation.route not in ev.CASE_ROUTES:
        negotiation.route = "complaint"
        decision = decision_of(negotiation)
    rows = await repository.referrals_of(session, body.reference, purposes=("ownership", "joint"))
    common = dict(contact=contact, reference=body.reference, from_organisation=negotiation.received_by,
                  kind=decision.kind, route=decision.route, request_reason=body.reason)
    if body.purpose == "joint":
        if caller.id not in receivers | {negotiation.lead}:
            raise Forbidden("only the receiving organisation or the lead adds contributors")
        if any(r.to_organisation == target.id and r.status in ("pending", "accepted") for r in rows) \
                or target.id == negotiation.lead:
            raise Conflict(f"{target.id} is already involved in {body.reference}")
        event = propose(session, ctx, to_organisation=target.id, purpose="joint", role="contributor", **common)
        return await repository.get_referral(session, event.data.referral_id), [event]
    if caller.id not in receivers:
        raise Forbidden("only the receiving organisation, as interim owner, proposes an owner")
    if any(r.role == "lead" and r.status == "pending" for r in rows):
        raise Conflict(f"a proposal to own {body.reference} is waiting for an answer")
    if target.id in receivers:
        # The receiving body takes it on itself: it has had the contact since it was received (taken
        # out of PALS's hands, the complaint enters the procedure today).
        in_procedure = ctx.now if negotiation.state == NegotiationState.PALS \
            else await in_procedure_since(session, negotiation)
        domain.take_by_hand(negotiation, lead=target.id, lead_accepted_at=decision.received_at, now=ctx.now,
                            lead_received_at=in_procedure)
        return None, await maybe_agree(session, ctx, negotiation)
    domain.take_by_hand(negotiation, lead=target.id, lead_accepted_at=None, now=ctx.now)
    negotiation.tried = [o for o in negotiation.tried if o != target.id]
    purpose = "joint" if any(r.role == "contributor" and r.status != "withdrawn" for r in rows) else "ownership"
    event = propose(session, ctx, to_organisation=target.id, purpose=purpose, role="lead", **common)
    return await repository.get_referral(session, event.data.referral_id), [event]


def _invalid(field: str, message: str) -> Invalid:
    return Invalid.field(f"body.{field}", message, "invalid")


# The roles that handle complaints: a person with only `reports_only` is never given the details.
DETAIL_ROLES = frozenset({"handler", "customer_relations", "senior_manager"})


async def referral_for(session: AsyncSession, ctx: Context, *, referral_id: str,
                       caller: Organisation, with_details: bool = True) -> ReferralWithDetails:
    """A referral as its parties see it; the addressed organisation also gets the details, audited."""
    row = await party_referral(session, referral_id, caller.id)
    view = ReferralWithDetails.model_validate(ReferralView.model_validate(row, from_attributes=True).model_dump())
    contact = await repository.get_contact(session, row.reference)
    if not with_details or caller.id != row.to_organisation or contact is None or row.status == "withdrawn":
        return view
    if caller.kind == "advocacy" and not contact.consent_to_share:
        return view  # an advocate sees personal data only once the complainant consents to sharing
    data = contact_data(contact)
    session.add(DetailAccess(referral_id=row.id, reference=row.reference, organisation_id=caller.id,
                             accessed_at=ctx.now))
    view.details = ContactDetails(
        received_by=data.received_by, received_at=data.received_at, kind=data.kind,
        consent_to_share=data.consent_to_share, wants_advocacy=data.wants_advocacy,
        **{k: v for k, v in domain.personal_data(data).items()})
    return view


async def accesses_of(session: AsyncSession, *, referral_id: str, caller: Organisation) -> list[DetailAccessView]:
    """Who was given a referral's details, and when: for its parties only."""
    await party_referral(session, referral_id, caller.id, lock=False)
    return [DetailAccessView.model_validate(r, from_attributes=True)
            for r in await repository.accesses_of(session, referral_id)]


# While ownership moves on after an override, the agreed owner holds the contact as interim owner.
_MOVING = frozenset({NegotiationState.NEGOTIATING, NegotiationState.ESCALATED, NegotiationState.AWAITING_CONTACT})


async def ownership_of(session: AsyncSession, *, reference: str, caller: Organisation) -> OwnershipView:
    """Who owns a contact now; never nobody: the receiver is interim owner until it is agreed."""
    if caller.id not in await involved_in(session, reference):
        raise NotFound(f"no contact {reference}")
    negotiation = await repository.get_negotiation(session, reference)
    ownership = await repository.get_ownership(session, reference)
    contact = await repository.get_contact(session, reference)
    received_by = next((r.received_by for r in (ownership, negotiation, contact) if r is not None), caller.id)
    if ownership is not None:
        # Re-routed by an override: the agreed owner holds it, as interim owner, until the new body accepts.
        moving = negotiation is not None and negotiation.state in _MOVING
        return OwnershipView(reference=reference, received_by=received_by, owner=ownership.owner, interim=moving,
                             contributors=list(ownership.contributors),
                             state=negotiation.state if moving else NegotiationState.AGREED.value,
                             route=negotiation.route if negotiation else "complaint")
    return OwnershipView(reference=reference, received_by=received_by, owner=received_by, interim=True,
                         contributors=[], state=negotiation.state if negotiation else "awaiting_triage",
                         route=negotiation.route if negotiation else "unknown")
