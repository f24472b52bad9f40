"""Events triage publishes on nwd.triage: its decision, overrides, and safeguarding referrals and their hand-off."""

from __future__ import annotations

from datetime import date, datetime
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
    # Issue 16, optional: no rule fired but the safeguarding model asks a person (procedures start
    # provisionally); the model's probability and the Care Act category it suspects. Never the text.
    possible_safeguarding: bool = False
    safeguarding_probability: float | None = None
    suspected_category: str | None = None


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


class SafeguardingConcernData(EventData):
    """A safeguarding concern in its hand-off to the council: no personal data, only who and when."""

    reference: str
    # The council the concern was referred to, and the organisation that received the contact.
    organisation_id: str
    received_by: str
    # When the council should acknowledge it, and when an unacknowledged concern is escalated.
    acknowledge_by: datetime
    escalate_by: datetime
    # referred | acknowledged | enquiry_opened | concluded | not_opened
    state: str


class SafeguardingAcknowledged(CloudEvent):
    """The council's safeguarding team acknowledged the concern."""

    topic = TRIAGE
    type: Literal["nwd.safeguarding.acknowledged.v1"] = "nwd.safeguarding.acknowledged.v1"
    data: SafeguardingConcernData


class SafeguardingChased(CloudEvent):
    """The council was reminded of a concern it had not acknowledged by its due date."""

    topic = TRIAGE
    type: Literal["nwd.safeguarding.chased.v1"] = "nwd.safeguarding.chased.v1"
    data: SafeguardingConcernData


class SafeguardingEscalatedData(SafeguardingConcernData):
    reason: str


class SafeguardingEscalated(CloudEvent):
    """A concern still unacknowledged after the chase: the receiving organisation follows it up."""

    topic = TRIAGE
    type: Literal["nwd.safeguarding.escalated.v1"] = "nwd.safeguarding.escalated.v1"
    data: SafeguardingEscalatedData


class SafeguardingOutcomeData(SafeguardingConcernData):
    # Whether the council opened a s42 enquiry; a concluded enquiry has the date it concluded.
    enquiry: Literal["opened", "not_opened"]
    concluded_on: date | None = None
    # The safeguarding procedures are complete: no enquiry opened, or the enquiry concluded.
    ended: bool


class SafeguardingOutcomeRecorded(CloudEvent):
    """The council recorded the concern's outcome: an enquiry opened or not, or concluded."""

    topic = TRIAGE
    type: Literal["nwd.safeguarding.outcome_recorded.v1"] = "nwd.safeguarding.outcome_recorded.v1"
    data: SafeguardingOutcomeData


# The event types this producer publishes, in the contract's order.
EVENTS: tuple[type[CloudEvent], ...] = (
    TriageCompleted,
    TriageOverridden,
    SafeguardingReferred,
    SafeguardingAcknowledged,
    SafeguardingChased,
    SafeguardingEscalated,
    SafeguardingOutcomeRecorded,
)

__all__ = [
    "TriageDecisionData",
    "TriageCompleted",
    "TriageOverriddenData",
    "TriageOverridden",
    "SafeguardingReferredData",
    "SafeguardingReferred",
    "SafeguardingConcernData",
    "SafeguardingAcknowledged",
    "SafeguardingChased",
    "SafeguardingEscalatedData",
    "SafeguardingEscalated",
    "SafeguardingOutcomeData",
    "SafeguardingOutcomeRecorded",
]
