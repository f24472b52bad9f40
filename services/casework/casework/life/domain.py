"""Rules of a complaint's later life. Pure: no I/O; the state machine is casework.domain's."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from casework.domain import (
    ENDED,
    REOPENABLE,
    CaseState,
    CaseStatus,
    deadlines_on_opening,
    end,
    move,
)
from nwd_shared.calendar import WorkingCalendar
from nwd_shared.errors import Conflict

# Reg 13: a complaint made orally is written down and the complainant given a copy.
ORAL_CHANNELS = frozenset({"phone", "in_person"})
# KO41a's age groups (NHS England's KO41a return).
AGE_GROUPS = ("0-17", "18-64", "65-74", "75-84", "85+")
# Day-to-day business is put right by the end of the next working day (reg 8; seed 003 §3.2).
DAY_TO_DAY_WORKING_DAYS = 1


# --- day-to-day business -----------------------------------------------------------------

def resolve_by(received_on: date, calendar: WorkingCalendar) -> date:
    """The end of the next working day after the contact was made (reg 8; seed 003 §3.2)."""
    return calendar.add_working_days(received_on, DAY_TO_DAY_WORKING_DAYS)


def check_day_to_day(case: CaseState) -> None:
    if case.status != CaseStatus.DAY_TO_DAY:
        raise Conflict(f"the case is {case.status}, not day-to-day business")


def resolve_day_to_day(case: Any, today: date, note: str | None) -> None:
    """Put right in time: noted on the person's record and never a complaint (reg 8)."""
    check_day_to_day(case)
    if today > case.resolve_by:
        raise Conflict(f"not put right by {case.resolve_by.isoformat()}: it is a complaint now (reg 8)")
    end(case, CaseStatus.CLOSED, today, note or "day-to-day business put right by the end of the next working day",
        closed_as="day_to_day")


def lapsed(case: Any, today: date) -> bool:
    """Day-to-day business not put right by the end of the next working day."""
    return case.status == CaseStatus.DAY_TO_DAY and case.resolve_by is not None and today > case.resolve_by


def become_complaint(case: Any, calendar: WorkingCalendar, *, received_on: date | None = None) -> dict:
    """Day-to-day business becomes a complaint, its clock started when it was made; returns its deadlines."""
    check_day_to_day(case)
    move(case, CaseStatus.OPEN)
    case.received_on = received_on or case.received_on
    deadlines = deadlines_on_opening(case.received_on, calendar)
    for name, value in deadlines.items():
        setattr(case, name, value)
    case.route = "complaint"
    return deadlines


# --- the oral complaint's written record (reg 13) ---------------------------------------

def oral_record_due(case: Any) -> bool | None:
    """Whether the written record of an oral complaint is still owed; None when the channel is unknown."""
    if case.channel is None:
        return None
    return case.channel in ORAL_CHANNELS and case.oral_record is None and case.status != CaseStatus.DAY_TO_DAY


def check_oral_record(case: Any) -> None:
    if case.status == CaseStatus.DAY_TO_DAY:
        raise Conflict("day-to-day business is noted on the person's record, not given a complaint's record")
    if case.oral_record is not None:
        raise Conflict(f"the written record was given on {case.oral_record['sent_on']}")
    if case.channel is not None and case.channel not in ORAL_CHANNELS:
        raise Conflict(f"the complaint was made by {case.channel}, not orally: it is its own written record")


# --- the 12-month limit (reg 12) ---------------------------------------------------------

def check_time_limit(case: Any) -> None:
    """Decided once, while the case awaits its response."""
    if case.time_limit is not None:
        raise Conflict(f"the time limit was decided on {case.time_limit['decided_on']}: {case.time_limit['decision']}")
    if case.status not in (CaseStatus.OPEN, CaseStatus.ACKNOWLEDGED, CaseStatus.ACTION_PLAN_ISSUED):
        raise Conflict(f"cannot decide the time limit: the case is {case.status}")


def decide_time_limit(case: Any, today: date, decision: str, reason: str) -> None:
    """Waived for good reason, or not: then the case closes as out of time (never resolved)."""
    check_time_limit(case)
    if decision == "not_waived":
        end(case, CaseStatus.CLOSED, today, f"out of time (reg 12): {reason}", closed_as="out_of_time")


# --- withdrawal and reopening ------------------------------------------------------------

def withdraw(case: Any, today: date, reason: str | None) -> None:
    """The complainant withdrew: recorded as withdrawn, never as resolved."""
    if case.status == CaseStatus.DAY_TO_DAY:
        raise Conflict("day-to-day business is not a complaint: there is nothing to withdraw")
    if case.status in ENDED:
        raise Conflict(f"the case is {case.status} since {case.closed_on.isoformat()}")
    end(case, CaseStatus.WITHDRAWN, today, reason or "withdrawn by the complainant", closed_as="withdrawn")


def check_reopen(case: Any) -> None:
    if case.status not in REOPENABLE:
        raise Conflict(f"only a closed or withdrawn case is reopened; this one is {case.status}")
    if case.closed_as in ("day_to_day", "rerouted"):
        raise Conflict("it left the complaints procedure (" + case.closed_as.replace("_", "-")
                       + "): a person overrides the triage decision instead")
    if case.closed_from is None:
        raise Conflict("the status it closed from is not known: it cannot be restored")


def reopen(case: Any, today: date, reason: str, by: str | None) -> str:
    """Back to the status it ended from, the ending forgotten but kept in the reopenings; returns that status."""
    check_reopen(case)
    restored = CaseStatus(case.closed_from)
    history = list(case.reopenings or [])
    history.append({"on": today.isoformat(), "by": by, "reason": reason, "closed_on": case.closed_on.isoformat(),
                    "closed_as": case.closed_as, "close_reason": case.close_reason})
    case.reopenings = history
    case.status = restored
    case.closed_on = case.close_reason = case.closed_as = case.closed_from = case.record_summary = None
    return restored


# --- after the response: the reply, the senior review, the final response (seed 003 §2.8-2.9) ---

def check_reply(case: Any) -> None:
    if case.status != CaseStatus.RESPONDED:
        raise Conflict(f"the complainant replies to the response: the case is {case.status}")
    if case.reply is not None:
        raise Conflict(f"the reply was recorded on {case.reply['on']}")


def record_reply(case: Any, today: date, *, satisfied: bool, notes: str | None,
                 final_response_by: date | None) -> None:
    """Satisfied: the case may close as resolved (§2.8). Dissatisfied: a senior manager reviews it (§2.9)."""
    check_reply(case)
    case.reply = {"on": today.isoformat(), "satisfied": satisfied, "notes": notes}
    if not satisfied:
        move(case, CaseStatus.UNDER_REVIEW)
        case.final_response_by = final_response_by


def final_response_by(replied_on: date, working_days: int, calendar: WorkingCalendar) -> date:
    """The review's final response is due in the response target's working days (seed 003 §2.9, §3.2)."""
    return calendar.add_working_days(replied_on, working_days)


def check_review(case: Any) -> None:
    if case.status != CaseStatus.UNDER_REVIEW:
        raise Conflict(f"a senior review follows a dissatisfied reply: the case is {case.status}")
    if case.review is not None:
        raise Conflict(f"the review was recorded on {case.review['on']}")


def check_final_response(case: Any) -> None:
    if case.status != CaseStatus.UNDER_REVIEW:
        raise Conflict(f"the final response follows a senior review: the case is {case.status}")
    if case.review is None:
        raise Conflict("record the senior manager's review before its final response")


def send_final_response(case: Any, today: date) -> bool:
    """The review's findings sent in the final response letter; returns whether it was on time."""
    check_final_response(case)
    move(case, CaseStatus.FINAL_RESPONSE_SENT)
    case.final_responded_on = today
    return case.final_response_by is None or today <= case.final_response_by


def closed_as_after_reply(case: Any) -> str:
    """A case closes as resolved once answered; the reply is kept beside it, satisfied or not."""
    return "resolved" if case.responded_on is not None else "early_resolution"


# --- the ombudsman stage (seed 003 §2.10) ---------------------------------------------------

def check_ombudsman_stage(case: Any) -> None:
    """The ombudsman stage follows escalation."""
    if case.escalated_on is None:
        raise Conflict("the ombudsman stage follows escalation: escalate the case first")


def check_enquiry(case: Any) -> None:
    check_ombudsman_stage(case)
    if (case.ombudsman_stage or {}).get("enquiry"):
        raise Conflict(f"the enquiry was recorded: {case.ombudsman_stage['enquiry']['their_reference']}")


def check_decision(case: Any) -> None:
    check_ombudsman_stage(case)
    stage = case.ombudsman_stage or {}
    if not stage.get("enquiry"):
        raise Conflict("record the ombudsman's enquiry before its decision")
    if stage.get("decision"):
        raise Conflict(f"the decision was recorded: {stage['decision']['decided_on']}")


def check_remedy(case: Any) -> None:
    check_ombudsman_stage(case)
    if not (case.ombudsman_stage or {}).get("decision"):
        raise Conflict("remedies follow the ombudsman's decision")


def on_time(done_on: date, due_on: date) -> bool:
    return done_on <= due_on


# --- the person (the unreasonably-persistent flag) and equality data ---------------------------

def person_key(email: str | None, phone: str | None) -> str | None:
    """A stable key of the complainant without their details: SHA-256 of the normalised email, else phone."""
    if email and email.strip():
        basis = "email:" + email.strip().lower()
    elif phone and any(ch.isdigit() for ch in phone):
        digits = "".join(ch for ch in phone if ch.isdigit())
        # A UK number written +44 7700 ... or 07700 ... is the same person.
        basis = "phone:" + ("0" + digits[2:] if digits.startswith("44") else digits)
    else:
        return None
    return hashlib.sha256(basis.encode()).hexdigest()


def check_flag_change(current: bool, flagged: bool) -> None:
    if current == flagged:
        raise Conflict("the flag is already " + ("set" if flagged else "clear"))
