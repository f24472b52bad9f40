"""Joint complaints (reg 9): the lead requests parts, contributors submit them, one response."""

from __future__ import annotations

from datetime import date

RESPONSE = {
    "outcome": "not_upheld", "desired_outcome_met": True, "went_wrong": False,
    "issues": "Discharge and the care package that followed.", "investigation": "Records from both bodies.",
    "evidence": "Discharge summary and care plan.", "findings": "Both were arranged as they should have been.",
    "signed_by": "Pat Chief, Chief Nurse",
}


async def test_the_lead_sees_outstanding_and_overdue_parts_and_responds_once_all_are_in(driver):
    driver.clock.on(date(2026, 7, 6))
    case = await driver.open(date(2026, 7, 6), owner="uhsussex", contributors=("wsx-council",))
    assert (await driver.act(case, "acknowledge")).status_code == 200

    asked = await driver.act(case, "contributions", {"contributor": "wsx-council", "due_on": "2026-07-13",
                                                     "request": "Your part about the care package, please."})
    assert asked.status_code == 200 and asked.json()["status"] == "outstanding"
    not_joint = await driver.act(case, "contributions", {"contributor": "downs-care", "due_on": "2026-07-13",
                                                         "request": "x"})
    assert not_joint.status_code == 422
    assert (await driver.act(case, "contributions", {"contributor": "wsx-council", "due_on": "2026-07-13",
                                                     "request": "x"}, by="wsx-council")).status_code == 403

    driver.clock.on(date(2026, 7, 14))
    [part] = (await driver.get(case, "/contributions")).json()
    assert part["status"] == "overdue" and part["due_on"] == "2026-07-13"
    assert (await driver.get(case)).json()["contributions"][0]["status"] == "overdue"
    blocked = await driver.act(case, "response", RESPONSE)
    assert blocked.status_code == 409 and blocked.json()["outstanding"] == ["wsx-council"]

    part_body = {"part": "The care package started the day after discharge.", "submitted_by": "A Manager"}
    assert (await driver.act(case, "contributions/wsx-council/part", part_body, by="bh-council")).status_code == 404
    assert (await driver.act(case, "contributions/wsx-council/part", part_body)).status_code == 403
    submitted = await driver.act(case, "contributions/wsx-council/part", part_body, by="wsx-council")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert (await driver.get(case, "/contributions", by="wsx-council")).json()[0]["part"] == part_body["part"]

    responded = await driver.act(case, "response", RESPONSE)
    assert responded.status_code == 200, responded.text
    letter = await driver.get(case, "/letters/final-response", accept="text/html")
    assert "We worked with West Sussex County Council" in letter.text
    assert "Parliamentary and Health Service Ombudsman" in letter.text


async def test_a_joint_response_may_go_without_a_part_when_it_says_why(driver):
    driver.clock.on(date(2026, 7, 6))
    case = await driver.open(date(2026, 7, 6), owner="uhsussex", contributors=("wsx-council",))
    assert (await driver.act(case, "acknowledge")).status_code == 200
    assert (await driver.act(case, "contributions", {"contributor": "wsx-council", "due_on": "2026-07-13",
                                                     "request": "Your part, please."})).status_code == 200
    responded = await driver.act(case, "response", RESPONSE | {
        "without_contributions_reason": "The council's part is covered by its own letter of 10 July."})
    assert responded.status_code == 200, responded.text
    late = await driver.act(case, "contributions/wsx-council/part", {"part": "late"}, by="wsx-council")
    assert late.status_code == 409
