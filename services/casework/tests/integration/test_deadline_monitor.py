"""The deadline monitor warns before a deadline and reports each missed one exactly once."""

from __future__ import annotations

import asyncio
import io
from datetime import date

import pypdf

from nwd_shared.metrics import CASE_DEADLINE_BREACHES

BREACHED = "nwd.case.deadline_breached.v1"


async def breaches(driver, case) -> list[dict]:
    return [data for kind, data in await driver.events(case["reference"]) if kind == BREACHED]


async def alerts_of(driver, case) -> list[dict]:
    listed = await driver.client.get("/v1/cases/alerts", headers={"Authorization": "Bearer demo-wsx-council-key"})
    return [a for a in listed.json()["items"] if a["case_id"] == case["id"]]


async def test_a_missed_acknowledgement_is_reported_once_however_often_the_monitor_runs(driver):
    driver.clock.on(date(2026, 4, 2))  # the Thursday before Good Friday
    case = await driver.open(date(2026, 4, 2))
    assert case["deadlines"]["acknowledge_by"] == "2026-04-09"

    driver.clock.on(date(2026, 4, 7))  # two working days before: a warning, and no event
    await driver.monitor()
    assert [(a["deadline"], a["kind"]) for a in await alerts_of(driver, case)] == [("acknowledge_by", "warning")]
    assert await breaches(driver, case) == []

    driver.clock.on(date(2026, 4, 10))
    counted = CASE_DEADLINE_BREACHES.labels("casework", "acknowledge_by")
    before = counted._value.get()
    for _ in range(5):
        await driver.monitor()
    replica, engine = driver.replica()
    try:
        await asyncio.gather(*(driver.monitor(runtime) for runtime in (driver.runtime, replica) * 3))
    finally:
        if engine is not None:
            await engine.dispose()
    assert await breaches(driver, case) == [{"case_id": case["id"], "reference": case["reference"],
                                             "owner": "wsx-council", "deadline": "acknowledge_by",
                                             "due_on": "2026-04-09", "letter": None, "item": None}]
    assert [(a["deadline"], a["kind"]) for a in await alerts_of(driver, case)] == [("acknowledge_by", "breach")]
    # Counted (the app's own background monitor may count other cases' breaches meanwhile).
    assert counted._value.get() >= before + 1

    # Met late: the deadline no longer runs, so nothing more is raised and the alert is history.
    assert (await driver.act(case, "acknowledge")).status_code == 200
    await driver.monitor()
    assert len(await breaches(driver, case)) == 1 and await alerts_of(driver, case) == []


async def test_two_replicas_racing_on_the_same_database_report_each_breach_once(driver):
    driver.clock.on(date(2026, 12, 24))
    cases = [await driver.open(date(2026, 12, 24)) for _ in range(3)]
    # 3 working days after Christmas Eve skips Christmas, Boxing Day (a Saturday) and its substitute.
    assert {c["deadlines"]["acknowledge_by"] for c in cases} == {"2026-12-31"}
    driver.clock.on(date(2027, 1, 4))
    for _ in range(3):
        replica, engine = driver.replica()
        try:
            await asyncio.gather(driver.monitor(), driver.monitor(replica))
        finally:
            if engine is not None:
                await engine.dispose()
    for case in cases:
        assert [b["deadline"] for b in await breaches(driver, case)] == ["acknowledge_by"]


async def test_a_missed_six_months_calls_for_the_letter_that_explains_why(driver):
    driver.clock.on(date(2026, 1, 5))
    case = await driver.open(date(2026, 1, 5))
    assert case["deadlines"]["six_months_by"] == "2026-07-05"
    assert (await driver.act(case, "acknowledge")).status_code == 200
    assert (await driver.get(case, "/letters/six-months")).status_code == 409
    driver.clock.on(date(2026, 2, 2))
    assert (await driver.act(case, "extend", {
        "respond_by": "2026-07-31", "reason": "A key witness is abroad until July."})).status_code == 200

    driver.clock.on(date(2026, 7, 6))
    await driver.monitor()
    found = {b["deadline"]: b for b in await breaches(driver, case)}
    assert set(found) == {"action_plan_by", "six_months_by"}
    assert found["six_months_by"]["due_on"] == "2026-07-05" and found["six_months_by"]["letter"] == "six-months"

    page = await driver.get(case, "/letters/six-months", accept="text/html")
    assert page.status_code == 200 and "A key witness is abroad until July." in page.text
    pdf = await driver.get(case, "/letters/six-months", accept="application/pdf")
    text = " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages).split())
    assert case["reference"] in text and "Sunday 5 July 2026" in text and "Friday 31 July 2026" in text
