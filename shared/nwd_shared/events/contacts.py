"""Events intake publishes on nwd.contacts: a contact received at any door."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from nwd_shared.events.common import CONTACTS, Channel, ContactKind, Relationship, ServiceType
from nwd_shared.events.envelope import CloudEvent, EventData


class Person(EventData):
    name: str | None = None
    email: str | None = None
    phone: str | None = None


class Complainant(Person):
    relationship: Relationship = "self"


class Concern(EventData):
    organisation_id: str | None = None
    service_type: ServiceType | None = None
    area: str | None = None
    summary: str | None = None


class ContactReceivedData(EventData):
    reference: str
    received_by: str
    received_at: datetime
    kind: ContactKind
    channel: Channel
    complainant: Complainant
    person_affected: Person | None = None
    concerns: list[Concern]
    description: str
    desired_outcome: str | None = None
    event_date: date | None = None
    consent_to_share: bool = False
    resolved_at_first_contact: bool = False
    safeguarding_concern: bool | None = None
    wants_advocacy: bool = False
    immediate_issue: bool = False


class ContactReceived(CloudEvent):
    """A contact was recorded at one of the doors and given its reference."""

    topic = CONTACTS
    type: Literal["nwd.contact.received.v1"] = "nwd.contact.received.v1"
    data: ContactReceivedData


# The event types this producer publishes, in the contract's order.
EVENTS: tuple[type[CloudEvent], ...] = (ContactReceived,)

__all__ = ["Person", "Complainant", "Concern", "ContactReceivedData", "ContactReceived"]
