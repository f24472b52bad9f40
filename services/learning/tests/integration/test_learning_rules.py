"""Learning's use cases in process: real events through the projection on a real database, no broker
and no HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from learning import actions, classification, service
from learning.main import MIGRATIONS
from nwd_shared import events as ev
from nwd_shared.calendar import WorkingCalendar
from nwd_shared.context import Context
from nwd_shared.directory import Directory
from nwd_shared.errors import Conflict, Invalid, NotFound
from nwd_shared.testing import migrated_sessions

TRUST, COUNCIL = "trust-rules", "council-rules"
DIRECTORY = Directory.model_validate({"organisations": [
    {"id": TRUST, "name": "Rules Trust", "kind": "nhs_trust", "responsible_for": ["health"], "areas": ["r"]},
    {"id": COUNCIL, "name": "Rules Council", "kind": "council", "responsible_for": ["social_care"], "areas": ["r"]},
]})
CALENDAR = WorkingCalendar()


def at(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def context(caller: str | None = None, today: date = date(2026, 3, 2)) -> Context:
    return Context(source="/nwd/learning", now=at(today), calendar=CALENDAR, directory=DIRECTORY, caller=caller)


def opened(ref: str, on: date) -> ev.CaseOpened:
    return ev.CaseOpened(source="/nwd/casework", subject=ref, time=at(on), data=ev.CaseOpenedData(
        case_id=f"case-{ref}", reference=ref, owner=TRUST, received_on=on,
        deadlines=ev.Deadlines(acknowledge_by=on, six_months_by=date(2026, 8, 1))))


def responded(ref: str, on: date, **data) -> ev.CaseResponded:
    return ev.CaseResponded(source="/nwd/casework", subject=ref, time=at(on), data=ev.CaseRespondedData(
        case_id=f"case-{ref}", reference=ref, owner=TRUST, responded_on=on, desired_outcome_met=True,
        on_time=True, **data))


def closed(ref: str, on: date, **data) -> ev.CaseClosed:
    return ev.CaseClosed(source="/nwd/casework", subject=ref, time=at(on), data=ev.CaseClosedData(
        case_id=f"case-{ref}", reference=ref, owner=TRUST, closed_on=on, **data))


@pytest.fixture
async def sessions(database_url):
    async with migrated_sessions(MIGRATIONS, database_url) as factory:
        yield factory


async def deliver(sessions, *events: ev.CloudEvent) -> list[ev.CloudEvent]:
    """Each event in its own transaction, as the consumer applies it."""
    caused = []
    for event in events:
        async with sessions() as session, session.begin():
            caused += await service.project(session, context(), event, action_due_working_days=40)
    return caused


async def test_the_subject_a_response_names_is_the_cases_own_classification(sessions):
    await deliver(sessions, opened("NWD-R-1", date(2026, 1, 5)),
                  responded("NWD-R-1", date(2026, 1, 30), outcome="not_upheld", subject="Waiting times"))
    async with sessions() as session:
        found = await classification.classification_of(session, context(TRUST), "NWD-R-1")
    assert found["source"] == "case"
    assert found["by_case"] == [{"code": "waiting_times", "label": "Waiting times",
                                 "reason": "the case's own subject"}]
    assert found["service_area"] is None  # no case event carries one: it comes from the rules or a person


async def test_the_subject_a_closure_names_is_the_cases_own_classification(sessions):
    await deliver(sessions, opened("NWD-R-2", date(2026, 1, 5)),
                  closed("NWD-R-2", date(2026, 2, 2), outcome="upheld", subject="rude receptionist"))
    async with sessions() as session:
        found = await classification.classification_of(session, context(TRUST), "NWD-R-2")
    assert (found["source"], [s["code"] for s in found["subjects"]]) == ("case", ["values_behaviours"])


async def test_only_the_owner_sees_or_corrects_a_complaints_subjects(sessions):
    await deliver(sessions, opened("NWD-R-3", date(2026, 1, 5)))
    async with sessions() as session:
        with pytest.raises(NotFound):
            await classification.classification_of(session, context(COUNCIL), "NWD-R-3")
        with pytest.raises(Invalid) as missing:
            await classification.correct(session, context(TRUST), "NWD-R-3", subject_codes=None,
                                         service_area=None, reason="r")
        with pytest.raises(Invalid) as unknown:
            await classification.correct(session, context(TRUST), "NWD-R-3", subject_codes=["nope", "waiting_times"],
                                         service_area="nowhere", reason="r")
    assert [e.field for e in missing.value.errors] == ["body.subjects"]
    assert [(e.field, e.type) for e in unknown.value.errors] == [
        ("body.subjects.0", "unknown_code"), ("body.service_area", "unknown_code")]


async def test_an_upheld_response_raises_its_actions_once_and_each_is_completed_once(sessions):
    response = responded("NWD-R-4", date(2026, 2, 2), outcome="upheld", actions=[],
                         learning=["Check the discharge letters"])
    first = await deliver(sessions, opened("NWD-R-4", date(2026, 1, 5)), response)
    assert await deliver(sessions, response) == []  # a redelivery raises nothing new
    [raised] = first
    assert raised.data.description == "Check the discharge letters" and raised.data.owner == "Customer Relations"
    action_id, today = raised.data.action_id, date(2026, 3, 2)
    async with sessions() as session, session.begin():
        with pytest.raises(NotFound):
            await actions.complete(session, context(COUNCIL), action_id)
        with pytest.raises(Invalid):
            await actions.complete(session, context(TRUST, today), action_id, on=date(2026, 3, 3))
        with pytest.raises(Invalid):
            await actions.complete(session, context(TRUST, today), action_id, on=date(2026, 2, 1))
        [(_, status)] = await actions.actions_for(session, context(TRUST, today))
        assert status == "open"
        action, announced = await actions.complete(session, context(TRUST, today), action_id)
        assert (action.completed_on, [e.type for e in announced]) == (today, ["nwd.learning.action_completed.v1"])
        assert (await actions.complete(session, context(TRUST, today), action_id))[1] == []
        with pytest.raises(Conflict):
            await actions.update(session, context(TRUST, today), action_id, owner="Ward manager", due_on=None)
        assert await actions.actions_for(session, context(TRUST, today), status="open") == []


async def test_an_action_past_its_due_date_is_overdue_until_completed(sessions):
    [raised] = await deliver(sessions, opened("NWD-R-5", date(2026, 1, 5)),
                             responded("NWD-R-5", date(2026, 1, 6), outcome="partly_upheld", actions=["Apologise"]))
    after_due = raised.data.due_on + timedelta(days=1)
    async with sessions() as session, session.begin():
        [(_, status)] = await actions.actions_for(session, context(TRUST, after_due), status="overdue")
        assert status == "overdue"
        await actions.complete(session, context(TRUST, after_due), raised.data.action_id)
        assert await actions.actions_for(session, context(TRUST, after_due), status="overdue") == []
