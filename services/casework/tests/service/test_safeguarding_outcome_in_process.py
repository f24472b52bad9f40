"""A complaint suspended for safeguarding resumes when the council records that safeguarding completed."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from nwd_shared import events as ev
from nwd_shared.calendar import ENGLAND
from nwd_shared.testing import bearer, deliver, new_reference, ownership_agreed, staged

COUNCIL = bearer("demo-wsx-council-key")


def outcome(reference: str, *, enquiry: str, concluded_on: date | None = None) -> ev.SafeguardingOutcomeRecorded:
    ended = enquiry == "not_opened" or concluded_on is not None
    return ev.SafeguardingOutcomeRecorded(
        source="/nwd/triage", subject=reference, time=datetime.now(UTC),
        data=ev.SafeguardingOutcomeData(
            reference=reference, organisation_id="wsx-council", received_by="uhsussex",
            acknowledge_by=datetime.now(UTC), escalate_by=datetime.now(UTC),
            state="concluded" if concluded_on else ("not_opened" if ended else "enquiry_opened"),
            enquiry=enquiry, concluded_on=concluded_on, ended=ended))


async def _suspended_case(casework, on: date) -> dict:
    reference = new_reference()
    casework.clock.on(on)
    await deliver(casework, ownership_agreed(reference, route="suspended",
                                             received_at=datetime.combine(on, time(9), tzinfo=ENGLAND)))
    [case] = (await casework.get("/v1/cases", params={"reference": reference}, headers=COUNCIL)).json()["items"]
    assert case["suspended"] is True
    return case


async def test_the_enquirys_conclusion_resumes_the_complaint_once_with_its_deadlines_moved(casework):
    case = await _suspended_case(casework, date(2026, 7, 6))
    acknowledged = await casework.post(f"/v1/cases/{case['id']}/acknowledge", headers=COUNCIL)
    assert acknowledged.status_code == 200, acknowledged.text
    before = acknowledged.json()["deadlines"]

    casework.clock.on(date(2026, 7, 13))
    await deliver(casework, outcome(case["reference"], enquiry="opened"))  # the enquiry opens: still waiting
    assert (await casework.get(f"/v1/cases/{case['id']}", headers=COUNCIL)).json()["suspended"] is True

    casework.clock.on(date(2026, 7, 20))
    concluded = outcome(case["reference"], enquiry="opened", concluded_on=date(2026, 7, 17))
    await deliver(casework, concluded, concluded)
    await deliver(casework, outcome(case["reference"], enquiry="opened", concluded_on=date(2026, 7, 17)))

    after = (await casework.get(f"/v1/cases/{case['id']}", headers=COUNCIL)).json()
    assert after["suspended"] is False
    events = await staged(casework, case["reference"])
    resumed = [data for kind, data in events if kind == "nwd.case.resumed.v1"]
    # Acknowledged on Monday 6 July, resumed on Monday 20 July: ten working days paused, recorded once.
    assert len(resumed) == 1 and resumed[0]["paused_working_days"] == 10
    assert "concluded on 2026-07-17" in resumed[0]["reason"]
    assert before["respond_by"] == "2026-08-03" and after["deadlines"]["respond_by"] == "2026-08-17"
    assert resumed[0]["deadlines"]["respond_by"] == "2026-08-17"


async def test_no_enquiry_opened_resumes_the_complaint(casework):
    case = await _suspended_case(casework, date(2026, 7, 6))
    await deliver(casework, outcome(case["reference"], enquiry="not_opened"))
    after = (await casework.get(f"/v1/cases/{case['id']}", headers=COUNCIL)).json()
    assert after["suspended"] is False
    [(kind, data)] = [(k, d) for k, d in await staged(casework, case["reference"]) if k == "nwd.case.resumed.v1"]
    assert data["reason"] == "wsx-council opened no safeguarding enquiry"


async def test_a_complaint_that_is_not_suspended_is_left_alone(casework):
    reference = new_reference()
    casework.clock.on(date(2026, 7, 6))
    await deliver(casework, ownership_agreed(reference, route="split"))
    await deliver(casework, outcome(reference, enquiry="not_opened"))
    assert [kind for kind, _ in await staged(casework, reference)] == ["nwd.case.opened.v1"]
