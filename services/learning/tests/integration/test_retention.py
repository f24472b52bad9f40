"""Ten years after a case closed, the person's comment on its handling is anonymised; the rating stays."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from learning import retention
from learning.config import Settings
from learning.main import create_app
from nwd_shared import events as ev
from nwd_shared.retention import ANONYMISED
from nwd_shared.runtime import run_job_once
from nwd_shared.testing import FakeClock, bearer, eventually, publish, service_client

COUNCIL = bearer("demo-wsx-council-key")


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
async def clocked(request, broker, tmp_path_factory):
    """Learning with a clock the test moves; the retention job runs only when a test runs it."""
    async with service_client(create_app, Settings, request.param, broker.bootstrap_servers,
                              tmp_path_factory.mktemp("learning-retention"),
                              clock=FakeClock(datetime(2015, 3, 2, 10, tzinfo=UTC)),
                              retention_check_seconds=86400) as client:
        yield client


def closed(reference: str, day: date) -> ev.CaseClosed:
    return ev.CaseClosed(source="/nwd/casework", subject=reference,
                         time=datetime(day.year, day.month, day.day, 12, tzinfo=UTC),
                         data=ev.CaseClosedData(case_id="c-" + reference, reference=reference,
                                                owner="wsx-council", closed_on=day, outcome="upheld"))


async def link_of(client, reference: str) -> dict:
    async def issued():
        links = (await client.get("/v1/experience-links", params={"reference": reference}, headers=COUNCIL)).json()
        return links["links"][0] if links["links"] else None

    return await eventually(issued)


async def test_comments_on_cases_closed_more_than_ten_years_ago_are_anonymised(clocked):
    old, recent = f"NWD-{uuid.uuid4().hex[:8].upper()}", f"NWD-{uuid.uuid4().hex[:8].upper()}"
    await publish(clocked.runtime.settings.kafka_bootstrap_servers,
                  closed(old, date(2015, 9, 1)), closed(recent, date(2016, 6, 1)))
    for reference, rating in ((old, 2), (recent, 4)):
        link = await link_of(clocked, reference)
        answered = await clocked.post(f"/v1/experience/{link['token']}",
                                      json={"rating": rating, "comment": "Ann Example was ignored."})
        assert answered.status_code == 201, answered.text
    before = {r: await link_of(clocked, r) for r in (old, recent)}

    clocked.clock.now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    spec = retention.periodic(clocked.runtime.settings)
    await run_job_once(spec, clocked.runtime)

    after = await link_of(clocked, old)
    assert after == {**before[old], "comment": ANONYMISED}
    assert after["rating"] == 2 and after["used"] is True
    assert await link_of(clocked, recent) == before[recent]

    clocked.clock.now = datetime(2026, 3, 2, 12, tzinfo=UTC)
    await run_job_once(spec, clocked.runtime)
    assert await link_of(clocked, old) == after
