"""HTTP models of a complaint's later life."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import model_validator

from casework.life.domain import AGE_GROUPS
from casework.schemas import Long, Reason, Short, _Strict

AgeGroup = Literal["0-17", "18-64", "65-74", "75-84", "85+"]
assert AGE_GROUPS == AgeGroup.__args__  # one list of KO41a's groups


class ResolvedIn(_Strict):
    """Day-to-day business put right: what was done, for the person's record."""

    note: Reason | None = None


class OralRecordIn(_Strict):
    """The written record of an oral complaint given to the complainant (reg 13)."""

    record: Long
    sent_on: date
    how: Literal["letter", "email", "in_person"] = "letter"


class TimeLimitIn(_Strict):
    decision: Literal["waived", "not_waived"]
    reason: Reason


class WithdrawIn(_Strict):
    reason: Reason | None = None


class ReplyIn(_Strict):
    satisfied: bool
    notes: Long | None = None


class ReviewIn(_Strict):
    """The senior manager's review of the complaint and the response to it (seed 003 §2.9)."""

    findings: Long


class FinalResponseIn(_Strict):
    """The review's findings, sent to the complainant in the final response letter."""

    letter: Long
    signed_by: Short


class ReopenIn(_Strict):
    reason: Reason


class EnquiryIn(_Strict):
    their_reference: Short
    received_on: date


class InformationRequestIn(_Strict):
    requested_on: date
    due_on: date

    @model_validator(mode="after")
    def _due_after_request(self):
        if self.due_on < self.requested_on:
            raise ValueError("due_on is before requested_on")
        return self


class SentIn(_Strict):
    sent_on: date


class DecisionIn(_Strict):
    decided_on: date
    findings: Long
    upheld: bool


class RemedyIn(_Strict):
    description: Long
    due_on: date


class CompliedIn(_Strict):
    on: date
    evidence: Long


class EqualityIn(_Strict):
    """Optional equality and age data; kept only with the person's consent."""

    consent: bool
    age_group: AgeGroup | None = None
    ethnicity: Short | None = None
    disability: Literal["yes", "no", "prefer_not_to_say"] | None = None
    sex: Short | None = None
    religion: Short | None = None
    sexual_orientation: Short | None = None
