"""Ten years after a contact's handling ended its personal data is anonymised; statistics stay."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from intake import retention
from intake.config import Settings
from intake.main import create_app
from intake.models import Contact
from nwd_shared import db
from nwd_shared import events as ev
from nwd_shared.retention import ANONYMISED
from nwd_shared.runtime import run_job_once
from nwd_shared.testing import (
    FakeClock,
    bearer,
    contact_payload,
    eventually,
    publish,
    service_client,
)

COUNCIL = bearer("demo-wsx-council-key")
PERSONAL = ("Ann Example", "ann@example.org", "01234 567890", "Bob Example", "missed for a week",
            "someone explains", "Carer did not come")


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
async def clocked(request, broker, tmp_path_factory):
    """Intake with a clock the test moves; the retention job runs only when a test runs it."""
    async with service_client(create_app, Settings, request.param, broker.bootstrap_servers,
                              tmp_path_factory.mktemp("intake-retention"),
                              clock=FakeClock(datetime(2015, 3, 2, 10, tzinfo=UTC)),
                              retention_check_seconds=86400) as client:
        yield client


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def triaged(reference: str, route: str, day: date, overridden: bool = False) -> ev.CloudEvent:
    data = dict(reference=reference, received_by="wsx-council", received_at=at(day), kind="complaint",
                route=route, responsible_organisations=["wsx-council"], reasons=["test"])
    if overridden:
        return ev.TriageOverridden(source="/nwd/triage", subject=reference, time=at(day), data=ev.TriageOverriddenData(
            **data, previous_route="feedback", overridden_by="wsx-council", reason="it is a complaint"))
    return ev.TriageCompleted(source="/nwd/triage", subject=reference, time=at(day), data=ev.TriageDecisionData(**data))


def case_event(kind, reference: str, day: date) -> ev.CloudEvent:
    ids = dict(case_id="c-" + reference, reference=reference, owner="wsx-council")
    if kind is ev.CaseClosed:
        return ev.CaseClosed(source="/nwd/casework", subject=reference, time=at(day),
                             data=ev.CaseClosedData(**ids, closed_on=day, outcome="upheld"))
    return ev.CaseOpened(source="/nwd/casework", subject=reference, time=at(day), data=ev.CaseOpenedData(
        **ids, received_on=day, deadlines=ev.Deadlines(acknowledge_by=day, six_months_by=day)))


async def post_contact(client) -> str:
    body = contact_payload(
        complainant={"name": "Ann Example", "email": "ann@example.org", "phone": "01234 567890",
                     "relationship": "representative"},
        person_affected={"name": "Bob Example"},
        concerns=[{"organisation_id": "wsx-council", "summary": "Carer did not come"}])
    response = await client.post("/v1/contacts", json=body, headers=COUNCIL)
    assert response.status_code == 202, response.text
    return response.json()["reference"]


async def row(client, reference: str) -> Contact:
    async with client.runtime.sessions() as session:
        return await session.get(Contact, reference)


async def outbox_payloads(client, reference: str) -> list[bytes]:
    outbox = client.runtime.tables.outbox
    async with client.runtime.engine.connect() as connection:
        return list((await connection.execute(select(outbox.c.payload).where(outbox.c.key == reference))).scalars())


async def view(client, reference: str, steps: int, status: str | None = None) -> dict:
    """The contact as GET shows it, once its journey has `steps` steps (and, if given, that status)."""

    async def shown():
        seen = (await client.get(f"/v1/contacts/{reference}", headers=COUNCIL)).json()
        settled = len(seen["journey"]) == steps and status in (None, seen["status"])
        return seen if settled else None

    return await eventually(shown)


async def test_ended_contacts_are_anonymised_after_the_period_and_open_or_recent_ones_are_not(clocked, broker):
    clocked.clock.now = at(date(2015, 3, 2))
    closed_long_ago, feedback_long_ago, reopened, still_open, closed_recently = [
        await post_contact(clocked) for _ in range(5)]
    await publish(broker.bootstrap_servers,
                  case_event(ev.CaseOpened, closed_long_ago, date(2015, 3, 5)),
                  case_event(ev.CaseClosed, closed_long_ago, date(2015, 9, 1)),
                  triaged(feedback_long_ago, "feedback", date(2015, 3, 3)),
                  triaged(reopened, "feedback", date(2015, 3, 3)),
                  triaged(reopened, "complaint", date(2015, 3, 4), overridden=True),
                  case_event(ev.CaseOpened, still_open, date(2015, 3, 5)),
                  case_event(ev.CaseOpened, closed_recently, date(2015, 3, 5)),
                  case_event(ev.CaseClosed, closed_recently, date(2016, 6, 1)))
    steps = {closed_long_ago: 3, feedback_long_ago: 2, reopened: 3, still_open: 2, closed_recently: 3}
    # Topics are read in no fixed order between them: wait for each contact's settled status too.
    settled = {closed_long_ago: "closed", closed_recently: "closed", still_open: "case_open"}
    before = {reference: await view(clocked, reference, n, settled.get(reference)) for reference, n in steps.items()}
    kept = {reference: (await row(clocked, reference)).submission for reference in (reopened, still_open, closed_recently)}

    # Ten years on from 1 March 2016: the contacts that ended in 2015 are due, the 2016 one is not.
    clocked.clock.now = at(date(2026, 3, 1))
    spec = retention.periodic(clocked.runtime.settings)
    replica, engine = replica_of(clocked)
    try:
        await asyncio.gather(run_job_once(spec, clocked.runtime), run_job_once(spec, replica))
    finally:
        if engine is not None:
            await engine.dispose()

    for reference in (closed_long_ago, feedback_long_ago):
        anonymised = await row(clocked, reference)
        assert anonymised.anonymised_at == clocked.clock.now
        stored = str(anonymised.submission)
        assert not [word for word in PERSONAL if word in stored]
        assert anonymised.submission["complainant"] == {"name": ANONYMISED, "email": ANONYMISED,
                                                        "phone": ANONYMISED, "relationship": "representative"}
        assert anonymised.submission["description"] == ANONYMISED
        assert anonymised.submission["concerns"] == [{"organisation_id": "wsx-council", "service_type": None,
                                                      "area": None, "summary": ANONYMISED}]
        assert (anonymised.submission["kind"], anonymised.submission["channel"]) == ("complaint", "email")
        # The published contact.received repeated the personal data: it is gone from the outbox too.
        assert await outbox_payloads(clocked, reference) == []
    for reference, submission in kept.items():
        untouched = await row(clocked, reference)
        assert untouched.submission == submission and untouched.anonymised_at is None
        assert await outbox_payloads(clocked, reference) != []
    # Status, route, owner and journey, what statistics are made of, are as they were.
    for reference, n in steps.items():
        assert await view(clocked, reference, n) == before[reference]

    # A second run finds nothing more to do.
    first = {reference: (await row(clocked, reference)).anonymised_at for reference in steps}
    clocked.clock.now = at(date(2026, 3, 2))
    await run_job_once(spec, clocked.runtime)
    assert {reference: (await row(clocked, reference)).anonymised_at for reference in steps} == first


def replica_of(client):
    """A second replica's runtime on the same database (SQLite: one connection by design, shared)."""
    if client.database == "sqlite":
        return client.runtime, None
    engine = db.create_engine(client.runtime.settings.database_url)
    return dataclasses.replace(client.runtime, engine=engine, sessions=db.session_factory(engine)), engine

