"""Referral HTTP API: partners answer proposals, refer by hand, and read what they may see."""

from __future__ import annotations

from typing import get_args

from fastapi import APIRouter, Query, Request, Response

from nwd_shared import audit
from nwd_shared import events as ev
from nwd_shared.app import ReadSession, RuntimeDep, Work
from nwd_shared.auth import CurrentOrganisation, caller_of, personal_data_refusal, require_scope
from referral import partners, repository, service
from referral.context import Context
from referral.models import Referral
from referral.models import audit as audit_table
from referral.schemas import (
    DeclineIn,
    DetailAccessList,
    OwnershipView,
    ReasonIn,
    ReferralIn,
    ReferralList,
    ReferralStatus,
    ReferralView,
    ReferralWithDetails,
    ResolveIn,
)
from referral.staging import stage

router = APIRouter(prefix="/v1/referrals", tags=["referrals"])
ownership_router = APIRouter(prefix="/v1/ownership", tags=["referrals"])


def _view(row: Referral) -> ReferralView:
    return ReferralView.model_validate(row, from_attributes=True)


async def _changed(work: Work, ctx: Context, request: Request, resource: str,
                   answered: tuple[Referral, list[ev.CloudEvent]]) -> ReferralView:
    """Stage what an answer caused, audit the change, and answer with the referral."""
    row, events = answered
    await stage(work.session, ctx, events)
    await audit.record(work.session, audit_table, request, action="update", resource=resource,
                       reference=row.reference)
    return _view(row)


@router.get("", response_model=ReferralList)
async def list_referrals(
    caller: CurrentOrganisation,
    session: ReadSession,
    reference: str | None = Query(default=None, max_length=32),
    status: ReferralStatus | None = Query(default=None, description=", ".join(get_args(ReferralStatus))),
) -> ReferralList:
    """Referrals the caller sent or received; with status, those addressed to the caller."""
    rows = await repository.referrals_for(session, caller.id, reference=reference, status=status)
    return ReferralList(items=[_view(r) for r in rows])


@router.post("", response_model=ReferralView, status_code=201, dependencies=[require_scope("referrals:write")],
             responses={204: {"description": "the receiver took ownership on itself: nothing to answer"}})
async def refer(body: ReferralIn, caller: CurrentOrganisation, work: Work, runtime: RuntimeDep,
                request: Request) -> ReferralView | Response:
    """Refer a contact on by hand: to PALS, advocacy, an ombudsman, back again, or for ownership."""
    ctx = Context.of(runtime, caller=caller.id)
    row, events = await partners.refer_by_hand(work.session, ctx, caller=caller, body=body)
    await stage(work.session, ctx, events)
    await audit.record(work.session, audit_table, request, action="create", resource="referral",
                       reference=body.reference)
    if row is None:
        return Response(status_code=204)
    return _view(row)


@router.get("/{referral_id}", response_model=ReferralWithDetails)
async def get_referral(referral_id: str, caller: CurrentOrganisation, work: Work,
                       runtime: RuntimeDep, request: Request) -> ReferralWithDetails:
    """A referral; the organisation it is addressed to also gets the contact's details (audited)."""
    person = caller_of(request).actor
    # The contact's details are personal data: given only with `contacts:read` (and a handling role).
    may_read = personal_data_refusal(caller_of(request)) is None
    view = await partners.referral_for(work.session, Context.of(runtime, caller=caller.id),
                                       referral_id=referral_id, caller=caller,
                                       with_details=may_read and (person is None
                                                                  or bool(person.roles & partners.DETAIL_ROLES)))
    await audit.record(work.session, audit_table, request, action="read",
                       resource="referral.details" if view.details else "referral", reference=view.reference)
    return view


@router.get("/{referral_id}/accesses", response_model=DetailAccessList)
async def list_accesses(referral_id: str, caller: CurrentOrganisation, session: ReadSession) -> DetailAccessList:
    """Who was given the contact's details through this referral, and when."""
    return DetailAccessList(items=await partners.accesses_of(session, referral_id=referral_id, caller=caller))


@router.post("/{referral_id}/accept", response_model=ReferralView,
             dependencies=[require_scope("referrals:respond")])
async def accept_referral(referral_id: str, caller: CurrentOrganisation, work: Work,
                          runtime: RuntimeDep, request: Request) -> ReferralView:
    """Accept a referral; accepting to lead or own a contact starts the owner's clock today."""
    ctx = Context.of(runtime, caller=caller.id)
    answered = await service.accept(work.session, ctx, referral_id=referral_id, caller=caller)
    return await _changed(work, ctx, request, "referral.accept", answered)


@router.post("/{referral_id}/decline", response_model=ReferralView,
             dependencies=[require_scope("referrals:respond")])
async def decline_referral(referral_id: str, body: DeclineIn, caller: CurrentOrganisation, work: Work,
                           runtime: RuntimeDep, request: Request) -> ReferralView:
    """Decline with a reason and, optionally, the organisation that should have it."""
    ctx = Context.of(runtime, caller=caller.id)
    answered = await service.decline(work.session, ctx, referral_id=referral_id, caller=caller, answer=body)
    return await _changed(work, ctx, request, "referral.decline", answered)


@router.post("/{referral_id}/resolve", response_model=ReferralView,
             dependencies=[require_scope("referrals:respond")])
async def resolve_referral(referral_id: str, body: ResolveIn, caller: CurrentOrganisation, work: Work,
                           runtime: RuntimeDep, request: Request) -> ReferralView:
    """PALS sorted the problem out: the contact closes as resolved."""
    ctx = Context.of(runtime, caller=caller.id)
    answered = await service.resolve(work.session, ctx, referral_id=referral_id, caller=caller,
                                     summary=body.summary)
    return await _changed(work, ctx, request, "referral.resolve", answered)


@router.post("/{referral_id}/return", response_model=ReferralView,
             dependencies=[require_scope("referrals:respond")])
async def return_referral(referral_id: str, body: ReasonIn, caller: CurrentOrganisation, work: Work,
                          runtime: RuntimeDep, request: Request) -> ReferralView:
    """PALS cannot sort it out: it goes into the complaints procedure and ownership is proposed."""
    ctx = Context.of(runtime, caller=caller.id)
    answered = await service.return_to_complaints(work.session, ctx, referral_id=referral_id, caller=caller,
                                                  reason=body.reason)
    return await _changed(work, ctx, request, "referral.return", answered)


@router.post("/{referral_id}/withdraw", response_model=ReferralView,
             dependencies=[require_scope("referrals:write")])
async def withdraw_referral(referral_id: str, body: ReasonIn, caller: CurrentOrganisation, work: Work,
                            runtime: RuntimeDep, request: Request) -> ReferralView:
    """The sender withdraws an unanswered referral, e.g. a contributor that never answered."""
    ctx = Context.of(runtime, caller=caller.id)
    answered = await service.withdraw_by_sender(work.session, ctx, referral_id=referral_id, caller=caller,
                                                reason=body.reason)
    return await _changed(work, ctx, request, "referral.withdraw", answered)


@ownership_router.get("/{reference}", response_model=OwnershipView)
async def get_ownership(reference: str, caller: CurrentOrganisation, session: ReadSession) -> OwnershipView:
    """Who owns a contact now: the receiver is interim owner until ownership is agreed."""
    return await partners.ownership_of(session, reference=reference, caller=caller)
