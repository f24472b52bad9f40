"""The summary report counts projected facts, once per event, for the caller's organisation only."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, time, timedelta

from nwd_shared import events as ev
from nwd_shared.testing import bearer, group_of, publish, wait_until_committed

ICB = bearer("demo-sussex-icb-key")


async def test_duplicate_case_opened_is_counted_once(learning, broker):
    reference = f"NWD-{uuid.uuid4().hex[:8].upper()}"
    # A day of its own: every app reads the topic from the start, other tests' events included.
    day = date(2001, 1, 1) + timedelta(days=random.randrange(9000))
    event = ev.CaseOpened(
        source="/nwd/casework", subject=reference, time=datetime.combine(day, time(12), tzinfo=UTC),
        data=ev.CaseOpenedData(case_id="c", reference=reference, owner="sussex-icb", received_on=day,
                               deadlines=ev.Deadlines(acknowledge_by=day, six_months_by=day)))
    _, second = await publish(broker.bootstrap_servers, event, event)
    await wait_until_committed(broker.bootstrap_servers, group_of(learning), second)
    summary = (await learning.get("/v1/reports/summary", headers=ICB, params={
        "organisation": "sussex-icb", "from": day.isoformat(), "to": day.isoformat()})).json()
    assert summary["counts"]["cases.opened"] == 1
    assert summary["from"] == day.isoformat()


async def test_an_organisation_cannot_read_anothers_report(learning):
    response = await learning.get("/v1/reports/summary", headers=ICB, params={
        "organisation": "wsx-council", "from": "2026-01-01", "to": "2026-12-31"})
    assert response.status_code == 404


async def test_period_ending_before_it_starts_is_a_422(learning):
    response = await learning.get("/v1/reports/summary", headers=ICB, params={
        "organisation": "sussex-icb", "from": "2026-12-31", "to": "2026-01-01"})
    assert response.status_code == 422
