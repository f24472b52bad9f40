"""Casework rules: the statutory clock. Pure: dates in, dates out."""

from __future__ import annotations

from datetime import date

from nwd_shared.calendar import WorkingCalendar, add_months

# Regulation 13(3): acknowledge within 3 working days of receipt. Law, so not configurable.
ACKNOWLEDGE_WORKING_DAYS = 3
# Regulation 14: tell the complainant in writing if there is no response within 6 months.
SIX_MONTHS = 6


def deadlines_on_opening(received_on: date, calendar: WorkingCalendar) -> dict[str, date | None]:
    """Dates known when a case opens; the action plan and response dates follow acknowledgement."""
    return {
        "acknowledge_by": calendar.add_working_days(received_on, ACKNOWLEDGE_WORKING_DAYS),
        "action_plan_by": None,
        "respond_by": None,
        "six_months_by": add_months(received_on, SIX_MONTHS),
    }
