"""One contact through all five services, as processes over the real broker, through HTTP only."""

from __future__ import annotations

import time
from datetime import date, datetime

import httpx
import pytest

from nwd_shared.calendar import WorkingCalendar, add_months, local_date
from nwd_shared.testing import bearer, contact_payload, eventually

pytestmark = pytest.mark.e2e
COUNCIL = bearer("demo-wsx-council-key")


async def test_a_contact_reaches_an_opened_case_with_its_acknowledgement_date(stack):
    async with httpx.AsyncClient(timeout=10) as client:
        posted = await client.post(f"{stack.url('intake')}/v1/contacts", json=contact_payload(),
                                   headers=COUNCIL)
        assert posted.status_code == 202, posted.text
        reference = posted.json()["reference"]
        received_on = local_date(datetime.fromisoformat(posted.json()["received_at"]))
        started = time.monotonic()

        async def journey():
            view = (await client.get(f"{stack.url('intake')}/v1/contacts/{reference}", headers=COUNCIL)).json()
            return view if "nwd.case.opened.v1" in [s["type"] for s in view["journey"]] else None

        view = await eventually(journey, timeout=30)
        print(f"\n202 to 'case opened' in the journey: {(time.monotonic() - started) * 1000:.0f} ms")
        assert [s["type"] for s in view["journey"]] == [
            "nwd.contact.received.v1", "nwd.triage.completed.v1",
            "nwd.ownership.agreed.v1", "nwd.case.opened.v1",
        ]
        assert view["status"] == "case_open" and view["owner"] == "wsx-council"
        assert view["route"] == "complaint"

        cases = (await client.get(f"{stack.url('casework')}/v1/cases", params={"reference": reference},
                                  headers=COUNCIL)).json()["items"]
        [case] = cases
        expected = WorkingCalendar().add_working_days(received_on, 3)
        assert case["deadlines"]["acknowledge_by"] == expected.isoformat()
        assert case["deadlines"]["six_months_by"] == add_months(received_on, 6).isoformat()
        assert f"acknowledge by {expected.isoformat()}" in view["journey"][-1]["summary"]

        triage = (await client.get(f"{stack.url('triage')}/v1/triage/{reference}", headers=COUNCIL)).json()
        assert triage["route"] == "complaint" and triage["responsible_organisations"] == ["wsx-council"]

        async def counted():
            summary = (await client.get(f"{stack.url('learning')}/v1/reports/summary", headers=COUNCIL,
                                        params={"organisation": "wsx-council", "from": received_on.isoformat(),
                                                "to": date.today().isoformat()})).json()
            return summary if summary["counts"].get("cases.opened", 0) >= 1 else None

        summary = await eventually(counted, timeout=30)
        assert summary["counts"]["contacts.kind.complaint"] >= 1
