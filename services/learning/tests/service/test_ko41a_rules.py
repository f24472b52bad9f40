"""The KO41a as corrected: a transferred case is not resolved, GP practices' complaints are left out
(the KO41b), and the return has its profession and age-group sections.

Events go straight through the consumer's handler on a fresh database, each in its own transaction.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time

import pytest

from learning import repository, service
from learning.main import MIGRATIONS
from learning.reports import figures
from learning.reports import service as reports
from learning.reports.ko41a import ko41a, to_csv
from nwd_shared import events as ev
from nwd_shared.calendar import WorkingCalendar, add_months
from nwd_shared.context import Context
from nwd_shared.directory import Directory
from nwd_shared.errors import NotFound
from nwd_shared.testing import migrated_sessions

T, ICB, GP, COUNCIL = "trust-ko", "icb-ko", "gp-ko", "council-ko"
DIRECTORY = Directory.model_validate({"organisations": [
    {"id": T, "name": "KO Trust", "kind": "nhs_trust", "responsible_for": ["health"], "areas": ["ko"]},
    {"id": ICB, "name": "KO ICB", "kind": "icb", "responsible_for": ["health"], "areas": ["ko"]},
    {"id": GP, "name": "KO Surgery", "kind": "gp_practice", "responsible_for": ["health"], "areas": ["ko"]},
    {"id": COUNCIL, "name": "KO Council", "kind": "council", "responsible_for": ["social_care"], "areas": ["ko"]},
]})
CALENDAR = WorkingCalendar()
CONSUMER = Context(source="/nwd/learning", now=datetime(2026, 6, 1, tzinfo=UTC), calendar=CALENDAR,
                   directory=DIRECTORY)
YEAR = 2025  # 1 April 2025 to 31 March 2026


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def complaint(ref: str, on: date, description: str, *, owner: str = T, about: str | None = None) -> list:
    """A contact about `about` (the owner by default), its case opened at `owner` the same day."""
    return [
        ev.ContactReceived(source="/nwd/intake", subject=ref, time=at(on), data=ev.ContactReceivedData(
            reference=ref, received_by=owner, received_at=at(on, 10), kind="complaint", channel="email",
            complainant={"name": "Ann Example", "relationship": "self"},
            concerns=[{"organisation_id": about or owner}], description=description)),
        ev.CaseOpened(source="/nwd/casework", subject=ref, time=at(on, 14), data=ev.CaseOpenedData(
            case_id=f"case-{ref}", reference=ref, owner=owner, received_on=on, deadlines=ev.Deadlines(
                acknowledge_by=CALENDAR.add_working_days(on, 3), six_months_by=add_months(on, 6)))),
    ]


def closed(ref: str, on: date, *, owner: str = T, **data) -> ev.CaseClosed:
    return ev.CaseClosed(source="/nwd/casework", subject=ref, time=at(on, 15), data=ev.CaseClosedData(
        case_id=f"case-{ref}", reference=ref, owner=owner, closed_on=on, **data))


def age_group(ref: str, on: date, group: str) -> ev.CloudEvent:
    return ev.CaseEqualityRecorded(source="/nwd/casework", subject=ref, time=at(on, 16), data=ev.CaseEqualityData(
        case_id=f"case-{ref}", reference=ref, owner=T, age_group=group))


@pytest.fixture
async def sessions(database_url):
    async with migrated_sessions(MIGRATIONS, database_url) as factory:
        yield factory


async def project(sessions, *events: ev.CloudEvent) -> None:
    for event in events:
        async with sessions() as session, session.begin():
            await service.project(session, CONSUMER, event, action_due_working_days=40)


async def records(sessions, organisation: str):
    async with sessions() as session:
        return await repository.records_of(session, [organisation])


def cells(report: dict) -> dict[tuple[str, str], int]:
    rows = list(csv.reader(io.StringIO(to_csv(report))))
    return {(r[0], r[1]): int(r[3]) for r in rows[1:] if r[0] in {"summary", "outcome", "profession", "age_group"}}


async def test_a_transferred_case_is_not_resolved_and_leaves_the_open_cases(sessions):
    may = date(2025, 5, 1)
    await project(sessions,
                  *complaint("KO-MOVED", may, "The ward lost my mother's glasses."),
                  closed("KO-MOVED", date(2025, 5, 12), transferred_to=COUNCIL),
                  *complaint("KO-WITHDRAWN", may, "The clinic letter was wrong."),
                  closed("KO-WITHDRAWN", date(2025, 5, 20), closed_as="withdrawn"),
                  *complaint("KO-ANSWERED", may, "Nobody told me about the scan."),
                  closed("KO-ANSWERED", date(2025, 6, 2), outcome="upheld", closed_as="resolved"),
                  # Day-to-day business put right in time never was a complaint: not in the return at all.
                  ev.CaseDayToDayRecorded(source="/nwd/casework", subject="KO-DAY", time=at(may), data=ev.CaseDayToDayData(
                      case_id="case-KO-DAY", reference="KO-DAY", owner=T, received_on=may, resolve_by=date(2025, 5, 2))),
                  closed("KO-DAY", date(2025, 5, 2), closed_as="day_to_day"))
    report = ko41a(await records(sessions, T), T, "KO Trust", YEAR)
    got = cells(report)
    assert (got[("summary", "new")], got[("summary", "resolved")]) == (3, 1)
    assert (got[("summary", "transferred")], got[("summary", "withdrawn")], got[("summary", "other")]) == (1, 1, 0)
    assert got[("summary", "carried_forward")] == 0
    assert got[("summary", "brought_forward")] + got[("summary", "new")] - got[("summary", "resolved")] \
        - got[("summary", "transferred")] - got[("summary", "withdrawn")] == got[("summary", "carried_forward")]
    summary = figures.summary(await records(sessions, T), T, figures.financial_year(YEAR), today=date(2026, 6, 1),
                              calendar=CALENDAR)
    assert summary["counts"]["cases.closed"] == 1
    assert (summary["counts"]["cases.ended.transferred"], summary["counts"]["cases.ended.withdrawn"]) == (1, 1)


async def test_a_reopened_case_is_open_again_until_it_closes(sessions):
    await project(sessions, *complaint("KO-AGAIN", date(2025, 5, 1), "Nobody told me."),
                  closed("KO-AGAIN", date(2025, 5, 12), closed_as="withdrawn"),
                  ev.CaseReopened(source="/nwd/casework", subject="KO-AGAIN", time=at(date(2025, 6, 1)),
                                  data=ev.CaseReopenedData(case_id="case-KO-AGAIN", reference="KO-AGAIN", owner=T,
                                                           reopened_on=date(2025, 6, 1), reason="asked to",
                                                           status="investigating")))
    got = cells(ko41a(await records(sessions, T), T, "KO Trust", YEAR))
    assert (got[("summary", "withdrawn")], got[("summary", "carried_forward")]) == (0, 1)


async def test_complaints_about_gp_practices_are_left_out_and_a_practice_has_no_ko41a(sessions):
    may = date(2025, 5, 1)
    await project(sessions, *complaint("KO-SURGERY", may, "The practice would not book me in.", owner=ICB, about=GP),
                  *complaint("KO-HOSPITAL", may, "The hospital cancelled twice.", owner=ICB, about=T))
    got = cells(ko41a(await records(sessions, ICB), ICB, "KO ICB", YEAR))
    assert (got[("summary", "new")], got[("summary", "carried_forward")]) == (1, 1)
    practice = Context(source="/nwd/learning", now=CONSUMER.now, calendar=CALENDAR, directory=DIRECTORY, caller=GP)
    async with sessions() as session:
        with pytest.raises(NotFound) as refused:
            await reports.ko41a(session, practice, GP, YEAR)
    assert "KO41b" in str(refused.value)


async def test_the_ko41a_counts_professions_and_age_groups_with_not_known_where_data_is_absent(sessions):
    may = date(2025, 5, 1)
    await project(sessions,
                  *complaint("KO-1", may, "The consultant was dismissive and the nurse ignored the call bell."),
                  *complaint("KO-2", may, "The receptionist shouted at me."),
                  *complaint("KO-3", may, "I waited six hours in the corridor."),
                  *complaint("KO-4", may, "The ambulance took four hours to come."),
                  age_group("KO-1", may, "75-84"), age_group("KO-2", may, "18-64"))
    got = cells(ko41a(await records(sessions, T), T, "KO Trust", YEAR))
    professions = {item: n for (section, item), n in got.items() if section == "profession"}
    # KO-1 names two staff groups (once each); KO-4's ambulance service area gives ambulance staff.
    assert {p: n for p, n in professions.items() if n} == {
        "medical": 1, "nursing": 1, "administrative": 1, "ambulance": 1, "not_known": 1}
    assert {item: n for (section, item), n in got.items() if section == "age_group"} == {
        "0-17": 0, "18-64": 1, "65-74": 0, "75-84": 1, "85+": 0, "not_known": 2}
    assert sum(n for (section, _), n in got.items() if section == "age_group") == got[("summary", "new")]
