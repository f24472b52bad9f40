"""A complaint entwined with safeguarding opens suspended; its response clock pauses until resumed."""

from __future__ import annotations

from datetime import UTC, date, datetime

from nwd_shared import events as ev
from nwd_shared.testing import group_of, publish, wait_until_committed


async def test_a_suspended_case_is_acknowledged_on_time_and_its_clock_moves_by_the_pause(driver):
    driver.clock.on(date(2026, 7, 6))
    case = await driver.open(date(2026, 7, 6), route="suspended")
    assert case["suspended"] is True and case["deadlines"]["acknowledge_by"] == "2026-07-09"

    driver.clock.on(date(2026, 7, 8))
    acknowledged = await driver.act(case, "acknowledge")
    assert acknowledged.status_code == 200
    assert acknowledged.json()["deadlines"]["action_plan_by"] == "2026-07-15"
    assert acknowledged.json()["deadlines"]["respond_by"] == "2026-08-03"  # 20 working days from receipt
    assert (await driver.act(case, "action-plan", {
        "subject": "s", "understanding": "u", "desired_outcome": "d", "steps": ["x"]})).status_code == 409

    driver.clock.on(date(2026, 7, 17))
    await driver.monitor()  # paused deadlines are neither warned of nor breached

    driver.clock.on(date(2026, 7, 20))
    resumed = await driver.act(case, "resume", {"reason": "The safeguarding enquiry has concluded."})
    assert resumed.status_code == 200, resumed.text
    # The response clock runs from receipt: paused from 6 July to 20 July, 10 working days; the plan's
    # clock from the acknowledgement (8 July), 8.
    assert resumed.json()["paused_working_days"] == 10 and resumed.json()["suspended"] is False
    assert resumed.json()["deadlines"]["action_plan_by"] == "2026-07-27"
    assert resumed.json()["deadlines"]["respond_by"] == "2026-08-17"
    assert (await driver.act(case, "resume")).status_code == 409

    events = await driver.events(case["reference"])
    assert [kind for kind, _ in events] == ["nwd.case.opened.v1", "nwd.case.suspended.v1",
                                            "nwd.case.acknowledged.v1", "nwd.case.resumed.v1"]
    assert events[0][1]["suspended"] is True
    assert events[-1][1]["paused_working_days"] == 10
    assert events[-1][1]["deadlines"]["respond_by"] == "2026-08-17"


def overridden(reference: str, route: str, previous: str) -> ev.TriageOverridden:
    return ev.TriageOverridden(
        source="/nwd/triage", subject=reference, time=datetime.now(UTC),
        data=ev.TriageOverriddenData(reference=reference, received_by="wsx-council",
                                     received_at=datetime.now(UTC), kind="complaint", route=route,
                                     responsible_organisations=["wsx-council"], reasons=["reviewed"],
                                     previous_route=previous, overridden_by="wsx-council",
                                     reason="The enquiry and the complaint are entwined."))


async def test_a_duplicate_triage_override_suspends_the_case_once(driver, broker):
    driver.clock.on(date(2026, 7, 6))
    case = await driver.open(date(2026, 7, 6))
    assert (await driver.act(case, "acknowledge")).status_code == 200
    to_suspended = overridden(case["reference"], "suspended", "complaint")
    _, second = await publish(broker.bootstrap_servers, to_suspended, to_suspended)
    await wait_until_committed(broker.bootstrap_servers, group_of(driver.client), second)
    assert (await driver.get(case)).json()["suspended"] is True

    driver.clock.on(date(2026, 7, 8))
    [back] = await publish(broker.bootstrap_servers, overridden(case["reference"], "complaint", "suspended"))
    await wait_until_committed(broker.bootstrap_servers, group_of(driver.client), back)
    view = (await driver.get(case)).json()
    assert view["suspended"] is False and view["paused_working_days"] == 2
    kinds = [kind for kind, _ in await driver.events(case["reference"])]
    assert kinds.count("nwd.case.suspended.v1") == 1 and kinds.count("nwd.case.resumed.v1") == 1


async def test_the_owner_suspends_when_safeguarding_appears_later(driver):
    driver.clock.on(date(2026, 7, 6))
    case = await driver.open(date(2026, 7, 6))
    assert (await driver.act(case, "suspend")).status_code == 422  # a reason is required
    assert (await driver.act(case, "suspend", {"reason": "A s42 enquiry has started."})).status_code == 200
    assert (await driver.act(case, "suspend", {"reason": "again"})).status_code == 409
    resumed = await driver.act(case, "resume")
    assert resumed.status_code == 200 and resumed.json()["paused_working_days"] == 0
