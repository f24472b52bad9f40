"""Events triage publishes on nwd.triage: its decision, overrides and safeguarding referrals."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from nwd_shared.events.common import TRIAGE, ContactKind, Route
from nwd_shared.events.envelope import CloudEvent, EventData


class TriageDecisionData(EventData):
    reference: str
    received_by: str
    received_at: datetime
    kind: ContactKind
    route: Route
    safeguarding_categories: list[str] = []
    responsible_organisations: list[str]
    reasons: list[str]
    out_of_time: bool = False
    needs_consent: bool = False
    needs_review: bool = False
    # Added for referral and casework; all optional. No personal data: never the description.
    wants_advocacy: bool = False
    consent_to_share: bool = False
    areas: list[str] = []
    # Concerns per responsible organisation: the one with most is the natural lead.
    concern_count: dict[str, int] = {}
    # The council asked to start safeguarding procedures, when the route needs them.
    safeguarding_referred_to: str | None = None
    # A short summary built from the decision (route, categories, services), never from the text.
    summary: str | None = None


class TriageCompleted(CloudEvent):
    """Triage decided the route, the safeguarding categories and the responsible organisations."""

    topic = TRIAGE
    type: Literal["nwd.triage.completed.v1"] = "nwd.triage.completed.v1"
    data: TriageDecisionData


class TriageOverriddenData(TriageDecisionData):
    previous_route: Route
    overridden_by: str
    reason: str
    previous_responsible_organisations: list[str] = []


class TriageOverridden(CloudEvent):
    """A person replaced triage's decision, with a reason."""

    topic = TRIAGE
    type: Literal["nwd.triage.overridden.v1"] = "nwd.triage.overridden.v1"
    data: TriageOverriddenData


class SafeguardingReferredData(EventData):
    reference: str
    organisation_id: str
    categories: list[str]
    reasons: list[str]
    received_by: str | None = None
    # The route at referral: "suspended" means the complaint waits for safeguarding.
    route: Route | None = None
    areas: list[str] = []


class SafeguardingReferred(CloudEvent):
    """The council was asked to start its safeguarding procedures for a contact."""

    topic = TRIAGE
    type: Literal["nwd.safeguarding.referred.v1"] = "nwd.safeguarding.referred.v1"
    data: SafeguardingReferredData


# The event types this producer publishes, in the contract's order.
EVENTS: tuple[type[CloudEvent], ...] = (
    TriageCompleted,
    TriageOverridden,
    SafeguardingReferred,
)

__all__ = [
    "TriageDecisionData",
    "TriageCompleted",
    "TriageOverriddenData",
    "TriageOverridden",
    "SafeguardingReferredData",
    "SafeguardingReferred",
]
