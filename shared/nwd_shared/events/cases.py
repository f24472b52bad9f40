"""Events casework publishes on nwd.cases: a case's life against the statutory clock."""

from __future__ import annotations

from datetime import date
from typing import Literal

from nwd_shared.events.common import CASES, Outcome
from nwd_shared.events.envelope import CloudEvent, EventData


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
    """The owner opened a case; its statutory deadlines start."""

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
    """The complaint was acknowledged (within three working days, reg 13(7))."""

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
    """The individual complaints action plan was sent."""

    topic = CASES
    type: Literal["nwd.case.action_plan_issued.v1"] = "nwd.case.action_plan_issued.v1"
    data: CaseActionPlanIssuedData


class CaseExtendedData(CaseData):
    reason: str
    deadlines: Deadlines
    # Added in v1: the response date before this extension.
    previous_respond_by: date | None = None


class CaseExtended(CloudEvent):
    """The response date moved, with the reason told to the complainant."""

    topic = CASES
    type: Literal["nwd.case.extended.v1"] = "nwd.case.extended.v1"
    data: CaseExtendedData


class CaseSuspensionData(CaseData):
    reason: str
    # Added in v1, on resumption: working days the clock was paused and the moved deadlines.
    paused_working_days: int | None = None
    deadlines: Deadlines | None = None


class CaseSuspended(CloudEvent):
    """The case paused, for example while a safeguarding enquiry runs."""

    topic = CASES
    type: Literal["nwd.case.suspended.v1"] = "nwd.case.suspended.v1"
    data: CaseSuspensionData


class CaseResumed(CloudEvent):
    """A suspended case resumed; its deadlines move by the days it was paused."""

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
    """The owner sent its response, with the outcome."""

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
    """The case closed: resolved, withdrawn or transferred to another owner."""

    topic = CASES
    type: Literal["nwd.case.closed.v1"] = "nwd.case.closed.v1"
    data: CaseClosedData


class CaseDeadlineBreachedData(CaseData):
    deadline: Literal["acknowledge_by", "action_plan_by", "respond_by", "six_months_by"]
    due_on: date
    # Added in v1: the letter the breach calls for (`six-months` explains the delay, reg 14).
    letter: str | None = None


class CaseDeadlineBreached(CloudEvent):
    """A statutory deadline passed with its step not done."""

    topic = CASES
    type: Literal["nwd.case.deadline_breached.v1"] = "nwd.case.deadline_breached.v1"
    data: CaseDeadlineBreachedData


class CaseEscalatedData(CaseData):
    reason: str
    ombudsman_id: str | None = None


class CaseEscalated(CloudEvent):
    """The complainant took the complaint to an ombudsman."""

    topic = CASES
    type: Literal["nwd.case.escalated.v1"] = "nwd.case.escalated.v1"
    data: CaseEscalatedData


class CaseAssignedData(CaseData):
    handler: str
    team: str | None = None
    previous_handler: str | None = None
    # The person who assigned it (None: the organisation's own system key).
    by: str | None = None


class CaseAssigned(CloudEvent):
    """Customer relations assigned the case to a handler (and team): the handler is told."""

    topic = CASES
    type: Literal["nwd.case.assigned.v1"] = "nwd.case.assigned.v1"
    data: CaseAssignedData


# The event types this producer publishes, in the contract's order.
EVENTS: tuple[type[CloudEvent], ...] = (
    CaseOpened,
    CaseAcknowledged,
    CaseActionPlanIssued,
    CaseExtended,
    CaseSuspended,
    CaseResumed,
    CaseResponded,
    CaseClosed,
    CaseDeadlineBreached,
    CaseEscalated,
    CaseAssigned,
)

__all__ = [
    "Deadlines",
    "CaseData",
    "CaseOpenedData",
    "CaseOpened",
    "CaseAcknowledgedData",
    "CaseAcknowledged",
    "CaseActionPlanIssuedData",
    "CaseActionPlanIssued",
    "CaseExtendedData",
    "CaseExtended",
    "CaseSuspensionData",
    "CaseSuspended",
    "CaseResumed",
    "CaseRespondedData",
    "CaseResponded",
    "CaseClosedData",
    "CaseClosed",
    "CaseDeadlineBreachedData",
    "CaseDeadlineBreached",
    "CaseEscalatedData",
    "CaseEscalated",
    "CaseAssignedData",
    "CaseAssigned",
]
