"""Casework HTTP models."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from casework.life.views import LifeView
from nwd_shared.events import Outcome


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


Short = Annotated[str, Field(min_length=1, max_length=200)]
Reason = Annotated[str, Field(min_length=1, max_length=2000)]
Long = Annotated[str, Field(min_length=1, max_length=20000)]
WorkingDays = Annotated[int, Field(ge=1, le=120)]
OrganisationId = Annotated[str, Field(max_length=64, pattern=r"^[a-z0-9-]+$")]


# --- requests --------------------------------------------------------------------------

class ComplainantIn(_Strict):
    """Who letters go to; kept by casework only, never put in events."""

    name: Short
    address: list[Short] = Field(default=[], max_length=8)


class AcknowledgeIn(_Strict):
    """Reg 13(7): the offer to discuss handling and the likely response period."""

    discussion_offered: bool = True
    discussion_accepted: bool | None = None
    likely_response_working_days: WorkingDays | None = None
    longer_timescale_reason: Reason | None = None
    subject: Short | None = None
    complainant: ComplainantIn | None = None


class ActionPlanIn(_Strict):
    """The Individual Complaints Action Plan (seed 003 §3.3)."""

    subject: Short
    understanding: Long
    desired_outcome: Long
    steps: list[Reason] = Field(min_length=1, max_length=50)
    timescale_working_days: WorkingDays | None = None
    longer_timescale_reason: Reason | None = None


class CommentsIn(_Strict):
    comments: Long


class ExtendIn(_Strict):
    respond_by: date
    reason: Reason
    # Reg 14: a longer period than six months, when the complainant agreed one.
    agreed_six_months_by: date | None = None


class ResponseIn(_Strict):
    """The final response; content the law requires is checked with readable messages."""

    outcome: Outcome
    desired_outcome_met: bool
    alternative: Long | None = None
    issues: Long | None = None
    investigation: Long | None = None
    evidence: Long | None = None
    findings: Long | None = None
    went_wrong: bool | None = None
    impact: Long | None = None
    apology: Long | None = None
    actions: list[Reason] = Field(default=[], max_length=50)
    learning: list[Reason] = Field(default=[], max_length=50)
    signed_by: Short | None = None
    signed_role: Short | None = None
    subject: Short | None = None
    # A joint response normally waits for every requested part; this records why it did not.
    without_contributions_reason: Reason | None = None


class CloseIn(_Strict):
    reason: Reason | None = None


class EscalateIn(_Strict):
    reason: Reason
    ombudsman_id: OrganisationId | None = None


class ReasonIn(_Strict):
    reason: Reason


class ResumeIn(_Strict):
    reason: Reason = "safeguarding enquiry concluded"


class PersistentFlagIn(_Strict):
    """The flag belongs to the person (issue 15): set with the restrictions applied and a review date."""

    flagged: bool
    reason: Reason
    restrictions: list[Reason] = Field(default=[], max_length=20)
    review_on: date | None = None


class ContributionRequestIn(_Strict):
    contributor: OrganisationId
    due_on: date
    request: Long


class ContributionPartIn(_Strict):
    part: Long
    submitted_by: Short | None = None


# --- responses -------------------------------------------------------------------------

class DeadlinesView(BaseModel):
    acknowledge_by: date
    action_plan_by: date | None
    respond_by: date | None
    six_months_by: date


class ExtensionView(BaseModel):
    extended_on: date
    previous_respond_by: date
    new_respond_by: date
    reason: str


class ContributionView(BaseModel):
    contributor: str
    status: Literal["outstanding", "overdue", "submitted"]
    requested_on: date | None
    due_on: date | None
    request: str | None
    submitted_on: date | None
    part: str | None
    submitted_by: str | None


class AlertView(BaseModel):
    case_id: str
    reference: str
    deadline: str
    due_on: date
    kind: Literal["warning", "breach"]
    raised_at: datetime


class CaseView(BaseModel):
    id: str
    reference: str
    owner: str
    contributors: list[str]
    status: str
    suspended: bool
    received_on: date
    opened_at: datetime
    deadlines: DeadlinesView
    subject: str | None = None
    acknowledged_on: date | None = None
    discussion_accepted: bool | None = None
    action_plan_issued_on: date | None = None
    action_plan: dict | None = None
    suspended_on: date | None = None
    paused_working_days: int = 0
    extensions: list[ExtensionView] = []
    responded_on: date | None = None
    outcome: str | None = None
    on_time: bool | None = None
    closed_on: date | None = None
    escalated_on: date | None = None
    contributions: list[ContributionView] = []
    alerts: list[AlertView] = []
    letters: list[str] = []
    # Shown to the owner only: customer relations' flag is not for partners.
    unreasonably_persistent: bool | None = None
    # Issue 15: how it ended (withdrawn and out of time are never resolved), the day-to-day
    # deadline, whether an oral complaint's written record is owed, and (owner only) the later life.
    closed_as: str | None = None
    resolve_by: date | None = None
    oral_record_due: bool | None = None
    final_response_by: date | None = None
    life: LifeView | None = None


class CaseList(BaseModel):
    items: list[CaseView]


class AlertList(BaseModel):
    items: list[AlertView]


class RecordView(BaseModel):
    """Reg 17: the complaint, its subject, outcome and whether the response met its period."""

    reference: str
    owner: str
    subject: str | None
    received_on: date
    acknowledged_on: date | None
    notified_respond_by: date | None
    respond_by: date | None
    extensions: int
    responded_on: date | None
    outcome: str | None
    met_notified_or_extended_period: bool | None
    closed_on: date | None
    escalated_on: date | None
    summary: str | None
