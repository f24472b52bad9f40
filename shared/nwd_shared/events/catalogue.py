"""The v1 event catalogue: every event type of contract.md as a typed model."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, TypeAdapter, ValidationError

from nwd_shared.events.envelope import CloudEvent, EnvelopeError, EventData, Headers, envelope_dict

CONTACTS = "nwd.contacts"
TRIAGE = "nwd.triage"
REFERRALS = "nwd.referrals"
CASES = "nwd.cases"
LEARNING = "nwd.learning"
TOPICS = (CONTACTS, TRIAGE, REFERRALS, CASES, LEARNING)


def dead_letter_topic(topic: str) -> str:
    """Where messages of `topic` go when they cannot be handled."""
    return f"{topic}.dlt"


ContactKind = Literal["complaint", "concern", "comment", "compliment"]
Channel = Literal["phone", "email", "letter", "web", "in_person", "other"]
Relationship = Literal["self", "representative", "advocate"]
ServiceType = Literal["health", "social_care"]
Route = Literal["complaint", "safeguarding", "split", "suspended", "day_to_day", "pals", "feedback"]
Purpose = Literal["ownership", "joint", "pals", "advocacy", "ombudsman", "back"]
Outcome = Literal["upheld", "partly_upheld", "not_upheld"]

# Route groups (seed 003 Appendix 2), the one home of each: a complaint case opens for these routes,
CASE_ROUTES: frozenset[str] = frozenset({"complaint", "split", "suspended"})
# a contact on these is handled at once and never becomes a case,
NO_CASE_ROUTES: frozenset[str] = frozenset({"feedback", "day_to_day"})
# and these start the local safeguarding procedures before anything else (§3.1).
SAFEGUARDING_ROUTES: frozenset[str] = frozenset({"safeguarding", "split", "suspended"})
# Outcomes that count as well-founded (reg 18(2)(b)).
UPHELD: frozenset[str] = frozenset({"upheld", "partly_upheld"})


# --- nwd.contacts -----------------------------------------------------------------------

class Person(EventData):
    name: str | None = None
    email: str | None = None
    phone: str | None = None


class Complainant(Person):
    relationship: Relationship = "self"


class Concern(EventData):
    organisation_id: str | None = None
    service_type: ServiceType | None = None
    area: str | None = None
    summary: str | None = None


class ContactReceivedData(EventData):
    reference: str
    received_by: str
    received_at: datetime
    kind: ContactKind
    channel: Channel
    complainant: Complainant
    person_affected: Person | None = None
    concerns: list[Concern]
    description: str
    desired_outcome: str | None = None
    event_date: date | None = None
    consent_to_share: bool = False
    resolved_at_first_contact: bool = False
    safeguarding_concern: bool | None = None
    wants_advocacy: bool = False
    immediate_issue: bool = False


class ContactReceived(CloudEvent):
    topic = CONTACTS
    type: Literal["nwd.contact.received.v1"] = "nwd.contact.received.v1"
    data: ContactReceivedData


# --- nwd.triage -------------------------------------------------------------------------

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
    topic = TRIAGE
    type: Literal["nwd.triage.completed.v1"] = "nwd.triage.completed.v1"
    data: TriageDecisionData


class TriageOverriddenData(TriageDecisionData):
    previous_route: Route
    overridden_by: str
    reason: str
    previous_responsible_organisations: list[str] = []


class TriageOverridden(CloudEvent):
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
    topic = TRIAGE
    type: Literal["nwd.safeguarding.referred.v1"] = "nwd.safeguarding.referred.v1"
    data: SafeguardingReferredData


# --- nwd.referrals (the partner feed) ----------------------------------------------------

class ReferralData(EventData):
    """Every referral event names who, to whom and why; personal data only with consent."""

    referral_id: str
    reference: str
    from_organisation: str
    to_organisation: str
    purpose: Purpose
    personal: dict | None = None
    # Added in v1, all optional: the triage summary, the role in a joint complaint, and the answer.
    kind: ContactKind | None = None
    route: Route | None = None
    role: Literal["lead", "contributor"] | None = None
    reason: str | None = None
    answer_by: datetime | None = None
    reminder: bool = False
    outcome: Literal["resolved", "returned"] | None = None
    joint_working_team: bool = False


class ReferralProposed(CloudEvent):
    topic = REFERRALS
    type: Literal["nwd.referral.proposed.v1"] = "nwd.referral.proposed.v1"
    data: ReferralData


class ReferralAccepted(CloudEvent):
    topic = REFERRALS
    type: Literal["nwd.referral.accepted.v1"] = "nwd.referral.accepted.v1"
    data: ReferralData


class ReferralDeclinedData(ReferralData):
    reason: str
    suggested_organisation_id: str | None = None


class ReferralDeclined(CloudEvent):
    topic = REFERRALS
    type: Literal["nwd.referral.declined.v1"] = "nwd.referral.declined.v1"
    data: ReferralDeclinedData


class ReferralEscalatedData(ReferralData):
    reason: str


class ReferralEscalated(CloudEvent):
    topic = REFERRALS
    type: Literal["nwd.referral.escalated.v1"] = "nwd.referral.escalated.v1"
    data: ReferralEscalatedData


class OwnershipAgreedData(EventData):
    reference: str
    owner: str
    contributors: list[str] = []
    received_by: str
    # When the owner received the contact: the start of its statutory clock.
    owner_received_at: datetime
    kind: ContactKind
    route: Route
    # Added in v1: the owner of the agreement this one replaces, when an override re-routed the contact.
    previous_owner: str | None = None


class OwnershipAgreed(CloudEvent):
    topic = REFERRALS
    type: Literal["nwd.ownership.agreed.v1"] = "nwd.ownership.agreed.v1"
    data: OwnershipAgreedData


# --- nwd.cases --------------------------------------------------------------------------

class Deadlines(EventData):
    acknowledge_by: date
    action_plan_by: date | None = None
    respond_by: date | None = None
    six_months_by: date


class CaseData(EventData):
    case_id: str
    reference: str
    owner: str


class CaseOpenedData(CaseData):
    contributors: list[str] = []
    received_on: date
    deadlines: Deadlines
    suspended: bool = False


class CaseOpened(CloudEvent):
    topic = CASES
    type: Literal["nwd.case.opened.v1"] = "nwd.case.opened.v1"
    data: CaseOpenedData


class CaseAcknowledgedData(CaseData):
    acknowledged_on: date
    discussion_offered: bool = True
    deadlines: Deadlines
    # Added in v1: whether the complainant took up the offer to discuss (None: not yet known),
    # and the likely response period notified at acknowledgement (reg 13(7)).
    discussion_accepted: bool | None = None
    likely_response_working_days: int | None = None


class CaseAcknowledged(CloudEvent):
    topic = CASES
    type: Literal["nwd.case.acknowledged.v1"] = "nwd.case.acknowledged.v1"
    data: CaseAcknowledgedData


class CaseActionPlanIssuedData(CaseData):
    issued_on: date
    deadlines: Deadlines
    # Added in v1: the plan's timescale, and why it is longer than the usual one, if it is.
    timescale_working_days: int | None = None
    longer_timescale_reason: str | None = None


class CaseActionPlanIssued(CloudEvent):
    topic = CASES
    type: Literal["nwd.case.action_plan_issued.v1"] = "nwd.case.action_plan_issued.v1"
    data: CaseActionPlanIssuedData


class CaseExtendedData(CaseData):
    reason: str
    deadlines: Deadlines
    # Added in v1: the response date before this extension.
    previous_respond_by: date | None = None


class CaseExtended(CloudEvent):
    topic = CASES
    type: Literal["nwd.case.extended.v1"] = "nwd.case.extended.v1"
    data: CaseExtendedData


class CaseSuspensionData(CaseData):
    reason: str
    # Added in v1, on resumption: working days the clock was paused and the moved deadlines.
    paused_working_days: int | None = None
    deadlines: Deadlines | None = None


class CaseSuspended(CloudEvent):
    topic = CASES
    type: Literal["nwd.case.suspended.v1"] = "nwd.case.suspended.v1"
    data: CaseSuspensionData


class CaseResumed(CloudEvent):
    topic = CASES
    type: Literal["nwd.case.resumed.v1"] = "nwd.case.resumed.v1"
    data: CaseSuspensionData


class CaseRespondedData(CaseData):
    responded_on: date
    outcome: Outcome
    desired_outcome_met: bool
    on_time: bool
    actions: list[str] = []
    # Added in v1: the complaint's subject, the learning, who signed the response, and the
    # notified or extended date the response was measured against (reg 17).
    subject: str | None = None
    learning: list[str] = []
    signed_by: str | None = None
    respond_by: date | None = None


class CaseResponded(CloudEvent):
    topic = CASES
    type: Literal["nwd.case.responded.v1"] = "nwd.case.responded.v1"
    data: CaseRespondedData


class CaseClosedData(CaseData):
    closed_on: date
    outcome: Outcome | None = None
    # Added in v1: the reg 17 record, and a short summary for the person's case record system.
    subject: str | None = None
    responded_on: date | None = None
    on_time: bool | None = None
    reason: str | None = None
    summary: str | None = None
    # Added in v1: the new owner, when the case closes because ownership moved to it (not a resolution).
    transferred_to: str | None = None


class CaseClosed(CloudEvent):
    topic = CASES
    type: Literal["nwd.case.closed.v1"] = "nwd.case.closed.v1"
    data: CaseClosedData


class CaseDeadlineBreachedData(CaseData):
    deadline: Literal["acknowledge_by", "action_plan_by", "respond_by", "six_months_by"]
    due_on: date
    # Added in v1: the letter the breach calls for (`six-months` explains the delay, reg 14).
    letter: str | None = None


class CaseDeadlineBreached(CloudEvent):
    topic = CASES
    type: Literal["nwd.case.deadline_breached.v1"] = "nwd.case.deadline_breached.v1"
    data: CaseDeadlineBreachedData


class CaseEscalatedData(CaseData):
    reason: str
    ombudsman_id: str | None = None


class CaseEscalated(CloudEvent):
    topic = CASES
    type: Literal["nwd.case.escalated.v1"] = "nwd.case.escalated.v1"
    data: CaseEscalatedData


# --- nwd.learning -----------------------------------------------------------------------

class LearningActionData(EventData):
    action_id: str
    reference: str
    organisation: str
    description: str
    owner: str | None = None
    due_on: date | None = None
    # Added in v1, all optional: the case the action comes from, when it was raised and completed.
    case_id: str | None = None
    raised_on: date | None = None
    completed_on: date | None = None


class LearningActionRaised(CloudEvent):
    topic = LEARNING
    type: Literal["nwd.learning.action_raised.v1"] = "nwd.learning.action_raised.v1"
    data: LearningActionData


class LearningActionCompleted(CloudEvent):
    topic = LEARNING
    type: Literal["nwd.learning.action_completed.v1"] = "nwd.learning.action_completed.v1"
    data: LearningActionData


EVENT_TYPES: tuple[type[CloudEvent], ...] = (
    ContactReceived,
    TriageCompleted, TriageOverridden, SafeguardingReferred,
    ReferralProposed, ReferralAccepted, ReferralDeclined, ReferralEscalated, OwnershipAgreed,
    CaseOpened, CaseAcknowledged, CaseActionPlanIssued, CaseExtended, CaseSuspended,
    CaseResumed, CaseResponded, CaseClosed, CaseDeadlineBreached, CaseEscalated,
    LearningActionRaised, LearningActionCompleted,
)

AnyEvent = Annotated[
    ContactReceived
    | TriageCompleted | TriageOverridden | SafeguardingReferred
    | ReferralProposed | ReferralAccepted | ReferralDeclined | ReferralEscalated | OwnershipAgreed
    | CaseOpened | CaseAcknowledged | CaseActionPlanIssued | CaseExtended | CaseSuspended
    | CaseResumed | CaseResponded | CaseClosed | CaseDeadlineBreached | CaseEscalated
    | LearningActionRaised | LearningActionCompleted,
    Field(discriminator="type"),
]
_any_event: TypeAdapter[CloudEvent] = TypeAdapter(AnyEvent)

TYPE_NAMES: frozenset[str] = frozenset(t.model_fields["type"].default for t in EVENT_TYPES)


def topic_of(event_type: str) -> str:
    """The topic an event type is published on."""
    for model in EVENT_TYPES:
        if model.model_fields["type"].default == event_type:
            return model.topic
    raise KeyError(event_type)


def decode(headers: Headers | tuple | None, value: bytes | None) -> CloudEvent:
    """A record's headers and value as a typed event; EnvelopeError if it is not one."""
    raw = envelope_dict(headers, value)
    if raw["type"] not in TYPE_NAMES:
        raise EnvelopeError(f"unknown ce_type {raw['type']!r}")
    try:
        return _any_event.validate_python(raw)
    except ValidationError as exc:
        # Field names and messages only: the input values may be personal data.
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
            for e in exc.errors(include_input=False, include_url=False)
        )
        raise EnvelopeError(f"invalid {raw['type']}: {problems}") from None
