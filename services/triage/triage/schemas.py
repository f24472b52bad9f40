"""Triage HTTP models."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from nwd_shared.events import Route


class TriageView(BaseModel):
    reference: str
    route: Route
    safeguarding_categories: list[str]
    responsible_organisations: list[str]
    reasons: list[str]
    out_of_time: bool
    needs_consent: bool
    needs_review: bool
    overridden_by: str | None


class OverrideIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    route: Route
    reason: str = Field(min_length=3, max_length=2000)
    responsible_organisations: list[str] | None = Field(default=None, min_length=1, max_length=20)
