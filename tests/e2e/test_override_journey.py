"""Overrides and routes without a case, end to end: all five services as processes, through HTTP only."""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest

from nwd_shared.calendar import WorkingCalendar, local_date
from nwd_shared.testing import bearer, contact_payload, eventually

pytestmark = pytest.mark.e2e
COUNCIL = bearer("demo-wsx-council-key")
TRUST = bearer("demo-uhsussex-key")


async def test_an_override_after_the_case_opened_moves_it_to_the_organisation_that_accepts(stack):
    async with httpx.AsyncClient(timeout=10) as client:
        posted = await client.post(f"{stack.url('intake')}/v1/contacts", json=contact_payload(), headers=COUNCIL)
        assert posted.status_code == 202, posted.text
        reference = posted.json()["reference"]

        async def journey(status: str, owner: str):
            view = (await client.get(f"{stack.url('intake')}/v1/contacts/{reference}", headers=COUNCIL)).json()
            return view if (view.get("status"), view.get("owner")) == (status, owner) else None

        await eventually(lambda: journey("case_open", "wsx-council"), timeout=30)

        overridden = await client.post(
            f"{stack.url('triage')}/v1/triage/{reference}/decision", headers=COUNCIL,
            json={"route": "complaint", "responsible_organisations": ["uhsussex"],
                  "reason": "The missed visits were by the hospital's discharge team"})
        assert overridden.status_code == 200, overridden.text

        async def proposal():
            items = (await client.get(f"{stack.url('referral')}/v1/referrals", params={"status": "pending"},
                                      headers=TRUST)).json()["items"]
            return next((r for r in items if r["reference"] == reference), None)

        proposed = await eventually(proposal, timeout=30)
        assert (proposed["from_organisation"], proposed["purpose"]) == ("wsx-council", "ownership")
        accepted = await client.post(f"{stack.url('referral')}/v1/referrals/{proposed['id']}/accept", headers=TRUST)
        assert accepted.status_code == 200, accepted.text
        accepted_on = local_date(datetime.fromisoformat(accepted.json()["answered_at"]))

        async def cases(key: dict) -> list[dict]:
            return (await client.get(f"{stack.url('casework')}/v1/cases", params={"reference": reference},
                                     headers=key)).json()["items"]

        [moved] = await eventually(lambda: cases(TRUST), timeout=30)
        assert moved["owner"] == "uhsussex" and moved["status"] == "open"
        # The trust's clock starts when it received the contact: the day it accepted it.
        assert moved["received_on"] == accepted_on.isoformat()
        assert moved["deadlines"]["acknowledge_by"] == WorkingCalendar().add_working_days(accepted_on, 3).isoformat()
        assert await cases(COUNCIL) == []

        view = await eventually(lambda: journey("case_open", "uhsussex"), timeout=30)
        assert [s["type"] for s in view["journey"]] == [
            "nwd.contact.received.v1", "nwd.triage.completed.v1", "nwd.ownership.agreed.v1", "nwd.case.opened.v1",
            "nwd.triage.overridden.v1", "nwd.referral.proposed.v1", "nwd.referral.accepted.v1",
            "nwd.ownership.agreed.v1", "nwd.case.closed.v1", "nwd.case.opened.v1",
        ]
        assert [s["organisation"] for s in view["journey"][-2:]] == ["wsx-council", "uhsussex"]


async def test_day_to_day_business_and_a_compliment_open_no_complaint_case(stack):
    async with httpx.AsyncClient(timeout=10) as client:
        async def post(**body) -> str:
            posted = await client.post(f"{stack.url('intake')}/v1/contacts", json=contact_payload(**body),
                                       headers=COUNCIL)
            assert posted.status_code == 202, posted.text
            return posted.json()["reference"]

        oral = await post(channel="phone", resolved_at_first_contact=True,
                          description="The carer was late this morning; the office apologised and sent her at once.")
        compliment = await post(kind="compliment", channel="letter",
                                description="Thank you to the carers who looked after my mother so kindly.")
        later = await post()

        async def journey(reference: str) -> dict:
            return (await client.get(f"{stack.url('intake')}/v1/contacts/{reference}", headers=COUNCIL)).json()

        async def later_case_open() -> bool:
            return (await journey(later))["status"] == "case_open"

        await eventually(later_case_open, timeout=30)
        for reference, route in ((oral, "day_to_day"), (compliment, "feedback")):
            async def decided_no_case(reference: str = reference) -> bool:
                # Referral has acted on the decision and found no case to agree ownership of.
                response = await client.get(f"{stack.url('referral')}/v1/ownership/{reference}", headers=COUNCIL)
                return response.status_code == 200 and response.json()["state"] == "no_case"

            await eventually(decided_no_case, timeout=30)
            view = await journey(reference)
            assert view["route"] == route and view["status"] != "case_open" and view["owner"] == "wsx-council"
            assert "nwd.ownership.agreed.v1" not in [s["type"] for s in view["journey"]]
            cases = await client.get(f"{stack.url('casework')}/v1/cases", params={"reference": reference},
                                     headers=COUNCIL)
            assert cases.status_code == 200
            if route == "feedback":
                assert cases.json()["items"] == []
                continue
            # Day-to-day business is a record with its own deadline, never a complaint case: put right at
            # first contact, it is closed as day-to-day business at once (issue 15, docs/domain.md).
            async def day_to_day_closed(reference: str = reference):
                items = (await client.get(f"{stack.url('casework')}/v1/cases", params={"reference": reference},
                                          headers=COUNCIL)).json()["items"]
                return items if items and items[0]["status"] == "closed" else None

            items = await eventually(day_to_day_closed, timeout=30)
            assert [(c["status"], c.get("closed_as")) for c in items] == [("closed", "day_to_day")]
