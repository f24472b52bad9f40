"""One complaint through its owner's hands, with an injected clock: each deadline and each event."""

from __future__ import annotations

import io
from datetime import date

import pypdf

PLAN = {
    "subject": "missed home care visits",
    "understanding": "Home care visits to your mother were missed for a week in June.",
    "desired_outcome": "Visits happen as planned and someone explains what went wrong.",
    "steps": ["Read the visit records", "Talk to the care agency", "Meet you if you would like"],
}
RESPONSE = {
    "outcome": "partly_upheld",
    "desired_outcome_met": True,
    "issues": "Visits were missed and nobody told you; you want them to happen as planned.",
    "investigation": "We read the rota and visit logs and spoke to the agency manager.",
    "evidence": "The rota, the visit logs and the agency's call records.",
    "findings": "Four of seven visits did not happen; the agency should have told us on the first day.",
    "went_wrong": True,
    "impact": "Your mother went without help to wash and eat on four days.",
    "apology": "We are sorry that this happened and that nobody told you.",
    "actions": ["The agency now calls us on the day a visit cannot happen"],
    "learning": ["Missed visits are reviewed weekly by the commissioning team"],
    "signed_by": "Sam Senior, Head of Adults' Services",
}


def dates(case: dict) -> dict:
    return {name: value for name, value in case["deadlines"].items()}


async def test_a_case_walks_from_acknowledgement_to_close_with_its_deadlines_and_events(driver):
    clock = driver.clock
    clock.on(date(2026, 7, 2))
    case = await driver.open(date(2026, 7, 2))  # a Thursday
    assert dates(case) == {"acknowledge_by": "2026-07-07", "action_plan_by": None, "respond_by": None,
                           "six_months_by": "2027-01-02"}

    clock.on(date(2026, 7, 6))
    acknowledged = await driver.act(case, "acknowledge", {
        "discussion_accepted": True, "complainant": {"name": "Ann Example", "address": ["1 High Street"]}})
    assert acknowledged.status_code == 200, acknowledged.text
    # Plan within 5 working days of acknowledgement; the notified likely period is 20 working days
    # counted from receipt (seed 003 §3.2), not from the acknowledgement.
    assert dates(acknowledged.json()) == {"acknowledge_by": "2026-07-07", "action_plan_by": "2026-07-13",
                                          "respond_by": "2026-07-30", "six_months_by": "2027-01-02"}

    clock.on(date(2026, 7, 10))
    planned = await driver.act(case, "action-plan", PLAN)
    assert planned.status_code == 200, planned.text
    assert planned.json()["deadlines"]["respond_by"] == "2026-07-30"  # the plan's 20 working days, from receipt
    assert planned.json()["status"] == "action_plan_issued"

    clock.on(date(2026, 8, 3))
    extended = await driver.act(case, "extend", {"respond_by": "2026-08-21",
                                                 "reason": "The agency's records arrive on 14 August."})
    assert extended.status_code == 200, extended.text
    assert extended.json()["deadlines"]["respond_by"] == "2026-08-21"
    assert extended.json()["extensions"][0]["previous_respond_by"] == "2026-07-30"

    clock.on(date(2026, 8, 20))
    responded = await driver.act(case, "response", RESPONSE)
    assert responded.status_code == 200, responded.text
    assert responded.json()["on_time"] is True and responded.json()["outcome"] == "partly_upheld"

    clock.on(date(2026, 8, 24))
    closed = await driver.act(case, "close")
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed"

    events = await driver.events(case["reference"])
    assert [kind for kind, _ in events] == [
        "nwd.case.opened.v1", "nwd.case.acknowledged.v1", "nwd.case.action_plan_issued.v1",
        "nwd.case.extended.v1", "nwd.case.responded.v1", "nwd.case.closed.v1",
    ]
    data = dict(events)
    assert data["nwd.case.acknowledged.v1"]["acknowledged_on"] == "2026-07-06"
    assert data["nwd.case.acknowledged.v1"]["deadlines"]["action_plan_by"] == "2026-07-13"
    assert data["nwd.case.acknowledged.v1"]["discussion_accepted"] is True
    assert data["nwd.case.action_plan_issued.v1"]["deadlines"]["respond_by"] == "2026-07-30"
    assert data["nwd.case.extended.v1"]["deadlines"]["respond_by"] == "2026-08-21"
    assert data["nwd.case.extended.v1"]["previous_respond_by"] == "2026-07-30"
    assert {"responded_on": "2026-08-20", "outcome": "partly_upheld", "on_time": True,
            "respond_by": "2026-08-21"}.items() <= data["nwd.case.responded.v1"].items()
    closed_data = data["nwd.case.closed.v1"]
    assert closed_data["closed_on"] == "2026-08-24" and closed_data["outcome"] == "partly_upheld"
    assert closed_data["subject"] == "missed home care visits" and closed_data["on_time"] is True
    assert case["reference"] in closed_data["summary"] and "partly upheld" in closed_data["summary"]
    # No personal data in events: the complainant's name stays in casework.
    assert all("Ann Example" not in str(payload) for _, payload in events)

    record = (await driver.get(case, "/record")).json()
    assert record["met_notified_or_extended_period"] is True and record["extensions"] == 1
    assert record["notified_respond_by"] == "2026-07-30" and record["respond_by"] == "2026-08-21"

    # The four letters this case called for, as HTML and as PDF.
    assert closed.json()["letters"] == ["acknowledgement", "action-plan", "extension", "final-response"]
    for kind, due in [("acknowledgement", "Monday 13 July 2026"), ("action-plan", "Thursday 30 July 2026"),
                      ("extension", "Friday 21 August 2026"), ("final-response", "Friday 21 August 2026")]:
        page = await driver.get(case, f"/letters/{kind}", accept="text/html")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert case["reference"] in page.text and due in page.text
        pdf = await driver.get(case, f"/letters/{kind}", accept="application/pdf")
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
        assert case["reference"] in text and due in " ".join(text.split())
    six = await driver.get(case, "/letters/six-months", accept="text/html")
    assert six.status_code == 409


async def test_an_action_plan_over_20_working_days_needs_its_reason(driver):
    driver.clock.on(date(2026, 7, 2))
    case = await driver.open(date(2026, 7, 2))
    driver.clock.on(date(2026, 7, 6))
    assert (await driver.act(case, "acknowledge")).status_code == 200
    driver.clock.on(date(2026, 7, 10))

    refused = await driver.act(case, "action-plan", PLAN | {"timescale_working_days": 25})
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["errors"][0]["field"] == "body.timescale_working_days"

    accepted = await driver.act(case, "action-plan", PLAN | {
        "timescale_working_days": 25,
        "longer_timescale_reason": "We need the agency's records, which take four weeks to arrive."})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["deadlines"]["respond_by"] == "2026-08-06"  # 25 working days from receipt
    [(_, issued)] = [e for e in await driver.events(case["reference"])
                     if e[0] == "nwd.case.action_plan_issued.v1"]
    assert issued["timescale_working_days"] == 25 and issued["longer_timescale_reason"]
    letter = await driver.get(case, "/letters/action-plan", accept="text/html")
    assert "take four weeks to arrive" in letter.text
    commented = await driver.act(case, "action-plan/comments", {"comments": "Please also check June."})
    assert commented.json()["action_plan"]["comments"] == [{"on": "2026-07-10",
                                                           "comments": "Please also check June."}]


async def test_only_the_owner_acts_and_strangers_see_nothing(driver):
    driver.clock.on(date(2026, 7, 2))
    case = await driver.open(date(2026, 7, 2), owner="uhsussex", contributors=("wsx-council",))
    assert (await driver.act(case, "acknowledge", by="wsx-council")).status_code == 403
    assert (await driver.act(case, "acknowledge", by="bh-council")).status_code == 404
    assert (await driver.get(case, "/letters/acknowledgement", by="bh-council")).status_code == 404
    assert (await driver.get(case, by="wsx-council")).json()["unreasonably_persistent"] is None
    missing = await driver.client.post("/v1/cases/no-such-case/acknowledge", json={},
                                       headers={"Authorization": "Bearer demo-uhsussex-key"})
    assert missing.status_code == 404


async def test_the_final_response_is_refused_without_what_regulation_14_requires(driver):
    driver.clock.on(date(2026, 7, 2))
    case = await driver.open(date(2026, 7, 2))
    assert (await driver.act(case, "response", RESPONSE)).status_code == 409  # not yet acknowledged
    assert (await driver.act(case, "acknowledge")).status_code == 200
    lacking = {k: v for k, v in RESPONSE.items() if k not in {"apology", "evidence"}}
    refused = await driver.act(case, "response", lacking | {"desired_outcome_met": False})
    assert refused.status_code == 422
    fields = {e["field"] for e in refused.json()["errors"]}
    assert fields == {"body.apology", "body.evidence", "body.alternative"}
    assert (await driver.act(case, "response", {"outcome": "maybe"})).status_code == 422


async def test_responses_are_measured_against_the_extended_date_and_closing_without_one_needs_a_reason(driver):
    driver.clock.on(date(2026, 7, 2))
    case = await driver.open(date(2026, 7, 2))
    assert (await driver.act(case, "close")).status_code == 422
    assert (await driver.act(case, "acknowledge")).status_code == 200
    assert (await driver.act(case, "acknowledge")).status_code == 409
    assert (await driver.act(case, "extend", {"respond_by": "2026-08-01", "reason": "x"})).status_code == 422
    driver.clock.on(date(2026, 9, 1))  # after the notified 30 July
    late = await driver.act(case, "response", RESPONSE)
    assert late.json()["on_time"] is False
    escalated = await driver.act(case, "escalate", {"reason": "The complainant remains dissatisfied."})
    assert escalated.status_code == 200 and escalated.json()["status"] == "escalated"
    [(_, data)] = [e for e in await driver.events(case["reference"]) if e[0] == "nwd.case.escalated.v1"]
    assert data["ombudsman_id"] == "lgsco"
    assert (await driver.act(case, "escalate", {"reason": "again"})).status_code == 409
    closed = await driver.act(case, "close")
    [(_, data)] = [e for e in await driver.events(case["reference"]) if e[0] == "nwd.case.closed.v1"]
    assert closed.status_code == 200 and "after the notified" in data["summary"]
    assert "Ombudsman" in data["summary"]


async def test_customer_relations_sets_and_clears_the_unreasonably_persistent_flag_with_a_reason(driver):
    driver.clock.on(date(2026, 7, 2))
    case = await driver.open(date(2026, 7, 2), contributors=("uhsussex",))
    assert (await driver.act(case, "unreasonably-persistent", {"flagged": True})).status_code == 422
    flagged = await driver.act(case, "unreasonably-persistent", {"flagged": True, "reason": "Daily calls"})
    assert flagged.status_code == 200 and flagged.json()["unreasonably_persistent"] is True
    assert (await driver.act(case, "unreasonably-persistent",
                             {"flagged": True, "reason": "again"})).status_code == 409
    assert (await driver.get(case, by="uhsussex")).json()["unreasonably_persistent"] is None
    cleared = await driver.act(case, "unreasonably-persistent", {"flagged": False, "reason": "Calls stopped"})
    assert cleared.json()["unreasonably_persistent"] is False


async def test_letters_answer_the_accept_header(driver):
    driver.clock.on(date(2026, 7, 2))
    case = await driver.open(date(2026, 7, 2))
    assert (await driver.get(case, "/letters/acknowledgement")).status_code == 409
    # No body at all: the offer to discuss is made and the usual period notified.
    bare = await driver.client.post(f"/v1/cases/{case['id']}/acknowledge",
                                    headers={"Authorization": "Bearer demo-wsx-council-key"})
    assert bare.status_code == 200, bare.text
    assert (await driver.get(case, "/letters/no-such-letter")).status_code == 404
    assert (await driver.get(case, "/letters/acknowledgement", accept="application/json")).status_code == 406
    preferred = await driver.get(case, "/letters/acknowledgement",
                                 accept="text/html;q=0.5, application/pdf")
    assert preferred.headers["content-type"] == "application/pdf"
    assert (await driver.get(case, "/letters/acknowledgement", accept="*/*")).headers[
        "content-type"].startswith("text/html")
