"""Learning's projections in-process: events handed to its consumer by `deliver`, no broker."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from learning.config import Settings
from learning.main import create_app
from nwd_shared import events as ev
from nwd_shared.testing import bearer, deliver, in_process, new_reference

ICB = bearer("demo-sussex-icb-key")
DAY = date(2026, 3, 4)


learning = in_process(create_app, Settings)


def opened(reference: str) -> ev.CaseOpened:
    return ev.CaseOpened(
        source="/nwd/casework", subject=reference, time=datetime.combine(DAY, time(12), tzinfo=UTC),
        data=ev.CaseOpenedData(case_id="c-" + reference, reference=reference, owner="sussex-icb",
                               received_on=DAY, deadlines=ev.Deadlines(acknowledge_by=DAY, six_months_by=DAY)))


async def test_each_case_opened_is_counted_once_however_often_it_is_delivered(learning):
    first, second = opened(new_reference()), opened(new_reference())
    await deliver(learning, first, first, second)
    await deliver(learning, second)
    summary = (await learning.get("/v1/reports/summary", headers=ICB, params={
        "organisation": "sussex-icb", "from": DAY.isoformat(), "to": DAY.isoformat()})).json()
    assert summary["counts"]["cases.opened"] == 2
