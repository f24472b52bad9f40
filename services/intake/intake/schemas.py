"""Intake's HTTP request and response models (contract.md, POST /v1/contacts)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, model_validator

from nwd_shared.events import Channel, ContactKind, Relationship, ServiceType


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        raise ValueError("must include a time zone, for example 2026-11-20T10:00:00Z")
    return moment


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


Text = Annotated[str, Field(min_length=1, max_length=200)]


class ComplainantIn(_Strict):
    name: Text
    email: EmailStr | None = None
    phone: Annotated[str, Field(min_length=3, max_length=40, pattern=r"^[0-9+() \-]+$")] | None = None
    relationship: Relationship = "self"


class PersonAffectedIn(_Strict):
    name: Text


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
    complainant: ComplainantIn
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




class AuditEntry(BaseModel):
    at: datetime
    organisation_id: str
    credential_id: str
    action: str
    resource: str
    reference: str | None
    client_address: str | None
