"""Events casework publishes on nwd.cases: a case's life against the statutory clock."""

from __future__ import annotations

from datetime import date
from typing import Literal

from nwd_shared.events.common import CASES, Outcome
from nwd_shared.events.envelope import CloudEvent, EventData

# How a case ended (issue 15): withdrawn and out of time are never resolved; day_to_day was put right
# by the end of the next working day (reg 8), so it never was a complaint.
ClosedAs = Literal["resolved", "early_resolution", "withdrawn", "out_of_time", "transferred", "rerouted",
                   "day_to_day"]
# The deadlines the monitor watches: the statutory four, then the later stages' (issue 15).
DeadlineName = Literal["acknowledge_by", "action_plan_by", "respond_by", "six_months_by", "resolve_by",
                       "final_response_by", "information_due_on", "remedy_due_on", "review_on"]


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
    # Added in v1 (issue 15): the case opened because day-to-day business was not put right in time.
    from_day_to_day: bool = False


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
    # Added in v1 (issue 15): how it ended; `withdrawn`, `out_of_time`, `transferred` and
    # `day_to_day` are never counted as resolved. None from producers before issue 15.
    closed_as: ClosedAs | None = None


class CaseClosed(CloudEvent):
    """The case closed: resolved, withdrawn or transferred to another owner."""

    topic = CASES
    type: Literal["nwd.case.closed.v1"] = "nwd.case.closed.v1"
    data: CaseClosedData


class CaseDeadlineBreachedData(CaseData):
    deadline: DeadlineName
    due_on: date
    # Added in v1: the letter the breach calls for (`six-months` explains the delay, reg 14).
    letter: str | None = None
    # Added in v1 (issue 15): which information request or remedy, numbered from 1 within the case.
    item: int | None = None


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


# --- the whole life of a complaint (issue 15) ---------------------------------------------

class CaseDayToDayData(CaseData):
    received_on: date
    # The end of the next working day after receipt (reg 8; seed 003 §3.2).
    resolve_by: date
    resolved_on: date | None = None


class CaseDayToDayRecorded(CloudEvent):
    """An oral contact is handled as day-to-day business: put right by `resolve_by`, or it becomes a complaint."""

    topic = CASES
    type: Literal["nwd.case.day_to_day_recorded.v1"] = "nwd.case.day_to_day_recorded.v1"
    data: CaseDayToDayData


class CaseDayToDayResolved(CloudEvent):
    """Day-to-day business put right in time: noted on the person's record, never a complaint."""

    topic = CASES
    type: Literal["nwd.case.day_to_day_resolved.v1"] = "nwd.case.day_to_day_resolved.v1"
    data: CaseDayToDayData


class CaseOralRecordData(CaseData):
    sent_on: date


class CaseOralRecordSent(CloudEvent):
    """The written record of an oral complaint was given to the complainant (reg 13)."""

    topic = CASES
    type: Literal["nwd.case.oral_record_sent.v1"] = "nwd.case.oral_record_sent.v1"
    data: CaseOralRecordData


class CaseTimeLimitData(CaseData):
    decision: Literal["waived", "not_waived"]
    decided_on: date
    reason: str


class CaseTimeLimitDecided(CloudEvent):
    """The 12-month limit decided (reg 12); not waived, a `closed` event with `out_of_time` follows."""

    topic = CASES
    type: Literal["nwd.case.time_limit_decided.v1"] = "nwd.case.time_limit_decided.v1"
    data: CaseTimeLimitData


class CaseReplyData(CaseData):
    satisfied: bool
    replied_on: date
    # Dissatisfied: when the senior manager's final response is due (seed 003 §2.9, §3.2).
    final_response_by: date | None = None


class CaseReplyRecorded(CloudEvent):
    """The complainant's reply to the response: satisfied, or dissatisfied and due a senior review."""

    topic = CASES
    type: Literal["nwd.case.reply_recorded.v1"] = "nwd.case.reply_recorded.v1"
    data: CaseReplyData


class CaseReviewData(CaseData):
    reviewed_on: date
    # The senior manager (a person id; None for the organisation's own system key).
    reviewed_by: str | None = None
    final_response_by: date | None = None


class CaseReviewed(CloudEvent):
    """A senior manager reviewed the complaint and the response to it (seed 003 §2.9)."""

    topic = CASES
    type: Literal["nwd.case.reviewed.v1"] = "nwd.case.reviewed.v1"
    data: CaseReviewData


class CaseFinalResponseData(CaseData):
    sent_on: date
    on_time: bool
    final_response_by: date | None = None
    signed_by: str | None = None


class CaseFinalResponseSent(CloudEvent):
    """The senior review's findings went to the complainant in the final response letter (seed 003 §2.9)."""

    topic = CASES
    type: Literal["nwd.case.final_response_sent.v1"] = "nwd.case.final_response_sent.v1"
    data: CaseFinalResponseData


class CaseReopenedData(CaseData):
    reopened_on: date
    reason: str
    # The status the case returns to: the one it had when it closed.
    status: str
    previous_closed_on: date | None = None


class CaseReopened(CloudEvent):
    """Customer relations reopened a closed or withdrawn case, with the reason."""

    topic = CASES
    type: Literal["nwd.case.reopened.v1"] = "nwd.case.reopened.v1"
    data: CaseReopenedData


class CaseContributorsData(CaseData):
    contributors: list[str]
    previous_contributors: list[str] = []


class CaseContributorsChanged(CloudEvent):
    """A new agreement kept the owner but changed the contributors (an override, issue 15)."""

    topic = CASES
    type: Literal["nwd.case.contributors_changed.v1"] = "nwd.case.contributors_changed.v1"
    data: CaseContributorsData


class CaseOmbudsmanData(CaseData):
    """One step of the ombudsman stage; `item` numbers information requests and remedies."""

    step: Literal["enquiry_received", "information_requested", "information_sent", "decided",
                  "remedy_recommended", "remedy_complied"]
    on: date
    item: int | None = None
    due_on: date | None = None
    their_reference: str | None = None
    upheld: bool | None = None
    on_time: bool | None = None


class CaseOmbudsmanStep(CloudEvent):
    """The ombudsman stage moved: enquiry, information requested and sent, decision, remedies and compliance."""

    topic = CASES
    type: Literal["nwd.case.ombudsman_step.v1"] = "nwd.case.ombudsman_step.v1"
    data: CaseOmbudsmanData


class CasePersistentFlagData(CaseData):
    flagged: bool
    # When customer relations reviews the restrictions; never the restrictions' words.
    review_on: date | None = None


class CasePersistentFlagChanged(CloudEvent):
    """Customer relations set or cleared the unreasonably-persistent flag on the complainant of this case."""

    topic = CASES
    type: Literal["nwd.case.persistent_flag_changed.v1"] = "nwd.case.persistent_flag_changed.v1"
    data: CasePersistentFlagData


class CaseEqualityData(CaseData):
    # KO41a's age groups only: no other equality data leaves casework.
    age_group: Literal["0-17", "18-64", "65-74", "75-84", "85+"] | None = None


class CaseEqualityRecorded(CloudEvent):
    """Equality and age data was given with consent; the event carries the age group alone."""

    topic = CASES
    type: Literal["nwd.case.equality_recorded.v1"] = "nwd.case.equality_recorded.v1"
    data: CaseEqualityData


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
    CaseDayToDayRecorded,
    CaseDayToDayResolved,
    CaseOralRecordSent,
    CaseTimeLimitDecided,
    CaseReplyRecorded,
    CaseReviewed,
    CaseFinalResponseSent,
    CaseReopened,
    CaseContributorsChanged,
    CaseOmbudsmanStep,
    CasePersistentFlagChanged,
    CaseEqualityRecorded,
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
    "ClosedAs",
    "DeadlineName",
    "CaseDayToDayData",
    "CaseOralRecordData",
    "CaseTimeLimitData",
    "CaseReplyData",
    "CaseReviewData",
    "CaseFinalResponseData",
    "CaseReopenedData",
    "CaseContributorsData",
    "CaseOmbudsmanData",
    "CasePersistentFlagData",
    "CaseEqualityData",
    "CaseDayToDayRecorded",
    "CaseDayToDayResolved",
    "CaseOralRecordSent",
    "CaseTimeLimitDecided",
    "CaseReplyRecorded",
    "CaseReviewed",
    "CaseFinalResponseSent",
    "CaseReopened",
    "CaseContributorsChanged",
    "CaseOmbudsmanStep",
    "CasePersistentFlagChanged",
    "CaseEqualityRecorded",
]
