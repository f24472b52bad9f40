"""The safeguarding hand-off's rules: due dates on the working-day clock, and the concern's moves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from nwd_shared.calendar import WorkingCalendar
from nwd_shared.errors import Conflict, Invalid
from triage import handoff
from triage.handoff import ConcernState

CALENDAR = WorkingCalendar()
FRIDAY = datetime(2026, 7, 3, 9, 30, tzinfo=UTC)  # 10:30 in London


@dataclass
class Concern:
    received_at: datetime = FRIDAY
    acknowledge_by: datetime = datetime(2026, 7, 6, 9, 30, tzinfo=UTC)
    escalate_by: datetime = datetime(2026, 7, 7, 9, 30, tzinfo=UTC)
    state: str = ConcernState.REFERRED
    acknowledged_at: datetime | None = None
    chased_at: datetime | None = None
    escalated_at: datetime | None = None
    enquiry: str | None = None
    concluded_on: date | None = None
    outcome_recorded_at: datetime | None = None


def acknowledged() -> Concern:
    concern = Concern()
    handoff.acknowledge(concern, FRIDAY)
    return concern


def test_the_acknowledgement_is_due_working_days_after_receipt_at_the_same_time_of_day():
    acknowledge_by, escalate_by = handoff.due_dates(FRIDAY, acknowledgement_working_days=1,
                                                    escalation_working_days=1, calendar=CALENDAR)
    # Friday's concern is due on Monday, not Saturday, and escalates on Tuesday.
    assert acknowledge_by == datetime(2026, 7, 6, 9, 30, tzinfo=UTC)
    assert escalate_by == datetime(2026, 7, 7, 9, 30, tzinfo=UTC)


def test_the_due_dates_skip_a_bank_holiday():
    before_christmas = datetime(2026, 12, 24, 11, tzinfo=UTC)
    acknowledge_by, escalate_by = handoff.due_dates(before_christmas, acknowledgement_working_days=1,
                                                    escalation_working_days=2, calendar=CALENDAR)
    # 25 and 28 December (Boxing Day falls on Saturday) are bank holidays in 2026.
    assert acknowledge_by.date() == date(2026, 12, 29) and escalate_by.date() == date(2026, 12, 31)


def test_acknowledging_twice_is_a_conflict():
    concern = acknowledged()
    assert concern.state == ConcernState.ACKNOWLEDGED and concern.acknowledged_at == FRIDAY
    with pytest.raises(Conflict):
        handoff.acknowledge(concern, FRIDAY)


def test_an_outcome_before_the_acknowledgement_is_a_conflict():
    with pytest.raises(Conflict, match="acknowledge the concern"):
        handoff.record_outcome(Concern(), enquiry="not_opened", concluded_on=None, today=date(2026, 7, 6),
                               now=FRIDAY)


def test_an_enquiry_opens_then_concludes_and_then_is_final():
    concern = acknowledged()
    handoff.record_outcome(concern, enquiry="opened", concluded_on=None, today=date(2026, 7, 6), now=FRIDAY)
    assert concern.state == ConcernState.ENQUIRY_OPENED and not handoff.ended(concern)
    with pytest.raises(Conflict, match="already open"):
        handoff.record_outcome(concern, enquiry="opened", concluded_on=None, today=date(2026, 7, 6), now=FRIDAY)
    with pytest.raises(Conflict, match="an enquiry was opened"):
        handoff.record_outcome(concern, enquiry="not_opened", concluded_on=None, today=date(2026, 7, 6), now=FRIDAY)
    handoff.record_outcome(concern, enquiry="opened", concluded_on=date(2026, 7, 20), today=date(2026, 7, 21),
                           now=FRIDAY)
    assert concern.state == ConcernState.CONCLUDED and concern.concluded_on == date(2026, 7, 20)
    assert handoff.ended(concern)
    with pytest.raises(Conflict, match="concluded on 2026-07-20"):
        handoff.record_outcome(concern, enquiry="opened", concluded_on=date(2026, 7, 21), today=date(2026, 7, 21),
                               now=FRIDAY)


def test_an_enquiry_may_open_and_conclude_in_one_answer():
    concern = acknowledged()
    handoff.record_outcome(concern, enquiry="opened", concluded_on=date(2026, 7, 6), today=date(2026, 7, 6),
                           now=FRIDAY)
    assert concern.state == ConcernState.CONCLUDED and concern.enquiry == "opened"


def test_no_enquiry_ends_the_concern_and_has_no_conclusion_date():
    concern = acknowledged()
    with pytest.raises(Invalid):
        handoff.record_outcome(concern, enquiry="not_opened", concluded_on=date(2026, 7, 6),
                               today=date(2026, 7, 6), now=FRIDAY)
    handoff.record_outcome(concern, enquiry="not_opened", concluded_on=None, today=date(2026, 7, 6), now=FRIDAY)
    assert concern.state == ConcernState.NOT_OPENED and handoff.ended(concern)
    with pytest.raises(Conflict, match="no enquiry was opened"):
        handoff.record_outcome(concern, enquiry="opened", concluded_on=None, today=date(2026, 7, 6), now=FRIDAY)


@pytest.mark.parametrize("concluded_on", [date(2026, 7, 2), date(2026, 7, 7)])
def test_a_conclusion_before_the_concern_or_in_the_future_is_invalid(concluded_on):
    concern = acknowledged()
    with pytest.raises(Invalid):
        handoff.record_outcome(concern, enquiry="opened", concluded_on=concluded_on, today=date(2026, 7, 6),
                               now=FRIDAY)
    assert concern.state == ConcernState.ACKNOWLEDGED


def test_an_unacknowledged_concern_is_chased_once_past_its_due_date_then_escalated_once():
    concern = Concern()
    assert not handoff.chase(concern, datetime(2026, 7, 6, 9, 29, tzinfo=UTC))  # a minute early
    monday = datetime(2026, 7, 6, 9, 30, tzinfo=UTC)
    assert handoff.chase(concern, monday) and concern.chased_at == monday
    assert not handoff.chase(concern, datetime(2026, 7, 6, 12, tzinfo=UTC))
    assert not handoff.escalate(concern, monday)
    tuesday = datetime(2026, 7, 7, 9, 30, tzinfo=UTC)
    assert handoff.escalate(concern, tuesday) and concern.escalated_at == tuesday
    assert not handoff.escalate(concern, datetime(2026, 7, 8, tzinfo=UTC))


def test_an_acknowledged_concern_is_never_chased_or_escalated():
    concern = acknowledged()
    late = datetime(2026, 7, 10, tzinfo=UTC)
    assert not handoff.chase(concern, late) and not handoff.escalate(concern, late)
    assert concern.chased_at is None and concern.escalated_at is None
