"""Learning rules: which counted facts an event adds, learning actions an upheld response raises
and their status, and small-number suppression. Pure: no I/O."""

from __future__ import annotations

import uuid
from datetime import date
from typing import TYPE_CHECKING, Literal

from nwd_shared import events as ev
from nwd_shared.calendar import WorkingCalendar, local_date
from nwd_shared.errors import Conflict, FieldError, Invalid

if TYPE_CHECKING:
    from learning.models import LearningAction

FactTuple = tuple[str, str, date]  # organisation, metric, day
ActionStatus = Literal["open", "overdue", "completed"]

# Whoever leads on learning until the organisation names someone else (seed 003 §4.2: the
# Customer Relations Team takes learning points to senior management).
DEFAULT_ACTION_OWNER = "Customer Relations"
# Used when an upheld response names no action: the learning still has to be agreed (seed 003 §1.4).
AGREE_LEARNING = "Agree the learning from this complaint and the actions that follow from it"
_ACTIONS = uuid.UUID("6b1f2e1a-8c0e-4f43-9a57-4d2b0c1e7a11")
SUPPRESSED = "fewer than 5"


def facts_of(event: ev.CloudEvent) -> list[FactTuple]:
    """The events counted one by one (the rest of the figures come from contact and case state)."""
    d = event.data
    day = local_date(event.time)
    match event:
        case ev.SafeguardingReferred():
            return [(d.organisation_id, "safeguarding.referred", day)]
        case ev.ReferralProposed():
            return [(d.from_organisation, f"referrals.sent.{d.purpose}", day),
                    (d.to_organisation, f"referrals.received.{d.purpose}", day)]
        case ev.ReferralAccepted():
            return [(d.to_organisation, "referrals.accepted", day)]
        case ev.ReferralDeclined():
            return [(d.to_organisation, "referrals.declined", day)]
        case ev.ReferralEscalated():
            return [(d.from_organisation, "referrals.escalated", day)]
        case ev.CaseExtended():
            return [(d.owner, "cases.extended", day)]
        case ev.CaseSuspended():
            return [(d.owner, "cases.suspended", day)]
        case ev.CaseDeadlineBreached():
            return [(d.owner, f"cases.breached.{d.deadline}", d.due_on)]
    return []


def action_id(reference: str, case_id: str, index: int) -> str:
    """The same response always raises the same action ids, so a replay raises nothing new."""
    return str(uuid.uuid5(_ACTIONS, f"{reference}/{case_id}/{index}"))


def actions_to_raise(response: ev.CaseRespondedData) -> list[str]:
    """What an upheld or partly upheld response commits to; nothing for one not upheld."""
    if response.outcome not in ev.UPHELD:
        return []
    named = [a.strip() for a in response.actions if a and a.strip()]
    if not named:
        named = [a.strip() for a in response.learning if a and a.strip()]
    return named or [AGREE_LEARNING]


def action_due_on(raised_on: date, working_days: int, calendar: WorkingCalendar) -> date:
    """When an action is due: a number of working days after the response that raised it."""
    return calendar.add_working_days(raised_on, working_days)


def is_overdue(action: LearningAction, as_at: date) -> bool:
    """Raised by then, due before then, and not done by then."""
    return (action.raised_on <= as_at and action.due_on < as_at
            and (action.completed_on is None or action.completed_on > as_at))


def action_status(action: LearningAction, as_at: date) -> ActionStatus:
    """An action's status on a day: completed, overdue or open."""
    if action.completed_on is not None and action.completed_on <= as_at:
        return "completed"
    return "overdue" if is_overdue(action, as_at) else "open"


def check_open(action: LearningAction) -> None:
    """A completed action is settled: its owner and due date no longer change."""
    if action.completed_on is not None:
        raise Conflict("the action is completed")


def check_completion(action: LearningAction, on: date, today: date) -> None:
    """An action is completed on a day between the day it was raised and today."""
    if on > today:
        raise Invalid(FieldError("body.completed_on", "must not be after today", "future_date"),
                      detail="an action cannot be completed in the future")
    if on < action.raised_on:
        raise Invalid(FieldError("body.completed_on", "must not be before raised_on", "date_order"),
                      detail="an action cannot be completed before it was raised")


def suppress(count: int) -> int | str:
    """Small-number suppression for shared figures: 1 to 4 become "fewer than 5"."""
    return SUPPRESSED if 0 < count < 5 else count
