"""The safeguarding hand-off: a concern the council acknowledges, is chased for, and records the outcome of.

Pure rules, no I/O. A concern moves referred -> acknowledged -> enquiry_opened -> concluded, or
acknowledged -> not_opened; concluded and not_opened end the safeguarding procedures (seed 003
Appendix 2: a suspended complaint waits "until the safeguarding procedures are completed").
An outcome is refused before the acknowledgement: acknowledging is how the council says it has the
concern, and it is what stops the chasing, so it is never implied.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Literal, Protocol

from nwd_shared.calendar import ENGLAND, WorkingCalendar, local_date
from nwd_shared.errors import Conflict, FieldError, Invalid

Enquiry = Literal["opened", "not_opened"]


class ConcernState(StrEnum):
    REFERRED = "referred"
    ACKNOWLEDGED = "acknowledged"
    ENQUIRY_OPENED = "enquiry_opened"
    CONCLUDED = "concluded"
    NOT_OPENED = "not_opened"


# The safeguarding procedures are complete: a complaint suspended for them may go on.
ENDED = frozenset({ConcernState.CONCLUDED, ConcernState.NOT_OPENED})


class Concern(Protocol):
    """What the rules read and move of a concern (the `SafeguardingConcern` row, or any look-alike)."""

    received_at: datetime
    acknowledge_by: datetime
    escalate_by: datetime
    state: str
    acknowledged_at: datetime | None
    chased_at: datetime | None
    escalated_at: datetime | None
    enquiry: str | None
    concluded_on: date | None
    outcome_recorded_at: datetime | None


def _same_time_later(start: datetime, working_days: int, calendar: WorkingCalendar) -> datetime:
    local = start.astimezone(ENGLAND)
    day = calendar.add_working_days(local_date(start), working_days)
    return datetime.combine(day, time(local.hour, local.minute, local.second), ENGLAND).astimezone(UTC)


def due_dates(received_at: datetime, *, acknowledgement_working_days: int, escalation_working_days: int,
              calendar: WorkingCalendar) -> tuple[datetime, datetime]:
    """When the council should acknowledge, and when an unacknowledged concern escalates.

    Counted from the contact's receipt, not the referral: safeguarding comes before anything else
    (seed 003 §3.1), so time the contact spent before reaching the council already counts.
    """
    acknowledge_by = _same_time_later(received_at, acknowledgement_working_days, calendar)
    return acknowledge_by, _same_time_later(acknowledge_by, escalation_working_days, calendar)


def acknowledge(concern: Concern, now: datetime) -> None:
    """The council's safeguarding team has the concern: chasing stops."""
    if concern.state != ConcernState.REFERRED:
        raise Conflict(f"the concern was acknowledged at {concern.acknowledged_at.isoformat()}")
    concern.state, concern.acknowledged_at = ConcernState.ACKNOWLEDGED, now


def record_outcome(concern: Concern, *, enquiry: Enquiry, concluded_on: date | None, today: date,
                   now: datetime) -> None:
    """An enquiry opened (concluded now or later) or not opened; ended concerns take no more outcomes."""
    state = ConcernState(concern.state)
    if state == ConcernState.REFERRED:
        raise Conflict("acknowledge the concern before recording its outcome")
    if state in ENDED:
        raise Conflict(f"the concern's outcome is final: {_ended_as(concern)}")
    if enquiry == "not_opened":
        if concluded_on is not None:
            raise Invalid(FieldError("body.concluded_on", "only an enquiry that was opened concludes",
                                     "not_opened_has_no_conclusion"), detail="no enquiry, no conclusion")
        if state == ConcernState.ENQUIRY_OPENED:
            raise Conflict("an enquiry was opened: record its conclusion instead")
        concern.state, concern.enquiry = ConcernState.NOT_OPENED, enquiry
    elif concluded_on is None:
        if state == ConcernState.ENQUIRY_OPENED:
            raise Conflict("the enquiry is already open: record its conclusion with concluded_on")
        concern.state, concern.enquiry = ConcernState.ENQUIRY_OPENED, enquiry
    else:
        _check_concluded_on(concern, concluded_on, today)
        concern.state, concern.enquiry, concern.concluded_on = ConcernState.CONCLUDED, enquiry, concluded_on
    concern.outcome_recorded_at = now


def _check_concluded_on(concern: Concern, concluded_on: date, today: date) -> None:
    received_on = local_date(concern.received_at)
    if concluded_on > today or concluded_on < received_on:
        raise Invalid(FieldError("body.concluded_on",
                                 f"between {received_on.isoformat()} and today", "concluded_on_out_of_range"),
                      detail="an enquiry concludes after the concern was raised and not in the future")


def _ended_as(concern: Concern) -> str:
    if concern.state == ConcernState.NOT_OPENED:
        return "no enquiry was opened"
    return f"the enquiry concluded on {concern.concluded_on.isoformat()}"


def ended(concern: Concern) -> bool:
    """Whether the safeguarding procedures are complete."""
    return concern.state in ENDED


def due_for_chase(concern: Concern, now: datetime) -> bool:
    """Unacknowledged past its due date, and not chased yet: each concern is chased once."""
    return (concern.state == ConcernState.REFERRED and concern.chased_at is None
            and concern.acknowledge_by <= now)


def due_for_escalation(concern: Concern, now: datetime) -> bool:
    """Unacknowledged past its escalation date, and not escalated yet: each concern is escalated once."""
    return (concern.state == ConcernState.REFERRED and concern.escalated_at is None
            and concern.escalate_by <= now)


def chase(concern: Concern, now: datetime) -> bool:
    """Mark the chase; False when it is not due (already chased, acknowledged, or not late)."""
    if not due_for_chase(concern, now):
        return False
    concern.chased_at = now
    return True


def escalate(concern: Concern, now: datetime) -> bool:
    """Mark the escalation; False when it is not due."""
    if not due_for_escalation(concern, now):
        return False
    concern.escalated_at = now
    return True
