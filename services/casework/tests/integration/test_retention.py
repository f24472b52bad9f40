"""Ten years after a case closed its personal data and free text are anonymised; its record stays."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from casework import retention
from casework.models import Case, CaseExtension
from nwd_shared.retention import ANONYMISED
from nwd_shared.runtime import run_job_once

PLAN = {"subject": "missed home care visits", "understanding": "Visits to your mother were missed.",
        "desired_outcome": "Visits happen as planned.", "steps": ["Read the records", "Ask the agency", "Meet you"]}
RESPONSE = {"outcome": "partly_upheld", "desired_outcome_met": True, "issues": "Visits were missed.",
            "investigation": "We read the logs.", "evidence": "The visit logs.",
            "findings": "Four visits did not happen and nobody told you.", "went_wrong": True,
            "impact": "Your mother went without help.", "apology": "We are sorry.",
            "actions": ["The agency calls on the day"], "learning": ["Missed visits are reviewed weekly"],
            "signed_by": "Sam Senior, Head of Adults' Services"}

COMPLAINANT = {"name": "Ann Example", "address": ["1 High Street", "Worthing"]}
PERSONAL = ("Ann Example", "High Street", "your mother", "Sam Senior", "records arrive", "nobody told you",
            "she moved")
STATISTICS = ("reference", "owner", "status", "received_on", "deadlines", "subject", "acknowledged_on",
              "action_plan_issued_on", "responded_on", "outcome", "on_time", "closed_on", "escalated_on")


async def closed_case(driver, year: int) -> dict:
    """A case received, acknowledged, planned, extended, answered and closed in `year`."""
    driver.clock.on(date(year, 7, 2))
    case = await driver.open(date(year, 7, 2))
    driver.clock.on(date(year, 7, 6))
    steps = [("acknowledge", {"complainant": COMPLAINANT}), ("action-plan", PLAN),
             ("extend", {"respond_by": date(year, 9, 18).isoformat(), "reason": "The records arrive late."}),
             ("response", RESPONSE), ("close", {"reason": "Closed after the response; she moved away."})]
    for action, body in steps:
        done = await driver.act(case, action, body)
        assert done.status_code == 200, done.text
    return done.json()


async def stored(driver, case: dict) -> str:
    """Everything casework's tables hold about the case, as text."""
    async with driver.runtime.sessions() as session:
        row = await session.get(Case, case["id"])
        extensions = (await session.execute(select(CaseExtension).where(CaseExtension.case_id == case["id"]))).scalars()
        return str({c.name: getattr(row, c.key) for c in Case.__table__.columns}) + str(
            [e.reason for e in extensions])


async def test_cases_closed_more_than_ten_years_ago_are_anonymised_and_their_record_kept(driver):
    old, recent = await closed_case(driver, 2015), await closed_case(driver, 2017)
    driver.clock.on(date(2016, 1, 4))
    still_open = await driver.open(date(2016, 1, 4))
    assert (await driver.act(still_open, "acknowledge", {"complainant": COMPLAINANT})).status_code == 200
    cases = (old, recent, still_open)
    before = {case["id"]: (await driver.get(case)).json() for case in cases}
    records = {case["id"]: (await driver.get(case, "/record")).json() for case in (old, recent)}
    untouched = {case["id"]: await stored(driver, case) for case in (recent, still_open)}

    driver.clock.on(date(2026, 3, 2))  # ten years after 2015 and 2016, not after 2017
    spec = retention.periodic(driver.runtime.settings)
    await run_job_once(spec, driver.runtime)

    everything = await stored(driver, old)
    assert [word for word in PERSONAL if word in everything] == []
    after = (await driver.get(old)).json()
    assert {k: after[k] for k in STATISTICS} == {k: before[old["id"]][k] for k in STATISTICS}
    assert after["action_plan"]["understanding"] == ANONYMISED
    assert after["action_plan"]["steps"] == [ANONYMISED] * 3 and after["action_plan"]["timescale_working_days"] == 20
    assert [e["reason"] for e in after["extensions"]] == [ANONYMISED]
    record = (await driver.get(old, "/record")).json()
    assert record == {**records[old["id"]], "summary": ANONYMISED}
    letter = await driver.get(old, "/letters/final-response", accept="text/html")
    assert letter.status_code == 200 and ANONYMISED in letter.text and "Ann Example" not in letter.text
    # The published events of the case are gone from the outbox; the others' are still there.
    assert await driver.events(old["reference"]) == []
    assert await driver.events(recent["reference"]) != []

    # Recently closed and open cases are as they were (letters and alerts due move with the clock).
    for case in (recent, still_open):
        moving = ("letters", "alerts")
        assert ({k: v for k, v in (await driver.get(case)).json().items() if k not in moving}
                == {k: v for k, v in before[case["id"]].items() if k not in moving})
        assert await stored(driver, case) == untouched[case["id"]]
    assert (await driver.get(recent, "/record")).json() == records[recent["id"]]

    # A second run, even a day later, changes nothing more.
    once = await stored(driver, old)
    driver.clock.on(date(2026, 3, 3))
    await run_job_once(spec, driver.runtime)
    assert await stored(driver, old) == once

