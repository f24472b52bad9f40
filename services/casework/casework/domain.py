"""Casework rules: the case's state machine and its statutory clock. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal, Protocol, TypeVar

from nwd_shared import events as ev
from nwd_shared.calendar import WorkingCalendar, add_months
from nwd_shared.errors import Conflict, Forbidden

# Regulation 13(3): acknowledge within 3 working days of receipt. Law, so not configurable.
ACKNOWLEDGE_WORKING_DAYS = 3
# Regulation 14: tell the complainant in writing if there is no response within 6 months.
SIX_MONTHS = 6

Deadline = Literal["acknowledge_by", "action_plan_by", "respond_by", "six_months_by"]
AlertKind = Literal["warning", "breach"]



# --- the case's state machine ----------------------------------------------------------

class CaseStatus(StrEnum):
    """Where a case is in the complaints procedure; the values are stored and shown as they are."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    ACTION_PLAN_ISSUED = "action_plan_issued"
    RESPONDED = "responded"
    ESCALATED = "escalated"
    CLOSED = "closed"
    TRANSFERRED = "transferred"
    # Issue 15: day-to-day business waiting to be put right (reg 8); the complainant dissatisfied
    # with the response, so a senior manager reviews it (seed 003 §2.9); the review's final
    # response sent; withdrawn by the complainant (never resolved).
    DAY_TO_DAY = "day_to_day"
    UNDER_REVIEW = "under_review"
    FINAL_RESPONSE_SENT = "final_response_sent"
    WITHDRAWN = "withdrawn"


# Statuses in which the case still awaits its response, so its clock still runs.
AWAITING_RESPONSE = (CaseStatus.OPEN, CaseStatus.ACKNOWLEDGED, CaseStatus.ACTION_PLAN_ISSUED)
# A case that ended here: closed, transferred to a new owner whose case goes on, or withdrawn.
ENDED = (CaseStatus.CLOSED, CaseStatus.TRANSFERRED, CaseStatus.WITHDRAWN)
# Ended cases a reopening may bring back, to the status they ended from.
REOPENABLE = (CaseStatus.CLOSED, CaseStatus.WITHDRAWN)

_LEAVE = frozenset({CaseStatus.CLOSED, CaseStatus.TRANSFERRED, CaseStatus.WITHDRAWN})

# The statuses each status may move to; every other move is refused (a reopening, from REOPENABLE,
# returns to the status the case ended from).
MOVES: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.DAY_TO_DAY: frozenset({CaseStatus.OPEN, CaseStatus.CLOSED, CaseStatus.TRANSFERRED}),
    CaseStatus.OPEN: _LEAVE | {CaseStatus.ACKNOWLEDGED},
    CaseStatus.ACKNOWLEDGED: _LEAVE | {CaseStatus.ACTION_PLAN_ISSUED, CaseStatus.RESPONDED},
    CaseStatus.ACTION_PLAN_ISSUED: _LEAVE | {CaseStatus.RESPONDED},
    CaseStatus.RESPONDED: _LEAVE | {CaseStatus.UNDER_REVIEW, CaseStatus.ESCALATED},
    # Escalated while under review, the case stays under review: the final response is still owed.
    CaseStatus.UNDER_REVIEW: _LEAVE | {CaseStatus.FINAL_RESPONSE_SENT},
    CaseStatus.FINAL_RESPONSE_SENT: _LEAVE | {CaseStatus.ESCALATED},
    CaseStatus.ESCALATED: _LEAVE,
    CaseStatus.CLOSED: frozenset(),
    CaseStatus.TRANSFERRED: frozenset(),
    CaseStatus.WITHDRAWN: frozenset(),
}


class CaseState(Protocol):
    """What the state machine reads and moves of a case (the `Case` row, or any look-alike)."""

    owner: str
    contributors: list
    status: str
    suspended: bool
    suspended_on: date | None
    suspension_reason: str | None
    acknowledged_on: date | None
    action_plan: dict | None
    action_plan_issued_on: date | None
    action_plan_by: date | None
    respond_by: date | None
    six_months_by: date
    received_on: date
    paused_working_days: int
    responded_on: date | None
    outcome: str | None
    on_time: bool | None
    closed_on: date | None
    close_reason: str | None
    escalated_on: date | None
    unreasonably_persistent: bool
    closed_as: str | None
    closed_from: str | None


class PartsOutstanding(Conflict):
    """A joint response waits for every requested part (reg 9) unless the owner says why not."""

    def __init__(self, outstanding: Iterable[str]) -> None:
        self.outstanding = list(outstanding)
        super().__init__("a joint response waits for every requested part: outstanding from "
                         + ", ".join(self.outstanding))

    def extensions(self) -> dict:
        return {"outstanding": self.outstanding}


def can_see(case: CaseState, organisation_id: str | None) -> bool:
    """The owner and the contributors see a case; no one else learns it exists."""
    return organisation_id == case.owner or organisation_id in case.contributors


def check_owner(case: CaseState, organisation_id: str | None, refusal: str) -> None:
    """Only the owner acts on a case or reads its record; a contributor is told why not."""
    if organisation_id != case.owner:
        raise Forbidden(refusal)


def move(case: CaseState, to: CaseStatus) -> None:
    """Move the case to `to`, or refuse the move with why."""
    _move(case, to)


def _move(case: CaseState, to: CaseStatus) -> None:
    if to not in MOVES[CaseStatus(case.status)]:
        raise Conflict(f"a case that is {case.status} cannot become {to}")
    case.status = to


def check_live(case: CaseState) -> None:
    """A transferred case is the new owner's to act on, under its new case."""
    if case.status == CaseStatus.TRANSFERRED:
        raise Conflict(f"the case was transferred on {case.closed_on.isoformat()}: the new owner acts on it")


def check_awaiting_response(case: CaseState, action: str) -> None:
    if case.status not in AWAITING_RESPONSE:
        raise Conflict(f"cannot {action}: the case is {case.status}")


def check_not_suspended(case: CaseState, action: str) -> None:
    if case.suspended:
        raise Conflict(f"cannot {action} while the complaint waits for safeguarding; resume it first")


def check_acknowledge(case: CaseState) -> None:
    """Acknowledged once, while the case awaits its response."""
    if case.acknowledged_on is not None:
        raise Conflict(f"the case was acknowledged on {case.acknowledged_on.isoformat()}")
    check_awaiting_response(case, "acknowledge")


def acknowledge(case: CaseState, today: date) -> None:
    """Reg 13: the case is acknowledged today; its response clock starts."""
    check_acknowledge(case)
    _move(case, CaseStatus.ACKNOWLEDGED)
    case.acknowledged_on = today


def check_issue_action_plan(case: CaseState) -> None:
    """One plan, after acknowledgement, while the case awaits its response and is not suspended."""
    if case.action_plan_issued_on is not None:
        raise Conflict(f"the action plan was issued on {case.action_plan_issued_on.isoformat()}")
    check_awaiting_response(case, "issue an action plan")
    if case.acknowledged_on is None:
        raise Conflict("acknowledge the complaint before issuing its action plan")
    check_not_suspended(case, "issue an action plan")


def issue_action_plan(case: CaseState, today: date) -> None:
    """The Individual Complaints Action Plan is issued today."""
    check_issue_action_plan(case)
    _move(case, CaseStatus.ACTION_PLAN_ISSUED)
    case.action_plan_issued_on = today


def check_comment_on_plan(case: CaseState) -> None:
    if case.action_plan is None:
        raise Conflict("there is no action plan to comment on yet")


def check_extend(case: CaseState) -> None:
    """Only a running response clock is extended."""
    check_awaiting_response(case, "extend")
    check_not_suspended(case, "extend")


def check_respond(case: CaseState) -> None:
    """One final response, after acknowledgement, while the case awaits it and is not suspended."""
    if case.responded_on is not None:
        raise Conflict(f"the final response was sent on {case.responded_on.isoformat()}")
    check_awaiting_response(case, "respond")
    if case.acknowledged_on is None:
        raise Conflict("acknowledge the complaint before responding")
    check_not_suspended(case, "respond")


def check_parts_in(outstanding: list[str], without_them_because: str | None) -> None:
    """A joint response waits for every requested part, unless the owner says why it cannot."""
    if outstanding and not without_them_because:
        raise PartsOutstanding(outstanding)


def respond(case: CaseState, today: date, outcome: str) -> None:
    """The final response is sent today; whether it met the notified (or extended) date is kept."""
    check_respond(case)
    _move(case, CaseStatus.RESPONDED)
    case.responded_on, case.outcome = today, outcome
    case.on_time = on_time(today, case.respond_by)


def check_close(case: CaseState) -> None:
    if case.status == CaseStatus.CLOSED:
        raise Conflict(f"the case was closed on {case.closed_on.isoformat()}")


def closed_as_for(case: CaseState, status: CaseStatus) -> str:
    """How an ending is reported: withdrawn and transferred are never resolved; no response, early resolution."""
    if status == CaseStatus.WITHDRAWN:
        return "withdrawn"
    if status == CaseStatus.TRANSFERRED:
        return "transferred"
    return "resolved" if case.responded_on is not None else "early_resolution"


def end(case: CaseState, status: CaseStatus, today: date, reason: str | None, *,
        closed_as: str | None = None) -> None:
    """The case ends here: closed (by its owner or by a new route), withdrawn, or transferred to a new owner."""
    if status not in ENDED:
        raise ValueError(f"{status} does not end a case")
    if status == CaseStatus.CLOSED:
        check_close(case)
    ended_from = case.status
    closed_as = closed_as or closed_as_for(case, status)
    _move(case, status)
    case.closed_on, case.close_reason = today, reason
    case.closed_as, case.closed_from = closed_as, ended_from


def check_escalate(case: CaseState) -> None:
    """Once, and never barred by the six months: that rule is a letter (reg 14); prematurity is the ombudsman's call."""
    if case.escalated_on is not None:
        raise Conflict(f"the case was escalated on {case.escalated_on.isoformat()}")
    if case.status == CaseStatus.DAY_TO_DAY:
        raise Conflict("day-to-day business is not a complaint: there is nothing to escalate")


def escalate(case: CaseState, today: date) -> None:
    """Referred to the ombudsman today; a case answered (response or final response) becomes escalated."""
    check_escalate(case)
    case.escalated_on = today
    if case.status in (CaseStatus.RESPONDED, CaseStatus.FINAL_RESPONSE_SENT):
        # Without a response the local clock keeps running (the owner must still respond), under
        # review the final response is still owed, and an ended case stays ended.
        _move(case, CaseStatus.ESCALATED)


def suspend(case: CaseState, today: date, reason: str) -> None:
    """Safeguarding and complaint are entwined: the response clock pauses (seed 003 Appendix 2)."""
    if case.suspended:
        raise Conflict(f"the complaint is already suspended since {case.suspended_on.isoformat()}")
    check_awaiting_response(case, "suspend")
    case.suspended, case.suspended_on, case.suspension_reason = True, today, reason


def resume(case: CaseState, today: date, calendar: WorkingCalendar) -> int:
    """Safeguarding concluded: running deadlines move later by the working days paused, which it returns."""
    if not case.suspended:
        raise Conflict("the complaint is not suspended")
    # The response clock runs from receipt; the plan's from acknowledgement.
    paused = paused_working_days(suspended_on=case.suspended_on, resumed_on=today,
                                 clock_started_on=case.received_on, calendar=calendar)
    if case.action_plan_issued_on is None:
        plan_paused = paused_working_days(suspended_on=case.suspended_on, resumed_on=today,
                                          clock_started_on=case.acknowledged_on, calendar=calendar)
        case.action_plan_by = shift(case.action_plan_by, plan_paused, calendar)
    case.respond_by = shift(case.respond_by, paused, calendar)
    case.paused_working_days = (case.paused_working_days or 0) + paused
    case.suspended, case.suspended_on = False, None
    return paused


def flag_persistent(case: CaseState, flagged: bool) -> None:
    """Set or clear the unreasonably persistent flag; setting it to what it is is refused."""
    if case.unreasonably_persistent == flagged:
        raise Conflict("the flag is already " + ("set" if flagged else "clear"))
    case.unreasonably_persistent = flagged


# --- the statutory clock ---------------------------------------------------------------


def deadlines_on_opening(received_on: date, calendar: WorkingCalendar) -> dict[str, date | None]:
    """Dates known when a case opens; the action plan and response dates follow acknowledgement."""
    return {
        "acknowledge_by": calendar.add_working_days(received_on, ACKNOWLEDGE_WORKING_DAYS),
        "action_plan_by": None,
        "respond_by": None,
        # A calendar period in law (reg 14), so it is not moved to a working day.
        "six_months_by": add_months(received_on, SIX_MONTHS),
    }


def deadlines_on_acknowledgement(acknowledged_on: date, *, received_on: date, action_plan_working_days: int,
                                 likely_response_working_days: int, calendar: WorkingCalendar,
                                 paused_working_days: int = 0) -> dict[str, date]:
    """The plan is due after acknowledgement; the response target counts from receipt (seed 003 §3.2).

    Working days already lost to a suspension are added to the response date.
    """
    return {
        "action_plan_by": calendar.add_working_days(acknowledged_on, action_plan_working_days),
        "respond_by": calendar.add_working_days(received_on, likely_response_working_days + paused_working_days),
    }


def respond_by_for_plan(received_on: date, timescale_working_days: int, calendar: WorkingCalendar,
                        paused_working_days: int = 0) -> date:
    """The plan's timescale counts from receipt, as the 20-working-day target does (seed 003 §3.2)."""
    return calendar.add_working_days(received_on, timescale_working_days + paused_working_days)


def timescale_problem(working_days: int, reason: str | None, usual_working_days: int) -> str | None:
    """Why a timescale is refused: over the usual one, a plan must say why (seed 003 §3.2)."""
    if working_days > usual_working_days and not (reason and reason.strip()):
        return (f"{working_days} working days is longer than the usual {usual_working_days}; "
                "state the reason in the plan")
    return None


def paused_working_days(*, suspended_on: date, resumed_on: date, clock_started_on: date | None,
                        calendar: WorkingCalendar) -> int:
    """Working days a running clock lost to the suspension; none before the clock started."""
    if clock_started_on is None:
        return 0
    start = max(suspended_on, clock_started_on)
    return calendar.working_days_between(start, resumed_on) if resumed_on > start else 0


def shift(deadline: date | None, working_days: int, calendar: WorkingCalendar) -> date | None:
    """A paused deadline moved later by the paused working days; never earlier."""
    if deadline is None:
        return None
    return calendar.add_working_days(deadline, working_days)


def extension_problem(current: date | None, new: date, today: date, calendar: WorkingCalendar) -> str | None:
    """Why a new response date is refused."""
    if current is None:
        return "there is no response date to extend yet: issue the action plan first"
    if not calendar.is_working_day(new):
        return f"{new.isoformat()} is not a working day"
    if new <= current:
        return f"the new date must be after the current response date {current.isoformat()}"
    if new <= today:
        return "the new date must be in the future"
    return None


@dataclass(frozen=True)
class Progress:
    """Where a case is, as far as its clock is concerned."""

    status: str
    suspended: bool
    acknowledged: bool
    action_plan_issued: bool
    acknowledge_by: date
    action_plan_by: date | None
    respond_by: date | None
    six_months_by: date


def running_deadlines(progress: Progress) -> dict[Deadline, date]:
    """The deadlines still to be met; a suspension pauses all but acknowledgement and six months."""
    if progress.status not in AWAITING_RESPONSE:
        return {}
    running: dict[Deadline, date] = {"six_months_by": progress.six_months_by}
    if not progress.acknowledged:
        running["acknowledge_by"] = progress.acknowledge_by
    if not progress.suspended:
        if progress.acknowledged and not progress.action_plan_issued and progress.action_plan_by:
            running["action_plan_by"] = progress.action_plan_by
        if progress.respond_by:
            running["respond_by"] = progress.respond_by
    return running


def alert_kind(due_on: date, today: date, warning_working_days: int, calendar: WorkingCalendar) -> AlertKind | None:
    """A breach once `due_on` has passed, a warning within the window before it, else nothing yet."""
    if today > due_on:
        return "breach"
    if warning_working_days and calendar.working_days_between(today, due_on) <= warning_working_days:
        return "warning"
    return None


def due_alerts(progress: Progress, today: date, warning_working_days: int,
               calendar: WorkingCalendar) -> list[tuple[Deadline, date, AlertKind]]:
    """Deadlines missed by `today` (breach), or due within the warning window (warning)."""
    alerts: list[tuple[Deadline, date, AlertKind]] = []
    for name, due_on in running_deadlines(progress).items():
        kind = alert_kind(due_on, today, warning_working_days, calendar)
        if kind is not None:
            alerts.append((name, due_on, kind))
    return alerts


class RaisedAlert(Protocol):
    deadline: str
    due_on: date
    kind: str


A = TypeVar("A", bound=RaisedAlert)


def live_alerts(progress: Progress, alerts: Iterable[A], later: dict[str, date] | None = None) -> list[A]:
    """Alerts whose deadline still runs with the same date, a breach replacing its warning.

    `later`: the running deadlines of the later stages, by their alert key (issue 15).
    """
    running: dict[str, date] = {**running_deadlines(progress), **(later or {})}
    live: dict[str, A] = {}
    for alert in alerts:
        if running.get(alert.deadline) == alert.due_on and (alert.kind == "breach" or alert.deadline not in live):
            live[alert.deadline] = alert
    return list(live.values())


def on_time(responded_on: date, respond_by: date | None) -> bool:
    """Whether a response met the notified or extended date (reg 17); no date set means none missed."""
    return respond_by is None or responded_on <= respond_by


# --- the final response (reg 14; PHSO Complaint Standards) ----------------------------------

def response_problems(response: dict) -> list[dict[str, str]]:
    """What a final response lacks that reg 14 and the PHSO Complaint Standards require."""
    problems: list[dict[str, str]] = []

    def need(field: str, message: str) -> None:
        value = response.get(field)
        if not value or (isinstance(value, str) and not value.strip()):
            problems.append({"field": field, "message": message})

    need("issues", "say what the complaint is about and what outcome the person wants")
    need("investigation", "say how the complaint was looked into")
    need("evidence", "say what evidence was considered")
    need("findings", "say what happened compared with what should have happened")
    need("signed_by", "a senior manager signs the final response")
    upheld = response.get("outcome") in ev.UPHELD
    if response.get("went_wrong") is None:
        problems.append({"field": "went_wrong", "message": "say whether something went wrong"})
    if response.get("went_wrong") or upheld:
        need("impact", "say what impact what went wrong had")
        need("apology", "apologise where something went wrong")
        if not (response.get("actions") or response.get("learning")):
            problems.append({"field": "actions",
                             "message": "an upheld complaint needs the actions taken or the learning"})
    if response.get("desired_outcome_met") is False:
        need("alternative", "the desired outcome cannot be met: offer an alternative")
    return problems


OUTCOME_WORDS = {"upheld": "upheld", "partly_upheld": "partly upheld", "not_upheld": "not upheld"}


def record_summary(*, reference: str, subject: str | None, received_on: date, outcome: str | None,
                   responded_on: date | None, on_time_: bool | None, desired_outcome_met: bool | None,
                   closed_on: date, reason: str | None, escalated: bool) -> str:
    """A short note for the person's case record (Mosaic in seed 003): the complaint and its resolution."""
    about = f" about {subject}" if subject else ""
    parts = [f"Complaint {reference}{about}, received {received_on.isoformat()}."]
    if responded_on is not None and outcome is not None:
        timing = "within" if on_time_ else "after"
        parts.append(f"Response sent {responded_on.isoformat()}, {timing} the notified (or extended) period; "
                     f"outcome {OUTCOME_WORDS.get(outcome, outcome)}.")
        if desired_outcome_met is not None:
            parts.append("Desired outcome met." if desired_outcome_met
                         else "Desired outcome not met; an alternative was offered.")
    else:
        parts.append("Closed without a response" + (f": {reason}." if reason else "."))
    if escalated:
        parts.append("Referred to the Ombudsman.")
    parts.append(f"Closed {closed_on.isoformat()}.")
    return " ".join(parts)[:500]
