"""Referral HTTP models."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from nwd_shared.events import Purpose


class ReferralView(BaseModel):
    id: str
    reference: str
    from_organisation: str
    to_organisation: str
    purpose: Purpose
    status: str
    reason: str | None
    suggested_organisation_id: str | None
    created_at: datetime
    answered_at: datetime | None


class ReferralList(BaseModel):
    items: list[ReferralView]


class DeclineIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=3, max_length=2000)
    suggested_organisation_id: str | None = Field(default=None, max_length=64, pattern=r"^[a-z0-9-]+$")
