"""Intake's HTTP API: the one door."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request, Response, status

from intake import repository, service
from intake.models import audit as audit_table
from intake.schemas import AuditEntry, ContactAccepted, ContactIn, ContactView, JourneyStep
from nwd_shared import audit
from nwd_shared.app import ReadSession, RuntimeDep, Work
from nwd_shared.auth import CurrentOrganisation, require_scope
from nwd_shared.context import Context

router = APIRouter(prefix="/v1/contacts", tags=["contacts"])


@router.post("", status_code=status.HTTP_202_ACCEPTED, response_model=ContactAccepted,
             dependencies=[require_scope("contacts:write")])
async def post_contact(
    request: Request,
    body: ContactIn,
    caller: CurrentOrganisation,
    work: Work,
    runtime: RuntimeDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=255, min_length=1)] = None,
) -> ContactAccepted:
    """Record a contact once; the caller is the receiving organisation."""
    contact, caused = await service.receive_contact(
        work.session, Context.of(runtime, caller.id), contact=body, idempotency_key=idempotency_key,
        clock_skew_seconds=runtime.settings.clock_skew_seconds,
    )
    await work.emit(caused)
    await audit.record(work.session, audit_table, request, action="create", resource="contact",
                       reference=contact.reference)
    response.headers["Location"] = f"/v1/contacts/{contact.reference}"
    return ContactAccepted(
        reference=contact.reference, status=contact.status, received_by=contact.received_by,
        received_at=contact.received_at, links={"self": f"/v1/contacts/{contact.reference}"},
    )


@router.get("/{reference}", response_model=ContactView)
async def get_contact(reference: str, caller: CurrentOrganisation, work: Work, runtime: RuntimeDep,
                      request: Request) -> ContactView:
    """The contact's whole journey, for the organisations involved in it (404 to anyone else)."""
    session = work.session
    contact = await service.visible_contact(session, Context.of(runtime, caller.id), reference)
    await audit.record(session, audit_table, request, action="read", resource="contact", reference=reference)
    journey = await repository.journey_of(session, reference)
    return ContactView(
        reference=contact.reference, status=contact.status, kind=contact.kind, channel=contact.channel,
        received_by=contact.received_by, received_at=contact.received_at, owner=contact.owner,
        contributors=contact.contributors, route=contact.route,
        journey=[JourneyStep(at=j.at, type=j.event_type, organisation=j.organisation, summary=j.summary)
                 for j in journey],
    )


@router.get("/{reference}/audit", response_model=list[AuditEntry],
            dependencies=[require_scope("customer-relations")])
async def get_audit_trail(reference: str, caller: CurrentOrganisation, session: ReadSession,
                          runtime: RuntimeDep) -> list[AuditEntry]:
    """Who read or changed this contact at intake: for the owning organisation's customer relations."""
    await service.owned_contact(session, Context.of(runtime, caller.id), reference)
    return [AuditEntry.model_validate(row) for row in await audit.trail(session, audit_table, reference)]
