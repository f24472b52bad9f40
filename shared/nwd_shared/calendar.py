"""Working days in England: no weekends, Christmas Day, Good Friday or English bank holidays."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

ENGLAND = ZoneInfo("Europe/London")

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Now, in UTC; services take a Clock so tests can fix the date."""
    return datetime.now(UTC)


class WorkingCalendar:
    """Counts working days in England; bank holidays come from the maintained `holidays` library."""

    def __init__(self, extra_closures: frozenset[date] = frozenset()) -> None:
        self._extra = extra_closures

    @staticmethod
    @lru_cache(maxsize=64)
    def _bank_holidays(year: int) -> frozenset[date]:
        # Christmas Day and Good Friday are English bank holidays in the library's data.
        return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())

    def warm(self, today: date) -> None:
        """Load this year's and next year's holidays now: the first load takes about a second."""
        for year in (today.year, today.year + 1):
            self._bank_holidays(year)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._bank_holidays(day.year) and day not in self._extra

    def add_working_days(self, start: date, days: int) -> date:
        """The date `days` working days after `start` (the start day itself is not counted)."""
        if days < 0:
            raise ValueError("days must not be negative")
        day = start
        remaining = days
        while remaining:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end`."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count


def local_date(moment: datetime) -> date:
    """The date in England of a moment (a receipt at 23:30 UTC in summer is the next day)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ENGLAND).date()


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (31 Aug + 6 months = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")
