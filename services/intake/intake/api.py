"""Intake's HTTP API: the one door."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request, Response, status

from intake import complaint, domain, repository, service
from intake.models import Contact
from intake.models import audit as audit_table
from intake.schemas import (
    ComplaintView,
    ConsentIn,
    ConsentView,
    ContactAccepted,
    ContactIn,
    ContactView,
    CorrectionView,
    DetailsCorrectionIn,
    JourneyStep,
)
from nwd_shared import audit
from nwd_shared.app import RuntimeDep, Work
from nwd_shared.auth import CurrentOrganisation, require_scope
from nwd_shared.context import Context, ContextDep
from nwd_shared.openapi_links import links

router = APIRouter(prefix="/v1/contacts", tags=["contacts"])
# What a new contact's reference leads to (OpenAPI links: clients and stateful fuzzing follow them).
RECEIVED_LINKS = links("$response.body#/reference", *[
    (method, "/v1/contacts/{reference}" + tail) for method, tail in (
        ("get", ""), ("get", "/complaint"), ("get", "/audit"), ("post", "/consent"), ("patch", "/contact-details"))])


@router.post("", status_code=status.HTTP_202_ACCEPTED, response_model=ContactAccepted,
             responses={202: {"links": RECEIVED_LINKS}},
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


@router.get("/{reference}", response_model=ContactView, dependencies=[require_scope("contacts:read")])
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


def _complaint_view(contact: Contact) -> ComplaintView:
    submission = contact.submission
    return ComplaintView.model_validate(submission | {
        "reference": contact.reference, "status": contact.status, "received_by": contact.received_by,
        "received_at": contact.received_at, "owner": contact.owner, "contributors": contact.contributors,
        "anonymous": domain.is_anonymous(submission), "anonymised_at": contact.anonymised_at,
        "consent": _consent_view(contact),
    })


def _consent_view(contact: Contact) -> ConsentView:
    return ConsentView(consent_to_share=bool(contact.submission.get("consent_to_share")),
                       representative_consent=contact.submission.get("representative_consent"))


@router.get("/{reference}/complaint", response_model=ComplaintView,
            dependencies=[require_scope("contacts:read")])
async def get_complaint(reference: str, ctx: ContextDep, work: Work, request: Request) -> ComplaintView:
    """The whole contact (description, desired outcome, people, contact details, needs, consent): for the
    receiver, the owner, each contributor and the ombudsman after escalation; every read audited."""
    contact = await complaint.readable_complaint(work.session, ctx, reference)
    await audit.record(work.session, audit_table, request, action="read", resource="contact.complaint",
                       reference=reference)
    return _complaint_view(contact)


@router.post("/{reference}/consent", response_model=ConsentView, dependencies=[require_scope("contacts:write")])
async def post_consent(reference: str, body: ConsentIn, ctx: ContextDep, work: Work,
                       request: Request) -> ConsentView:
    """Record or change consent to share, and a representative's consent from the person affected (reg 5)."""
    contact, caused = await complaint.change_consent(work.session, ctx, reference, body)
    if caused:
        await work.emit(caused)
        await audit.record(work.session, audit_table, request, action="update", resource="contact.consent",
                           reference=reference)
    return _consent_view(contact)


@router.patch("/{reference}/contact-details", response_model=CorrectionView,
              dependencies=[require_scope("contacts:write")])
async def patch_contact_details(reference: str, body: DetailsCorrectionIn, ctx: ContextDep, work: Work,
                                request: Request) -> CorrectionView:
    """Correct the complainant's name and contact details, the person affected's name, communication needs."""
    contact, fields, caused = await complaint.correct_details(work.session, ctx, reference, body)
    if caused:
        await work.emit(caused)
        await audit.record(work.session, audit_table, request, action="update", resource="contact.details",
                           reference=reference)
    return CorrectionView(reference=reference, fields=fields, anonymous=domain.is_anonymous(contact.submission))
