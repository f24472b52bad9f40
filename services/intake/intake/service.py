"""Intake use cases: receive a contact, follow its journey. Never commits: the edge does."""

from __future__ import annotations

from datetime import timedelta

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from intake import domain, repository
from intake.models import Contact, IdempotencyRecord, JourneyEntry
from intake.schemas import ContactIn
from nwd_shared import events as ev
from nwd_shared import retention
from nwd_shared.context import Context
from nwd_shared.directory import Organisation
from nwd_shared.errors import Conflict, FieldError, Invalid, NotFound

log = structlog.get_logger(__name__)


def _validate_against_directory(contact: ContactIn, ctx: Context, skew: int) -> None:
    """What the request's schema cannot check: organisations in the directory, dates not in the future."""
    errors = [
        FieldError(f"body.concerns.{index}.organisation_id", f"unknown organisation {concern.organisation_id!r}",
                   "unknown_organisation")
        for index, concern in enumerate(contact.concerns)
        if concern.organisation_id and ctx.directory.get(concern.organisation_id) is None
    ]
    if contact.received_at and contact.received_at > ctx.now + timedelta(seconds=skew):
        errors.append(FieldError("body.received_at", "must not be in the future", "future_date"))
    # The London date: at 23:30 UTC on a summer evening it is already tomorrow in England.
    if contact.event_date and contact.event_date > ctx.today:
        errors.append(FieldError("body.event_date", "must not be in the future", "future_date"))
    if errors:
        raise Invalid(*errors)


async def receive_contact(
    session: AsyncSession, ctx: Context, *, contact: ContactIn, idempotency_key: str | None,
    clock_skew_seconds: int,
) -> tuple[Contact, list[ev.CloudEvent]]:
    """Store a contact received by the caller and return `contact.received`; a repeated Idempotency-Key
    returns the first contact and no event."""
    _validate_against_directory(contact, ctx, clock_skew_seconds)
    receiver, now = ctx.caller, ctx.now
    submission = contact.model_dump(mode="json")
    fingerprint = domain.request_fingerprint(submission)
    if idempotency_key is not None:
        previous = await repository.get_idempotency_record(session, receiver, idempotency_key)
        if previous is not None:
            if previous.request_sha256 not in {fingerprint, *domain.legacy_fingerprints(submission)}:
                raise Conflict("this Idempotency-Key was used with a different request body")
            return await repository.get_contact(session, previous.reference), []

    received_at = contact.received_at or now
    reference = domain.new_reference()
    row = Contact(
        reference=reference, received_by=receiver, received_at=received_at, kind=contact.kind,
        channel=contact.channel, submission=submission, status="received", owner=receiver,
        contributors=[], route=None, visible_to=[], updated_at=now,
    )
    session.add(row)
    if idempotency_key is not None:
        session.add(IdempotencyRecord(organisation_id=receiver, key=idempotency_key,
                                      request_sha256=fingerprint, reference=reference, created_at=now))
    try:
        await session.flush()
    except IntegrityError as exc:
        # Another request with the same key won the race; the partner retries and gets its answer.
        raise Conflict("a request with this Idempotency-Key is being handled; retry shortly") from exc
    received = ev.ContactReceived(
        source=ctx.source, subject=reference, time=now,
        data=ev.ContactReceivedData(
            **submission | {"reference": reference, "received_by": receiver, "received_at": received_at,
                            "anonymous": domain.is_anonymous(submission)}
        ),
    )
    log.info("contact received", reference=reference, received_by=receiver, kind=contact.kind,
             channel=contact.channel)
    return row, [received]


def can_see(contact: Contact, organisation: Organisation) -> bool:
    """Receiver, owner, contributors and organisations a referral names may see a contact."""
    if organisation.id in {contact.received_by, contact.owner, *contact.contributors}:
        return True
    if organisation.id not in contact.visible_to:
        return False
    # An advocacy service a referral names sees personal data only with the complainant's consent.
    return organisation.kind != "advocacy" or bool(contact.submission.get("consent_to_share"))


async def visible_contact(session: AsyncSession, ctx: Context, reference: str) -> Contact:
    """A contact the caller may see; NotFound otherwise, so no one learns that it exists."""
    contact = await repository.get_contact(session, reference)
    caller = ctx.directory.get(ctx.caller)
    if contact is None or caller is None or not can_see(contact, caller):
        raise NotFound(f"no contact {reference} for {ctx.caller}")
    return contact


async def owned_contact(session: AsyncSession, ctx: Context, reference: str) -> Contact:
    """A contact the caller owns (its audit trail is the owner's customer relations' only)."""
    contact = await repository.get_contact(session, reference)
    if contact is None or contact.owner != ctx.caller:
        raise NotFound(f"no contact {reference} for {ctx.caller}")
    return contact


async def audited_contact(session: AsyncSession, ctx: Context, reference: str) -> str:
    """The reference of a contact whose audit trail the caller may read: the owner's."""
    return (await owned_contact(session, ctx, reference)).reference


async def record_step(session: AsyncSession, event: ev.CloudEvent) -> None:
    """Add an event to its contact's journey and move the contact's status, owner and route on."""
    step = domain.step_for(event)
    session.add(JourneyEntry(reference=event.subject, event_id=f"{event.source}#{event.id}",
                             event_type=event.type, at=event.time, organisation=step.organisation,
                             summary=step.summary[:500]))
    contact = await repository.get_contact(session, event.subject)
    if contact is None:
        return
    # Topics are not ordered with each other: a late contact.received must not undo "owned".
    if step.status is not None and event.time >= contact.updated_at:
        contact.status = step.status
    data = event.data
    match event:
        case ev.TriageCompleted() | ev.TriageOverridden():
            contact.route = data.route
        case ev.ReferralProposed():
            contact.visible_to = sorted({*contact.visible_to, data.to_organisation})
        case ev.CaseEscalated() if data.ombudsman_id:
            # The ombudsman casework names reads the complaint from escalation, not only once referred.
            contact.visible_to = sorted({*contact.visible_to, data.ombudsman_id})
        case ev.OwnershipAgreed():
            contact.owner = data.owner
            contact.contributors = list(data.contributors)
    contact.updated_at = max(contact.updated_at, event.time)
    contact.ended_at = retention.ended_at(contact.ended_at, event)
