"""When a contact's handling ends for retention, and what anonymising keeps."""

from __future__ import annotations

from datetime import UTC, date, datetime

from nwd_shared import events as ev
from nwd_shared.retention import ANONYMISED, blank, cutoff, ended_at


def at(day: int) -> datetime:
    return datetime(2015, 3, day, 12, tzinfo=UTC)


def closed(day: int, transferred_to: str | None = None) -> ev.CaseClosed:
    return ev.CaseClosed(source="/nwd/casework", subject="NWD-1", time=at(day), data=ev.CaseClosedData(
        case_id="c", reference="NWD-1", owner="wsx-council", closed_on=at(day).date(), transferred_to=transferred_to))


def opened(day: int) -> ev.CaseOpened:
    return ev.CaseOpened(source="/nwd/casework", subject="NWD-1", time=at(day), data=ev.CaseOpenedData(
        case_id="c", reference="NWD-1", owner="wsx-council", received_on=at(day).date(),
        deadlines=ev.Deadlines(acknowledge_by=at(day).date(), six_months_by=at(day).date())))


def test_a_closure_ends_handling_and_only_a_later_opening_starts_it_again():
    assert ended_at(None, closed(10)) == at(10)
    assert ended_at(at(10), opened(5)) == at(10)  # an earlier opening arriving late
    assert ended_at(at(10), opened(11)) is None
    assert ended_at(at(10), closed(4)) == at(10)


def test_a_transfer_is_not_the_end_of_the_contacts_handling():
    assert ended_at(None, closed(10, transferred_to="uhsussex")) is None


def test_the_cutoff_is_the_same_day_years_before_and_29_february_gives_28():
    assert cutoff(datetime(2026, 3, 1, tzinfo=UTC), 10) == datetime(2016, 3, 1, tzinfo=UTC)
    assert cutoff(datetime(2028, 2, 29, tzinfo=UTC), 10).date() == date(2018, 2, 28)


def test_blank_replaces_every_string_but_the_kept_keys():
    assert blank({"name": "Ann", "kind": "complaint", "n": 3, "flag": True, "lines": ["a", "b"], "none": None},
                 keep={"kind"}) == {"name": ANONYMISED, "kind": "complaint", "n": 3, "flag": True,
                                    "lines": [ANONYMISED, ANONYMISED], "none": None}
