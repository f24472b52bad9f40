"""Webhook HTTP models."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, field_validator

from referral.webhooks.domain import EVENT_TYPES


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: AnyHttpUrl
    event_types: list[str] = Field(min_length=1, max_length=len(EVENT_TYPES))

    @field_validator("url")
    @classmethod
    def _short_enough(cls, url: AnyHttpUrl) -> AnyHttpUrl:
        if len(str(url)) > 2000:
            raise ValueError("at most 2000 characters")
        return url

    @field_validator("event_types")
    @classmethod
    def _known(cls, event_types: list[str]) -> list[str]:
        unknown = sorted(set(event_types) - EVENT_TYPES)
        if unknown:
            raise ValueError(f"not a partner feed event type: {', '.join(unknown)}; "
                             f"one of {', '.join(sorted(EVENT_TYPES))}")
        return sorted(set(event_types))


class SubscriptionView(BaseModel):
    id: str
    organisation_id: str
    url: str
    event_types: list[str]
    active: bool
    created_at: datetime


class SubscriptionCreated(SubscriptionView):
    # Shown once: verify each delivery's webhook-signature with it (Standard Webhooks).
    secret: str


class SubscriptionList(BaseModel):
    items: list[SubscriptionView]


# What became of an attempt, coarsely: never the remote error text or body (webhooks/egress.py).
Outcome = Literal["delivered", "refused_address", "failed_http_status", "timeout", "connection_failed"]


class AttemptView(BaseModel):
    attempted_at: datetime
    # The endpoint's HTTP status, when it answered.
    status_code: int | None
    outcome: Outcome
    duration_ms: int


class DeliveryView(BaseModel):
    id: str
    event_id: str
    event_type: str
    reference: str
    status: Literal["pending", "delivered", "failed", "cancelled"]
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_outcome: Outcome | None
    created_at: datetime
    delivered_at: datetime | None
    history: list[AttemptView] = []


class DeliveryList(BaseModel):
    items: list[DeliveryView]
