"""Referral HTTP API: partners answer proposals."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query

from nwd_shared.app import ReadSession, RuntimeDep, Work
from nwd_shared.auth import CurrentOrganisation
from referral import repository, service
from referral.models import Referral
from referral.schemas import DeclineIn, ReferralList, ReferralView

router = APIRouter(prefix="/v1/referrals", tags=["referrals"])


def _view(row: Referral) -> ReferralView:
    return ReferralView.model_validate(row, from_attributes=True)


@router.get("", response_model=ReferralList)
async def list_referrals(
    caller: CurrentOrganisation,
    session: ReadSession,
    reference: str | None = Query(default=None, max_length=32),
    status: Literal["pending", "accepted", "declined"] | None = None,
) -> ReferralList:
    """Referrals the caller sent or received; with status, those addressed to the caller."""
    rows = await repository.referrals_for(session, caller.id, reference=reference, status=status)
    return ReferralList(items=[_view(r) for r in rows])


@router.post("/{referral_id}/accept", response_model=ReferralView)
async def accept_referral(referral_id: str, caller: CurrentOrganisation, work: Work,
                          runtime: RuntimeDep) -> ReferralView:
    """Accept ownership of a referred contact."""
    row, events = await service.accept(work.session, referral_id=referral_id, caller=caller,
                                       source=runtime.settings.source, now=runtime.clock())
    await work.emit(events)
    return _view(row)


@router.post("/{referral_id}/decline", response_model=ReferralView)
async def decline_referral(referral_id: str, body: DeclineIn, caller: CurrentOrganisation, work: Work,
                           runtime: RuntimeDep) -> ReferralView:
    """Decline a referral with a reason and, optionally, the organisation that should have it."""
    row, events = await service.decline(work.session, referral_id=referral_id, caller=caller, answer=body,
                                        source=runtime.settings.source, now=runtime.clock())
    await work.emit(events)
    return _view(row)
