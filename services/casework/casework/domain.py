"""Casework rules: the statutory clock. Pure: dates in, dates out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from nwd_shared.calendar import WorkingCalendar, add_months

# Regulation 13(3): acknowledge within 3 working days of receipt. Law, so not configurable.
ACKNOWLEDGE_WORKING_DAYS = 3
# Regulation 14: tell the complainant in writing if there is no response within 6 months.
SIX_MONTHS = 6

Deadline = Literal["acknowledge_by", "action_plan_by", "respond_by", "six_months_by"]
AlertKind = Literal["warning", "breach"]

# Statuses in which the case still awaits its response, so its clock still runs.
AWAITING_RESPONSE = ("open", "acknowledged", "action_plan_issued")
# Triage routes that lead to a complaint case (as referral counts them); the others close one.
CASE_ROUTES = frozenset({"complaint", "split", "suspended"})


def deadlines_on_opening(received_on: date, calendar: WorkingCalendar) -> dict[str, date | None]:
    """Dates known when a case opens; the action plan and response dates follow acknowledgement."""
    return {
        "acknowledge_by": calendar.add_working_days(received_on, ACKNOWLEDGE_WORKING_DAYS),
        "action_plan_by": None,
        "respond_by": None,
        # A calendar period in law (reg 14), so it is not moved to a working day.
        "six_months_by": add_months(received_on, SIX_MONTHS),
    }


def deadlines_on_acknowledgement(acknowledged_on: date, *, action_plan_working_days: int,
                                 likely_response_working_days: int,
                                 calendar: WorkingCalendar) -> dict[str, date]:
    """The action plan is due after acknowledgement; the notified response date is the likely period."""
    return {
        "action_plan_by": calendar.add_working_days(acknowledged_on, action_plan_working_days),
        "respond_by": calendar.add_working_days(acknowledged_on, likely_response_working_days),
    }


def respond_by_for_plan(issued_on: date, timescale_working_days: int, calendar: WorkingCalendar) -> date:
    """The plan's timescale counts from the day it is issued."""
    return calendar.add_working_days(issued_on, timescale_working_days)


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


def due_alerts(progress: Progress, today: date, warning_working_days: int,
               calendar: WorkingCalendar) -> list[tuple[Deadline, date, AlertKind]]:
    """Deadlines missed by `today` (breach), or due within the warning window (warning)."""
    alerts: list[tuple[Deadline, date, AlertKind]] = []
    for name, due_on in running_deadlines(progress).items():
        if today > due_on:
            alerts.append((name, due_on, "breach"))
        elif warning_working_days and calendar.working_days_between(today, due_on) <= warning_working_days:
            alerts.append((name, due_on, "warning"))
    return alerts


def on_time(responded_on: date, respond_by: date | None) -> bool:
    """Whether a response met the notified or extended date (reg 17); no date set means none missed."""
    return respond_by is None or responded_on <= respond_by


# --- the final response (reg 14; PHSO Complaint Standards) ----------------------------------

UPHELD = ("upheld", "partly_upheld")


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
    upheld = response.get("outcome") in UPHELD
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
