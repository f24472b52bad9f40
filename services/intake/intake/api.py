"""Intake's HTTP API: the one door."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response, status

from intake import repository, service
from intake.schemas import ContactAccepted, ContactIn, ContactView, JourneyStep
from nwd_shared.app import ReadSession, RuntimeDep, Work
from nwd_shared.auth import CurrentOrganisation, require_scope
from nwd_shared.http import Problem

router = APIRouter(prefix="/v1/contacts", tags=["contacts"])


@router.post("", status_code=status.HTTP_202_ACCEPTED, response_model=ContactAccepted,
             dependencies=[require_scope("contacts:write")])
async def post_contact(
    body: ContactIn,
    caller: CurrentOrganisation,
    work: Work,
    runtime: RuntimeDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=255, min_length=1)] = None,
) -> ContactAccepted:
    """Record a contact once; the caller is the receiving organisation."""
    contact = await service.receive_contact(
        work, receiver=caller, contact=body, idempotency_key=idempotency_key,
        directory=runtime.directory, now=runtime.clock(), source=runtime.settings.source,
        clock_skew_seconds=runtime.settings.clock_skew_seconds,
    )
    response.headers["Location"] = f"/v1/contacts/{contact.reference}"
    return ContactAccepted(
        reference=contact.reference, status=contact.status, received_by=contact.received_by,
        received_at=contact.received_at, links={"self": f"/v1/contacts/{contact.reference}"},
    )


@router.get("/{reference}", response_model=ContactView)
async def get_contact(reference: str, caller: CurrentOrganisation, session: ReadSession) -> ContactView:
    """The contact's whole journey, for the organisations involved in it (404 to anyone else)."""
    contact = await repository.get_contact(session, reference)
    if contact is None or not service.can_see(contact, caller.id):
        raise Problem(404, f"no contact {reference} for {caller.id}")
    journey = await repository.journey_of(session, reference)
    return ContactView(
        reference=contact.reference, status=contact.status, kind=contact.kind, channel=contact.channel,
        received_by=contact.received_by, received_at=contact.received_at, owner=contact.owner,
        contributors=contact.contributors, route=contact.route,
        journey=[JourneyStep(at=j.at, type=j.event_type, organisation=j.organisation, summary=j.summary)
                 for j in journey],
    )
