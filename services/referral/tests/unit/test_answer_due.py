"""When an unanswered proposal is reminded and escalates: working days in England."""

from datetime import UTC, datetime

from nwd_shared.calendar import WorkingCalendar
from referral.domain import answer_due, reminder_due

CALENDAR = WorkingCalendar()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_two_working_days_skip_the_weekend_and_keep_the_time_of_day():
    proposed = at("2026-12-11T10:00:00+00:00")  # a Friday
    assert answer_due(proposed, timeout_working_days=2, calendar=CALENDAR) == at("2026-12-15T10:00:00+00:00")
    assert reminder_due(proposed, timeout_working_days=2, reminder_working_days=1,
                        calendar=CALENDAR) == at("2026-12-14T10:00:00+00:00")


def test_christmas_and_substitute_bank_holidays_do_not_count():
    proposed = at("2026-12-24T10:00:00+00:00")
    assert answer_due(proposed, timeout_working_days=2, calendar=CALENDAR) == at("2026-12-30T10:00:00+00:00")


def test_the_time_of_day_is_kept_in_england_across_the_clock_change():
    proposed = at("2026-03-27T09:30:00+00:00")  # a Friday in GMT; due after the clocks go forward
    assert answer_due(proposed, timeout_working_days=1, calendar=CALENDAR) == at("2026-03-30T09:30:00+01:00")


def test_a_reminder_as_long_as_the_time_out_comes_halfway():
    proposed = at("2026-12-14T10:00:00+00:00")
    due = answer_due(proposed, timeout_working_days=1, calendar=CALENDAR)
    assert reminder_due(proposed, timeout_working_days=1, reminder_working_days=1, calendar=CALENDAR) == \
        proposed + (due - proposed) / 2
    assert reminder_due(proposed, timeout_working_days=2, reminder_working_days=0, calendar=CALENDAR) is None
