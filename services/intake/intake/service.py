"""Intake use cases: receive a contact, follow its journey. Never commits: the edge does."""

from __future__ import annotations

from datetime import datetime, timedelta

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from intake import domain, repository
from intake.models import Contact, IdempotencyRecord, JourneyEntry
from intake.schemas import ContactIn
from nwd_shared import events as ev
from nwd_shared import retention
from nwd_shared.app import UnitOfWork
from nwd_shared.directory import Directory, Organisation
from nwd_shared.http import Problem

log = structlog.get_logger(__name__)


def _validate_against_directory(contact: ContactIn, directory: Directory, now: datetime, skew: int) -> None:
    errors = []
    for index, concern in enumerate(contact.concerns):
        if concern.organisation_id and directory.get(concern.organisation_id) is None:
            errors.append({"field": f"body.concerns.{index}.organisation_id",
                           "message": f"unknown organisation {concern.organisation_id!r}",
                           "type": "unknown_organisation"})
    if contact.received_at and contact.received_at > now + timedelta(seconds=skew):
        errors.append({"field": "body.received_at", "message": "must not be in the future",
                       "type": "future_date"})
    if contact.event_date and contact.event_date > now.date():
        errors.append({"field": "body.event_date", "message": "must not be in the future",
                       "type": "future_date"})
    if errors:
        raise Problem(422, f"{len(errors)} invalid field(s)", errors=errors)


async def receive_contact(
    work: UnitOfWork,
    *,
    receiver: Organisation,
    contact: ContactIn,
    idempotency_key: str | None,
    directory: Directory,
    now: datetime,
    source: str,
    clock_skew_seconds: int,
) -> Contact:
    """Store a contact and stage `contact.received`; a repeated Idempotency-Key returns the first."""
    _validate_against_directory(contact, directory, now, clock_skew_seconds)
    session = work.session
    submission = contact.model_dump(mode="json")
    fingerprint = domain.request_fingerprint(submission)
    if idempotency_key is not None:
        previous = await repository.get_idempotency_record(session, receiver.id, idempotency_key)
        if previous is not None:
            if previous.request_sha256 != fingerprint:
                raise Problem(409, "this Idempotency-Key was used with a different request body")
            return await repository.get_contact(session, previous.reference)

    received_at = contact.received_at or now
    reference = domain.new_reference()
    row = Contact(
        reference=reference, received_by=receiver.id, received_at=received_at, kind=contact.kind,
        channel=contact.channel, submission=submission, status="received", owner=receiver.id,
        contributors=[], route=None, visible_to=[], updated_at=now,
    )
    session.add(row)
    if idempotency_key is not None:
        session.add(IdempotencyRecord(organisation_id=receiver.id, key=idempotency_key,
                                      request_sha256=fingerprint, reference=reference, created_at=now))
    try:
        await session.flush()
    except IntegrityError as exc:
        # Another request with the same key won the race; the partner retries and gets its answer.
        raise Problem(409, "a request with this Idempotency-Key is being handled; retry shortly") from exc
    await work.emit([
        ev.ContactReceived(
            source=source, subject=reference, time=now,
            data=ev.ContactReceivedData(
                **submission | {"reference": reference, "received_by": receiver.id, "received_at": received_at}
            ),
        )
    ])
    log.info("contact received", reference=reference, received_by=receiver.id, kind=contact.kind,
             channel=contact.channel)
    return row


def can_see(contact: Contact, organisation: Organisation) -> bool:
    """Receiver, owner, contributors and organisations a referral names may see a contact."""
    if organisation.id in {contact.received_by, contact.owner, *contact.contributors}:
        return True
    if organisation.id not in contact.visible_to:
        return False
    # An advocacy service a referral names sees personal data only with the complainant's consent.
    return organisation.kind != "advocacy" or bool(contact.submission.get("consent_to_share"))


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
        case ev.OwnershipAgreed():
            contact.owner = data.owner
            contact.contributors = list(data.contributors)
    contact.updated_at = max(contact.updated_at, event.time)
    contact.ended_at = retention.ended_at(contact.ended_at, event)
