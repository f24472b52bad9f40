"""Rebuild, as README.md tells an operator to do it: stop the service, run
`python -m learning rebuild`, start it again. The reports are the same as before."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import text

from learning.config import Settings
from learning.main import create_app
from nwd_shared import db
from nwd_shared import events as ev
from nwd_shared.calendar import WorkingCalendar, add_months
from nwd_shared.testing import (
    DATABASES,
    bearer,
    fresh_database,
    publish,
    running_app,
    wait_until_committed,
)

CALENDAR = WorkingCalendar()


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def story(trust: str, prefix: str) -> list[ev.CloudEvent]:
    out: list[ev.CloudEvent] = []
    for n, (on, text_, outcome) in enumerate([(date(2023, 5, 2), "Nobody told me about my appointment.", "upheld"),
                                              (date(2023, 9, 4), "The nurse was rude.", None),
                                              (date(2023, 12, 4), "Something else.", "not_upheld")]):
        ref = f"{prefix}-{n}"
        out.append(ev.ContactReceived(source="/nwd/intake", subject=ref, time=at(on), data=ev.ContactReceivedData(
            reference=ref, received_by=trust, received_at=at(on, 9), kind="complaint", channel="letter",
            complainant={"name": "Cy Person"}, concerns=[{"organisation_id": trust}], description=text_)))
        out.append(ev.TriageCompleted(source="/nwd/triage", subject=ref, time=at(on, 10), data=ev.TriageDecisionData(
            reference=ref, received_by=trust, received_at=at(on, 9), kind="complaint", route="complaint",
            responsible_organisations=[trust], reasons=["r"])))
        out.append(ev.OwnershipAgreed(source="/nwd/referral", subject=ref, time=at(on, 11), data=ev.OwnershipAgreedData(
            reference=ref, owner=trust, received_by=trust, owner_received_at=at(on, 9), kind="complaint",
            route="complaint")))
        base = {"case_id": f"case-{ref}", "reference": ref, "owner": trust}
        out.append(ev.CaseOpened(source="/nwd/casework", subject=ref, time=at(on, 12), data=ev.CaseOpenedData(
            **base, received_on=on, deadlines=ev.Deadlines(acknowledge_by=CALENDAR.add_working_days(on, 3),
                                                          six_months_by=add_months(on, 6)))))
        if outcome:
            later = add_months(on, 1)
            out.append(ev.CaseResponded(source="/nwd/casework", subject=ref, time=at(later), data=ev.CaseRespondedData(
                **base, responded_on=later, outcome=outcome, desired_outcome_met=True, on_time=True,
                actions=["Check appointment letters", "Brief the team"])))
            out.append(ev.CaseClosed(source="/nwd/casework", subject=ref, time=at(later, 15), data=ev.CaseClosedData(
                **base, closed_on=later, outcome=outcome)))
    return out


async def _reports(client, trust: dict, area: str, prefix: str) -> dict:
    key = bearer(trust["api_key"])
    org = trust["id"]
    return {
        "summary": (await client.get("/v1/reports/summary", headers=key,
                                     params={"organisation": org, "from": "2023-04-01", "to": "2024-03-31"})).json(),
        "annual": (await client.get("/v1/reports/annual", headers=key, params={"organisation": org, "year": 2023})).json(),
        "ko41a": (await client.get("/v1/reports/ko41a", headers=key, params={"organisation": org, "year": 2023})).text,
        "digest": (await client.get("/v1/reports/digest", headers=key,
                                    params={"area": area, "from": "2023-04-01", "to": "2024-03-31"})).json(),
        "actions": (await client.get("/v1/learning-actions", headers=key)).json(),
        "links": (await client.get("/v1/experience-links", headers=key, params={"reference": f"{prefix}-0"})).json(),
        "subjects": [(await client.get(f"/v1/subjects/{prefix}-{n}", headers=key)).json() for n in range(3)],
    }


async def _outbox_rows(url: str) -> int:
    engine = db.create_engine(url)
    try:
        async with engine.connect() as connection:
            return (await connection.execute(text("SELECT count(*) FROM outbox_message"))).scalar_one()
    finally:
        await engine.dispose()


@pytest.mark.parametrize("kind", DATABASES)
async def test_rebuilding_from_the_topics_gives_the_same_reports(kind, broker, tmp_path, test_directory):
    orgs = test_directory(tmp_path / "organisations.yaml")
    trust = orgs["trust"]
    prefix = f"NWD-R{uuid.uuid4().hex[:6].upper()}"
    async with fresh_database(kind, tmp_path) as url:
        settings = Settings(database_url=url, kafka_bootstrap_servers=broker.bootstrap_servers,
                            kafka_group_prefix=f"test-{uuid.uuid4().hex[:8]}-",
                            organisations_file=tmp_path / "organisations.yaml")
        app = create_app(settings)
        async with running_app(app) as client:
            group = app.state.runtime.consumers[0].name
            sent = await publish(broker.bootstrap_servers, *story(trust["id"], prefix))
            last = {}
            for m in sent:
                if (m.topic, m.partition) not in last or m.offset > last[(m.topic, m.partition)].offset:
                    last[(m.topic, m.partition)] = m
            for m in last.values():
                await wait_until_committed(broker.bootstrap_servers, group, m)
            key = bearer(trust["api_key"])
            # What people and staff did, which no topic holds: it must survive the rebuild.
            actions = (await client.get("/v1/learning-actions", headers=key)).json()["actions"]
            assert len(actions) == 2
            await client.post(f"/v1/learning-actions/{actions[0]['id']}/complete", headers=key)
            [link] = (await client.get("/v1/experience-links", headers=key,
                                       params={"reference": f"{prefix}-0"})).json()["links"]
            assert (await client.post(f"/v1/experience/{link['token']}", json={"rating": 5})).status_code == 201
            assert (await client.put(f"/v1/subjects/{prefix}-2", headers=key, json={
                "subjects": ["facilities"], "reason": "about parking"})).status_code == 200
            before = await _reports(client, trust, orgs["area"], prefix)
        outbox_before = await _outbox_rows(url)
        assert before["annual"]["received"] == 3 and before["links"]["links"][0]["rating"] == 5
        assert [a["status"] for a in before["actions"]["actions"]].count("completed") == 1
        assert ",facilities,Facilities,1" in before["ko41a"]

        env = {**os.environ, "NWD_LEARNING_DATABASE_URL": url, "NWD_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
               "NWD_KAFKA_GROUP_PREFIX": settings.kafka_group_prefix,
               "NWD_ORGANISATIONS_FILE": str(tmp_path / "organisations.yaml"), "NWD_LOG_LEVEL": "WARNING"}
        process = await asyncio.create_subprocess_exec(sys.executable, "-m", "learning", "rebuild", env=env,
                                                       stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(process.communicate(), 300)
        assert process.returncode == 0, err.decode()[-3000:]
        assert "learning projections rebuilt from" in out.decode()
        assert await _outbox_rows(url) == outbox_before  # nothing raised or announced twice

        async with running_app(create_app(settings)) as client:
            after = await _reports(client, trust, orgs["area"], prefix)
    assert after == before
