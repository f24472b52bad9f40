"""Intake's HTTP request and response models (contract.md, Intake)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, model_validator

from nwd_shared.events import (
    Channel,
    ConsentMethod,
    ContactKind,
    PreferredChannel,
    Relationship,
    ServiceType,
)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        raise ValueError("must include a time zone, for example 2026-11-20T10:00:00Z")
    return moment


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


Text = Annotated[str, Field(min_length=1, max_length=200)]


Phone = Annotated[str, Field(min_length=3, max_length=40, pattern=r"^[0-9+() \-]+$")]


class ComplainantIn(_Strict):
    # No name: an anonymous contact, handled but never written to.
    name: Text | None = None
    email: EmailStr | None = None
    phone: Phone | None = None
    relationship: Relationship = "self"


class PersonAffectedIn(_Strict):
    name: Text


class CommunicationNeedsIn(_Strict):
    """What the person needs to take part in the complaint (Equality Act 2010 reasonable adjustments)."""

    large_print: bool = False
    easy_read: bool = False
    language: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    preferred_channel: PreferredChannel | None = None
    other: Annotated[str, Field(min_length=1, max_length=500)] | None = None


class ConcernIn(_Strict):
    """What the contact is about: an organisation, or a service type in an area."""

    organisation_id: Annotated[str, Field(max_length=64, pattern=r"^[a-z0-9-]+$")] | None = None
    service_type: ServiceType | None = None
    area: Annotated[str, Field(max_length=64, pattern=r"^[a-z0-9-]+$")] | None = None
    summary: Annotated[str, Field(max_length=2000)] | None = None

    @model_validator(mode="after")
    def _names_a_place(self) -> ConcernIn:
        if self.organisation_id is None and (self.service_type is None or self.area is None):
            raise ValueError("give organisation_id, or service_type and area")
        return self


class ContactIn(_Strict):
    """A contact as a partner posts it."""

    kind: ContactKind
    channel: Channel
    received_at: Annotated[datetime | None, AfterValidator(_aware)] = None
    complainant: ComplainantIn = Field(default_factory=ComplainantIn)
    person_affected: PersonAffectedIn | None = None
    concerns: list[ConcernIn] = Field(min_length=1, max_length=20)
    description: str = Field(min_length=1, max_length=20_000)
    desired_outcome: Annotated[str, Field(max_length=5000)] | None = None
    event_date: date | None = None
    consent_to_share: bool = False
    resolved_at_first_contact: bool = False
    safeguarding_concern: bool | None = None
    wants_advocacy: bool = False
    immediate_issue: bool = False
    communication_needs: CommunicationNeedsIn | None = None

    @model_validator(mode="after")
    def _person_affected_when_on_behalf(self) -> ContactIn:
        if self.complainant.relationship != "self" and self.person_affected is None:
            raise ValueError("person_affected is required when the complainant is not the person affected")
        return self


class ContactAccepted(BaseModel):
    reference: str
    status: str
    received_by: str
    received_at: datetime
    links: dict[str, str]


class JourneyStep(BaseModel):
    at: datetime
    type: str
    organisation: str | None
    summary: str


class ContactView(BaseModel):
    reference: str
    status: str
    kind: str
    channel: str
    received_by: str
    received_at: datetime
    owner: str
    contributors: list[str]
    route: str | None
    journey: list[JourneyStep]


class ComplainantView(BaseModel):
    name: str | None
    email: str | None
    phone: str | None
    relationship: Relationship


class PersonAffectedView(BaseModel):
    name: str | None


class ConcernView(BaseModel):
    organisation_id: str | None
    service_type: ServiceType | None
    area: str | None
    summary: str | None


class CommunicationNeedsView(BaseModel):
    large_print: bool
    easy_read: bool
    language: str | None
    preferred_channel: PreferredChannel | None
    other: str | None


class RepresentativeConsentView(BaseModel):
    confirmed: bool
    confirmed_on: date
    confirmed_by: str
    method: ConsentMethod
    recorded_at: datetime
    recorded_by: str | None


class ConsentView(BaseModel):
    consent_to_share: bool
    # Only when the complainant is not the person affected: did the person affected agree (reg 5).
    representative_consent: RepresentativeConsentView | None


class ComplaintView(BaseModel):
    """The whole contact, for those who handle it: personal data, read under `contacts:read`."""

    reference: str
    status: str
    kind: ContactKind
    channel: Channel
    received_by: str
    received_at: datetime
    owner: str
    contributors: list[str]
    anonymous: bool
    complainant: ComplainantView
    person_affected: PersonAffectedView | None
    concerns: list[ConcernView]
    description: str
    desired_outcome: str | None
    event_date: date | None
    communication_needs: CommunicationNeedsView | None = None
    consent: ConsentView
    resolved_at_first_contact: bool
    safeguarding_concern: bool | None
    wants_advocacy: bool
    immediate_issue: bool
    # Set once retention anonymised it: names, details and words then read "[anonymised]".
    anonymised_at: datetime | None


class RepresentativeConsentIn(_Strict):
    """The person affected was asked whether they know of and agree with the complaint (seed 003 §2.11)."""

    confirmed: bool
    confirmed_on: date
    method: ConsentMethod
    # The member of staff who checked, by directory id; by default the person acting.
    confirmed_by: Annotated[str, Field(max_length=64, pattern=r"^[a-z0-9._-]+$")] | None = None


class ConsentIn(_Strict):
    """Consent recorded or changed after intake: give either or both."""

    consent_to_share: bool | None = None
    representative_consent: RepresentativeConsentIn | None = None

    @model_validator(mode="after")
    def _changes_something(self) -> ConsentIn:
        if self.consent_to_share is None and self.representative_consent is None:
            raise ValueError("give consent_to_share, representative_consent, or both")
        return self


class ComplainantCorrection(_Strict):
    """Merge-patch: a field given replaces the value, null clears it (no name: anonymous)."""

    name: Text | None = None
    email: EmailStr | None = None
    phone: Phone | None = None


class PersonAffectedCorrection(_Strict):
    name: Text


class DetailsCorrectionIn(_Strict):
    """Contact details corrected (JSON merge patch, RFC 7396): only the fields given change."""

    complainant: ComplainantCorrection | None = None
    person_affected: PersonAffectedCorrection | None = None
    # Replaces the communication needs as a whole; null removes them.
    communication_needs: CommunicationNeedsIn | None = None

    @model_validator(mode="after")
    def _changes_something(self) -> DetailsCorrectionIn:
        if not self.model_fields_set:
            raise ValueError("give complainant, person_affected or communication_needs")
        return self


class CorrectionView(BaseModel):
    reference: str
    # The fields this correction changed (e.g. complainant.email); empty when nothing differed.
    fields: list[str]
    anonymous: bool
