"""Triage HTTP models."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from nwd_shared.events import Route

SafeguardingCategory = Literal[
    "physical", "domestic", "sexual", "psychological", "financial", "modern_slavery",
    "discriminatory", "organisational", "neglect", "self_neglect",
]


class Evidence(BaseModel):
    """A safeguarding sign: its category, what it means, the words, and whether it counted."""

    category: str
    means: str
    words: str
    status: Literal["found", "possible", "past", "denied"]


class Neighbour(BaseModel):
    """A labelled corpus contact close to this one: its id, how close, and its labels."""

    id: str
    similarity: float
    safeguarding: bool
    categories: list[str]


class ModelView(BaseModel):
    """The safeguarding model's view of a contact: why it flagged, asked or stayed quiet."""

    probability: float
    level: Literal["flag", "possible", "none"]
    suspected_category: str | None
    nearest: list[Neighbour]


class TriageView(BaseModel):
    reference: str
    received_by: str
    received_at: datetime
    kind: str
    route: Route
    safeguarding_categories: list[str]
    responsible_organisations: list[str]
    reasons: list[str]
    out_of_time: bool
    needs_consent: bool
    needs_review: bool
    overridden_by: str | None
    wants_advocacy: bool
    consent_to_share: bool
    areas: list[str]
    concern_count: dict[str, int]
    safeguarding_referred_to: str | None
    safeguarding_evidence: list[Evidence]
    summary: str
    decided_at: datetime
    # No rule fired but the model asks a person: procedures started provisionally; confirm or clear
    # it by overriding the route (POST .../decision).
    possible_safeguarding: bool = False
    # Null when the model was off (NWD_TRIAGE_MODEL_ENABLED=false) or for decisions made before it.
    safeguarding_model: ModelView | None = None


class TriageList(BaseModel):
    items: list[TriageView]
    # Pass as `after` for the next page; null on the last page.
    next: str | None = None


class OverrideIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    route: Route
    reason: str = Field(min_length=3, max_length=2000)
    responsible_organisations: list[str] | None = Field(default=None, min_length=1, max_length=20)
    safeguarding_categories: list[SafeguardingCategory] | None = Field(default=None, max_length=10)
