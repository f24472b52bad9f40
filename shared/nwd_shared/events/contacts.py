"""Events intake publishes on nwd.contacts: a contact received at any door, its consent and corrections."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from nwd_shared.events.common import CONTACTS, Channel, ContactKind, Relationship, ServiceType
from nwd_shared.events.envelope import CloudEvent, EventData

# How the person prefers to be contacted (a communication need, not the channel the contact came by).
PreferredChannel = Literal["email", "phone", "letter", "in_person", "text_message", "other"]
# How a representative's consent was checked with the person affected (seed 003 §2.11).
ConsentMethod = Literal["phone", "letter", "email", "in_person", "other"]


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


class CommunicationNeeds(EventData):
    """What the person needs to take part: letters in large print or easy read, a language, a channel."""

    large_print: bool = False
    easy_read: bool = False
    language: str | None = None
    preferred_channel: PreferredChannel | None = None
    other: str | None = None


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
    # Added in v1: the person's communication needs, and whether the complainant gave no name
    # (an anonymous contact is handled, but no letter can be addressed to anyone).
    communication_needs: CommunicationNeeds | None = None
    anonymous: bool = False


class ContactReceived(CloudEvent):
    """A contact was recorded at one of the doors and given its reference."""

    topic = CONTACTS
    type: Literal["nwd.contact.received.v1"] = "nwd.contact.received.v1"
    data: ContactReceivedData


class RepresentativeConsent(EventData):
    """The person affected knows of and agrees with (or refused) a representative's complaint (reg 5)."""

    confirmed: bool
    confirmed_on: date
    # The member of staff who checked with the person affected (a person id), or the credential.
    confirmed_by: str
    method: ConsentMethod


class ConsentChangedData(EventData):
    reference: str
    # The organisation and the person (None: the organisation's system) who recorded the change.
    organisation: str
    changed_by: str | None = None
    changed_at: datetime
    # The consent as it stands after the change; `changed` names what this change set.
    consent_to_share: bool
    representative_consent: RepresentativeConsent | None = None
    changed: list[Literal["consent_to_share", "representative_consent"]]


class ConsentChanged(CloudEvent):
    """Consent to share, or a representative's consent from the person affected, was recorded or changed."""

    topic = CONTACTS
    type: Literal["nwd.contact.consent_changed.v1"] = "nwd.contact.consent_changed.v1"
    data: ConsentChangedData


class DetailsCorrectedData(EventData):
    reference: str
    organisation: str
    corrected_by: str | None = None
    corrected_at: datetime
    # Which fields changed (e.g. complainant.email), never their values: readers fetch them over HTTP.
    fields: list[str]
    # Whether the complainant is still without a name after the correction.
    anonymous: bool


class DetailsCorrected(CloudEvent):
    """A contact's names, contact details or communication needs were corrected; the values stay at intake."""

    topic = CONTACTS
    type: Literal["nwd.contact.details_corrected.v1"] = "nwd.contact.details_corrected.v1"
    data: DetailsCorrectedData


# The event types this producer publishes, in the contract's order.
EVENTS: tuple[type[CloudEvent], ...] = (ContactReceived, ConsentChanged, DetailsCorrected)

__all__ = [
    "PreferredChannel", "ConsentMethod", "Person", "Complainant", "Concern", "CommunicationNeeds",
    "ContactReceivedData", "ContactReceived", "RepresentativeConsent", "ConsentChangedData", "ConsentChanged",
    "DetailsCorrectedData", "DetailsCorrected",
]
