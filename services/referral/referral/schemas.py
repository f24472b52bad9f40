"""Referral HTTP models."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from nwd_shared.events import Purpose

OrganisationId = Field(max_length=64, pattern=r"^[a-z0-9-]+$")
ReferralStatus = Literal["pending", "accepted", "declined", "resolved", "returned", "withdrawn"]


class ReferralView(BaseModel):
    id: str
    reference: str
    from_organisation: str
    to_organisation: str
    purpose: Purpose
    role: Literal["lead", "contributor"] | None = None
    status: ReferralStatus
    request_reason: str | None = None
    reason: str | None
    suggested_organisation_id: str | None
    joint_working_team: bool = False
    created_at: datetime
    answered_at: datetime | None
    # When an unanswered proposal escalates, when a reminder went, and when it escalated.
    due_at: datetime | None = None
    reminded_at: datetime | None = None
    escalated_at: datetime | None = None


class ReferralList(BaseModel):
    items: list[ReferralView]


class ContactDetails(BaseModel):
    """The person and what happened: for the addressed organisation only, each access audited."""

    received_by: str
    received_at: datetime
    kind: str
    consent_to_share: bool
    wants_advocacy: bool
    complainant: dict
    person_affected: dict | None
    description: str
    desired_outcome: str | None
    concerns: list[dict]


class ReferralWithDetails(ReferralView):
    details: ContactDetails | None = None


class DetailAccessView(BaseModel):
    organisation_id: str
    accessed_at: datetime


class DetailAccessList(BaseModel):
    items: list[DetailAccessView]


class OwnershipView(BaseModel):
    """Who owns a contact now: the interim owner (the receiver) until ownership is agreed."""

    reference: str
    received_by: str
    owner: str
    interim: bool
    contributors: list[str]
    state: str
    route: str


class DeclineIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=3, max_length=2000)
    suggested_organisation_id: str | None = Field(default=None, max_length=64, pattern=r"^[a-z0-9-]+$")


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    summary: str = Field(min_length=3, max_length=2000)


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=3, max_length=2000)


class ReferralIn(BaseModel):
    """A referral made by hand: to PALS, advocacy, an ombudsman, back again, or for ownership."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reference: str = Field(min_length=1, max_length=32)
    to_organisation_id: str = Field(max_length=64, pattern=r"^[a-z0-9-]+$")
    purpose: Purpose
    reason: str | None = Field(default=None, min_length=3, max_length=2000)
