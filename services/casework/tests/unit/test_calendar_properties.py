"""Properties of the statutory clock over many dates, against the English working calendar."""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.easter import easter
from hypothesis import given, settings
from hypothesis import strategies as st

from casework import domain
from nwd_shared.calendar import WorkingCalendar, add_months

CALENDAR = WorkingCalendar()
# Within the calendar's cache of 64 years, so each example is fast.
DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))
WORKING_DAYS = st.integers(min_value=1, max_value=120)
# The first use of a year loads its holidays, which can outlast hypothesis's default deadline.
examples = settings(deadline=None, max_examples=200)


@examples
@given(received=DAYS, acknowledged_after=st.integers(0, 30), planned_after=st.integers(0, 30),
       plan_days=st.integers(1, 60), likely=WORKING_DAYS, timescale=WORKING_DAYS, paused=st.integers(0, 200))
def test_every_working_day_deadline_falls_on_a_working_day(received, acknowledged_after, planned_after,
                                                           plan_days, likely, timescale, paused):
    opened = domain.deadlines_on_opening(received, CALENDAR)
    acknowledged_on = received + timedelta(days=acknowledged_after)  # any day, weekends included
    after_ack = domain.deadlines_on_acknowledgement(acknowledged_on, received_on=received,
                                                    action_plan_working_days=plan_days,
                                                    likely_response_working_days=likely, calendar=CALENDAR)
    respond_by = domain.respond_by_for_plan(received, timescale, CALENDAR)
    deadlines = [opened["acknowledge_by"], after_ack["action_plan_by"], after_ack["respond_by"], respond_by,
                 domain.shift(respond_by, paused, CALENDAR)]
    assert all(CALENDAR.is_working_day(day) for day in deadlines)
    assert opened["acknowledge_by"] > received and CALENDAR.working_days_between(received, opened["acknowledge_by"]) == 3
    # Six months is a calendar period in law (reg 14), the one deadline not counted in working days.
    assert opened["six_months_by"] == add_months(received, 6)


@examples
@given(year=st.integers(2000, 2060), received_after=st.integers(0, 4), days=st.integers(1, 10))
def test_working_days_after_the_thursday_before_good_friday_land_after_easter_monday(year, received_after, days):
    easter_monday = easter(year) + timedelta(days=1)
    thursday = easter(year) - timedelta(days=3)
    assert domain.deadlines_on_opening(thursday, CALENDAR)["acknowledge_by"] == easter_monday + timedelta(days=3)
    received = thursday + timedelta(days=received_after)  # Thursday to Easter Monday
    assert CALENDAR.add_working_days(received, days) > easter_monday


def last_christmas_holiday(year: int) -> date:
    """The last day of the Christmas bank holidays in England, with their substitute days."""
    christmas = date(year, 12, 25)
    return {4: date(year, 12, 28),  # Friday: Boxing Day on Saturday, Monday instead
            5: date(year, 12, 28),  # Saturday: Monday and Tuesday instead
            6: date(year, 12, 27)}.get(christmas.weekday(), date(year, 12, 26))


@examples
@given(year=st.integers(2000, 2059), days=st.integers(1, 10))
def test_working_days_after_christmas_eve_land_after_the_boxing_day_holidays(year, days):
    due = CALENDAR.add_working_days(date(year, 12, 24), days)
    assert due > last_christmas_holiday(year)
    assert CALENDAR.is_working_day(due) and CALENDAR.working_days_between(date(year, 12, 24), due) == days


@examples
@given(started=DAYS, respond_after=st.integers(1, 120), suspended_after=st.integers(-30, 200),
       resumed_after=st.integers(0, 300))
def test_pause_and_resume_never_shorten_respond_by(started, respond_after, suspended_after, resumed_after):
    respond_by = CALENDAR.add_working_days(started, respond_after)
    suspended_on = started + timedelta(days=suspended_after)
    resumed_on = suspended_on + timedelta(days=resumed_after)
    paused = domain.paused_working_days(suspended_on=suspended_on, resumed_on=resumed_on,
                                        clock_started_on=started, calendar=CALENDAR)
    moved = domain.shift(respond_by, paused, CALENDAR)
    assert paused >= 0 and moved >= respond_by and CALENDAR.is_working_day(moved)
    # The complainant's case keeps every working day it had left when the clock stopped.
    left_at_suspension = CALENDAR.working_days_between(max(suspended_on, started), respond_by)
    assert CALENDAR.working_days_between(resumed_on, moved) >= left_at_suspension


@examples
@given(started=DAYS, respond_after=st.integers(1, 60),
       pauses=st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=4))
def test_repeated_suspensions_only_ever_move_respond_by_later(started, respond_after, pauses):
    respond_by, today = CALENDAR.add_working_days(started, respond_after), started
    for wait, length in pauses:
        suspended_on = today + timedelta(days=wait)
        today = suspended_on + timedelta(days=length)
        paused = domain.paused_working_days(suspended_on=suspended_on, resumed_on=today,
                                            clock_started_on=started, calendar=CALENDAR)
        moved = domain.shift(respond_by, paused, CALENDAR)
        assert moved >= respond_by
        respond_by = moved
