"""No wrong door, end to end: a PALS receives a complaint about council care; the council takes it on.

All five services as processes over the real broker, through HTTP only.
"""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest

from nwd_shared.calendar import WorkingCalendar, local_date
from nwd_shared.testing import bearer, contact_payload, eventually

pytestmark = pytest.mark.e2e
PALS = bearer("demo-uhsussex-pals-key")
COUNCIL = bearer("demo-wsx-council-key")


async def test_a_pals_contact_about_council_care_is_referred_and_the_council_opens_the_case(stack):
    async with httpx.AsyncClient(timeout=10) as client:
        posted = await client.post(f"{stack.url('intake')}/v1/contacts", headers=PALS, json=contact_payload(
            concerns=[{"organisation_id": "wsx-council"}],
            description="The council's home care visits to my mother were missed for a week."))
        assert posted.status_code == 202, posted.text
        reference = posted.json()["reference"]

        async def journey() -> dict:
            return (await client.get(f"{stack.url('intake')}/v1/contacts/{reference}", headers=PALS)).json()

        async def proposal():
            items = (await client.get(f"{stack.url('referral')}/v1/referrals", params={"status": "pending"},
                                      headers=COUNCIL)).json()["items"]
            return next((r for r in items if r["reference"] == reference), None)

        proposed = await eventually(proposal, timeout=30)
        assert (proposed["from_organisation"], proposed["purpose"]) == ("uhsussex-pals", "ownership")

        # While the council has not answered, the PALS that received it is the interim owner.
        async def pending_in_journey():
            view = await journey()
            return view if view["status"] == "referral_pending" else None

        waiting = await eventually(pending_in_journey, timeout=30)
        assert waiting["owner"] == "uhsussex-pals"

        # The council reads the details it needs (consent was not given, so not in the event) and accepts.
        details = (await client.get(f"{stack.url('referral')}/v1/referrals/{proposed['id']}", headers=COUNCIL)).json()
        assert details["details"]["description"].startswith("The council's home care")
        accepted = await client.post(f"{stack.url('referral')}/v1/referrals/{proposed['id']}/accept", headers=COUNCIL)
        assert accepted.status_code == 200, accepted.text
        proposed_on = local_date(datetime.fromisoformat(accepted.json()["created_at"]))

        async def case():
            items = (await client.get(f"{stack.url('casework')}/v1/cases", params={"reference": reference},
                                      headers=COUNCIL)).json()["items"]
            return items[0] if items else None

        opened = await eventually(case, timeout=30)
        assert opened["owner"] == "wsx-council"
        # The council's statutory clock starts on the day the complaint was proposed to it, not on its
        # acceptance (docs/domain.md, When the clock starts).
        assert opened["received_on"] == proposed_on.isoformat()
        assert opened["deadlines"]["acknowledge_by"] == WorkingCalendar().add_working_days(proposed_on, 3).isoformat()

        async def complete():
            view = await journey()
            return view if "nwd.case.opened.v1" in [s["type"] for s in view["journey"]] else None

        view = await eventually(complete, timeout=30)
        steps = [(s["type"], s["organisation"]) for s in view["journey"]]
        assert steps == [
            ("nwd.contact.received.v1", "uhsussex-pals"),
            ("nwd.triage.completed.v1", "uhsussex-pals"),
            ("nwd.referral.proposed.v1", "uhsussex-pals"),
            ("nwd.referral.accepted.v1", "wsx-council"),
            ("nwd.ownership.agreed.v1", "wsx-council"),
            ("nwd.case.opened.v1", "wsx-council"),
        ], steps
        times = [datetime.fromisoformat(s["at"]) for s in view["journey"]]
        assert times == sorted(times) and all(s["summary"] for s in view["journey"])
        assert view["owner"] == "wsx-council" and view["status"] == "case_open"
        print("\n" + "\n".join(f"{s['at']}  {s['organisation']:<14} {s['summary']}" for s in view["journey"]))


async def test_a_joint_health_and_social_care_complaint_opens_one_case_at_the_lead_with_its_contributor(stack):
    hospital = bearer("demo-uhsussex-key")
    async with httpx.AsyncClient(timeout=10) as client:
        posted = await client.post(f"{stack.url('intake')}/v1/contacts", headers=PALS, json=contact_payload(
            concerns=[{"organisation_id": "wsx-council"}, {"service_type": "social_care", "area": "west-sussex"},
                      {"organisation_id": "uhsussex"}],
            description="My father was discharged from hospital without the home care the council had promised, "
                        "and the council's care package has still not started."))
        assert posted.status_code == 202, posted.text
        reference = posted.json()["reference"]

        async def proposed_to(key: dict):
            items = (await client.get(f"{stack.url('referral')}/v1/referrals", params={"status": "pending"},
                                      headers=key)).json()["items"]
            return next((r for r in items if r["reference"] == reference), None)

        # Two of the three concerns are the council's, so it is proposed as lead (reg 9).
        lead = await eventually(lambda: proposed_to(COUNCIL), timeout=30)
        contributor = await eventually(lambda: proposed_to(hospital), timeout=30)
        assert (lead["purpose"], lead["role"]) == ("joint", "lead")
        assert (contributor["purpose"], contributor["role"]) == ("joint", "contributor")
        for referral, key in ((lead, COUNCIL), (contributor, hospital)):
            answered = await client.post(f"{stack.url('referral')}/v1/referrals/{referral['id']}/accept", headers=key)
            assert answered.status_code == 200, answered.text

        async def case():
            items = (await client.get(f"{stack.url('casework')}/v1/cases", params={"reference": reference},
                                      headers=COUNCIL)).json()["items"]
            return items[0] if items else None

        opened = await eventually(case, timeout=30)
        assert (opened["owner"], opened["contributors"]) == ("wsx-council", ["uhsussex"])

        async def journey_shows_the_case():
            view = (await client.get(f"{stack.url('intake')}/v1/contacts/{reference}", headers=PALS)).json()
            return view if view["status"] == "case_open" else None

        view = await eventually(journey_shows_the_case, timeout=30)
        agreed = [s for s in view["journey"] if s["type"] == "nwd.ownership.agreed.v1"]
        assert [s["organisation"] for s in agreed] == ["wsx-council"] and "uhsussex" in agreed[0]["summary"]
