"""Working days in England, from the maintained holidays data."""

from datetime import UTC, date, datetime

import pytest

from nwd_shared.calendar import WorkingCalendar, add_months, local_date

calendar = WorkingCalendar()


@pytest.mark.parametrize(
    ("start", "days", "expected", "why"),
    [
        (date(2026, 11, 23), 3, date(2026, 11, 26), "Monday + 3 is Thursday"),
        (date(2026, 11, 20), 3, date(2026, 11, 25), "a weekend is not counted"),
        (date(2026, 11, 22), 3, date(2026, 11, 25), "received on Sunday: counting starts Monday"),
        (date(2026, 4, 2), 3, date(2026, 4, 9), "Good Friday and Easter Monday 2026"),
        (date(2026, 12, 23), 3, date(2026, 12, 30), "Christmas Day and Boxing Day (substitute 28th)"),
        (date(2027, 8, 27), 1, date(2027, 8, 31), "summer bank holiday 30 August 2027"),
        (date(2026, 11, 23), 0, date(2026, 11, 23), "zero days is the same day"),
    ],
)
def test_add_working_days(start, days, expected, why):
    assert calendar.add_working_days(start, days) == expected, why


def test_christmas_and_good_friday_are_not_working_days():
    assert not calendar.is_working_day(date(2026, 12, 25))
    assert not calendar.is_working_day(date(2027, 3, 26))  # Good Friday 2027
    assert calendar.is_working_day(date(2026, 11, 24))


def test_extra_closures_are_honoured():
    closed = WorkingCalendar(extra_closures=frozenset({date(2026, 11, 24)}))
    assert closed.add_working_days(date(2026, 11, 23), 1) == date(2026, 11, 25)


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        calendar.add_working_days(date(2026, 11, 23), -1)


def test_working_days_between_counts_after_start_through_end():
    assert calendar.working_days_between(date(2026, 11, 20), date(2026, 11, 25)) == 3


def test_local_date_is_the_date_in_england():
    assert local_date(datetime(2026, 7, 1, 23, 30, tzinfo=UTC)) == date(2026, 7, 2)  # BST
    assert local_date(datetime(2026, 12, 1, 23, 30, tzinfo=UTC)) == date(2026, 12, 1)  # GMT


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 11, 22), 6, date(2027, 5, 22)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
    ],
)
def test_add_months_clamps_to_the_end_of_month(start, months, expected):
    assert add_months(start, months) == expected
