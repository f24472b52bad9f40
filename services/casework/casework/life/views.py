"""What the case view shows of a complaint's later life (no request models: casework.schemas imports it)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel


class InformationRequestView(BaseModel):
    number: int
    requested_on: date
    due_on: date
    sent_on: date | None
    status: Literal["outstanding", "overdue", "sent"]


class RemedyView(BaseModel):
    number: int
    description: str
    due_on: date
    complied_on: date | None
    evidence: str | None
    status: Literal["outstanding", "overdue", "complied"]


class OmbudsmanView(BaseModel):
    enquiry: dict | None = None
    decision: dict | None = None
    information_requests: list[InformationRequestView] = []
    remedies: list[RemedyView] = []


class PersonFlagView(BaseModel):
    flagged: bool
    restrictions: list[str]
    review_on: date | None
    # Whether the flag sits on the person (keyed by their email or phone) or only on this case.
    on_person: bool


class LifeView(BaseModel):
    """The later life of a case, shown to its owner."""

    closed_as: str | None = None
    resolve_by: date | None = None
    channel: str | None = None
    anonymous: bool = False
    oral_record_due: bool | None = None
    oral_record: dict | None = None
    time_limit: dict | None = None
    reply: dict | None = None
    final_response_by: date | None = None
    review: dict | None = None
    final_response: dict | None = None
    final_responded_on: date | None = None
    reopenings: list[dict] = []
    ombudsman: OmbudsmanView | None = None
    equality: dict | None = None
    persistent: PersonFlagView | None = None
