"""The statutory clock of a case when it opens."""

from datetime import date

from casework.domain import deadlines_on_opening
from nwd_shared.calendar import WorkingCalendar


def test_acknowledge_by_is_three_working_days_after_receipt_over_easter():
    deadlines = deadlines_on_opening(date(2026, 4, 2), WorkingCalendar())
    assert deadlines["acknowledge_by"] == date(2026, 4, 9)


def test_six_months_by_is_six_calendar_months_after_receipt():
    assert deadlines_on_opening(date(2026, 8, 31), WorkingCalendar())["six_months_by"] == date(2027, 2, 28)


def test_action_plan_and_response_dates_wait_for_the_acknowledgement():
    deadlines = deadlines_on_opening(date(2026, 11, 23), WorkingCalendar())
    assert deadlines["action_plan_by"] is None and deadlines["respond_by"] is None
