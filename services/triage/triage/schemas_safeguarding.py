"""Safeguarding hand-off HTTP models."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from triage.handoff import ConcernState, Enquiry


class ConcernView(BaseModel):
    reference: str
    # The council it was referred to, and the organisation that received the contact.
    organisation_id: str
    received_by: str
    categories: list[str]
    route: str | None
    state: ConcernState
    received_at: datetime
    referred_at: datetime
    acknowledge_by: datetime
    escalate_by: datetime
    acknowledged_at: datetime | None
    chased_at: datetime | None
    escalated_at: datetime | None
    enquiry: Enquiry | None
    concluded_on: date | None
    outcome_recorded_at: datetime | None


class ConcernList(BaseModel):
    items: list[ConcernView]
    # Pass as `after` for the next page; null on the last page.
    next: str | None = None


class OutcomeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enquiry: Enquiry
    # Given once the enquiry has concluded: then the safeguarding procedures are complete.
    concluded_on: date | None = None
