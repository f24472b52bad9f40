"""Webhook HTTP API: an organisation registers endpoints and sees what was delivered to them."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Response

from nwd_shared.app import ReadSession, RuntimeDep, Work
from nwd_shared.auth import CurrentOrganisation, require_scope
from referral.webhooks import egress, repository, service
from referral.webhooks.schemas import (
    DeliveryList,
    SubscriptionCreated,
    SubscriptionIn,
    SubscriptionList,
    SubscriptionView,
)

router = APIRouter(prefix="/v1/subscriptions", tags=["webhooks"])


@router.post("", response_model=SubscriptionCreated, status_code=201,
             dependencies=[require_scope("subscriptions:write")])
async def subscribe(body: SubscriptionIn, caller: CurrentOrganisation, work: Work,
                    runtime: RuntimeDep) -> SubscriptionCreated:
    """Register an endpoint for referral events that name the caller; signed per Standard Webhooks.

    The URL must be https and must not name an address inside the network (422); its host is
    resolved and checked again at every send.
    """
    row = await service.subscribe(work.session, caller=caller, body=body, now=runtime.clock(),
                                  policy=egress.Policy.of(runtime.settings))
    return SubscriptionCreated.model_validate(row, from_attributes=True)


@router.get("", response_model=SubscriptionList)
async def list_subscriptions(caller: CurrentOrganisation, session: ReadSession) -> SubscriptionList:
    """The caller's endpoints."""
    rows = await repository.subscriptions_of(session, caller.id)
    return SubscriptionList(items=[SubscriptionView.model_validate(r, from_attributes=True) for r in rows])


@router.get("/{subscription_id}", response_model=SubscriptionView)
async def get_subscription(subscription_id: str, caller: CurrentOrganisation,
                           session: ReadSession) -> SubscriptionView:
    """One of the caller's endpoints."""
    row = await service.own_subscription(session, subscription_id, caller)
    return SubscriptionView.model_validate(row, from_attributes=True)


@router.delete("/{subscription_id}", status_code=204, dependencies=[require_scope("subscriptions:write")])
async def unsubscribe(subscription_id: str, caller: CurrentOrganisation, work: Work) -> Response:
    """Stop sending to an endpoint."""
    await service.unsubscribe(work.session, subscription_id=subscription_id, caller=caller)
    return Response(status_code=204)


@router.get("/{subscription_id}/deliveries", response_model=DeliveryList)
async def list_deliveries(
    subscription_id: str, caller: CurrentOrganisation, session: ReadSession,
    status: Literal["pending", "delivered", "failed", "cancelled"] | None = None,
    limit: int = Query(default=100, ge=1, le=500),
) -> DeliveryList:
    """What was sent to an endpoint, newest first, with every attempt's status code and coarse outcome."""
    items = await service.deliveries(session, subscription_id=subscription_id, caller=caller, status=status,
                                     limit=limit)
    return DeliveryList(items=items)
